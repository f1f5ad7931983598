"""Every command's help in one voice: Chinese first, the English term in parentheses, nothing cut.

The rule, checked on the click tree typer builds and on the printed ``--help`` of every
command: a command's summary (the first paragraph, what a parent's command list shows) and every option's
help start with Chinese and contain a parenthesised English term; the summary fits click's shortest listing
(45 characters) so it is never cut with "..."; the printed help holds each option's help whole and no
``<bool>`` placeholder.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from typer.testing import CliRunner

from mfgindex.cli.main import app, loaded

CJK_FIRST = re.compile(r"^[^A-Za-z]*?[\u3400-\u9fff]")
ENGLISH_TERM = re.compile(r"\([^()]*[A-Za-z][^()]*\)")
SHORTEST_LISTING = 45  # click's minimum width for a command's summary in its parent's list


def _commands() -> list[tuple[tuple[str, ...], Any]]:
    found: list[tuple[tuple[str, ...], Any]] = []

    def walk(path: tuple[str, ...], cmd: Any) -> None:
        found.append((path, cmd))
        for name, sub in sorted(getattr(cmd, "commands", {}).items()):
            walk((*path, name), sub)

    walk((), loaded())
    return found


COMMANDS = _commands()
IDS = [" ".join(p) or "mfgindex" for p, _ in COMMANDS]


def _params(cmd: Any) -> list[Any]:
    return [p for p in cmd.params if p.name != "help"]


def test_the_walk_sees_every_command() -> None:
    assert len(COMMANDS) > 50
    assert {("run",), ("toolbox", "gra"), ("lists", "assign"), ("weights", "ahp")} <= {p for p, _ in COMMANDS}


@pytest.mark.parametrize(("path", "cmd"), COMMANDS, ids=IDS)
def test_help_is_chinese_first_with_the_english_term(path: tuple[str, ...], cmd: Any) -> None:
    summary = (cmd.help or "").strip().split("\n\n")[0].strip()
    bad = []
    if not (CJK_FIRST.match(summary) and ENGLISH_TERM.search(summary)):
        bad.append(("summary", summary))
    if path and len(summary) > SHORTEST_LISTING:  # the top-level help is not listed anywhere
        bad.append(("summary longer than a listing shows", summary))
    for p in _params(cmd):
        text = (getattr(p, "help", None) or "").strip()
        if not (CJK_FIRST.match(text) and ENGLISH_TERM.search(text)):
            bad.append((p.name, text))
    assert bad == []


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize(("path", "cmd"), COMMANDS, ids=IDS)
def test_printed_help_is_whole(path: tuple[str, ...], cmd: Any) -> None:
    res = CliRunner().invoke(app, [*path, "--help"], terminal_width=80)
    assert res.exit_code == 0, res.output
    assert "<bool>" not in res.output
    printed = _squash(res.output)
    for p in _params(cmd):
        assert _squash(p.help or "") in printed, p.name
    for name, sub in getattr(cmd, "commands", {}).items():
        summary = (sub.help or "").strip().split("\n\n")[0]
        assert _squash(summary) in printed, name  # the command list shows each summary whole


def test_help_names_the_framework_in_chinese_not_caict() -> None:
    """The framework and the sample report are 中国信通院2023年…, not "CAICT 2023", in every help text
    (an id such as caict2023 may stay: it is what the user types)."""
    texts = []
    for _, cmd in COMMANDS:
        texts.append(cmd.help or "")
        texts += [getattr(p, "help", None) or "" for p in _params(cmd)]
    assert not [t for t in texts if re.search(r"CAICT", t)]
    framework = {
        getattr(p, "help", None) for _, cmd in COMMANDS for p in _params(cmd) if p.name == "framework"
    }
    naming = [
        t for t in framework if t and "caict2023" in t
    ]  # where the preset id is offered, it is explained
    assert naming and all("中国信通院2023年评价框架" in t for t in naming), naming
