"""Benchmark of ``mfgindex uncertainty`` (whole command, as a user runs it).

Cases (targets on a 2-core machine):
  asem-10k     N = 10,000 on COINr's ASEM example (build_example_coin pipeline), default assumptions: < 10 s
  default-100k N = 100,000 on the embedded data (~333 cities), default assumptions: < 60 s, bounded memory

Usage:  .venv/bin/python benchmarks/bench_uncertainty.py [asem-10k] [default-100k] [--replications] [--charts]
        [--backend dask]
Prints wall time, CPU time and the peak resident memory (max RSS) of each command (the default command
writes the statistics only; extra arguments are passed on, e.g. ``--replications`` for the parquet file).
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXE = str(Path(sys.executable).with_name("mfgindex"))  # the interpreter's own environment
ASEM = ROOT / "src" / "mfgindex" / "data" / "asem"
CASES = {
    "asem-10k": ["-f", str(ASEM / "iMeta.csv"), "-d", str(ASEM / "iData.csv"), "--denominate",
                 "--impute", "group_mean", "--impute-group", "EurAsia_group", "--n", "10000"],
    "default-100k": ["--n", "100000"],
}  # fmt: skip


def run(case: str, extra: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [EXE, "uncertainty", *CASES[case], "--seed", "1", "--out", tmp, *extra]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        parquet = Path(tmp) / "replications.parquet"  # only with --replications
        size = parquet.stat().st_size / 1e6 if parquet.exists() else 0.0
        # ru_maxrss of children is the largest child so far (KiB on Linux): run one case per process for
        # an exact figure per case
        label = " ".join(extra) or "local"
        rss = after.ru_maxrss / 1024
        print(f"{case:13s} {label:14s} wall {wall:6.2f} s  cpu {cpu:6.2f} s  peak RSS {rss:7.1f} MiB  "
              f"replications.parquet {size:7.1f} MB", flush=True)  # fmt: skip


def main(argv: list[str]) -> None:
    cases = [a for a in argv if a in CASES] or list(CASES)
    extra = [a for a in argv if a not in CASES]
    for case in cases:
        run(case, extra)


if __name__ == "__main__":
    main(sys.argv[1:])
