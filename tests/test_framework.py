"""Framework configuration: YAML, validation, class and stage weights, COINr iMeta."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from mfgindex.core.errors import UserError
from mfgindex.core.framework import Framework, StageRule, from_dict, load
from mfgindex.core.weights.classes import global_weights, local_weights
from mfgindex.core.weights.stages import stage_mix, stage_weights
from tests.conftest import ASEM_DIR

SMALL = {
    "id": "t",
    "weighting": "class",
    "root": {
        "id": "index",
        "children": [
            {"id": "a", "weight": 3, "children": [{"id": "x1", "class": "主"}, {"id": "x2", "class": "次"}]},
            {"id": "b", "weight": 1, "children": [{"id": "x3", "class": "次"}, {"id": "x4", "class": "次"}]},
        ],
    },
}


def test_class_weights_by_hand():
    """METHODS.md §2: w_i = W_d · r_c / Σ r — dimension a (3/4): x1 = .75·2/3, x2 = .75·1/3."""
    fw = from_dict(SMALL)
    g = global_weights(fw)
    assert g.to_dict() == pytest.approx({"x1": 0.5, "x2": 0.25, "x3": 0.125, "x4": 0.125})
    assert local_weights(fw)["index"].to_dict() == pytest.approx({"a": 0.75, "b": 0.25})


def test_unknown_keys_rejected_with_location(tmp_path: Path):
    bad = dict(SMALL, wieghting="class")
    f = tmp_path / "f.yaml"
    f.write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    with pytest.raises(UserError) as exc:
        load(f)
    assert "wieghting" in str(exc.value) and str(f) in str(exc.value)


def test_method_typo_fails_at_load():
    with pytest.raises(UserError, match="normalise"):
        from_dict(dict(SMALL, methods={"normalise": "min-max"}))


def test_frozen():
    fw = from_dict(SMALL)
    with pytest.raises(ValidationError):
        fw.id = "other"  # type: ignore[misc]


def test_duplicate_ids_and_unknown_class_rejected():
    dup = yaml.safe_load(yaml.safe_dump(SMALL))
    dup["root"]["children"][1]["children"][0]["id"] = "x1"
    with pytest.raises(UserError, match="duplicate"):
        from_dict(dup)
    cls = yaml.safe_load(yaml.safe_dump(SMALL))
    cls["root"]["children"][0]["children"][0]["class"] = "核心"
    with pytest.raises(UserError, match="核心"):
        from_dict(cls)


def test_imeta_asem_tree():
    fw = load(ASEM_DIR / "iMeta.csv")
    assert [c.id for c in fw.root.children] == ["Conn", "Sust"]
    assert len(fw.indicators()) == 49
    assert fw.depth()["Index"] == 4
    assert fw.find("CO2").direction == -1
    assert fw.find("Flights").denominator == "Population"
    # COINr get_eff_weights on ASEM: ConEcFin's five indicators 0.02 each (reference/get_eff_weights.md)
    assert global_weights(fw)["Goods"] == pytest.approx(0.02)


def test_preset_loads_and_labels_proxies():
    fw = load("caict2023")
    ids = [c.id for c in fw.root.children]
    assert ids == ["scale", "quality", "innovation", "green", "digital", "enterprise", "agglomeration"]
    assert fw.find("va_secondary").proxy  # 第二产业增加值 stands in for 工业增加值
    assert fw.stages is not None and len(fw.stages.stages) == 3


RULE = StageRule.model_validate(
    {
        "variable": "v",
        "boundaries": [[10, 20]],
        "stages": [{"id": "s1", "weights": {"a": 3, "b": 1}}, {"id": "s2", "weights": {"a": 1, "b": 3}}],
    }
)


def test_stage_interpolation_by_hand():
    mix, labels = stage_mix(pd.Series([5.0, 15.0, 25.0, np.nan], index=list("pqrs")), RULE)
    assert mix.loc["q"].tolist() == pytest.approx([0.5, 0.5])
    assert labels.tolist() == ["s1", "s1→s2", "s2", "未分类"]
    w = stage_weights(mix, RULE, pd.Series({"a": 0.5, "b": 0.5}))
    assert w.loc["p"].tolist() == pytest.approx([0.75, 0.25])
    assert w.loc["q"].tolist() == pytest.approx([0.5, 0.5])  # halfway between .75/.25 and .25/.75


@given(st.floats(0, 30), st.floats(1e-9, 1e-6))
def test_stage_weights_are_continuous(x, eps):
    s = pd.Series([x, x + eps])
    w = stage_weights(stage_mix(s, RULE)[0], RULE, pd.Series({"a": 0.5, "b": 0.5})).to_numpy()
    assert np.allclose(w.sum(axis=1), 1)
    assert np.abs(w[0] - w[1]).max() < 1e-4


@given(st.lists(st.sampled_from(["主", "次"]), min_size=1, max_size=8), st.floats(0.1, 10))
def test_class_weights_sum_to_one(classes, dim_weight):
    tree = {
        "id": "t",
        "weighting": "class",
        "root": {
            "id": "index",
            "children": [
                {
                    "id": "d",
                    "weight": dim_weight,
                    "children": [{"id": f"x{i}", "class": c} for i, c in enumerate(classes)],
                }
            ],
        },
    }
    fw: Framework = from_dict(tree)
    g = global_weights(fw)
    assert g.sum() == pytest.approx(1.0) and (g > 0).all()


# -- bad framework files (QA pass) -------------------------------------------------------------------------
def _yaml(tmp_path: Path, data: dict, name: str = "fw.yaml", encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(yaml.safe_dump(data, allow_unicode=True).encode(encoding))
    return p


def test_gbk_yaml_is_read(tmp_path):
    fw = load(_yaml(tmp_path, {**SMALL, "name_zh": "测试框架"}, encoding="gbk"))
    assert fw.name_zh == "测试框架"


def test_all_zero_child_weights_is_a_framework_error(tmp_path):
    data = yaml.safe_load(yaml.safe_dump(SMALL))
    data["weighting"] = "explicit"
    for child in data["root"]["children"][1]["children"]:
        child["weight"] = 0
    with pytest.raises(UserError, match=r"aggregate 'b'.*all 0"):
        load(_yaml(tmp_path, data))


@pytest.mark.parametrize("rng", [[100, 0], [5, 5], [0, float("inf")]])
def test_range_must_be_increasing_and_finite(tmp_path, rng):
    with pytest.raises(UserError, match=r"LO < HI|finite number"):  # inf: refused by the field itself
        load(_yaml(tmp_path, {**SMALL, "methods": {"range": rng}}))


def test_model_level_error_does_not_dump_the_whole_framework(tmp_path):
    data = yaml.safe_load(yaml.safe_dump(SMALL))
    data["root"]["children"][0]["children"][0]["class"] = "主要"
    with pytest.raises(UserError) as exc:
        load(_yaml(tmp_path, data))
    assert "主要" in str(exc.value) and "{'" not in str(exc.value)


IMETA_HEAD = "Level,iCode,iName,Direction,Weight,Parent,Type\n"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            "1,x,X,1,1,a,Indicator\n2,a,A,,1,b,Aggregate\n2,b,B,,1,a,Aggregate\n3,index,I,,1,,Aggregate\n"
            "1,y,Y,1,1,index,Indicator\n",
            "row 2:column Parent: row is not under the index",
        ),
        (
            "1,x,X,1,1,a,Indicator\n1,y,Y,1,1,x,Indicator\n2,a,A,,1,index,Aggregate\n3,index,I,,1,,Aggregate\n",
            "row 3:column Parent: Parent is not an aggregate code (it is an Indicator)",
        ),
        (
            "1,x,X,1,1,a,Indicator\n1,x,Y,1,1,a,Indicator\n2,a,A,,1,index,Aggregate\n3,index,I,,1,,Aggregate\n",
            "row 3:column iCode: duplicate iCode",
        ),
        (
            "1,x,X,1,abc,a,Indicator\n2,a,A,,1,index,Aggregate\n3,index,I,,1,,Aggregate\n",
            "row 2:column Weight: not a number",
        ),
        ("1,x,X,1,1,,Indicator\n2,a,A,,1,index,Aggregate\n3,index,I,,1,,Aggregate\n", "found 2"),
        # COINr's check_iMeta rules on Level and Direction (its documentation: indicators at Level 1, a
        # Parent in the Level immediately above, Direction either -1 or 1)
        (
            "x,x,X,1,1,a,Indicator\n2,a,A,,1,index,Aggregate\n3,index,I,,1,,Aggregate\n",
            "row 2:column Level: Level is not a whole number of at least 1 (value 'x'",
        ),
        (
            "1,x,X,1,1,a,Indicator\n2,y,Y,1,1,a,Indicator\n2,a,A,,1,index,Aggregate\n3,index,I,,1,,Aggregate\n",
            "row 3:column Level: an Indicator row must be at Level 1 (value '2'",
        ),
        (
            "1,x,X,1,1,a,Indicator\n2,a,A,,1,index,Aggregate\n4,index,I,,1,,Aggregate\n",
            "row 3:column Level: Level is not one below its Parent's (index is at Level 4)",
        ),
        (
            "1,x,X,0,1,a,Indicator\n2,a,A,,1,index,Aggregate\n3,index,I,,1,,Aggregate\n",
            "row 2:column Direction: Direction is neither 1 nor -1 (value '0'",
        ),
        ("", "the file is empty"),
    ],
)
def test_bad_imeta_names_the_row(tmp_path, rows, message):
    p = tmp_path / "iMeta.csv"
    p.write_text(IMETA_HEAD + rows if rows else "", encoding="utf-8")
    with pytest.raises(UserError) as exc:
        load(p)
    assert message in str(exc.value)


def test_gbk_imeta_is_read(tmp_path):
    p = tmp_path / "iMeta.csv"
    text = IMETA_HEAD + "1,x,产出,1,1,a,Indicator\n2,a,规模,,1,index,Aggregate\n3,index,指数,,1,,Aggregate\n"
    p.write_bytes(text.encode("gbk"))
    assert load(p).find("x").name_en == "产出"


def test_imeta_records_are_pandas_to_dict(tmp_path: Path) -> None:
    """The iMeta reader's rows equal pandas' ``to_dict("records")`` (called directly): values and types,
    NaN where a cell is empty, on ASEM's iMeta and on a table of mixed columns."""
    import math

    import pandas as pd

    from mfgindex.core.imeta import records
    from mfgindex.core.ingest import read_csv

    mixed = tmp_path / "m.csv"
    mixed.write_text(
        "iCode,Parent,Type,Weight,Flag,Level\n01,,Aggregate,1,True,2\n2,01,Indicator,x,False,1\n3,01,Indicator,,,1\n",
        encoding="utf-8",
    )
    asem = Path(__file__).resolve().parents[1] / "src" / "mfgindex" / "data" / "asem" / "iMeta.csv"
    for path in (asem, mixed):
        df = read_csv(path)[0]
        want = df.to_dict("records")
        got = records(df)
        assert len(got) == len(want) == len(pd.read_csv(path))
        for g, w in zip(got, want, strict=True):
            assert list(g) == list(w)
            for k in w:
                assert type(g[k]) is type(w[k]), (k, g[k], w[k])
                assert (isinstance(w[k], float) and math.isnan(w[k]) and math.isnan(g[k])) or g[k] == w[k]
