"""Benchmark: the bounds of the YAML reader, measured in a fresh process per case.

Each case runs the real command (``mfgindex import --map``, ``mfgindex validate --framework``) in a child
process and reports its wall time and peak resident memory (``ru_maxrss`` of the child), then the same
parse in-process with ``tracemalloc`` (what the parser itself allocates). Bounds: the 377-byte
alias bomb refused in < 1 s and < 100 MB; a 2,000-level nesting refused with a message; a 1 KB framework
bomb refused. Run: ``.venv/bin/python benchmarks/bench_bombs.py`` (numbers in docs/security.md).
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from mfgindex.core import safeyaml
from mfgindex.core.errors import UserError

BOMB = "".join(
    f"{c}: &{c} [" + ",".join([f"*{p}"] * 9 if p else ['"lol"'] * 9) + "]\n"
    for p, c in zip(["", *"abcdefgh"], "abcdefghi", strict=True)
)
FRAMEWORK_BOMB = (
    "id: bomb\nroot:\n  id: r\n  children: &c0\n"
    + "".join(f"    - {{id: x{i}, variable: gdp}}\n" for i in range(9))
    + "".join(f"extra{k}: &c{k} [" + ",".join([f"*c{k - 1}"] * 9) + "]\n" for k in range(1, 9))
)
DEEP_FLOW = "id: deep\nroot: " + "{id: a, children: [" * 2000 + "{id: z, variable: gdp}" + "]}" * 2000 + "\n"
DEEP_BLOCK = "id: deep\nroot:\n" + "".join("  " * i + "  - children:\n" for i in range(2000))


WRAPPER = """
import atexit, resource, sys
from mfgindex.cli.main import main
sys.argv = ["mfgindex", *sys.argv[1:]]
atexit.register(lambda: print("RSS", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr))
main()
"""


def child(args: list[str]) -> tuple[float, float, int, str]:
    """(seconds, peak RSS MB, exit code, last message line) of ``mfgindex args`` in a fresh process."""
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", WRAPPER, *args], capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    lines = done.stderr.strip().splitlines()
    rss = next((int(x.split()[1]) for x in lines if x.startswith("RSS ")), 0) / 1024  # KiB on Linux
    message = next((x for x in lines if "error" in x), lines[0] if lines else "")
    return seconds, rss, done.returncode, message[:110]


def in_process(text: str) -> tuple[float, float]:
    tracemalloc.start()
    t0 = time.perf_counter()
    with contextlib.suppress(UserError):
        safeyaml.load_yaml(text, "x.yaml")
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return seconds, peak


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        (d / "bomb.yaml").write_text(BOMB, encoding="utf-8")
        (d / "fwbomb.yaml").write_text(FRAMEWORK_BOMB, encoding="utf-8")
        (d / "deep_flow.yaml").write_text(DEEP_FLOW, encoding="utf-8")
        (d / "deep_block.yaml").write_text(DEEP_BLOCK, encoding="utf-8")
        (d / "t.csv").write_text("city,year,gdp\n苏州,2022,1\n", encoding="utf-8")
        subprocess.run(
            [sys.executable, "-m", "mfgindex.cli.main", "init", str(d / "ws")], capture_output=True
        )
        base = child(["validate", "--help"])
        print(f"baseline: `mfgindex validate --help` {base[0]:.2f} s, {base[1]:.0f} MB peak RSS")
        imp = ["import", "-w", str(d / "ws"), str(d / "t.csv")]
        cases = [
            ("alias bomb as --map", BOMB, [*imp, "--map", str(d / "bomb.yaml")]),
            ("framework bomb", FRAMEWORK_BOMB, ["validate", "-f", str(d / "fwbomb.yaml")]),
            ("2,000 levels (flow)", DEEP_FLOW, ["validate", "-f", str(d / "deep_flow.yaml")]),
            ("2,000 levels (block)", DEEP_BLOCK, ["validate", "-f", str(d / "deep_block.yaml")]),
        ]  # fmt: skip
        print(
            f"{'case':24} {'bytes':>9} {'parse s':>8} {'parse MB':>9} {'cmd s':>6} {'cmd RSS MB':>10} "
            "exit  message"
        )
        for name, text, args in cases:
            ps, pm = in_process(text)
            cs, cm, code, line = child(args)
            size = len(text.encode())
            print(f"{name:24} {size:>9,} {ps:>8.3f} {pm:>9.1f} {cs:>6.2f} {cm:>10.0f} {code:>4}  {line}")


if __name__ == "__main__":
    main()
