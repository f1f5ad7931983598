"""Workspace fixtures: an empty workspace per test, and one with the default data (built once)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mfgindex.workspace import create


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    directory = tmp_path / "ws"
    create.init(directory, entered_by="tester")
    return directory


@pytest.fixture(scope="session")
def default_ws_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("default") / "ws"
    create.init(directory, with_default=True, entered_by="tester")
    return directory


@pytest.fixture
def default_ws(default_ws_master: Path, tmp_path: Path) -> Path:
    """A private copy of the default workspace (tests may write to it)."""
    target = tmp_path / "dws"
    shutil.copytree(default_ws_master, target)
    return target


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
