"""Benchmark: the reader's memory bounds.

Run: `.venv/bin/python benchmarks/bench_ingest.py [MB]`. Writes, in a temporary folder,

- a long CSV of about MB megabytes (default 200) of real city names × years × variables, and validates it
  with `mfgindex validate --data` in a child process;
- a 1.5 MB XLSX zip bomb (1.5 GiB of sheet XML) and validates it the same way;

and prints each child's wall time and peak resident memory (VmHWM, sampled from /proc while it runs).
Targets: the CSV at <= 1.5 GB peak, the bomb refused below 300 MB.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path


def _peak(cmd: list[str]) -> tuple[float, float, int, str]:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = 0
    status = Path(f"/proc/{proc.pid}/status")
    while proc.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM"):
                    peak = max(peak, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.05)
    out = proc.stdout.read() if proc.stdout else ""
    return time.perf_counter() - t0, peak / 1024, proc.returncode, out


def write_csv(path: Path, megabytes: int) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from mfgindex.core import geo

    names = [str(n) for n in geo.units()["name"] if n not in {"北京市", "天津市", "上海市", "重庆市"}]
    variables = [f"v{i:03d}" for i in range(200)]
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["city", "year", "variable", "value", "source"])
        year = 1949
        while fh.tell() < megabytes * 2**20:
            for name in names:
                for v in variables:
                    w.writerow([name, year, v, f"{(rows * 7919) % 100000 / 7:.4f}", "统计年鉴"])
                    rows += 1
            year += 1
    return rows


def write_bomb(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            block = b"<c/>" * 2**18
            for _ in range(1536):
                fh.write(block)


def main() -> None:
    megabytes = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    exe = str(Path(sys.executable).with_name("mfgindex"))
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big.csv"
        rows = write_csv(big, megabytes)
        fw = Path(tmp) / "fw.yaml"
        fw.write_text(
            "id: bench\nvariables: {v000: {kind: other}}\nroot: {id: index, children: [{id: v000}]}\n",
            encoding="utf-8",
        )
        wall, peak, code, out = _peak([exe, "validate", "-f", str(fw), "-d", str(big)])
        size = big.stat().st_size / 2**20
        print(
            f"CSV {size:.0f} MiB, {rows:,} rows: validate exit {code}, wall {wall:.1f} s, peak {peak:.0f} MiB"
        )
        if code != 0:
            print(out[-2000:])
        bomb = Path(tmp) / "bomb.xlsx"
        write_bomb(bomb)
        wall, peak, code, out = _peak([exe, "validate", "-d", str(bomb)])
        print(f"zip bomb {bomb.stat().st_size / 2**20:.1f} MiB: exit {code}, ", end="")
        print(f"wall {wall:.1f} s, peak {peak:.0f} MiB")
        print("  " + out.strip().splitlines()[0][:200])


if __name__ == "__main__":
    main()
