"""Every CLI command has help and is documented in the README (in the style of sqlite-utils' test_docs)."""

from __future__ import annotations

from pathlib import Path

from mfgindex.cli import app
from mfgindex.clidoc import END, START, embed, reference

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_command_reference_is_current():
    text = README.read_text(encoding="utf-8")
    assert START in text and END in text
    assert embed(text, reference(app)) == text, "run: python -m mfgindex.clidoc --write README.md"


def test_every_command_has_help():
    import typer

    group = typer.main.get_command(app)
    stack = list(group.commands.items())  # type: ignore[attr-defined]
    while stack:
        name, cmd = stack.pop()
        assert (cmd.help or "").strip(), f"command {name} has no help"
        if hasattr(cmd, "commands"):
            stack.extend((f"{name} {k}", v) for k, v in cmd.commands.items())


def test_readme_top20_matches_the_default_run(default_result):
    """The README's ranking table is the default run's output, not hand-typed numbers."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## The default ranking", 1)[1]
    rows = [
        line.split("|")[1:-1] for line in section.splitlines() if line.startswith("| ") and line[2].isdigit()
    ]
    top = [(int(r[0]), r[1].strip(), float(r[5])) for r in rows[:20]]
    table = default_result.table.head(20)
    assert top == [(int(r["rank"]), r["name"], round(float(r["index"]), 2)) for _, r in table.iterrows()]
