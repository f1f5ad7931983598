"""Policy fixtures: an empty workspace per test (module-scoped master copied per test)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mfgindex.workspace import create


@pytest.fixture(scope="module")
def ws_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("policy") / "ws"
    create.init(directory, entered_by="tester")
    return directory


@pytest.fixture
def pws(ws_master: Path, tmp_path: Path) -> Path:
    target = tmp_path / "ws"
    shutil.copytree(ws_master, target)
    return target
