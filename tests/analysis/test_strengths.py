"""The strengths/weaknesses rule on hand-built tables (expected values worked out by hand in comments)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from mfgindex.analysis import strengths as sw
from mfgindex.analysis.city import city_profile


def _table(overall: list[int], **dims: list[float]) -> tuple[pd.DataFrame, pd.Series]:
    codes = [f"c{i:02d}" for i in range(len(overall))]
    scores = pd.DataFrame(dims, index=codes)
    return scores, pd.Series(overall, index=codes, dtype="Int64")


def test_clearly_is_ten_percent_of_the_ranked_cities() -> None:
    # 20 cities; c10 is 11th overall: p0 = 10/20 = 0.5. Top 20 % = ranks 1-4.
    n = 20
    overall = list(range(1, n + 1))

    # dimension d: distinct scores 100, 99, …; the test city c10 placed at the wanted rank
    def kind(rank: int) -> str:
        order = [c for c in range(n) if c != 10]
        order.insert(rank - 1, 10)
        vals = np.empty(n)
        for pos, c in enumerate(order):
            vals[c] = 100.0 - pos
        scores, ov = _table(overall, d=list(vals))
        st = sw.standings(scores, ov, "c10")
        assert st[0].rank == rank and st[0].tied == 1
        return st[0].kind

    # rank 9: p = 8/20 = 0.40 = p0 − 0.10 → strength; rank 10: 0.45 → nothing
    assert kind(9) == "strength" and kind(10) == ""
    # rank 12: 0.55 → nothing; rank 13: 0.60 = p0 + 0.10 → weakness
    assert kind(12) == "" and kind(13) == "weakness"
    # rank 4 = ⌈0.2·20⌉ → strength (top 20 %), also by "above"
    assert kind(4) == "strength"


def test_top_city_has_strengths_and_top20_is_never_a_weakness() -> None:
    # 10 cities; city c00 is 1st overall (p0 = 0). Top 20 % = ranks 1-2.
    overall = list(range(1, 11))
    a = [100.0, 90, 80, 70, 60, 50, 40, 30, 20, 10]  # c00 1st → strength (top)
    b = [90.0, 100, 80, 70, 60, 50, 40, 30, 20, 10]  # c00 2nd → strength (top 20 %), not a weakness
    c = [70.0, 100, 90, 80, 60, 50, 40, 30, 20, 10]  # c00 4th: p = 0.3 ≥ 0 + 0.1 → weakness
    d = [95.0, 100, 90, 80, 70, 60, 50, 40, 30, 20]  # 2nd again
    scores, ov = _table(overall, a=a, b=b, c=c, d=d)
    items = sw.standings(scores, ov, "c00")
    assert [s.item for s in sw.strengths(items)] == ["a", "b", "d"]
    assert [s.item for s in sw.weaknesses(items)] == ["c"]
    assert {s.item: s.reason for s in items} == {"a": "top", "b": "top", "c": "below", "d": "top"}


def test_ties_at_the_floor_and_missing_never_qualify() -> None:
    # 10 cities, the last overall (c09, p0 = 0.9). Dimension z: seven cities at 0 (the floor), c09 among
    # them — "并列第4" would be far above its overall rank, but a tie at the floor says nothing.
    overall = list(range(1, 11))
    z = [50.0, 40, 30, 0, 0, 0, 0, 0, 0, 0]
    m = [50.0, 40, 30, 20, 10, 9, 8, 7, 6, np.nan]  # c09 missing
    # y: c09 ties with c08 at 5 — not the floor (c07 has 0.5); six cities above → 并列第7, p = 0.6
    y = [50.0, 40, 30, 20, 10, 9, 1, 0.5, 5, 5]
    scores, ov = _table(overall, z=z, m=m, y=y)
    items = {s.item: s for s in sw.standings(scores, ov, "c09")}
    assert "m" not in items  # missing: no standing at all
    assert (
        items["z"].rank == 4
        and items["z"].tied == 7
        and items["z"].kind == ""
        and items["z"].reason == "floor_tie"
    )
    assert items["y"].rank == 7 and items["y"].tied == 2 and items["y"].label_zh == "并列第7（2城）"
    assert items["y"].kind == "strength" and items["y"].reason == "above"  # p = 0.6 ≤ 0.9 − 0.1
    assert items["y"].label_en == "tied #7 (2 cities)"
    # the top city of z is a real strength, not a floor tie
    top = {s.item: s for s in sw.standings(scores, ov, "c00")}
    assert top["z"].kind == "strength" and top["z"].label_zh == "第1"


def test_city_profile_uses_the_rule() -> None:
    t = pd.DataFrame(
        {
            "name": [f"{c}市" for c in "abcde"],
            "rank": [1, 2, 3, 4, 5],
            "index": [90.0, 80, 70, 60, 50],
            "d1": [90.0, 60, 85, 40, 30],
            "d1_rank": [1, 3, 2, 4, 5],
            "d2": [0.0, 85, 0, 0, 95],
            "d2_rank": [3, 2, 3, 3, 1],
        },
        index=pd.Index(list("abcde"), name="code"),
    )
    # a: d1 1st (top 20 % = rank 1) → strength; d2 0 tied at the floor → neither
    p = city_profile(t, "a", dims=["d1", "d2"])
    assert p.strengths == ("d1",) and p.weaknesses == ()
    st = p.standing("d2")
    assert st is not None and st.reason == "floor_tie" and st.tied == 3
    # e (last, p0 = 0.8): d2 1st → strength; d1 5th → neither (p = 0.8)
    p = city_profile(t, "e", dims=["d1", "d2"])
    assert p.strengths == ("d2",) and p.weaknesses == ()


def test_frame_lists_every_ranked_city_with_the_rule() -> None:
    t = pd.DataFrame(
        {"name": ["甲", "乙", "丙"], "rank": [1, 2, np.nan], "d": [10.0, 20.0, 5.0]},
        index=pd.Index(["x", "y", "z"], name="code"),
    )
    f = sw.frame(t, ["d"], {"d": "维度"})
    assert list(f["城市"].iloc[:2]) == ["甲", "乙"]
    # among the 2 ranked cities 乙 leads d (top 20 % = rank 1): strength; 甲 is 2nd with p 0.5 ≥ 0 + 0.1
    assert f["优势维度"].iloc[1] == "维度第1" and f["短板维度"].iloc[0] == "维度第2"


def test_standings_follow_the_written_definition_on_random_tables() -> None:
    """Every standing equals the rule applied by hand with plain Python lists (missing cells, ties at
    the floor and elsewhere, cities without an overall rank)."""
    rng = np.random.default_rng(7)
    for _ in range(30):
        n = int(rng.integers(5, 40))
        codes = [f"c{i}" for i in range(n)]
        values = rng.integers(0, 6, size=(n, 3)).astype(float)  # small integers: many ties
        values[rng.random((n, 3)) < 0.15] = np.nan
        scores = pd.DataFrame(values, index=codes, columns=["a", "b", "c"])
        overall = pd.Series(rng.permutation(n) + 1.0, index=codes)
        overall[rng.random(n) < 0.1] = np.nan
        ranked = [c for c in codes if not math.isnan(overall[c])]
        for code in codes:
            got = {s.item: s for s in sw.standings(scores, overall, code)}
            if code not in ranked:
                assert got == {}
                continue
            p0 = (overall[code] - 1) / len(ranked)
            for item in scores.columns:
                col = [scores.at[c, item] for c in ranked if not math.isnan(scores.at[c, item])]
                x = scores.at[code, item]
                if math.isnan(x):
                    assert item not in got
                    continue
                ahead = sum(v > x for v in col)
                tied = sum(v == x for v in col)
                s = got[item]
                assert (s.rank, s.tied, s.n) == (ahead + 1, tied, len(col))
                p = ahead / len(col)
                if tied > 1 and x == min(col):
                    want = ""
                elif ahead + 1 <= math.ceil(0.2 * len(col)) or p <= p0 - 0.1 + 1e-12:
                    want = "strength"
                elif p >= p0 + 0.1 - 1e-12:
                    want = "weakness"
                else:
                    want = ""
                assert s.kind == want, (code, item)
