"""Command-line interface: a thin layer over the library. User errors → messages and exit code 2.

Start-up is kept short (``mfgindex --help`` imports typer, nothing of mfgindex's own): every command lives
in a module ``cli/<group>.py`` with ``register(app)``, is listed in :data:`COMMANDS` (its one-line help in
``commands.json``, generated) and is imported only when it runs or its own ``--help`` is asked for.
``tests/test_docs.py`` checks that commands.json holds the commands' own first help lines.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import inspect
import json
import os
import sys
import threading
from importlib import import_module
from pathlib import Path
from typing import Any, NoReturn

import typer
from typer import _click as click
from typer.core import TyperCommand, TyperGroup

# Command → the modules that register it, in order. A new command: add it here and run
# ``python -m mfgindex.cli.doc --write README.md`` (it refreshes commands.json and the README reference).
COMMANDS: dict[str, tuple[str, ...]] = {
    "run": ("mfgindex.cli.run",),
    "validate": ("mfgindex.cli.run",),
    "check": ("mfgindex.cli.check",),
    "weights": ("mfgindex.cli.weights",),
    "template": ("mfgindex.cli.weights", "mfgindex.cli.workspace"),
    "analyze": ("mfgindex.cli.analyze",),
    "report": ("mfgindex.cli.report",),
    "audit": ("mfgindex.cli.robust",),
    "uncertainty": ("mfgindex.cli.uncertainty",),
    "sensitivity": ("mfgindex.cli.robust",),
    "serve": ("mfgindex.cli.serve",),
    "init": ("mfgindex.cli.workspace",),
    "import": ("mfgindex.cli.workspace",),
    "lists": ("mfgindex.cli.lists",),
    "workspace": ("mfgindex.cli.workspace",),
    "coverage": ("mfgindex.cli.workspace",),
    "export": ("mfgindex.cli.workspace",),
    "import-workspace": ("mfgindex.cli.workspace",),
    "toolbox": ("mfgindex.cli.toolbox",),
    "policy": ("mfgindex.cli.policy",),
    "homogeneity": ("mfgindex.cli.policy",),
    "benchmarks": ("mfgindex.cli.policy",),
}
PLUGINS = tuple(dict.fromkeys(m for modules in COMMANDS.values() for m in modules))
HELP_FILE = Path(__file__).with_name("commands.json")
HELP = "城市制造业高质量发展评价 (mfgindex: evaluating high-quality development of manufacturing in cities)"


def help_lines() -> dict[str, str]:
    """Command → the first paragraph of its help, read from commands.json without importing the command."""
    lines: dict[str, str] = json.loads(HELP_FILE.read_text(encoding="utf-8"))
    return lines


def _registered(modules: tuple[str, ...]) -> TyperGroup:
    sub = typer.Typer(rich_markup_mode=None)
    for module in modules:
        import_module(module).register(sub)
    return typer.main.get_group(sub)


def load_command(name: str) -> click.Command:
    """The real click command ``name``: its modules imported and registered on a fresh typer app."""
    cmd: click.Command = _registered(COMMANDS[name]).commands[name]
    return cmd


class LazyCommand(TyperCommand):
    """Stands for a command in the root listing (its one-line help); the real command when it is used."""

    def __init__(self, name: str, help_line: str) -> None:
        super().__init__(name, help=help_line)
        self._real: click.Command | None = None

    def load(self) -> click.Command:
        if self._real is None:
            self._real = load_command(str(self.name))
            _started()
        return self._real

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        return self.load().make_context(info_name, args, parent=parent, **extra)


class LazyGroup(TyperGroup):
    """The root group: every command of :data:`COMMANDS` as a :class:`LazyCommand`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lines = help_lines()
        for name in COMMANDS:
            self.add_command(LazyCommand(name, lines.get(name, "")), name)


app = typer.Typer(
    cls=LazyGroup,
    help=HELP,
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,  # plain help: long Chinese lines wrap whole (rich cut them with …), no <bool>
)


@app.callback()
def _root() -> None:
    pass


def loaded() -> TyperGroup:
    """The root group with every command loaded (for the generated README reference and the help tests)."""
    group = typer.main.get_group(app)
    real = _registered(PLUGINS)
    full = TyperGroup(name="mfgindex", help=group.help, commands={n: real.commands[n] for n in COMMANDS})
    full.params = group.params
    return full


def first_help_line(cmd: click.Command) -> str:
    """The first paragraph of a command's help, as the root listing shows it."""
    return " ".join(inspect.cleandoc(cmd.help or "").split("\n\n")[0].split())


def main() -> None:
    """The ``mfgindex`` program (console script; tests call :data:`app`, which this only wraps).

    Start: the garbage collector is off while the command's modules load (importing numpy, pandas, pydantic
    and ours creates ~10⁵ long-lived objects; Python 3.11 re-scans them all in each full collection, ≈ 70 ms
    of a short command) and is switched on, with those objects frozen out of later collections, once the
    command is loaded (:func:`_started`). End: :func:`leave`.
    """
    gc.disable()
    try:
        app(prog_name="mfgindex")  # click's standalone mode ends in SystemExit, also on success
    except SystemExit as stop:
        leave(stop.code)
    leave(0)


def _started() -> None:
    """The command's modules are loaded: collect from here on, leaving the objects made so far out."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def leave(code: str | int | None) -> NoReturn:
    """End the process with ``code`` (a ``SystemExit`` code) without tearing the interpreter down.

    A normal exit frees every object of every module one by one; with pandas, numpy and pydantic loaded
    that is 0.1–0.3 s of a command that has finished (mypy leaves the same way, ``util.hard_exit``). What a
    normal exit does that matters is done here: the ``atexit`` callbacks (logging's flush, temporary folders'
    finalizers) and flushing stdout and stderr; every file mfgindex writes is closed by its ``with`` block
    before this. While another thread runs (a server, a Dask cluster), the normal exit is kept: it joins them.
    """
    if threading.active_count() > 1:
        sys.exit(code)
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # SystemExit("message"): printed, status 1 (as Python does)
        print(code, file=sys.stderr)
        status = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # reader gone (`| head`) or closed: nothing to deliver
            stream.flush()
    os._exit(status)


if __name__ == "__main__":  # pragma: no cover
    main()
