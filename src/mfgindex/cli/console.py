"""The consoles every command prints to; user errors and warnings printed (exit 2, no traceback)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from mfgindex.core.errors import UserError

err = Console(stderr=True)
out = Console()
T = TypeVar("T")
MAX_SHOWN = 50  # problems listed; the rest are counted


def guarded(fn: Callable[[], T]) -> T:
    """Run ``fn``; print user errors (all problems, with locations) and exit 2 — never a traceback."""
    try:
        return fn()
    except UserError as exc:
        for p in exc.problems[:MAX_SHOWN]:
            err.print(f"[red]error[/red] {escape(str(p))}", highlight=False, markup=True, soft_wrap=True)
        if len(exc.problems) > MAX_SHOWN:
            err.print(f"… and {len(exc.problems) - MAX_SHOWN:,} more", highlight=False, markup=False)
        raise typer.Exit(2) from None


def print_warnings(warnings: list[Any]) -> None:
    """Warnings, at most ``MAX_SHOWN`` of them, then how many more."""
    for w in warnings[:MAX_SHOWN]:
        err.print(f"[yellow]warning[/yellow] {escape(str(w))}", highlight=False, soft_wrap=True)
    if len(warnings) > MAX_SHOWN:
        err.print(f"… and {len(warnings) - MAX_SHOWN:,} more warnings", highlight=False, markup=False)


def print_outputs(out_dir: Path, names: Iterable[str]) -> None:
    """The line naming a command's output folder and files, printed as they are: no markup (a ``[x]`` in a
    path stays), no emoji codes (``:x:`` stays; rich's emoji table is not loaded), no highlighting."""
    out.print(f"输出 (outputs) → {out_dir}/: " + ", ".join(names), highlight=False, markup=False, emoji=False)
