"""Dagum Gini, kernel density and convergence: hand-worked examples, invariants and known cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mfgindex.core.result import Result
from mfgindex.toolbox.regional import (
    beta_convergence,
    dagum_gini,
    dagum_over_years,
    gini,
    kde_by_year,
    sigma_convergence,
)


def test_gini_by_hand() -> None:
    # (1, 2, 3, 4, 5): Σ_i Σ_r |y_i − y_r| = 2·(4·1 + 3·2 + 2·3 + 1·4) = 40; G = 40 / (2·25·3) = 4/15
    assert gini([1, 2, 3, 4, 5]) == pytest.approx(4 / 15)
    assert gini([2, 2, 2]) == 0.0


def test_dagum_two_groups_by_hand() -> None:
    # A = (1, 3), B = (2, 6); n = 4, μ = 3. Σ|y_i − y_r| over ordered pairs = 32 → G = 32/(2·16·3) = 1/3.
    # G_AA = 4/(2·4·2) = 0.25, G_BB = 8/(2·4·4) = 0.25; p = (0.5, 0.5), s_A = 4/12, s_B = 8/12
    # G_w = 0.25·0.5·(1/3) + 0.25·0.5·(2/3) = 0.125
    # B − A differences: 1, −1, 5, 3 → G_BA = 10/(2·2·(2 + 4)) = 5/12; d = 9/4, p = 1/4 → D = 0.8
    # weight p_B s_A + p_A s_B = 0.5 → G_nb = 5/12·0.5·0.8 = 1/6, G_t = 5/12·0.5·0.2 = 1/24
    r = dagum_gini([1, 3, 2, 6], ["A", "A", "B", "B"])
    assert r.total == pytest.approx(1 / 3)
    assert r.within == pytest.approx(0.125)
    assert r.net_between == pytest.approx(1 / 6)
    assert r.transvariation == pytest.approx(1 / 24)
    assert list(r.groups.index) == ["B", "A"]  # higher mean first
    assert r.between.loc["A", "B"] == pytest.approx(5 / 12)
    assert r.relative_affluence.loc["B", "A"] == pytest.approx(0.8)
    np.testing.assert_allclose(r.groups["G_jj"], [0.25, 0.25])


def test_dagum_separated_groups_have_no_transvariation() -> None:
    # every value of H exceeds every value of L: D = 1, G_t = 0
    r = dagum_gini([1, 2, 3, 10, 11, 12], list("LLLHHH"))
    assert r.transvariation == pytest.approx(0.0)
    assert r.relative_affluence.loc["H", "L"] == pytest.approx(1.0)


@settings(max_examples=80, deadline=None)
@given(
    arrays(np.float64, st.integers(4, 30), elements=st.floats(0.01, 100)),
    st.integers(1, 4),
    st.randoms(use_true_random=False),
)
def test_dagum_components_sum_to_total(y: np.ndarray, k: int, rnd: object) -> None:
    groups = [f"g{i % k}" for i in range(len(y))]
    r = dagum_gini(y, groups)
    assert r.within + r.net_between + r.transvariation == pytest.approx(r.total, rel=1e-10, abs=1e-12)
    # total agrees with the sorted-data formula G = Σ (2i − n − 1) y_(i) / (n² μ)
    s = np.sort(y)
    n = len(s)
    g_sorted = float(np.sum((2 * np.arange(1, n + 1) - n - 1) * s) / (n**2 * s.mean()))
    assert r.total == pytest.approx(g_sorted, rel=1e-10, abs=1e-12)
    assert (r.relative_affluence.stack().dropna().between(-1e-12, 1 + 1e-12)).all()


def test_dagum_on_default_run(default_result: Result) -> None:
    idx = default_result.current.scores["index"]
    region = default_result.units["region"].reindex(idx.index)
    r = dagum_gini(idx.to_numpy(), region.to_numpy())
    assert set(r.groups.index) == {"东部", "中部", "西部", "东北"}
    assert r.groups.index[0] == "东部"  # highest mean
    assert r.within + r.net_between + r.transvariation == pytest.approx(r.total)
    years = dagum_over_years(pd.DataFrame({2022: idx}), region)
    assert years.loc[2022, "G"] == pytest.approx(r.total)


def test_kde_integrates_to_one_and_peaks_at_mode() -> None:
    rng = np.random.default_rng(0)
    wide = pd.DataFrame({2021: rng.normal(30, 5, 400), 2022: rng.normal(40, 5, 400)})
    k = kde_by_year(wide, points=512)
    for y in wide.columns:
        area = np.trapezoid(k.density[y].to_numpy(), k.grid)
        assert area == pytest.approx(1.0, abs=0.01)
    assert k.summary.loc[2021, "peak_x"] == pytest.approx(30, abs=1.5)
    assert k.summary.loc[2022, "peak_x"] == pytest.approx(40, abs=1.5)
    assert k.summary.loc[2022, "peaks"] == 1


def test_sigma_by_hand() -> None:
    # (1, 2, 3): σ (ddof = 1) = 1, CV = 0.5; (2, 4, 6): σ = 2, CV = 0.5
    wide = pd.DataFrame({2021: [1.0, 2.0, 3.0], 2022: [2.0, 4.0, 6.0]}, index=list("abc"))
    s = sigma_convergence(wide, pd.Series({"a": "东部", "b": "东部", "c": "西部"})).set_index(
        ["group", "year"]
    )
    assert s.loc[("全国", 2021), "sigma"] == pytest.approx(1.0)
    assert s.loc[("全国", 2022), "cv"] == pytest.approx(0.5)
    assert s.loc[("东部", 2022), "mean"] == pytest.approx(3.0)
    assert list(dict.fromkeys(s.index.get_level_values(0))) == ["全国", "东部", "西部"]


def test_beta_recovers_a_known_slope() -> None:
    # y1 = y0 · exp(0.5 − 0.1 ln y0 + small noise): the cross-section β is −0.1 (T = 1)
    rng = np.random.default_rng(1)
    y0 = rng.uniform(10, 100, 200)
    y1 = y0 * np.exp(0.5 - 0.1 * np.log(y0) + rng.normal(0, 1e-4, 200))
    b = beta_convergence(pd.DataFrame({2021: y0, 2022: y1}), "cross_section")
    assert b.beta == pytest.approx(-0.1, abs=1e-3)
    assert b.se < 1e-3 and b.p < 1e-10
    # θ = −ln(1 + β)/T, half-life ln 2/θ
    assert b.speed == pytest.approx(-np.log(1 - 0.1), rel=1e-2)
    assert b.half_life == pytest.approx(np.log(2) / b.speed)
    # pooled one-step panel regression gives the same β on a two-year panel
    a = beta_convergence(pd.DataFrame({2021: y0, 2022: y1}), "absolute")
    assert a.beta == pytest.approx(b.beta, abs=1e-9)
    # statsmodels' OLS coefficient equals the least-squares solution
    x = np.column_stack([np.ones(200), np.log(y0)])
    coef = np.linalg.lstsq(x, np.log(y1 / y0), rcond=None)[0]
    assert b.beta == pytest.approx(coef[1], rel=1e-9)


def test_conditional_beta_with_fixed_effects() -> None:
    # each unit converges to its own steady state: ln y_t+1 − ln y_t = 0.3·(ln y*_i − ln y_t)
    rng = np.random.default_rng(2)
    star = rng.uniform(2, 4, 80)
    ln = [rng.uniform(1, 5, 80)]
    for _ in range(5):
        ln.append(ln[-1] + 0.3 * (star - ln[-1]) + rng.normal(0, 1e-3, 80))
    wide = pd.DataFrame({2018 + t: np.exp(v) for t, v in enumerate(ln)})
    c = beta_convergence(wide, "conditional")
    assert c.beta == pytest.approx(-0.3, abs=0.01)
    assert c.cov_type == "cluster(unit)"
    assert "ln0" in c.params.index and not any(i.startswith("u_") for i in c.params.index)
