"""Markdown reference of every CLI command and option, generated from the typer app.

The README embeds it between ``<!-- cli-start -->`` and ``<!-- cli-end -->``; a test fails when the README
is out of date (`python -m mfgindex.clidoc --write README.md` refreshes it).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from enum import Enum
from typing import Any

import typer

START, END = "<!-- cli-start -->", "<!-- cli-end -->"


def _option_line(param: Any) -> str:
    # typer vendors its own click; duck-type options, choices and groups
    if getattr(param, "param_type_name", "") == "option":
        names = " / ".join([*param.opts, *param.secondary_opts])
        help_text = (param.help or "").replace("|", "\\|")
        annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
        if isinstance(annotation, type) and issubclass(annotation, Enum):
            help_text += " Choices: " + ", ".join(f"`{c.value}`" for c in annotation) + "."
        default = getattr(param.default, "value", param.default)
        shown = not (default is None or default is False or default == () or callable(default))
        if shown and param.show_default is not False:
            help_text += f" Default: `{default}`."
        return f"| `{names}` | {help_text.strip()} |"
    return f"| `{param.name}` (argument) | {(getattr(param, 'help', None) or '').strip()} |"


def _command(name: str, cmd: Any, lines: list[str]) -> None:
    if hasattr(cmd, "commands"):
        for sub_name in sorted(cmd.commands):
            _command(f"{name} {sub_name}", cmd.commands[sub_name], lines)
        return
    lines.append(f"### `mfgindex {name}`\n")
    lines.append((cmd.help or "").strip().split("\n\n")[0] + "\n")
    params = [p for p in cmd.params if p.name != "help"]
    if params:
        lines.append("| option | meaning |")
        lines.append("|---|---|")
        lines.extend(_option_line(p) for p in params)
    lines.append("")


def reference(app: typer.Typer) -> str:
    group: Any = typer.main.get_command(app)
    lines: list[str] = []
    for name in sorted(group.commands):
        _command(name, group.commands[name], lines)
    return "\n".join(lines).rstrip() + "\n"


def embed(readme: str, text: str) -> str:
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    return pattern.sub(lambda _: f"{START}\n{text}{END}", readme)


def main() -> None:
    from mfgindex.cli import app

    text = reference(app)
    if len(sys.argv) > 2 and sys.argv[1] == "--write":
        path = Path(sys.argv[2])
        path.write_text(embed(path.read_text(encoding="utf-8"), text), encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
