"""Generated parts of the README: the CLI reference (from the typer app) and the default ranking.

The README embeds them between ``<!-- cli-start -->``/``<!-- cli-end -->`` and
``<!-- top-start -->``/``<!-- top-end -->`` and the agreement with the published list between
``<!-- agreement-start -->``/``<!-- agreement-end -->``; a test fails when the README is out of date
(`python -m mfgindex.cli.doc --write README.md` refreshes them, and ``cli/commands.json``: the
one-line help the lazy root listing shows).
"""

from __future__ import annotations

import functools
import json
import re
import sys
from enum import Enum
from pathlib import Path
from typing import Any

START, END = "<!-- cli-start -->", "<!-- cli-end -->"
TOP_START, TOP_END = "<!-- top-start -->", "<!-- top-end -->"
AGREE_START, AGREE_END = "<!-- agreement-start -->", "<!-- agreement-end -->"


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


def reference(group: Any) -> str:
    """The Markdown reference of every command of ``group`` (the root group with its commands loaded)."""
    lines: list[str] = []
    for name in sorted(group.commands):
        _command(name, group.commands[name], lines)
    return "\n".join(lines).rstrip() + "\n"


def embed(readme: str, text: str, start: str = START, end: str = END) -> str:
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    return pattern.sub(lambda _: f"{start}\n{text}{end}", readme)


@functools.cache
def _default_result() -> Any:
    from mfgindex.core import dataset, framework, pipeline

    return pipeline.evaluate(dataset.default(), framework.load("caict2023"), 2022)


def agreement_block() -> str:
    """Distance of the default run from the published list, and the data reasons behind it."""
    from mfgindex.analysis import agreement

    return agreement.markdown(agreement.from_result(_default_result()))


def top_table(n: int = 20) -> str:
    """The default run's top ``n`` as a Markdown table, and how it compares with the published top 10."""
    import pandas as pd

    from mfgindex.core import geo
    from mfgindex.core.rank import ARROWS

    table = _default_result().table
    lines = ["| 排名 | 地市 | 省份 | 地区排名 | 变化 | 指数 | 阶段 |", "|---|---|---|---|---|---|---|"]
    for _, r in table.head(n).iterrows():
        lines.append(
            f"| {r['rank']} | {r['name']} | {r['province']} | {r['province_rank']} | "
            f"{ARROWS.get(str(r['change']), '')} | {r['index']:.2f} | {r['stage']} |"
        )
    published = pd.read_csv(geo.data_path("caict2023", "top50_2023.csv"))
    top10 = list(published.sort_values("national_rank")["city"].head(10))
    ours = {str(name): int(rank) for name, rank in zip(table["name"], table["rank"], strict=True)}
    in10 = sum(ours.get(c, 999) <= 10 for c in top10)
    worst = max(ours.get(c, 999) for c in top10)
    others = "、".join(f"{c} {ours[c]}" for c in top10 if ours.get(c, 999) > 10)
    lines.append("")
    lines.append(
        f"Of the report's published top 10, {in10} are in this top 10 and all are within our top {worst}"
        + (f" (outside our top 10: {others})" if others else "")
        + ". The weights come from a stated principle, not from fitting the published list."
    )
    return "\n".join(lines) + "\n"


def help_table() -> str:
    """commands.json: each command's first help paragraph, for the lazy root listing (``--help``)."""
    from mfgindex.cli.main import first_help_line, loaded

    lines = {name: first_help_line(cmd) for name, cmd in loaded().commands.items()}
    return json.dumps(lines, ensure_ascii=False, indent=1) + "\n"


def main() -> None:
    from mfgindex.cli.main import HELP_FILE, loaded

    text = reference(loaded())
    if len(sys.argv) > 2 and sys.argv[1] == "--write":
        HELP_FILE.write_text(help_table(), encoding="utf-8")
        path = Path(sys.argv[2])
        readme = embed(path.read_text(encoding="utf-8"), text)
        readme = embed(readme, top_table(), TOP_START, TOP_END)
        readme = embed(readme, agreement_block(), AGREE_START, AGREE_END)
        path.write_text(readme, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
