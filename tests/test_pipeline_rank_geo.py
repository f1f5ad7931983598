"""Pipeline invariants, ranks and name matching."""

from __future__ import annotations

from types import MappingProxyType

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfgindex.core import dataset, geo, pipeline, validate
from mfgindex.core.dataset import Dataset
from mfgindex.core.framework import from_dict, with_methods
from mfgindex.core.impute import impute
from mfgindex.core.methods import ImputeMethod
from mfgindex.core.rank import competition_rank, province_rank, rank_change


def test_competition_ranks_ties_share_the_lower_rank():
    s = pd.Series([90.0, 80.0, 80.0, 70.0, np.nan], index=list("abcde"))
    assert competition_rank(s).tolist() == [1, 2, 2, 4, pd.NA]


def test_province_rank_labels():
    scores = pd.Series([10.0, 30.0, 20.0], index=["320500", "320200", "440300"])
    prov = pd.Series(["江苏", "江苏", "广东"], index=scores.index)
    abbr = pd.Series(["苏", "苏", "粤"], index=scores.index)
    assert province_rank(scores, prov, abbr).to_dict() == {"320500": "苏2", "320200": "苏1", "440300": "粤1"}


def test_rank_change_labels():
    rank = pd.Series([1, 2, 3, 4], index=list("abcd"), dtype="Int64")
    prev = pd.Series([2, 1, 3, 60], index=list("abcd"), dtype="Int64")
    delta, label = rank_change(rank, prev, top_n=50)
    assert delta.tolist() == [1, -1, 0, 56]
    assert label.tolist() == ["up", "down", "same", "new"]


def test_rank_change_outside_the_list_is_never_new():
    # 鄂尔多斯 in the 2022 default run fell from 59th to 196th: outside the top 50 in both years, so it is
    # "down" by 137 places, not a 首次入围 (new entry); an unranked-last-year unit outside the list is "same"
    rank = pd.Series([10, 196, 70, 60], index=list("abcd"), dtype="Int64")
    prev = pd.Series([80, 59, pd.NA, 75], index=list("abcd"), dtype="Int64")
    delta, label = rank_change(rank, prev, top_n=50)
    assert label.tolist() == ["new", "down", "same", "up"]
    assert delta.tolist()[:2] == [70, -137]


@pytest.mark.parametrize(
    ("name", "province", "code"),
    [
        ("苏州", None, "320500"),
        ("苏州市", None, "320500"),
        ("320500", None, "320500"),
        ("襄樊", None, "420600"),
        ("思茅市", None, "530800"),
        ("海南", "青海", "632500"),
        ("延边朝鲜族自治州", None, "222400"),
        ("延边", None, "222400"),
    ],
)
def test_resolve_names(name, province, code):
    assert geo.resolve(name, province).code == code


def test_resolve_refuses_merged_and_unknown():
    assert geo.resolve("莱芜").code is None and "济南" in geo.resolve("莱芜").reason
    assert geo.resolve("火星市").code is None
    assert geo.resolve("朝阳", "北京").code is None  # 朝阳区 is a district, 朝阳市 is in 辽宁


def test_cluster_definitions_differ_only_in_yrd():
    a = geo.cluster_membership("caict2023")
    b = geo.cluster_membership("plans2016")
    yrd_a = set(a.loc[a["cluster_zh"] == "长江三角洲城市群", "code"])
    yrd_b = set(b.loc[b["cluster_id"] == "yrd", "code"])
    assert yrd_a - yrd_b == {"330300"}  # 温州 is in the 2019 中心区, not in the 2016 plan
    with pytest.raises(KeyError):
        geo.cluster_membership("nope")


def test_evaluation_does_not_change_its_inputs(default_framework):
    ds = dataset.default()
    before = ds.values.copy()
    lists_before = {k: v.copy() for k, v in ds.lists.items()}
    pipeline.evaluate(ds, default_framework, 2022)
    pd.testing.assert_frame_equal(ds.values, before)
    for k, v in ds.lists.items():
        pd.testing.assert_frame_equal(v, lists_before[k])


