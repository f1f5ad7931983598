"""Obstacle degree and coupling coordination: hand-worked examples and invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mfgindex.core.errors import UserError
from mfgindex.core.result import Result
from mfgindex.toolbox.coupling import GRADES, coupling_coordination, coupling_over_years, grade, grade_counts
from mfgindex.toolbox.obstacle import obstacle_degree, obstacle_from_result


def test_obstacle_three_cities_by_hand() -> None:
    # F = (0.5, 0.3, 0.2).
    # A: x = (1, 0, 0.5) → I = (0, 1, 0.5) → F·I = (0, 0.3, 0.1), Σ = 0.4 → O = (0, 0.75, 0.25)
    # B: x = (0.2, 0.6, 0) → I = (0.8, 0.4, 1) → F·I = (0.40, 0.12, 0.20), Σ = 0.72
    #    → O = (0.5556, 0.1667, 0.2778)
    # C: x = (1, 1, 1) → no deviation → no obstacle (NaN)
    x = pd.DataFrame(
        [[1.0, 0.0, 0.5], [0.2, 0.6, 0.0], [1.0, 1.0, 1.0]], index=["A", "B", "C"], columns=["i1", "i2", "i3"]
    )
    w = pd.Series({"i1": 0.5, "i2": 0.3, "i3": 0.2})
    res = obstacle_degree(x, w, {"d1": ["i1", "i2"], "d2": ["i3"]}, k=1)
    np.testing.assert_allclose(res.degrees.loc["A"], [0.0, 0.75, 0.25])
    np.testing.assert_allclose(res.degrees.loc["B"], [0.40 / 0.72, 0.12 / 0.72, 0.20 / 0.72])
    assert res.degrees.loc["C"].isna().all()
    np.testing.assert_allclose(res.by_dimension.loc["B"], [0.52 / 0.72, 0.20 / 0.72])
    assert res.top.set_index("code")["indicator"].to_dict() == {"A": "i2", "B": "i1"}
    assert res.frequency.loc["i1", "count"] == 1 and res.frequency.loc["i3", "count"] == 0
    # scaling the weights does not change the degrees
    pd.testing.assert_frame_equal(obstacle_degree(x, 10 * w).degrees, res.degrees)


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.float64, (6, 4), elements=st.floats(0, 1)),
    arrays(np.float64, 4, elements=st.floats(0.01, 1)),
)
def test_obstacle_degrees_sum_to_one(x: np.ndarray, w: np.ndarray) -> None:
    frame = pd.DataFrame(x, columns=list("abcd"))
    res = obstacle_degree(frame, pd.Series(w, index=list("abcd")))
    sums = res.degrees.sum(axis=1, min_count=1).dropna()
    np.testing.assert_allclose(sums, 1.0)
    assert ((res.degrees.fillna(0) >= 0) & (res.degrees.fillna(0) <= 1 + 1e-12)).all().all()


def test_obstacle_on_default_run(default_result: Result) -> None:
    res = obstacle_from_result(default_result)
    sums = res.degrees.sum(axis=1, min_count=1).dropna()
    np.testing.assert_allclose(sums, 1.0)
    dims = [c.id for c in default_result.framework.root.children]
    assert list(res.by_dimension.columns) == dims
    np.testing.assert_allclose(res.by_dimension.sum(axis=1).loc[sums.index], 1.0)
    assert len(res.top) <= 5 * len(res.degrees)


def test_obstacle_refuses_unscaled_values() -> None:
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        obstacle_degree(pd.DataFrame({"a": [50.0]}), pd.Series({"a": 1.0}))


def test_coupling_two_systems_by_hand() -> None:
    # U = (0.6, 0.4): C = 2·√0.24 / 1.0 = 0.979796; T = 0.5; D = √(0.489898) = 0.699927 → 初级协调
    # U = (0.9, 0.1), α = (0.6, 0.4): C = 2·√0.09 / 1.0 = 0.6; T = 0.58; D = √0.348 = 0.589915 → 勉强协调
    u = pd.DataFrame({"econ": [0.6, 0.9], "env": [0.4, 0.1]}, index=["x", "y"])
    r = coupling_coordination(u)
    assert r.loc["x", "C"] == pytest.approx(0.979796, abs=1e-6)
    assert r.loc["x", "T"] == pytest.approx(0.5)
    assert r.loc["x", "D"] == pytest.approx(0.699927, abs=1e-6)
    assert (r.loc["x", "grade"], r.loc["x", "grade_zh"], r.loc["x", "lagging"]) == (7, "初级协调", "env")
    r2 = coupling_coordination(u, alpha=[0.6, 0.4])
    assert r2.loc["y", "C"] == pytest.approx(0.6)
    assert r2.loc["y", "T"] == pytest.approx(0.58)
    assert r2.loc["y", "D"] == pytest.approx(np.sqrt(0.348))
    assert r2.loc["y", "grade_zh"] == "勉强协调"


def test_coupling_three_systems_by_hand() -> None:
    # U = (0.2, 0.4, 0.8): (ΠU)^(1/3) = 0.064^(1/3) = 0.4; ΣU = 1.4 → C = 3·0.4/1.4 = 0.857143
    # T = 1.4/3 = 0.466667; D = √(0.4) = 0.632456
    r = coupling_coordination(pd.DataFrame({"a": [0.2], "b": [0.4], "c": [0.8]}))
    assert r["C"].iloc[0] == pytest.approx(6 / 7)
    assert r["T"].iloc[0] == pytest.approx(1.4 / 3)
    assert r["D"].iloc[0] == pytest.approx(np.sqrt(0.4))


def test_coupling_equal_and_zero_systems() -> None:
    r = coupling_coordination(pd.DataFrame({"a": [0.5, 0.0, 0.0], "b": [0.5, 0.7, 0.0]}))
    assert r["C"].tolist() == pytest.approx([1.0, 0.0, 0.0])
    assert r["D"].iloc[2] == 0.0 and r["grade_zh"].iloc[2] == "极度失调"


def test_grades_boundaries() -> None:
    assert grade(0.0) == (1, "极度失调")
    assert grade(0.1) == (2, "严重失调")
    assert grade(0.7) == (8, "中级协调")
    assert grade(0.8999) == (9, "良好协调")
    assert grade(1.0) == (10, "优质协调")
    assert len(GRADES) == 10


def test_coupling_rejects_bad_input() -> None:
    with pytest.raises(UserError):
        coupling_coordination(pd.DataFrame({"a": [50.0], "b": [1.0]}))
    with pytest.raises(UserError):
        coupling_coordination(pd.DataFrame({"a": [0.5], "b": [0.5]}), alpha=[0.7, 0.7])
    with pytest.raises(UserError):
        coupling_coordination(pd.DataFrame({"a": [0.5]}))


@settings(max_examples=80, deadline=None)
@given(arrays(np.float64, (5, 3), elements=st.floats(0, 1)))
def test_coupling_in_unit_interval(u: np.ndarray) -> None:
    r = coupling_coordination(pd.DataFrame(u, columns=["a", "b", "c"]))
    for col in ("C", "T", "D"):
        v = r[col].to_numpy()
        assert np.all((v >= -1e-12) & (v <= 1 + 1e-9)), col
    # D never exceeds √T (C ≤ 1)
    assert np.all(r["D"].to_numpy() <= np.sqrt(r["T"].to_numpy()) + 1e-12)


def test_coupling_over_years_counts() -> None:
    panels = {
        2021: pd.DataFrame({"a": [0.6, 0.1], "b": [0.4, 0.1]}, index=["x", "y"]),
        2022: pd.DataFrame({"a": [0.9, 0.2], "b": [0.9, 0.3]}, index=["x", "y"]),
    }
    long = coupling_over_years(panels)
    assert sorted(long["year"].unique()) == [2021, 2022]
    counts = grade_counts(long)
    assert counts[2021].sum() == 2 and counts.loc[10, 2022] == 1
