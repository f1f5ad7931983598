"""Audit statistics against COINr's published ASEM numbers (docs/coinr-reference.md §7, §9.4)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mfgindex.core.dataset import Dataset
from mfgindex.core.framework import Framework
from mfgindex.core.result import Result
from mfgindex.robust import audit as A


def _children(fw: Framework, node: str) -> list[str]:
    agg = fw.find(node)
    return [c.id for c in agg.children]  # type: ignore[union-attr]


def test_cronbach_p2p_raw_coinr_analysis_vignette(asem_raw_result: Result) -> None:
    """get_cronbach(coin, dset = "Raw", iCodes = "P2P", Level = 1) = 0.05126659 (analysis vignette)."""
    raw = asem_raw_result.current.stages["raw"]
    alpha = A.cronbach_alpha(raw[_children(asem_raw_result.framework, "P2P")])
    assert alpha == pytest.approx(0.05126659, abs=5e-9)


def test_pca_social_raw_coinr_analysis_vignette(asem_raw_result: Result) -> None:
    """summary(get_PCA(coin, "Raw", iCodes = "Sust")$PCAresults$Social$PCAres): 37 complete rows."""
    raw = asem_raw_result.current.stages["raw"]
    res = A.pca(raw[_children(asem_raw_result.framework, "Social")])
    assert res.n_complete == 37
    sd = [2.2042, 1.1256, 0.9788, 0.78834, 0.77153, 0.56836, 0.42463, 0.36068, 0.25760]
    prop = [0.5398, 0.1408, 0.1065, 0.06905, 0.06614, 0.03589, 0.02003, 0.01445, 0.00737]
    np.testing.assert_allclose(np.sqrt(res.eigenvalues), sd, atol=5e-5)
    # R's summary.prcomp stores round(vars, 5) and prints each column to 4 significant digits: allow half
    # a unit of the last printed digit after that first rounding.
    for got, want in zip(res.variance_explained, prop, strict=True):
        decimals = len(f"{want}".split(".")[1])
        assert abs(round(got, 5) - want) <= 0.5 * 10.0**-decimals + 1e-12
    assert res.eigenvalues.sum() == pytest.approx(9.0)


def test_pca_environ_loadings_coinr(asem_raw_result: Result) -> None:
    """PC1 loadings CO2, Forest, MatCon, PrimEner, Renew = -0.581 0.214 -0.543 -0.313 0.473
    (sign arbitrary)."""
    raw = asem_raw_result.current.stages["raw"]
    cols = ["CO2", "Forest", "MatCon", "PrimEner", "Renew"]
    res = A.pca(raw[cols])
    assert res.n_complete == 50
    got = res.loadings[:, 0] * np.sign(-res.loadings[0, 0])
    np.testing.assert_allclose(got, [-0.581, 0.214, -0.543, -0.313, 0.473], atol=5e-4)


@pytest.mark.parametrize(("a", "r"), [("MatCon", 0.7222051), ("PrimEner", 0.3268484), ("Renew", -0.5986338)])
def test_get_corr_environ_raw_coinr(asem_raw_result: Result, a: str, r: float) -> None:
    """get_corr(coin, "Raw", iCodes = list("Environ"), Levels = 1): pairwise-complete Pearson with CO2."""
    raw = asem_raw_result.current.stages["raw"]
    got, p, _, _ = A.pair_correlation(raw[a].to_numpy(np.float64), raw["CO2"].to_numpy(np.float64))
    assert got == pytest.approx(r, abs=5e-8)
    assert p <= 0.05


def test_get_corr_masks_forest_co2(asem_raw_result: Result) -> None:
    """COINr prints NA for Forest–CO2: its cor.test p-value exceeds 0.05."""
    raw = asem_raw_result.current.stages["raw"]
    _, p, _, _ = A.pair_correlation(raw["Forest"].to_numpy(np.float64), raw["CO2"].to_numpy(np.float64))
    assert p > 0.05


def _sibling(corr: pd.DataFrame, a: str, b: str) -> float:
    row = corr[
        (corr.kind == "siblings") & (((corr.a == a) & (corr.b == b)) | ((corr.a == b) & (corr.b == a)))
    ]
    assert len(row) == 1
    return float(row.pearson.iloc[0])


def test_corr_flags_normalised_coinr(asem_coin_result: Result) -> None:
    """get_corr_flags(coin, "Normalised", 0.75, "high") and (-0.5, "low"), grouplev 2 (analysis vignette)."""
    a = A.audit(asem_coin_result)
    c = a.correlations
    expected = {
        ("CPI", "FreePress"): 0.761,
        ("CPI", "NGOs"): 0.768,
        ("CostImpEx", "TBTs"): -0.697,
        ("RTAs", "TBTs"): -0.752,
        ("TBTs", "TIRcon"): -0.623,
    }
    for (x, y), r in expected.items():
        assert round(_sibling(c, x, y), 3) == r
    ind = {i.id for i in asem_coin_result.framework.indicators()}
    sib = c[(c.kind == "siblings") & c.a.isin(ind)]
    assert len(sib[sib.pearson > 0.75]) == 2
    assert len(sib[sib.pearson < -0.5]) == 3
    assert set(sib[sib.pearson < 0].flag) == {"negative"}


def test_spearman_is_rank_pearson_per_pair() -> None:
    x = np.array([1.0, 2.0, np.nan, 4.0, 10.0, 3.0])
    y = np.array([2.0, 1.0, 5.0, 8.0, 9.0, np.nan])
    r, _, rho, n = A.pair_correlation(x, y)
    assert n == 4
    assert rho == pytest.approx(0.8)  # ranks (1,2,3,4) vs (2,1,3,4)
    assert r == pytest.approx(np.corrcoef([1, 2, 4, 10], [2, 1, 8, 9])[0, 1])


def test_coinr_effective_weights_asem(asem_coin_result: Result) -> None:
    """get_eff_weights: Conn pillars 0.1, Sust pillars 1/6, ConEcFin indicators 0.02 each."""
    eff = A.coinr_effective_weights(asem_coin_result.framework)
    assert eff["Conn"] == pytest.approx(0.5)
    assert eff["Physical"] == pytest.approx(0.1)
    assert eff["Social"] == pytest.approx(1 / 6)
    for code in ("Goods", "Services", "FDI", "PRemit", "ForPort"):
        assert eff[code] == pytest.approx(0.02)
    levels = asem_coin_result.framework.depth()
    for lev in (1, 2, 3):
        assert sum(v for k, v in eff.items() if levels[k] == lev) == pytest.approx(1.0)


def test_correlation_ratio_of_exact_function() -> None:
    """η² = 1 for a noiseless non-linear function; ≈ r² for a linear one plus noise; ≈ 0 for independence."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, 400)
    assert A.correlation_ratio(x, x**2) == pytest.approx(1.0, abs=1e-3)
    assert A.correlation_ratio(x, rng.normal(size=400)) < 0.05
    y = x + rng.normal(scale=0.5, size=400)
    r = np.corrcoef(x, y)[0, 1]
    assert A.correlation_ratio(x, y) == pytest.approx(r * r, abs=0.03)


