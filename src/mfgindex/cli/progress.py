"""Spinners and progress bars of long commands: on stderr, and only where a person watches.

Silent when stderr is not a terminal (pipes, CI logs, ``CliRunner``), with ``--quiet``, and never mixed into
``--json`` output (which goes to stdout anyway). Imported inside the commands, never at module level.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager


def shown(quiet: bool = False) -> bool:
    """Whether a spinner or bar is drawn: stderr is a terminal and the user did not ask for quiet."""
    from mfgindex.cli.console import err

    return not quiet and err.is_terminal


@contextmanager
def spinner(message: str, *, quiet: bool = False) -> Iterator[Callable[[str], None]]:
    """A spinner with ``message`` while the block runs; yields ``update(step)`` to show the current step."""
    if not shown(quiet):
        yield lambda _step: None
        return
    from mfgindex.cli.console import err

    with err.status(message) as status:
        yield lambda step: status.update(f"{message} {step}")


@contextmanager
def bar(total: int, label: str, *, quiet: bool = False) -> Iterator[Callable[[int], None]]:
    """A progress bar of ``total`` steps; yields ``advance_to(done)``."""
    if not shown(quiet):
        yield lambda _done: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from mfgindex.cli.console import err

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task(label, total=total)
        yield lambda done: progress.update(task, completed=done)
