"""Reading an opaque published ranking (``toolbox fitweights``): recovery of known weights from a ranking
generated with them, determinism with a seed, agreement measures, the CLI and bad ranking files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from mfgindex.cli.main import app
from mfgindex.core.geo import units
from mfgindex.core.result import Result
from mfgindex.toolbox.fitweights import (
    agreement,
    bootstrap_weights,
    cross_validate,
    fit_weights,
    pairs,
    read_ranking,
)

runner = CliRunner()
TRUE_W = np.array([0.30, 0.05, 0.25, 0.0, 0.10, 0.20, 0.10])


def _dims(result: Result) -> pd.DataFrame:
    return result.current.scores[[c.id for c in result.framework.root.children]]


def _synthetic_ranking(x: pd.DataFrame, w: np.ndarray, n: int = 50) -> pd.Series:
    """Ranks 1..n of the cities under weights ``w``, computed plainly: the weighted mean over the dimensions
    each city has (as the pipeline's arithmetic aggregation with missing components)."""
    scores = {}
    for code, row in x.iterrows():
        have = row.notna().to_numpy()
        scores[code] = float(np.sum(w[have] * row.to_numpy()[have]) / np.sum(w[have]))
    s = pd.Series(scores).sort_values(ascending=False)
    return pd.Series(np.arange(1, n + 1), index=s.index[:n])


def test_recovers_known_weights_from_a_synthetic_ranking(default_result: Result) -> None:
    x = _dims(default_result)
    ranks = _synthetic_ranking(x, TRUE_W)
    fit = fit_weights(x, ranks)
    assert fit.converged
    assert fit.weights.sum() == pytest.approx(1.0)
    assert (fit.weights >= 0).all()
    np.testing.assert_allclose(fit.weights.to_numpy(), TRUE_W, atol=0.02)
    # the fitted weights reproduce the list exactly in sample
    pred = _synthetic_ranking(x, fit.weights.to_numpy())
    assert set(pred.index) == set(ranks.index)
    assert (pred.reindex(ranks.index) - ranks).abs().max() <= 1


def test_recovery_through_the_cli(default_result: Result, tmp_path: Path) -> None:
    x = _dims(default_result)
    ranks = _synthetic_ranking(x, TRUE_W, 40)
    u = units()
    f = tmp_path / "synthetic.csv"
    pd.DataFrame(
        {
            "province": u.loc[ranks.index, "province"].to_numpy(),
            "city": u.loc[ranks.index, "name"].to_numpy(),
            "national_rank": ranks.to_numpy(),
        }
    ).to_csv(f, index=False, encoding="utf-8-sig")
    out = tmp_path / "o"
    res = runner.invoke(
        app, ["toolbox", "fitweights", "--ranking", str(f), "--bootstrap", "20", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    wb = load_workbook(out / "results.xlsx", read_only=True)
    assert {"about", "weights", "cv_summary", "cv_folds", "in_sample", "predicted", "bootstrap"} <= set(
        wb.sheetnames
    )
    w = pd.read_excel(out / "results.xlsx", sheet_name="weights").set_index("dimension")
    np.testing.assert_allclose(w["weight"].to_numpy(), TRUE_W, atol=0.03)
    assert (w["lo"] <= w["weight"] + 1e-9).all() and (w["weight"] <= w["hi"] + 1e-9).all()
    assert {"nominal", "stage:catching_up", "mean_listed"} <= set(w.columns)
    ins = pd.read_excel(out / "results.xlsx", sheet_name="in_sample").set_index("model")
    assert ins.loc["fitted", "overlap"] == pytest.approx(1.0)
    assert float(ins["spearman"].astype(float)["fitted"]) > 0.99
    assert (out / "fitted_weights.png").stat().st_size > 10_000


def test_deterministic_with_a_seed(default_result: Result) -> None:
    x = _dims(default_result)
    ranks = read_ranking(Path(__file__).parents[2] / "src/mfgindex/data/caict2023/top50_2023.csv")
    a = bootstrap_weights(x, ranks, n=5, seed=3)
    b = bootstrap_weights(x, ranks, n=5, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(bootstrap_weights(x, ranks, n=5, seed=4))
    cv1 = cross_validate(x, ranks, k=4, seed=1)
    cv2 = cross_validate(x, ranks, k=4, seed=1)
    pd.testing.assert_frame_equal(cv1, cv2)
    np.testing.assert_allclose(a.sum(axis=1), 1.0)


def test_ranking_csv_in_gbk_reads_like_utf8(tmp_path: Path) -> None:
    src = Path(__file__).parents[2] / "src/mfgindex/data/caict2023/top50_2023.csv"
    gbk = tmp_path / "top50_gbk.csv"
    gbk.write_bytes(src.read_text(encoding="utf-8-sig").encode("gbk"))
    pd.testing.assert_series_equal(read_ranking(gbk), read_ranking(src))


def test_pairs_and_agreement_by_hand() -> None:
    hi, lo = pairs(np.array([2.0, 1.0, np.inf, np.inf]))
    assert sorted(zip(hi.tolist(), lo.tolist(), strict=True)) == [(0, 2), (0, 3), (1, 0), (1, 2), (1, 3)]
    s = pd.Series([9.0, 8.0, 7.0, 1.0], index=list("abcd"))
    got = agreement(s, pd.Series([1, 3, 2], index=list("abd")))
    # top 3 by score = a, b, c; listed = a, b, d → overlap 2/3; predicted order of a, b, d = 1, 2, 3
    assert got["overlap"] == pytest.approx(2 / 3)
    assert got["spearman"] == pytest.approx(0.5)


BAD = [
    ("city,rank\n苏州,1\n无锡,x\n深圳,3\n", "row 3"),
    ("city,national_rank\n苏州,1\n火星市,2\n深圳,3\n", "row 3"),
    ("city,national_rank\n苏州,1\n无锡,1\n深圳,3\n", "repeated"),
    ("town,score\n苏州,1\n", "rank column"),
    ("city,national_rank\n苏州,1\n苏州市,2\n深圳,3\n", "twice"),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_bad_ranking_file_exits_2(tmp_path: Path, text: str, message: str) -> None:
    f = tmp_path / "bad.csv"
    f.write_text(text, encoding="utf-8")
    res = runner.invoke(
        app, ["toolbox", "fitweights", "--ranking", str(f), "--bootstrap", "0", "--out", str(tmp_path / "o")]
    )
    assert res.exit_code == 2, res.output
    assert message in res.output
    assert "Traceback" not in res.output


def test_missing_ranking_file_exits_2(tmp_path: Path) -> None:
    res = runner.invoke(
        app, ["toolbox", "fitweights", "--ranking", str(tmp_path / "no.csv"), "--out", str(tmp_path / "o")]
    )
    assert res.exit_code == 2, res.output
