"""Weights derived in a framework (``weights_from``) and TOPSIS aggregation, through the pipeline.

Published values come from tests/reference/weights.py (citations in the test ids); other expectations
are hand calculations written out in the tests.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

from mfgindex.core import framework as fw_mod
from mfgindex.core import ingest, pipeline
from mfgindex.core.errors import UserError
from mfgindex.core.framework import Framework
from mfgindex.core.weights.ahp import consistent_matrix
from mfgindex.core.weights.survey import write_template
from mfgindex.core.weights.topsis import closeness_scores, topsis
from mfgindex.services import outputs
from tests.reference import weights as ref

YEAR = 2020


def dataset(tmp_path: Path, x: list[list[float]], names: list[str], prev: bool = False) -> Any:
    """A generic wide dataset (uCode, uName, Time, indicators) with units u1..um."""
    rows = []
    years = [YEAR - 1, YEAR] if prev else [YEAR]
    for year in years:
        for i, row in enumerate(x):
            rows.append(
                {
                    "uCode": f"u{i + 1}",
                    "uName": f"Unit {i + 1}",
                    "Time": year,
                    **dict(zip(names, row, strict=True)),
                }
            )
    path = tmp_path / "data.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return ingest.read_or_raise([path])


def framework(root: dict[str, Any], folder: Path | None = None, **methods: Any) -> Framework:
    data = {
        "id": "t",
        "root": root,
        "universe": {"kind": "generic", "exclude_unit_types": []},
        "methods": {"treat": "none", "normalise": "minmax", **methods},
    }
    if folder is None:
        return fw_mod.from_dict(data)
    path = folder / "framework.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return fw_mod.load(path)


def indicators(names: list[str], directions: list[int] | None = None, **extra: Any) -> list[dict[str, Any]]:
    dirs = directions or [1] * len(names)
    return [{"id": n, "direction": d, **extra.get(n, {})} for n, d in zip(names, dirs, strict=True)]


def close(actual: Any, expected: Any, decimals: int) -> None:
    np.testing.assert_allclose(
        np.asarray(actual, float), np.asarray(expected, float), rtol=0, atol=0.5 * 10.0**-decimals + 1e-12
    )


# -- TOPSIS as an aggregation ----------------------------------------------------------------------------
def test_topsis_index_TzengHuang2011_through_pipeline(tmp_path: Path) -> None:
    case = ref.TZENG_HUANG_2011_TOPSIS
    names = ["c1", "c2", "c3"]
    ds = dataset(tmp_path, case["x"], names)
    # ratio normalisation (x / max × 100) rescales each column; vector normalisation is scale-free,
    # so the closeness equals the book's computed on the raw matrix.
    children = [{**c, "weight": w} for c, w in zip(indicators(names), case["weights"], strict=True)]
    fw = framework({"id": "index", "aggregate": "topsis", "children": children}, normalise="ratio")
    result = pipeline.evaluate(ds, fw, YEAR)
    scores = result.current.scores["index"].reindex(["u1", "u2", "u3", "u4"])
    close(scores / 100, case["closeness"], case["decimals"])
    assert result.table["rank"].reindex(["u3", "u2", "u1", "u4"]).tolist() == [1, 2, 3, 4]


def test_topsis_minmax_OpricovicTzeng2004_through_pipeline(tmp_path: Path) -> None:
    case = ref.OPRICOVIC_TZENG_2004_TOPSIS
    names = ["cost", "benefit"]
    ds = dataset(tmp_path, case["x"], names)
    children = [
        {**c, "weight": w}
        for c, w in zip(indicators(names, case["directions"]), case["weights"], strict=True)
    ]
    fw = framework(
        {"id": "index", "aggregate": "topsis", "children": children}, topsis_normalisation="minmax"
    )
    scores = pipeline.evaluate(ds, fw, YEAR).current.scores["index"].reindex(["u1", "u2", "u3"])
    close(scores / 100, case["closeness"], case["decimals"])


def test_topsis_for_one_dimension_only(tmp_path: Path) -> None:
    x = [[1.0, 2.0, 5.0], [2.0, 1.0, 3.0], [3.0, 3.0, 1.0]]
    ds = dataset(tmp_path, x, ["a", "b", "c"])
    root = {
        "id": "index",
        "children": [
            {"id": "d1", "aggregate": "topsis", "children": indicators(["a", "b"])},
            {"id": "d2", "children": indicators(["c"])},
        ],
    }
    result = pipeline.evaluate(ds, framework(root), YEAR)
    s = result.current.scores
    # min-max normalised: a = 0, 50, 100; b = 50, 0, 100 → TOPSIS (vector, equal weights) on those
    expected = 100 * topsis([[0, 50], [50, 0], [100, 100]], [0.5, 0.5]).closeness
    np.testing.assert_allclose(s["d1"].reindex(["u1", "u2", "u3"]), expected)
    # u3 is best on both: closeness 1; the index stays the arithmetic mean of d1 and d2
    assert s.loc["u3", "d1"] == pytest.approx(100.0)
    np.testing.assert_allclose(s["index"], (s["d1"] + s["d2"]) / 2)


def test_closeness_scores_missing_values_and_unit_weights() -> None:
    x = np.array([[5, 8, 4], [7, 6, 8], [8, 8, 6], [7, 4, 6]], dtype=float)
    w = np.array([0.3, 0.4, 0.3])
    base = closeness_scores(x, w)
    # one weight row per unit, all equal → same as one vector
    np.testing.assert_allclose(closeness_scores(x, np.tile(w, (4, 1))), base)
    # a missing cell: that unit is scored on its two other criteria, the others keep full scores
    y = x.copy()
    y[0, 2] = np.nan
    got = closeness_scores(y, w)
    assert np.isfinite(got).all() and got[0] != base[0]
    assert math.isnan(closeness_scores(y, w, min_share=0.9)[0])
    # permuting criteria (with their weights) does not change the scores
    np.testing.assert_allclose(closeness_scores(x[:, [2, 0, 1]], w[[2, 0, 1]]), base)


# -- AHP from the expert-survey workbook ------------------------------------------------------------------
def survey(path: Path, items: list[str], judgements: dict[str, dict[str, np.ndarray]]) -> Path:
    """The template of ``mfgindex template experts``, AHP sheet filled in from expert → node → matrix."""
    write_template(path, items=items, experts=2)
    wb = load_workbook(path)
    ws = wb["ahp_round1"]
    ws.delete_rows(2, ws.max_row)
    for expert, nodes in judgements.items():
        for node, m in nodes.items():
            n = m.shape[0]
            for i in range(n):
                for j in range(i + 1, n):
                    ws.append([expert, node, items[i], items[j], float(m[i, j])])
    wb.save(path)
    return path


def test_ahp_two_experts_geometric_mean_hand_computed(tmp_path: Path) -> None:
    items = ["a", "b", "c"]
    # Consistent judgements from w1 = (0.5, 0.3, 0.2) and w2 = (0.2, 0.3, 0.5): the element-wise geometric
    # mean of w1_i/w1_j and w2_i/w2_j is g_i/g_j with g = sqrt(w1 w2) = (√0.1, √0.09, √0.1), so the
    # group weights are g / Σg = (0.3162, 0.3, 0.3162) / 0.9325 and CR = 0.
    w1, w2 = np.array([0.5, 0.3, 0.2]), np.array([0.2, 0.3, 0.5])
    survey(
        tmp_path / "experts.xlsx",
        items,
        {"E01": {"index": consistent_matrix(w1)}, "E02": {"index": consistent_matrix(w2)}},
    )
    ds = dataset(tmp_path, [[1, 2, 3], [3, 1, 2], [2, 3, 1]], items, prev=True)
    root = {
        "id": "index",
        "weights_from": {"method": "ahp", "file": "experts.xlsx"},
        "children": indicators(items),
    }
    fw = framework(root, tmp_path)
    result = pipeline.evaluate(ds, fw, YEAR)
    g = np.sqrt(w1 * w2)
    np.testing.assert_allclose(result.nominal_weights["index"].to_numpy(), g / g.sum(), atol=1e-9)
    np.testing.assert_allclose(result.global_weights.to_numpy(), g / g.sum(), atol=1e-9)
    # the same weights score both years: the previous year's index is the weighted mean too
    norm_prev = result.previous.stages["normalised"]  # type: ignore[union-attr]
    np.testing.assert_allclose(result.previous.scores["index"], norm_prev.to_numpy() @ (g / g.sum()))  # type: ignore[union-attr]
    rec = result.provenance["weights_derivation"]["nodes"]["index"]
    assert rec["method"] == "ahp" and rec["sheet"] == "ahp_round1"
    assert rec["cr"] == pytest.approx(0.0, abs=1e-9) and rec["ri"] == 0.58
    assert set(rec["experts"]) == {"E01", "E02"}
    assert rec["experts"]["E01"]["weights"]["a"] == pytest.approx(0.5)
    assert "experts.xlsx" in result.provenance["inputs"]


def test_ahp_matrix_csv_PapathanasiouPloskas2018_relative_to_framework(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = ref.PAPATHANASIOU_PLOSKAS_2018_AHP
    names = ["a", "b", "c", "d"]
    folder = tmp_path / "fw"
    folder.mkdir()
    text = ",a,b,c,d\na,1,1,5,3\nb,1,1,5,3\nc,1/5,1/5,1,1/3\nd,1/3,1/3,3,1\n"
    (folder / "m.csv").write_text(text, encoding="utf-8")
    root = {"id": "index", "weights_from": {"method": "ahp", "file": "m.csv"}, "children": indicators(names)}
    fw = framework(root, folder)
    monkeypatch.chdir(tmp_path)  # the file is found next to the framework, not in the working directory
    result = pipeline.evaluate(dataset(tmp_path, [[1, 2, 3, 4], [2, 3, 1, 1], [4, 1, 2, 3]], names), fw, YEAR)
    close(result.nominal_weights["index"].to_numpy(), case["weights"], case["decimals"])
    rec = result.provenance["weights_derivation"]["nodes"]["index"]
    close(rec["lambda_max"], case["lambda_max"], 4)
    close(rec["cr"], case["cr"], 3)
    assert rec["consistent"] is True


INCONSISTENT = np.array([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]])


def test_inconsistent_ahp_fails_the_run_naming_file_sheet_node_cr(tmp_path: Path) -> None:
    items = ["a", "b", "c"]
    survey(tmp_path / "experts.xlsx", items, {"E01": {"index": INCONSISTENT}})
    ds = dataset(tmp_path, [[1, 2, 3], [3, 1, 2], [2, 3, 1]], items)
    wf: dict[str, Any] = {"method": "ahp", "file": "experts.xlsx"}
    fw = framework({"id": "index", "weights_from": wf, "children": indicators(items)}, tmp_path)
    with pytest.raises(UserError) as info:
        pipeline.evaluate(ds, fw, YEAR)
    p = info.value.problems[0]
    text = str(p)
    assert p.file.endswith("experts.xlsx") and p.sheet == "ahp_round1" and p.column == "index"
    # λmax of this cyclic matrix: 1 + 9 + 1/9 = 10.11 (every row of A·1 sums to that, A is circulant)
    lam = 1 + 9 + 1 / 9
    cr = (lam - 3) / 2 / 0.58
    assert f"CR = {cr:.4f}" in text and "'index'" in text
    # allowed explicitly: the run goes on and the record says it is inconsistent
    fw2 = framework(
        {"id": "index", "weights_from": {**wf, "allow_inconsistent": True}, "children": indicators(items)},
        tmp_path,
    )
    rec = pipeline.evaluate(ds, fw2, YEAR).provenance["weights_derivation"]["nodes"]["index"]
    assert rec["consistent"] is False and rec["cr"] == pytest.approx(cr)


def test_ahp_node_without_judgements_is_a_user_error(tmp_path: Path) -> None:
    items = ["a", "b", "c"]
    survey(tmp_path / "experts.xlsx", items, {"E01": {"other": consistent_matrix([1, 2, 3])}})
    fw = framework(
        {
            "id": "index",
            "weights_from": {"method": "ahp", "file": "experts.xlsx"},
            "children": indicators(items),
        },
        tmp_path,
    )
    with pytest.raises(UserError, match="no expert compared the children of node 'index'"):
        pipeline.evaluate(dataset(tmp_path, [[1, 2, 3], [3, 1, 2]], items), fw, YEAR)


# -- Delphi, objective weights, combination ----------------------------------------------------------------
def test_delphi_round_kendall_hand_computed(tmp_path: Path) -> None:
    items = ["a", "b", "c", "d"]
    path = tmp_path / "experts.xlsx"
    write_template(path, items=items, experts=3)
    wb = load_workbook(path)
    ws = wb["round1"]
    # scores of the hand calculation in test_delphi.py: W = 402/486
    for r, row in enumerate([[5, 4, 4, 3], [5, 5, 4, 2], [4, 5, 3, 3]], start=2):
        ws.cell(row=r, column=2, value=0.8)
        ws.cell(row=r, column=3, value=0.8)
        for k, v in enumerate(row):
            ws.cell(row=r, column=4 + k, value=v)
    wb.save(path)
    root = {
        "id": "index",
        "weights_from": {"method": "delphi", "file": "experts.xlsx", "round": 1},
        "children": indicators(items),
    }
    ds = dataset(tmp_path, [[1, 2, 3, 4], [2, 3, 1, 1], [4, 1, 2, 3]], items)
    result = pipeline.evaluate(ds, framework(root, tmp_path), YEAR)
    # means 14/3, 14/3, 11/3, 8/3 → weights ∝ 14, 14, 11, 8 (sum 47)
    np.testing.assert_allclose(result.nominal_weights["index"], np.array([14, 14, 11, 8]) / 47)
    rec = result.provenance["weights_derivation"]["nodes"]["index"]
    assert rec["kendall_w"] == pytest.approx(402 / 486) and rec["sheet"] == "round1" and rec["experts"] == 3


def test_entropy_from_raw_data_Xu2004(tmp_path: Path) -> None:
    case = ref.XU_2004_ENTROPY
    names = ["c1", "c2", "c3", "c4"]
    root = {
        "id": "index",
        "weights_from": {"method": "entropy", "data": "raw"},
        "children": indicators(names),
    }
    result = pipeline.evaluate(dataset(tmp_path, case["x"], names), framework(root), YEAR)
    close(result.nominal_weights["index"], case["weights"], case["decimals"])
    rec = result.provenance["weights_derivation"]["nodes"]["index"]
    assert rec["units"] == 4 and rec["data"] == "raw" and set(rec["entropy"]) == set(names)


def test_entropy_combined_with_class_weights_multiplicative_and_linear(tmp_path: Path) -> None:
    case = ref.XU_2004_ENTROPY
    names = ["c1", "c2", "c3", "c4"]
    classes = {"c1": {"class": "主"}, "c2": {"class": "次"}, "c3": {"class": "主"}, "c4": {"class": "次"}}
    ds = dataset(tmp_path, case["x"], names)
    o = np.array(case["weights"])
    s = np.array([2, 1, 2, 1]) / 6  # 主 = 2, 次 = 1
    for how, expected in (("multiplicative", s * o / (s * o).sum()), ("linear", 0.25 * s + 0.75 * o)):
        wf = {"method": "entropy", "data": "raw", "combine": {"with": "class", "how": how, "alpha": 0.25}}
        root = {"id": "index", "weights_from": wf, "children": indicators(names, **classes)}
        result = pipeline.evaluate(ds, framework(root), YEAR)
        close(result.nominal_weights["index"], expected, 3)
        comb = result.provenance["weights_derivation"]["nodes"]["index"]["combine"]
        assert comb["with"] == "class" and comb["how"] == how
        assert comb["subjective"]["c1"] == pytest.approx(1 / 3)


def test_weights_from_validation() -> None:
    ind = indicators(["a", "b"])
    with pytest.raises(UserError, match="needs a file"):
        framework({"id": "index", "weights_from": {"method": "ahp"}, "children": ind})
    with pytest.raises(UserError, match="needs indicators as children"):
        framework(
            {
                "id": "index",
                "weights_from": {"method": "entropy"},
                "children": [{"id": "d", "children": ind}, {"id": "c"}],
            }
        )
    with pytest.raises(UserError):
        framework({"id": "index", "weights_from": {"method": "ahp", "file": "x", "typo": 1}, "children": ind})


# -- outputs: run.json and the 权重推导 sheet ----------------------------------------------------------------
def test_run_record_and_sheet(tmp_path: Path) -> None:
    items = ["a", "b", "c"]
    survey(tmp_path / "experts.xlsx", items, {"E01": {"d1": consistent_matrix([0.6, 0.3, 0.1])}})
    root = {
        "id": "index",
        "children": [
            {
                "id": "d1",
                "weights_from": {"method": "ahp", "file": "experts.xlsx"},
                "children": indicators(items),
            },
            {"id": "d2", "weights_from": {"method": "equal"}, "children": indicators(["e", "f"])},
        ],
    }
    ds = dataset(tmp_path, [[1, 2, 3, 4, 5], [3, 1, 2, 2, 1], [2, 3, 1, 3, 3]], [*items, "e", "f"])
    result = pipeline.evaluate(ds, framework(root, tmp_path), YEAR)
    out = tmp_path / "run"
    outputs.write_run(result, out, {})
    block = json.loads((out / "run.json").read_text(encoding="utf-8"))["weights"]["derivation"]
    assert block["nodes"]["index"]["method"] == "explicit"
    assert block["nodes"]["d1"]["weights"]["a"] == pytest.approx(0.6)
    # global = local(d1 in index) × local(a in d1) = 0.5 × 0.6
    assert block["global"]["a"] == pytest.approx(0.3) and block["global"]["e"] == pytest.approx(0.25)
    assert block["per_stage"] == {}
    wb = load_workbook(out / "results.xlsx")
    assert "权重推导" in wb.sheetnames
    ws = wb["权重推导"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, [c.value for c in r], strict=True)) for r in ws.iter_rows(min_row=2)]
    a = next(r for r in rows if r["child"] == "a")
    assert a["method"] == "ahp" and a["sheet"] == "ahp_round1" and a["global"] == pytest.approx(0.3)
    assert a["cr"] == pytest.approx(0.0, abs=1e-9)


def test_per_stage_global_weights_default_run(default_result: Any) -> None:
    block = default_result.provenance["weights_derivation"]
    assert set(block["per_stage"]) == {"catching_up", "transition", "leading"}
    for weights in block["per_stage"].values():
        assert sum(weights.values()) == pytest.approx(1.0)
    # 转型期 has equal dimension weights (1/7 each); 规模速度 has classes 主, 主, 次: va_secondary gets 2/5
    assert block["per_stage"]["transition"]["va_secondary"] == pytest.approx(1 / 7 * 2 / 5)
