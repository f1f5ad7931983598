"""Moran's I / LISA (through our wrapper of PySAL) and rank-class Markov chains."""

from __future__ import annotations

import geopandas as gpd  # type: ignore[import-untyped]
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from mfgindex.core.result import Result
from mfgindex.toolbox.markov import markov_chain, rank_classes, steady_state
from mfgindex.toolbox.spatial import SpatialWeights, lisa, moran, spatial_weights, weights_from_frame


def _lattice(n: int) -> tuple[gpd.GeoDataFrame, list[str]]:
    cells = [box(c, r, c + 1, r + 1) for r in range(n) for c in range(n)]
    ids = [f"c{r}{c}" for r in range(n) for c in range(n)]
    return gpd.GeoDataFrame({"id": ids}, geometry=cells).set_index("id", drop=False), ids


def test_checkerboard_rook_gives_minus_one() -> None:
    # Known case: on a rook lattice every neighbour of a black cell is white, so I = −1 exactly.
    gdf, ids = _lattice(4)
    values = pd.Series([float((r + c) % 2) for r in range(4) for c in range(4)], index=ids, name="v")
    sw = SpatialWeights(weights_from_frame(gdf, "rook", ids="id"), tuple(ids), "rook", ())
    m = moran(values, sw, permutations=99)
    assert pytest.approx(-1.0) == m.I
    assert m.expected == pytest.approx(-1 / 15)
    # with queen contiguity diagonal (same-colour) neighbours count too, so I > −1
    sq = SpatialWeights(weights_from_frame(gdf, "queen", ids="id"), tuple(ids), "queen", ())
    assert moran(values, sq, permutations=0).I > -1.0


def test_gradient_is_positively_autocorrelated() -> None:
    gdf, ids = _lattice(5)
    values = pd.Series([float(c) for r in range(5) for c in range(5)], index=ids, name="v")
    sw = SpatialWeights(weights_from_frame(gdf, "rook", ids="id"), tuple(ids), "rook", ())
    m = moran(values, sw, permutations=199)
    assert m.I > 0.5 and m.p_sim <= 0.01
    local = lisa(values, sw, permutations=199)
    assert set(local["cluster"]) <= {"HH", "LL", "LH", "HL", "ns"}
    # the left columns are low among low neighbours, the right columns high among high
    assert local.loc["c00", "quadrant"] == "LL" and local.loc["c04", "quadrant"] == "HH"


def test_moran_matches_the_formula_on_prefectures(default_result: Result) -> None:
    idx = default_result.current.scores["index"].dropna()
    sw = spatial_weights(list(idx.index))
    # islands of the simplified boundaries: 舟山 and the Hainan prefecture-level cities, reported and attached
    assert "330900" in sw.islands and "330900" in sw.attached
    assert min(sw.w.cardinalities.values()) >= 1
    m = moran(idx, sw, permutations=99)
    # I = (n / S0) Σ_ij w_ij z_i z_j / Σ z_i², with row-standardised w (S0 = n)
    w, _ = sw.w.full()
    w = w / w.sum(axis=1, keepdims=True)
    z = idx.reindex(list(sw.codes)).to_numpy() - idx.mean()
    i_formula = (len(z) / w.sum()) * (z @ w @ z) / (z @ z)
    assert pytest.approx(i_formula, rel=1e-10) == m.I
    assert m.I > 0.3  # manufacturing clusters: strong positive spatial autocorrelation
    knn = spatial_weights(list(idx.index), "knn", k=6)
    assert set(knn.w.cardinalities.values()) == {6}


def test_rank_classes_by_hand() -> None:
    v = pd.Series([10.0, 20.0, 30.0, 40.0, np.nan], index=list("abcde"))
    assert rank_classes(v, 2).tolist()[:4] == [1, 1, 2, 2]
    assert pd.isna(rank_classes(v, 2)["e"])


def test_markov_by_hand() -> None:
    # 2020 values a<b<c<d → classes (1, 1, 2, 2); 2021 b<c<d<a → classes (2, 1, 1, 2)
    # transitions a 1→2, b 1→1, c 2→1, d 2→2 → counts [[1, 1], [1, 1]], P = 0.5 everywhere
    wide = pd.DataFrame({2020: [1.0, 2.0, 3.0, 4.0], 2021: [4.0, 1.0, 2.0, 3.0]}, index=list("abcd"))
    m = markov_chain(wide, k=2)
    assert m.counts.to_numpy().tolist() == [[1, 1], [1, 1]]
    np.testing.assert_allclose(m.probabilities.to_numpy(), 0.5)
    np.testing.assert_allclose(m.steady_state.to_numpy(), [0.5, 0.5])
    row = m.moves.iloc[0]
    assert (row["up"], row["down"], row["same"]) == (1, 1, 2)


def test_steady_state_of_a_known_chain() -> None:
    # P = [[0.9, 0.1], [0.5, 0.5]]: π = (5/6, 1/6)
    p = pd.DataFrame([[0.9, 0.1], [0.5, 0.5]], index=["C1", "C2"], columns=["C1", "C2"])
    np.testing.assert_allclose(steady_state(p).to_numpy(), [5 / 6, 1 / 6])


def test_markov_rows_sum_to_one(default_result: Result) -> None:
    r = default_result
    assert r.previous is not None
    wide = pd.DataFrame({r.previous.year: r.previous.scores["index"], r.year: r.current.scores["index"]})
    m = markov_chain(wide)
    np.testing.assert_allclose(m.probabilities.sum(axis=1), 1.0)
    assert m.steady_state.sum() == pytest.approx(1.0)
