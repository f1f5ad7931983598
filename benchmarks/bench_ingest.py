"""Benchmark: the reader's memory bounds.

Run: `.venv/bin/python benchmarks/bench_ingest.py [MB]`. Writes, in a temporary folder,

- a long CSV (city, year, variable, value, source) of about MB megabytes (default 200): the 333
  units of the shipped division table that are not municipalities × 200 variables × as many
  years from 1949 as it takes; values are smooth series (4 % a year, ±0.5 % wobble), so the plausibility
  checks that `validate` runs find nothing and the whole command is measured, not an error path;
- a 1.5 MB XLSX zip bomb (1.5 GiB of sheet XML);

and validates each with `mfgindex validate` in a child process, printing its wall time and peak resident
memory (`ru_maxrss` of the child from `os.wait4`, the kernel's own high-water mark).
Targets: the CSV at <= 1.5 GB peak, the bomb refused below 300 MB.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path


def peak(cmd: list[str]) -> tuple[float, float, int, str]:
    """(wall seconds, peak RSS in MiB, exit code, output) of ``cmd`` run to its end."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    return time.perf_counter() - t0, usage.ru_maxrss / 1024, proc.returncode, text


def write_csv(path: Path, megabytes: int) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from mfgindex.core import geo

    units = geo.units()
    names = [str(n) for n in units.loc[units["unit_type"] != "municipality", "name"]]
    variables = [f"v{i:03d}" for i in range(200)]
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["city", "year", "variable", "value", "source"])
        year = 1949
        while fh.tell() < megabytes * 2**20:
            growth = 1.04 ** (year - 1949)
            for c, name in enumerate(names):
                for j, v in enumerate(variables):
                    base = 100 + (c * 31 + j * 17) % 900
                    wobble = 1 + ((rows * 7919) % 101 - 50) / 10_000
                    w.writerow([name, year, v, f"{base * growth * wobble:.4f}", "统计年鉴"])
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
            "id: bench\nvariables: {v000: {kind: amount}}\nroot: {id: index, children: [{id: v000}]}\n",
            encoding="utf-8",
        )
        wall, rss, code, out = peak([exe, "validate", "-f", str(fw), "-d", str(big)])
        size = big.stat().st_size / 2**20
        print(
            f"CSV {size:.0f} MiB, {rows:,} rows: validate exit {code}, wall {wall:.1f} s, peak {rss:.0f} MiB"
        )
        if code != 0:
            print(out[-2000:])
        bomb = Path(tmp) / "bomb.xlsx"
        write_bomb(bomb)
        wall, rss, code, out = peak([exe, "validate", "-d", str(bomb)])
        size = bomb.stat().st_size / 2**20
        print(f"zip bomb {size:.1f} MiB: exit {code}, wall {wall:.1f} s, peak {rss:.0f} MiB")
        print("  " + (out.strip().splitlines() or [""])[0][:200])


if __name__ == "__main__":
    main()
