"""Benchmark of ``mfgindex uncertainty`` (whole command, as a user runs it).

Cases (targets on a 2-core machine):
  asem-10k     N = 10,000 on COINr's ASEM example (build_example_coin pipeline), default assumptions:
               ≤ 1.0 s wall on an idle machine (the evaluation plan's target; was < 10 s)
  default-100k N = 100,000 on the embedded data (~333 cities), default assumptions: < 60 s, bounded memory

Usage:  .venv/bin/python benchmarks/bench_uncertainty.py [asem-10k] [default-100k] [--repeat K]
        [--no-bytecode] [--replications] [--charts] [--backend dask]
Prints the load average, then for each case the median wall time, CPU time and the peak resident memory
(max RSS) of K runs (default 5) after one untimed warm-up run; extra arguments are passed on (the default
command writes the statistics only; e.g. ``--replications`` for the parquet file).

Host steal (Linux): a virtual machine's CPUs are sometimes not running at all because the host gives their
time to other guests — the guest sees it only as "steal" in ``/proc/stat``. On this machine it reached a
third of the CPU time within minutes of an idle reading (2026-12-02), and it moves a one-second command by
±30 %. Each run's steal (both CPUs, 10 ms ticks) is read around it; the line ``without host steal`` gives
the median of the runs during which none was counted, the figure of an idle machine on an idle host.

Python's bytecode cache: an installed package runs from compiled ``.pyc`` files (pip compiles them at
install time). If the environment forbids writing them (``PYTHONDONTWRITEBYTECODE``, set on some
development machines), every run compiles mfgindex's sources again (≈ 0.2 s here), which no user pays;
the runs therefore use a bytecode cache in a temporary folder (``PYTHONPYCACHEPREFIX``), filled by the
warm-up run. ``--no-bytecode`` measures the environment as it is.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from web_probe import steal_seconds  # the machine's steal counter, as the web benchmark reads it

ROOT = Path(__file__).resolve().parents[1]
EXE = str(Path(sys.executable).with_name("mfgindex"))  # the interpreter's own environment
ASEM = ROOT / "src" / "mfgindex" / "data" / "asem"
CASES = {
    "asem-10k": ["-f", str(ASEM / "iMeta.csv"), "-d", str(ASEM / "iData.csv"), "--denominate",
                 "--impute", "group_mean", "--impute-group", "EurAsia_group", "--n", "10000"],
    "default-100k": ["--n", "100000"],
}  # fmt: skip


def _once(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    steal = steal_seconds()
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - t0
    steal = steal_seconds() - steal
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # ru_maxrss of children is the largest child so far (KiB on Linux): run one case per process for
    # an exact figure per case
    return wall, cpu, after.ru_maxrss / 1024, steal


def run(case: str, extra: list[str], repeat: int, bytecode: bool, cache: str) -> None:
    env = dict(os.environ)
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = cache
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [EXE, "uncertainty", *CASES[case], "--seed", "1", "--out", str(Path(tmp) / "out"), *extra]
        _once([*cmd, "--force"], env)  # warm-up: bytecode cache and file cache
        got = [_once([*cmd, "--force"], env) for _ in range(repeat)]
        parquet = Path(tmp) / "out" / "replications.parquet"  # only with --replications
        size = parquet.stat().st_size / 1e6 if parquet.exists() else 0.0
    walls = [g[0] for g in got]
    label = " ".join(extra) or "local"
    print(f"{case:13s} {label:14s} wall {statistics.median(walls):6.2f} s (min {min(walls):.2f}, max "
          f"{max(walls):.2f}, {repeat} runs)  cpu {statistics.median(g[1] for g in got):6.2f} s  peak RSS "
          f"{got[-1][2]:7.1f} MiB  replications.parquet {size:7.1f} MB", flush=True)  # fmt: skip
    calm = [g[0] for g in got if g[3] == 0]
    print(f"{'':28s}host steal {1e3 * sum(g[3] for g in got):.0f} ms in {sum(g[3] > 0 for g in got)} of "
          f"{repeat} runs; without host steal: "
          + (f"wall {statistics.median(calm):.2f} s (min {min(calm):.2f}, max {max(calm):.2f}, "
             f"{len(calm)} runs)" if calm else "no run"), flush=True)  # fmt: skip


def main(argv: list[str]) -> None:
    repeat = 5
    if "--repeat" in argv:
        k = argv.index("--repeat")
        repeat = int(argv[k + 1])
        argv = argv[:k] + argv[k + 2 :]
    bytecode = "--no-bytecode" not in argv
    argv = [a for a in argv if a != "--no-bytecode"]
    cases = [a for a in argv if a in CASES] or list(CASES)
    extra = [a for a in argv if a not in CASES]
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}; bytecode cache: "
          f"{'yes' if bytecode else 'as the environment says'}", flush=True)  # fmt: skip
    with tempfile.TemporaryDirectory() as cache:
        for case in cases:
            run(case, extra, repeat, bytecode, cache)


if __name__ == "__main__":
    main(sys.argv[1:])
