"""Shared fixtures: COINr's ASEM example and the default run (computed once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mfgindex.core import dataset, framework, geo, ingest, pipeline
from mfgindex.core.dataset import Dataset
from mfgindex.core.framework import Framework
from mfgindex.core.result import Result

SHARED = Path(__file__).resolve().parents[2] / "shared"
ASEM_DIR = geo.data_path("asem")


@pytest.fixture(scope="session")
def asem() -> tuple[Dataset, Framework]:
    fw = framework.load(ASEM_DIR / "iMeta.csv")
    ds = ingest.read_or_raise([ASEM_DIR / "iData.csv"], tuple(fw.groups))
    return ds, fw


@pytest.fixture(scope="session")
def default_framework() -> Framework:
    return framework.load("caict2023")


@pytest.fixture(scope="session")
def default_result(default_framework: Framework) -> Result:
    return pipeline.evaluate(dataset.default(), default_framework, 2022)
