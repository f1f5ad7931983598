"""Benchmark: rendering the full default report (HTML + PDF, zh), target < 30 s.

Run: `.venv/bin/python benchmarks/bench_report.py`. Prints wall and CPU time of `mfgindex report`.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    exe = Path(sys.executable).with_name("mfgindex")
    with tempfile.TemporaryDirectory() as tmp:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run([str(exe), "report", "--out", tmp], check=True, capture_output=True)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        print(f"mfgindex report (default run, zh, HTML + PDF): wall {wall:.1f} s, CPU {cpu:.1f} s")


if __name__ == "__main__":
    main()
