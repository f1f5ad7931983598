"""Where the time of ``mfgindex uncertainty`` on ASEM (N = 10,000) goes: one table, phase → ms.

Each run is a fresh interpreter that imports the command's libraries one group at a time (timed), then
runs the command in-process with the phases of :func:`mfgindex.services.runner.prepare`, the nominal
evaluation, the engine and the writing wrapped in timers (the functions the command calls, by name: a
phase renamed in the code shows as missing). Prints the median of K runs (default 5) per phase, wall
(``perf_counter``) or, with ``--cpu``, this process's CPU time (steadier on a busy machine). The garbage
collector is handled as the program does (``cli.main.main``: off while modules load, then frozen and on);
the program's end skips the interpreter's teardown, which this in-process total leaves out too.

Usage:  .venv/bin/python benchmarks/bench_uncertainty_phases.py [--repeat K] [--cpu] [--no-bytecode]
(the bytecode cache as in ``bench_uncertainty.py``: an installed package's ``.pyc`` files are used).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ASEM = ROOT / "src" / "mfgindex" / "data" / "asem"

CHILD = r"""
import functools, importlib, importlib.util, json, os, sys, time
clock = time.process_time if os.environ.get("PHASES_CPU") else time.perf_counter
T0 = clock()
import gc
gc.disable()  # as mfgindex.cli.main.main: no collections while the modules load
ms = {}
def imp(label, *mods):
    t = clock()
    for m in mods:
        importlib.import_module(m)
    ms[label] = (clock() - t) * 1e3
imp("import numpy", "numpy")
imp("import pandas" + (" with pyarrow" if importlib.util.find_spec("pyarrow") else ""), "pandas")
imp("import pydantic", "pydantic")
imp("import typer, rich", "typer", "rich")
imp("import mfgindex (the command's modules)", "mfgindex.cli.main", "mfgindex.cli.uncertainty",
    "mfgindex.services.runner", "mfgindex.robust.uncertainty", "mfgindex.cli.console",
    "mfgindex.cli.progress", "mfgindex.core.outdir")
WRAP = [
    ("mfgindex.core.spec:RunSpec.resolve_framework", "prepare: framework (iMeta)"),
    ("mfgindex.services.runner:read_users_data", "prepare: read iData"),
    ("mfgindex.core.validate:check", "prepare: validate"),
    ("mfgindex.services.checks:check", "prepare: plausibility checks"),
    ("mfgindex.core.gates:gate", "prepare: coverage gate"),
    ("mfgindex.services.runner:prepare", "prepare (total)"),
    ("mfgindex.core.pipeline:evaluate", "nominal evaluation"),
    ("mfgindex.robust.engine:build_context", "engine: context"),
    ("mfgindex.robust.uncertainty:collect", "engine: replications"),
    ("mfgindex.robust.uncertainty:rank_stats", "rank statistics"),
    ("mfgindex.robust.uncertainty:write", "write csv + json"),
]
for target, label in WRAP:
    mod_name, attr = target.split(":")
    owner = importlib.import_module(mod_name)
    *path, name = attr.split(".")
    for p in path:
        owner = getattr(owner, p)
    f = getattr(owner, name, None)
    if f is None:
        ms[label + " (missing)"] = float("nan")
        continue
    def timed(*a, _f=f, _label=label, **k):
        t = clock()
        try:
            return _f(*a, **k)
        finally:
            ms[_label] = ms.get(_label, 0.0) + (clock() - t) * 1e3
    setattr(owner, name, functools.wraps(f)(timed))
from mfgindex.cli.main import app, _started
_started()  # as when the command is loaded: start-up objects frozen, collector on
t = clock()
try:
    app(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
ms["command after imports (total)"] = (clock() - t) * 1e3
ms["in-process total"] = (clock() - T0) * 1e3
print(json.dumps(ms))
"""


def main(argv: list[str]) -> None:
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 5
    env = dict(os.environ)
    if "--cpu" in argv:
        env["PHASES_CPU"] = "1"
    cache = tempfile.TemporaryDirectory()
    if "--no-bytecode" not in argv:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = cache.name
    runs: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        args = ["uncertainty", "-f", str(ASEM / "iMeta.csv"), "-d", str(ASEM / "iData.csv"), "--denominate",
                "--impute", "group_mean", "--impute-group", "EurAsia_group", "--n", "10000", "--seed", "1",
                "--out", str(Path(tmp) / "out"), "--force"]  # fmt: skip
        for k in range(repeat + 1):  # the first run fills the bytecode cache: not counted
            done = subprocess.run([sys.executable, "-c", CHILD, *args], env=env, capture_output=True,
                                  text=True, check=True)  # fmt: skip
            if k:
                runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    cache.cleanup()
    print(f"load average {os.getloadavg()[0]:.2f}; {'CPU' if '--cpu' in argv else 'wall'} ms, median of "
          f"{repeat} runs")  # fmt: skip
    for label in runs[0]:
        print(f"  {label:42s} {statistics.median(r[label] for r in runs):8.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])
