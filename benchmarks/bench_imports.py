"""Start-up of ``mfgindex uncertainty`` in CPU instructions (callgrind): its imports and the whole command.

Three processes, each counted whole under ``valgrind --tool=callgrind`` (Linux; ``apt install valgrind``):

  third    the interpreter and the third-party libraries every evaluating command loads (numpy, pandas,
           pydantic, typer, rich)
  own      the same, then the command's own modules (as ``bench_uncertainty_phases.py`` imports them)
  command  the whole command on ASEM, N = 10,000, as ``bench_uncertainty.py asem-10k`` runs it

and prints each total, ``own − third`` (what the command's own modules cost to load: mfgindex's modules
and the third-party submodules only they bring, e.g. pydantic's models machinery and its plugin lookup)
and ``command − own`` (the command after its imports).

``parts`` splits ``own − third`` by what pulls it in, each a process on top of ``third`` counted the same
way: pydantic's models machinery (``from pydantic import BaseModel, Field``: ``pydantic.main``, ``fields``,
``types``, ``annotated_types``, … — typer's option coercion imports the same for its type adapters); then
pydantic's plugin lookup (``importlib.metadata`` and the scan of every installed distribution's entry
points, done once when the first validator is built); then ``rich.console`` (the consoles of
``cli/console.py``); the rest of ``own`` is mfgindex's modules and what only they import. Users' pydantic
plugins are looked up as pydantic does: the lookup is measured, not skipped.

Instruction counts repeat to a few thousand where timings on a shared virtual machine drift by ±30 %:
compare two versions of the code by running this with ``PYTHONPATH=<checkout>/src`` for each. The bytecode
cache is a temporary folder filled by an untimed run first (as ``bench_uncertainty.py``: an installed
package runs from compiled files). About two minutes.

Usage:  .venv/bin/python benchmarks/bench_imports.py [third] [own] [command] [parts]
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from bench_instructions import callgrind  # the one callgrind runner of the benchmarks

ROOT = Path(__file__).resolve().parents[1]
ASEM = ROOT / "src" / "mfgindex" / "data" / "asem"
THIRD = "import gc\ngc.disable()\nimport numpy, pandas, pydantic, typer, rich, typer.main\n"
OWN = (  # as bench_uncertainty_phases.py: the modules of the command, loaded with the collector off
    THIRD
    + "import importlib\n"
    + "for m in ('mfgindex.cli.main', 'mfgindex.cli.uncertainty', 'mfgindex.services.runner',\n"
    + "          'mfgindex.robust.uncertainty', 'mfgindex.cli.console', 'mfgindex.cli.progress',\n"
    + "          'mfgindex.core.outdir'):\n"
    + "    importlib.import_module(m)\n"
)
# the parts of ``own − third``, each on top of the one before (see the module's docstring)
PARTS = {
    "pydantic models machinery": "from pydantic import BaseModel, Field\n",
    "pydantic plugin lookup": "import pydantic.plugin._loader as loader\nloader.get_plugins()\n",
    "rich.console": "import rich.console\n",
}
COMMAND = ["uncertainty", "-f", str(ASEM / "iMeta.csv"), "-d", str(ASEM / "iData.csv"), "--denominate",
           "--impute", "group_mean", "--impute-group", "EurAsia_group", "--n", "10000", "--seed", "1",
           "--force"]  # fmt: skip


def main(names: list[str]) -> None:
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (Linux: apt install valgrind); it counts the instructions")
    names = names or ["third", "own", "command"]
    if "parts" in names:  # needs third and own to split the difference
        names = list(dict.fromkeys(["third", *[n for n in names if n != "parts"], "own", "parts"]))
    with tempfile.TemporaryDirectory() as tmp:
        # one OpenBLAS thread and a fixed hash seed, as bench_instructions.py: the counts repeat
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONHASHSEED": "0", "PYTHONPYCACHEPREFIX": tmp}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        exe = str(Path(sys.executable).with_name("mfgindex"))  # the console script, as a user runs it
        argv = {
            "third": [sys.executable, "-c", THIRD],
            "own": [sys.executable, "-c", OWN],
            "command": [sys.executable, exe, *COMMAND, "--out", str(Path(tmp) / "out")],
        }
        got: dict[str, int] = {}
        for name in names:
            if name == "parts":
                continue
            got[name] = callgrind(argv[name], env, Path(tmp) / f"{name}.out")
            print(f"{name:8s} {got[name] / 1e6:10,.1f} M instructions", flush=True)
        if "parts" in names:
            script, before = THIRD, got["third"]
            for k, (label, code) in enumerate(PARTS.items()):
                script += code
                n = callgrind([sys.executable, "-c", script], env, Path(tmp) / f"part{k}.out")
                print(f"  {label:40s} {(n - before) / 1e6:8,.1f} M", flush=True)
                before = n
            rest = (got["own"] - before) / 1e6
            print(f"  {'mfgindex modules and what only they import':40s} {rest:8,.1f} M")
    if "third" in got and "own" in got:
        print(f"own imports (own − third)      {(got['own'] - got['third']) / 1e6:10,.1f} M")
    if "own" in got and "command" in got:
        print(f"after the imports (command − own) {(got['command'] - got['own']) / 1e6:7,.1f} M")


if __name__ == "__main__":
    main(sys.argv[1:])
