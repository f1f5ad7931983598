"""Every CLI command has help and is documented in the README (in the style of sqlite-utils' test_docs)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from mfgindex.cli.doc import (
    AGREE_END,
    AGREE_START,
    END,
    START,
    TOP_END,
    TOP_START,
    agreement_block,
    embed,
    help_table,
    reference,
    top_table,
)
from mfgindex.cli.main import COMMANDS, HELP_FILE, loaded

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_command_reference_is_current():
    text = README.read_text(encoding="utf-8")
    assert START in text and END in text
    assert embed(text, reference(loaded())) == text, "run: python -m mfgindex.cli.doc --write README.md"


def test_every_command_has_help():
    stack = list(loaded().commands.items())
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


def test_lazy_command_table_matches_the_commands():
    """``mfgindex --help`` lists the commands from commands.json without importing them; its lines are the
    commands' own first help paragraphs, and every command of the table is registered by its modules."""
    assert HELP_FILE.read_text(encoding="utf-8") == help_table(), (
        "run: python -m mfgindex.cli.doc --write README.md"
    )
    assert list(json.loads(help_table())) == list(COMMANDS)


def test_root_help_imports_no_command():
    """The root listing comes from commands.json: none of the command modules (nor pandas) is imported."""
    code = (
        "import atexit, sys\n"
        "from mfgindex.cli.main import main\n"
        "sys.argv = ['mfgindex', '--help']\n"
        "atexit.register(lambda: print(sorted(m for m in sys.modules"
        " if m.startswith('mfgindex.') or m in ('pandas', 'numpy'))))\n"
        "main()\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Commands:" in res.stdout and "toolbox" in res.stdout
    assert res.stdout.strip().splitlines()[-1] == "['mfgindex.cli', 'mfgindex.cli.main']"


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


def test_readme_agreement_with_the_published_list_is_current():
    """The README's distance from the published list (overlap, Spearman, misses) is generated from the run."""
    text = README.read_text(encoding="utf-8")
    assert AGREE_START in text and AGREE_END in text
    assert embed(text, agreement_block(), AGREE_START, AGREE_END) == text, (
        "run: python -m mfgindex.cli.doc --write README.md"
    )
