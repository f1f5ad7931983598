"""Fixtures for the robustness tests: COINr's ``build_example_coin()`` pipeline on ASEM."""

from __future__ import annotations

import pytest

from mfgindex.core import framework, pipeline
from mfgindex.core.dataset import Dataset
from mfgindex.core.framework import Framework
from mfgindex.core.result import Result


@pytest.fixture(scope="session")
def asem_coin(asem: tuple[Dataset, Framework]) -> tuple[Dataset, Framework]:
    """COINr ``build_example_coin()``: Denominate → Impute(i_mean_grp, EurAsia_group) → Treat → min-max
    → a_amean."""
    ds, fw = asem
    return ds, framework.with_methods(fw, denominate=True, impute="group_mean", impute_group="EurAsia_group")


@pytest.fixture(scope="session")
def asem_coin_result(asem_coin: tuple[Dataset, Framework]) -> Result:
    ds, fw = asem_coin
    return pipeline.evaluate(ds, fw, 2018)


@pytest.fixture(scope="session")
def asem_raw_result(asem: tuple[Dataset, Framework]) -> Result:
    """ASEM with no denomination or imputation: its ``raw`` stage is COINr's "Raw" data set."""
    ds, fw = asem
    return pipeline.evaluate(ds, fw, 2018)
