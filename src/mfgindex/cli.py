"""Command-line interface (thin layer over the library)."""

from __future__ import annotations

import typer

app = typer.Typer(help="mfgindex: 城市制造业高质量发展评价", no_args_is_help=True, add_completion=False)


def main() -> None:
    app()
