"""Grey relational analysis and TOPSIS-GRA: hand-worked examples and invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mfgindex.core.errors import UserError
from mfgindex.core.result import Result
from mfgindex.toolbox.gra import gra_relation, gra_scores, relational_coefficients, topsis_gra
from mfgindex.toolbox.panel import to_unit_interval


def test_gra_scores_by_hand() -> None:
    # reference = column maxima (1, 1); Δ = [[0, 0.5], [1, 0]], Δmin = 0, Δmax = 1, ρ = 0.5
    # ξ = 0.5 / (Δ + 0.5) = [[1, 0.5], [1/3, 1]]; equal weights → grades 0.75 and 2/3
    # weights (0.75, 0.25) → 0.75 + 0.125 = 0.875 and 0.25 + 0.25 = 0.5
    x = pd.DataFrame({"c1": [1.0, 0.0], "c2": [0.5, 1.0]}, index=["A", "B"])
    g = gra_scores(x)
    np.testing.assert_allclose(g.coefficients.to_numpy(), [[1, 0.5], [1 / 3, 1]])
    np.testing.assert_allclose(g.scores["grade"], [0.75, 2 / 3])
    gw = gra_scores(x, pd.Series({"c1": 0.75, "c2": 0.25}))
    np.testing.assert_allclose(gw.scores["grade"], [0.875, 0.5])
    assert gw.scores["rank"].tolist() == [1, 2]


def test_gra_relation_by_hand() -> None:
    # reference y0 = (1, 2, 3); factor a = y0, b = (3, 2, 1). Mean-scaled: y0 → (0.5, 1, 1.5),
    # b → (1.5, 1, 0.5); Δ_a = 0, Δ_b = (1, 0, 1); Δmin = 0, Δmax = 1; ξ_b = (1/3, 1, 1/3) → 5/9
    y0 = pd.Series([1.0, 2.0, 3.0], index=list("pqr"))
    f = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [3.0, 2.0, 1.0]}, index=list("pqr"))
    r = gra_relation(y0, f)
    assert r.loc["a", "grade"] == pytest.approx(1.0)
    assert r.loc["b", "grade"] == pytest.approx(5 / 9)
    assert list(r.index) == ["a", "b"]
    # ρ = 0.2 (sharper): ξ_b = 0.2/1.2 → (1/6, 1, 1/6) → 4/9
    assert gra_relation(y0, f, rho=0.2).loc["b", "grade"] == pytest.approx(4 / 9)


def test_topsis_gra_by_hand() -> None:
    # A = ideal (1, 1), B = anti-ideal (0, 0), equal weights → v = [[.5, .5], [0, 0]].
    # D+ = (0, √.5), D− = (√.5, 0); R+ = (1, 1/3), R− = (1/3, 1) (ξ = .25/(Δ + .25))
    # scaled by maxima: D−' = (1, 0), D+' = (0, 1), R+' = (1, 1/3), R−' = (1/3, 1); e = 0.5
    # S+ = (1, 1/6), S− = (1/6, 1) → C = (6/7, 1/7)
    x = pd.DataFrame({"c1": [1.0, 0.0], "c2": [1.0, 0.0]}, index=["A", "B"])
    t = topsis_gra(x)
    np.testing.assert_allclose(t.table["r_plus"], [1.0, 1 / 3])
    np.testing.assert_allclose(t.table["closeness"], [6 / 7, 1 / 7])
    assert t.filled == 0


def test_all_deviations_zero_is_a_perfect_relation() -> None:
    """Every alternative equals the reference: ξ would be 0/0; it is defined as 1, and so is each grade."""
    same = pd.DataFrame(np.full((6, 3), 0.4), columns=["a", "b", "c"])
    g = gra_scores(same, rho=0.5)
    assert (g.coefficients.to_numpy() == 1.0).all() and (g.scores["grade"] == 1.0).all()
    assert g.scores["rank"].tolist() == [1] * 6
    delta = np.array([[0.0, np.nan], [0.0, 0.0]])
    np.testing.assert_array_equal(relational_coefficients(delta), [[1.0, np.nan], [1.0, 1.0]])


def test_tiny_deviations_do_not_give_nan() -> None:
    """Δmax = 5e-324 (found by hypothesis): ρΔmax underflows to 0, and Δ = 0 gave 0/0 = NaN."""
    x = np.zeros((6, 3))
    x[0, 0] = 5e-324
    g = gra_scores(pd.DataFrame(x, columns=["a", "b", "c"]), rho=0.5).scores["grade"].to_numpy()
    # unit 0 is the reference (grade 1); the others miss it by Δmax on column a: ξ = ρ/(1 + ρ) = 1/3 there
    np.testing.assert_allclose(g, [1.0] + [(1 / 3 + 1 + 1) / 3] * 5)
    delta = np.array([[0.0, 5e-324], [5e-324, 0.0]])
    np.testing.assert_allclose(relational_coefficients(delta, 0.25), [[1.0, 0.2], [0.2, 1.0]])


def test_rho_validated() -> None:
    with pytest.raises(UserError):
        relational_coefficients(np.array([[0.1]]), rho=0.0)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, (6, 3), elements=st.floats(0, 1)), st.floats(0.05, 1.0))
def test_gra_grades_in_unit_interval(x: np.ndarray, rho: float) -> None:
    frame = pd.DataFrame(x, columns=["a", "b", "c"])
    g = gra_scores(frame, rho=rho).scores["grade"].to_numpy()
    assert np.all((g > 0) & (g <= 1 + 1e-12))
    c = topsis_gra(frame, rho=rho).table["closeness"].to_numpy()
    assert np.all((c >= 0) & (c <= 1))


def test_gra_on_default_run(default_result: Result) -> None:
    r = default_result
    norm = to_unit_interval(r.current.stages["normalised"], r.framework)
    g = gra_scores(norm, r.effective_weights)
    top = g.scores.sort_values("rank").index[:10]
    # the GRA ranking agrees broadly with the index (both reward closeness to the best values)
    assert len(set(top) & set(r.table.index[:20])) >= 7
    rel = gra_relation(r.current.scores[r.framework.root.id], r.current.stages["normalised"])
    assert rel["grade"].dropna().between(0, 1).all()
    t = topsis_gra(norm, r.effective_weights)
    assert t.filled == int(norm.isna().to_numpy().sum())
