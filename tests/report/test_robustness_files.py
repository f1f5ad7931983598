"""The report reads folders of ``mfgindex uncertainty``/``sensitivity`` a user may have re-saved (GBK)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mfgindex.report import robustness

UA = "code,name,nominal_rank,median_rank,p05_rank,p95_rank\n320500,苏州市,1,1,1,2\n440300,深圳市,2,2,1,3\n"
SOBOL = "factor,S1,S1_conf,ST,ST_conf\nwinmax,0.1,0.01,0.15,0.02\naggregation,0.5,0.02,0.62,0.03\n"


def _folder(path: Path, name: str, text: str, encoding: str) -> Path:
    path.mkdir()
    (path / name).write_bytes(text.encode(encoding))
    return path


def test_uncertainty_and_sobol_csv_in_gbk_read_like_utf8(tmp_path: Path) -> None:
    u8 = robustness.read_uncertainty(_folder(tmp_path / "u8", "uncertainty.csv", UA, "utf-8"), 10)
    gbk = robustness.read_uncertainty(_folder(tmp_path / "gbk", "uncertainty.csv", UA, "gbk"), 10)
    pd.testing.assert_frame_equal(gbk.stats, u8.stats)
    assert gbk.stats["name"].tolist() == ["苏州市", "深圳市"]
    s8 = robustness.read_sobol(_folder(tmp_path / "s8", "sobol.csv", SOBOL, "utf-8"))
    sgbk = robustness.read_sobol(_folder(tmp_path / "sgbk", "sobol.csv", SOBOL, "gbk"))
    pd.testing.assert_frame_equal(sgbk, s8)
