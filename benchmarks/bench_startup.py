"""Benchmark: start-up of the command line, ``mfgindex --help`` (target ≤ 0.3 s).

Runs the installed ``mfgindex --help`` 11 times and prints the median wall time, then the ten most
expensive imports from ``python -X importtime`` (cumulative). Run:
``.venv/bin/python benchmarks/bench_startup.py``.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path


def main() -> None:
    exe = str(Path(sys.executable).with_name("mfgindex"))
    times, cpus = [], []
    for _ in range(11):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run([exe, "--help"], check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    wall, cpu = statistics.median(times), statistics.median(cpus)
    print(f"load {os.getloadavg()[0]:.1f}; mfgindex --help: median {wall:.3f} s wall, {cpu:.3f} s CPU "
          f"(min wall {min(times):.3f} s, 11 runs; target ≤ 0.3 s)")  # fmt: skip
    got = subprocess.run([sys.executable, "-X", "importtime", "-c", "import mfgindex.cli.main"],
                         capture_output=True, text=True, check=True)  # fmt: skip
    rows = [line.split("|") for line in got.stderr.splitlines() if line.startswith("import time:")][1:]
    top = sorted(((int(r[1]), r[2].rstrip()) for r in rows if r[1].strip().isdigit()), reverse=True)[:10]
    for us, name in top:
        print(f"  {us / 1e3:7.1f} ms  {name}")


if __name__ == "__main__":
    main()
