"""Work per unit counted in CPU instructions by callgrind: deterministic, where timings on a shared virtual
machine drift by ±50 % within an hour (the same code measured 4.0 µs and 7.6 µs per replication the same day).

Each workload runs twice under ``valgrind --tool=callgrind`` (Linux; ``apt install valgrind``), with a small
and a large count after the same set-up and warm-up; the difference of the two totals divided by the
difference of the counts is the work of one unit, without start-up, imports and set-up:

  engine   one Monte Carlo replication, ASEM, COINr's default assumptions (``bench_engine.py``'s work)
  api      one evaluation of ASEM on loaded data (``runner.evaluate_prepared``, ``bench_api.py``'s work)
  prepare  reading, validating, checking and gating ASEM (``runner.prepare``: iMeta, iData, checks, gate)
  context  the Monte Carlo engine's context for COINr's default assumptions (``engine.build_context``)

Usage:  .venv/bin/python benchmarks/bench_instructions.py [engine] [api] [prepare] [context]
Compare two versions of the code by running it with ``PYTHONPATH=<checkout>/src`` for each. Takes about a
minute per workload (callgrind runs the interpreter ≈ 50× slower); OpenBLAS is kept to one thread.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ASEM = """
import warnings
from importlib import resources
import mfgindex as mi
warnings.simplefilter("ignore")
asem = resources.files("mfgindex") / "data" / "asem"
coin = {"denominate": True, "impute": "group_mean", "impute_group": "EurAsia_group"}
spec = mi.RunSpec(framework=str(asem / "iMeta.csv"), data=(str(asem / "iData.csv"),), methods=coin)
"""
WORK = {  # after the ASEM spec: set-up, then work(n) for n units, warmed up once
    "engine": """
from mfgindex.robust import assumptions, engine, uncertainty
res = mi.evaluate(spec)
ctx = engine.build_context(res, assumptions.default_assumptions(res.framework))
def work(n):
    batches = uncertainty.batches(uncertainty.tasks(n, 1), ctx.n_units)
    uncertainty.collect(ctx, (uncertainty.run_batch(ctx, b) for b in batches), n)
work(2000)
""",
    "api": """
from mfgindex.services import runner
prepared = runner.prepare(spec)
def work(n):
    for _ in range(n):
        runner.evaluate_prepared(spec, prepared)
work(5)
""",
    "prepare": """
from mfgindex.services import runner
def work(n):
    for _ in range(n):
        runner.prepare(spec)
work(2)
""",
    "context": """
from mfgindex.robust import assumptions, engine
res = mi.evaluate(spec)
factors = assumptions.default_assumptions(res.framework)
def work(n):
    for _ in range(n):
        engine.build_context(res, factors)
work(2)
""",
}
CASES = {  # name → (small count, large count, unit)
    "engine": (2_000, 12_000, "replication"),
    "api": (5, 25, "evaluation"),
    "prepare": (2, 10, "prepare"),
    "context": (2, 10, "context"),
}


def total(script: str, n: int, out: Path) -> int:
    """Instructions of the whole process running ``script`` then ``work(n)``, counted by callgrind."""
    # one thread for OpenBLAS; a fixed hash seed, as web_instructions.py: string hashing varies the counts
    # by about ±100 k per unit from run to run otherwise (set orders, dict probes)
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
    return callgrind([sys.executable, "-c", script, str(n)], env, out)


def callgrind(argv: list[str], env: dict[str, str], out: Path) -> int:
    """Instructions of the whole process ``argv`` (callgrind's total; its profile written to ``out``).

    It runs once uncounted first: where the bytecode cache is empty (a fresh checkout, a new
    ``PYTHONPYCACHEPREFIX``) the first process compiles the sources, and a difference of two counts
    would subtract that compilation from one of them only."""
    for cmd in (argv, ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *argv]):
        subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    found = re.search(r"^(?:summary|totals): (\d+)", out.read_text(), re.MULTILINE)
    if found is None:
        raise RuntimeError(f"no total in {out}")
    return int(found.group(1))


def main(names: list[str]) -> None:
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (Linux: apt install valgrind); it counts the instructions")
    for name in names or list(CASES):
        small, large, unit = CASES[name]
        script = ASEM + WORK[name] + "\nimport sys\nwork(int(sys.argv[1]))\n"
        with tempfile.TemporaryDirectory() as tmp:
            a = total(script, small, Path(tmp) / "a.out")
            b = total(script, large, Path(tmp) / "b.out")
        print(f"{name:8s} {(b - a) / (large - small):14,.0f} instructions per {unit} "
              f"({large:,} minus {small:,} {unit}s)", flush=True)  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1:])
