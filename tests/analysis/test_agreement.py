"""Distance from the published list: overlap, Spearman, the exact split of a miss (hand-built table)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from mfgindex.analysis import agreement
from mfgindex.core import framework as fw_mod


def test_agreement_by_hand() -> None:
    fw = fw_mod.from_dict(
        {
            "id": "t",
            "top_n": 3,
            "universe": {"kind": "generic", "exclude_unit_types": []},
            "root": {
                "id": "index",
                "children": [
                    {"id": "d1", "name_zh": "维一", "children": [{"id": "i1", "unit": "件"}]},
                    {"id": "d2", "name_zh": "维二", "children": [{"id": "i2", "unit": "件"}]},
                ],
            },
        }
    )
    # equal weights: index = (d1 + d2) / 2
    table = pd.DataFrame(
        {
            "name": ["A", "B", "C", "D"],
            "rank": [1, 2, 3, 4],
            "index": [90.0, 75, 65, 55],
            "d1": [90.0, 80, 40, 70],
            "d2": [90.0, 70, 90, 40],
        },
        index=pd.Index(["a", "b", "c", "d"], name="code"),
    )
    raw = pd.DataFrame({"i1": [9.0, 8, 4, 7], "i2": [9.0, 7, 9, 4]}, index=table.index)
    published = pd.DataFrame({"city": ["C", "B", "D"], "national_rank": [1, 2, 3]})
    sub = pd.DataFrame({"subindex": ["维二", "维二"], "rank": [1, 2], "city": ["C", "A"]})
    a = agreement.measure(fw, table, raw, 2022, None, published, sub)
    # our top 3 = A, B, C; published C, B, D → 2 in common
    assert a.overlap == 2 and a.n_published == 3 and a.common == 3
    # published ranks (C, B, D) = 1, 2, 3; ours 3, 2, 4 → ranks among them 2, 1, 3: Σd² = 2,
    # ρ = 1 − 6·2 / (3·(9 − 1)) = 0.5
    assert a.spearman == pytest.approx(0.5)
    # sub-index 维二: our top (A 90, C 90, B 70, D 40) ∩ {C, A} = 2; 维一 is not published
    assert [(d.dimension, d.overlap) for d in a.dimensions] == [("d2", 2)]
    # the miss D (published 3, ours 4) against our #3 C: gap 65 − 55 = 10
    #   = d1: 0.5·40 − 0.5·70 = −15  plus  d2: 0.5·90 − 0.5·40 = +25
    assert a.reference_city == "C"
    (m,) = a.misses
    assert m.city == "D" and m.published_rank == 3 and m.rank == 4
    assert m.gap == pytest.approx(10)
    (r,) = m.reasons  # d1 works in D's favour: not a reason
    assert r.dimension == "d2" and r.contribution == pytest.approx(25)
    assert (r.score, r.score_ref) == (40.0, 90.0)
    assert r.indicators == (("i2", "i2", 4.0, 9.0, "件"),)
    assert "D" in agreement.markdown(a) and "0.500" in agreement.markdown(a)
    f = agreement.frames(a, "zh")
    assert list(f["summary"].iloc[:, 1]) == ["2/3", "0.500", "2/10"]


def test_default_run_split_is_exact(default_result) -> None:  # type: ignore[no-untyped-def]
    """With the run's own stage weights the dimension terms add up to the index gap."""
    a = agreement.measure(
        default_result.framework,
        default_result.table,
        default_result.current.stages["raw"],
        2022,
        default_result.current.weights.get("index"),
        k_reasons=7,
    )
    assert a.overlap >= 35 and not math.isnan(a.spearman)
    for m in a.misses:
        if m.rank is None:
            continue
        positive = sum(r.contribution for r in m.reasons)
        assert positive >= m.gap - 1e-9  # the positive terms cover at least the whole gap
