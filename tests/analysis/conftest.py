from __future__ import annotations

import pandas as pd
import pytest

from mfgindex.analysis.table import read_published_ranking
from mfgindex.core.geo import data_path

TOP50 = data_path("caict2023", "top50_2023.csv")


@pytest.fixture(scope="session")
def top50() -> pd.DataFrame:
    return read_published_ranking(TOP50)