def test_data_availability_coinr(asem_raw_result: Result, asem: tuple[Dataset, Framework]) -> None:
    """get_data_avail(coin, "Raw"): BGD 6 missing, 1 zero, 0.877551 / 0.9767442; AUS 3 zeros 0.9387755;
    ByGroup BGD ConEcFin 1, Instit 0.8333333, P2P 0.75, Physical 0.875; ConSpeed 43/51; BRN 0.7959184."""
    a = A.audit(asem_raw_result, asem[0])
    units = a.coverage_units.set_index("code")
    bgd = units.loc["BGD"]
    assert (bgd.n_missing, bgd.n_zero) == (6, 1)
    assert bgd.availability == pytest.approx(0.877551, abs=5e-7)
    assert bgd.non_zero == pytest.approx(0.9767442, abs=5e-8)
    assert units.loc["AUS", "non_zero"] == pytest.approx(0.9387755, abs=5e-8)
    assert bgd.availability_Instit == pytest.approx(0.8333333, abs=5e-8)
    assert (bgd.availability_ConEcFin, bgd.availability_P2P, bgd.availability_Physical) == (1.0, 0.75, 0.875)
    assert units.availability.min() == pytest.approx(0.7959184, abs=5e-8)
    assert units.availability.idxmin() == "BRN"
    ind = a.coverage_indicators.set_index("indicator")
    assert ind.loc["ConSpeed", "n_available"] == 43


def test_write_audit_files(asem_coin_result: Result, tmp_path: Path) -> None:
    written = A.write_audit(A.audit(asem_coin_result), tmp_path)
    names = {p.name for p in written}
    assert {"cronbach.csv", "pca.csv", "correlations.csv", "effective_weights.csv"} <= names
    cron = pd.read_csv(tmp_path / "cronbach.csv", encoding="utf-8-sig")
    assert list(cron.columns[:2]) == ["aggregate", "over"] and "alpha" in cron.columns
    assert set(cron.over) == {"indicators", "children"}
    pca = pd.read_csv(tmp_path / "pca.csv", encoding="utf-8-sig")
    assert {"aggregate", "over", "eigenvalue_1", "variance_explained_1"} <= set(pca.columns)
    corr = pd.read_csv(tmp_path / "correlations.csv", encoding="utf-8-sig", keep_default_na=False)
    assert {"a", "b", "pearson", "spearman", "flag"} <= set(corr.columns)
    assert set(corr.flag) <= {"", "negative", "low", "high"}
