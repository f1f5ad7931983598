"""Every CLI command has help and is documented in the README (in the style of sqlite-utils' test_docs)."""

from __future__ import annotations

import re
from pathlib import Path

from mfgindex.cli.doc import END, START, TOP_END, TOP_START, embed, reference, top_table
from mfgindex.cli.main import app

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_command_reference_is_current():
    text = README.read_text(encoding="utf-8")
    assert START in text and END in text
    assert embed(text, reference(app)) == text, "run: python -m mfgindex.cli.doc --write README.md"


def test_every_command_has_help():
    import typer

    group = typer.main.get_command(app)
    stack = list(group.commands.items())  # type: ignore[attr-defined]
    while stack:
        name, cmd = stack.pop()
        assert (cmd.help or "").strip(), f"command {name} has no help"
        if hasattr(cmd, "commands"):
            stack.extend((f"{name} {k}", v) for k, v in cmd.commands.items())


def test_readme_default_ranking_is_current():
    """The README's ranking table is generated from the default run, not hand-typed."""
    text = README.read_text(encoding="utf-8")
    assert embed(text, top_table(), TOP_START, TOP_END) == text, (
        "run: python -m mfgindex.cli.doc --write README.md"
    )


ROOT = README.parent
# "(issue 9)", "issue 15 item 4", "issues 12.4": the tracker's numbers mean nothing to a reader of the code
TRACKER_REF = re.compile(r"\bissues? \d+|\bissue's\b", re.IGNORECASE)


def test_no_tracker_numbers_in_code_or_docs():
    """Code, tests and docs say what a rule is for, not which ticket asked for it."""
    files = [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]
    for folder in ("src", "tests", "benchmarks", "scripts"):
        files += [p for p in (ROOT / folder).rglob("*") if p.suffix in {".py", ".md", ".html", ".j2"}]
    found = [
        f"{p.relative_to(ROOT)}:{i}: {line.strip()}"
        for p in files
        if "vendor" not in p.parts and p != Path(__file__).resolve()
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if TRACKER_REF.search(line)
    ]
    assert not found, "\n".join(found)
