"""Per-city profile and 发展潜力城市 on small hand-made tables (expected values computed by hand)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from mfgindex.analysis import PotentialRule, city_profile, nearest_peers, potential_cities, subindex_top


@pytest.fixture
def five() -> pd.DataFrame:
    t = pd.DataFrame(
        {
            "name": ["A市", "B市", "C市", "D市", "E市"],
            "province": ["江苏"] * 5,
            "region": ["东部"] * 5,
            "rank": [1, 2, 3, 4, 5],
            "index": [90.0, 80.0, 70.0, 60.0, 50.0],
            "index_rank": [1, 2, 3, 4, 5],
            "d1": [90.0, 60.0, 85.0, 40.0, 30.0],
            "d1_rank": [1, 3, 2, 4, 5],
            "d2": [80.0, 85.0, 50.0, 60.0, 95.0],
            "d2_rank": [3, 2, 5, 4, 1],
        },
        index=pd.Index(list("abcde"), name="code"),
    )
    return t


def test_profile_strengths_gaps(five: pd.DataFrame) -> None:
    p = city_profile(five, "c", k_peers=2, top_k=2)
    # C: overall 3 of 5 (p0 = 0.4); d1 rank 2 (p 0.2 ≤ 0.3 → strength), d2 rank 5 (p 0.8 ≥ 0.5 → weakness)
    assert p.strengths == ("d1",)
    assert p.weaknesses == ("d2",)
    dims = {d.dimension: d for d in p.dimensions}
    # city above is B (60, 85): gaps 60 − 85 = −25 and 85 − 50 = 35
    assert p.city_above is not None and p.city_above.name == "B市"
    assert dims["d1"].gap_to_above == pytest.approx(-25)
    assert dims["d2"].gap_to_above == pytest.approx(35)
    # 2nd-best ("top 2") scores: d1 85 → 0, d2 85 → 35; index 80 − 70 = 10
    assert dims["d1"].gap_to_top10 == pytest.approx(0)
    assert dims["d2"].gap_to_top10 == pytest.approx(35)
    assert p.index_gap_to_above == pytest.approx(10)
    assert p.index_gap_to_top10 == pytest.approx(10)
    # peers by distance from (85, 50): A √925 = 30.41, B √1850 = 43.01, D √2125, E √5050
    assert [x.name for x in p.peers] == ["A市", "B市"]
    assert p.peer_distance == pytest.approx((math.sqrt(925), math.sqrt(1850)))
    json.dumps(p.to_dict(), ensure_ascii=False)


def test_profile_top_city_has_no_city_above(five: pd.DataFrame) -> None:
    p = city_profile(five, "a")
    assert p.city_above is None
    # A leads d1 (top 20 % of 5 = rank 1: strength); d2 rank 3 (p 0.4 ≥ 0 + 0.1, not top 20 %: weakness)
    assert p.strengths == ("d1",) and p.weaknesses == ("d2",)
    with pytest.raises(KeyError):
        city_profile(five, "zz")


def test_nearest_peers_excludes_self(five: pd.DataFrame) -> None:
    peers = nearest_peers(five, "e", ["d1", "d2"], k=10)
    assert "e" not in [c for c, _ in peers]
    assert len(peers) == 4


def test_subindex_top(five: pd.DataFrame) -> None:
    top = subindex_top(five, ["d1", "d2"], k=2)
    assert [c.name for c in top["d1"]] == ["A市", "C市"]
    assert [c.name for c in top["d2"]] == ["E市", "B市"]
    # default ids are the score columns (index, d1, d2)
    assert list(subindex_top(five, k=1)) == ["index", "d1", "d2"]


def _window_table() -> pd.DataFrame:
    n = 8
    return pd.DataFrame(
        {
            "name": [f"C{i}" for i in range(1, n + 1)],
            "province": ["江苏"] * n,
            "region": ["东部"] * n,
            "rank": list(range(1, n + 1)),
            "prev_rank": [1, 2, 3, 10, 6, 12, 8, 20],
        },
        index=pd.Index([str(i) for i in range(1, n + 1)], name="code"),
    )


def test_potential_rank_gain() -> None:
    # window 4-7: gains 6 (rank 4), 1, 6 (rank 6), 1 → the two +6, earlier rank first;
    # rank 8 (+12) is outside the window.
    rule = PotentialRule(first=4, last=7, k=2)
    res = potential_cities(_window_table(), rule)
    assert [c.name for c in res.cities] == ["C4", "C6"]
    assert res.momentum == (6.0, 6.0)
    assert "第4-7位" in res.rule


def test_potential_residual() -> None:
    gdp = np.array([2.0, 3, 4, 5, 6, 7, 8, 9]) * 1e4
    index = 10 + 5 * np.log(gdp)
    index[5] += 3  # rank-6 city does better than its GDP per capita predicts
    t = _window_table().assign(index=index, gdp_per_capita=gdp)
    res = potential_cities(t, PotentialRule(first=4, last=8, k=1, method="residual"))
    assert [c.name for c in res.cities] == ["C6"]
    with pytest.raises(ValueError):
        potential_cities(t.drop(columns="gdp_per_capita"), PotentialRule(method="residual"))


def test_missing_dimension_scores_are_skipped_not_a_crash(five: pd.DataFrame) -> None:
    t = five.copy()
    t["d2_rank"] = pd.array([pd.NA] * len(t), dtype="Int64")
    t["d2"] = float("nan")
    assert subindex_top(t, ["d2"], k=2)["d2"] == ()  # all NA: none, not rows full of NA
    t.loc["a", "d1"] = float("nan")
    t["d1_rank"] = t["d1_rank"].astype("Int64")
    t.loc["a", "d1_rank"] = pd.NA
    profile = city_profile(t, "a", ["d1", "d2"])
    assert profile.dimensions == ()