def test_default_result_shape(default_result):
    t = default_result.table
    assert t["rank"].iloc[0] == 1 and t["rank"].is_monotonic_increasing
    assert {"scale", "quality", "innovation", "green", "digital", "enterprise", "agglomeration"} <= set(
        t.columns
    )
    assert t["stage"].notna().all()
    w = default_result.global_weights
    assert w.sum() == pytest.approx(1.0) and (w > 0).all()
    assert default_result.effective_weights.sum() == pytest.approx(1.0)
    # the scores are on the normalisation range
    assert t["index"].between(0, 100).all()


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.floats(0, 100)), min_size=6, max_size=6),
    st.sampled_from(list(ImputeMethod)),
)
def test_impute_flags_exactly_the_filled_cells(values, method):
    frame = pd.DataFrame({"x": [np.nan if v is None else v for v in values]}, index=list("abcdef"))
    groups = pd.Series(list("ggghhh"), index=frame.index)
    before = frame.copy()
    out, flags = impute(frame, method, groups, [frame.fillna(1.0)])
    pd.testing.assert_frame_equal(frame, before)
    assert (flags == (frame.isna() & out.notna())).all().all()
    known = frame["x"].notna()
    assert (out.loc[known, "x"] == frame.loc[known, "x"]).all()


def _toy(values: dict[str, list[float]], year: int = 2022) -> Dataset:
    codes = ["320500", "320200", "320400", "320100", "321000", "320600"]
    rows = [(c, year, var, v, "test") for var, vs in values.items() for c, v in zip(codes, vs, strict=True)]
    return Dataset(
        values=pd.DataFrame(rows, columns=["code", "year", "variable", "value", "source"]),
        units=geo.units(),
        lists=MappingProxyType({}),
    )


def test_validation_catches_shares_above_one_and_counts_with_fractions():
    fw = from_dict(
        {
            "id": "t",
            "variables": {"s": {"kind": "share"}, "n": {"kind": "count"}},
            "root": {"id": "index", "children": [{"id": "s"}, {"id": "n"}]},
        }
    )
    ds = _toy({"s": [0.1, 0.2, 1.5, 0.3, 0.4, 0.5], "n": [1, 2, 3, 4.5, 5, 6]})
    messages = [str(p) for p in validate.check(ds, fw)]
    assert any("320400:2022:s" in m and "between 0 and 1" in m for m in messages)
    assert any("320100:2022:n" in m and "whole number" in m for m in messages)


def test_last_year_imputation_and_panel_normalisation():
    fw = from_dict(
        {
            "id": "t",
            "methods": {"treat": "none", "impute": "last_year"},
            "root": {"id": "index", "children": [{"id": "x"}, {"id": "y"}]},
        }
    )
    old = _toy({"x": [1, 2, 3, 4, 5, 6], "y": [6, 5, 4, 3, 2, 1]}, 2021).values
    new = _toy({"x": [2, 3, 4, 5, 6, 7], "y": [6, 5, 4, 3, 2, 1]}, 2022).values
    new = new[~((new["code"] == "320500") & (new["variable"] == "x"))]
    ds = Dataset(values=pd.concat([old, new], ignore_index=True), units=geo.units())
    res = pipeline.evaluate(ds, fw, 2022)
    assert res.current.stages["imputed"].at["320500", "x"] == 1  # carried from 2021
    assert bool(res.current.imputed.at["320500", "x"])
    panel = pipeline.evaluate(ds, with_methods(fw, panel=True, impute="none"), 2022)
    # panel-wide min-max over 2021 and 2022 together: x ranges 1..7, so 320200's 3 → 100·(3−1)/6
    assert panel.current.stages["normalised"].at["320200", "x"] == pytest.approx(100 * 2 / 6)
