"""Per-indicator treatment and normalisation overrides (COINr ``indiv_specs``) and ``requires``.

Expected values are hand calculations (goalposts, log_CT) or the unchanged default path; the three
evaluation paths (pipeline, Monte Carlo engine, what-if) must agree with an override in place.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from mfgindex.core import framework as fw_mod
from mfgindex.core import pipeline
from mfgindex.core.dataset import Dataset
from mfgindex.core.errors import UserError
from mfgindex.core.framework import Framework
from mfgindex.core.methods import Methods, NormaliseMethod, NormaliseSpec, TreatSpec
from mfgindex.core.normalise import goalposts, normalise
from mfgindex.core.treat import treat_frame, winsorise
from mfgindex.robust import assumptions as A
from mfgindex.robust import engine as E
from mfgindex.web import whatif


def test_goalposts_by_hand() -> None:
    x = np.array([[0.0], [1.0], [2.0], [5.0], [np.nan], [-1.0]])
    # cap to [0, 4], then 100 · x / 4
    np.testing.assert_allclose(
        goalposts(x, 0, 4, 1, 0, 100)[:, 0], [0, 25, 50, 100, np.nan, 0], equal_nan=True
    )
    np.testing.assert_allclose(
        goalposts(x, 0, 4, -1, 0, 100)[:, 0], [100, 75, 50, 0, np.nan, 100], equal_nan=True
    )


def test_normalise_override_only_touches_its_column() -> None:
    x = np.array([[0.0, 10.0], [1.0, 20.0], [3.0, 40.0]])
    spec = NormaliseSpec(goalposts=(0, 2))
    out = normalise(x, np.array([1.0, 1.0]), Methods(), None, [spec, None])
    np.testing.assert_allclose(out[:, 0], [0, 50, 100])  # 1/2 of the goalposts; 3 is capped
    np.testing.assert_allclose(out[:, 1], [0, 100 / 3, 100])  # the run's min-max, unchanged
    rank_spec = NormaliseSpec(method=NormaliseMethod.rank)
    out = normalise(x, np.array([1.0, 1.0]), Methods(), None, [None, rank_spec])
    np.testing.assert_allclose(out[:, 1], [1, 2, 3])


def test_treat_overrides_by_hand() -> None:
    # one 1 among nineteen 0s: skew 4.47 > 2, kurtosis 20 > 3.5 → fails; winsorising would make it constant
    sparse = np.array([0.0] * 19 + [1.0])
    skewed = np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 400])
    frame = pd.DataFrame({"a": sparse, "b": skewed, "c": skewed})
    specs = {"a": TreatSpec(method="log"), "b": TreatSpec(method="none")}
    out, flags, logs = treat_frame(frame, Methods(), specs)
    # log_CT: ln(x − min + 0.01·(max − min)) = ln(x + 0.01)
    np.testing.assert_allclose(out["a"], np.log(sparse + 0.01))
    np.testing.assert_array_equal(out["b"], skewed)
    assert not flags["b"].any()
    # no override: exactly the default rule (one point winsorised: 400 → 19)
    np.testing.assert_array_equal(out["c"], winsorise(skewed)[0])
    assert out["c"].max() == 19
    assert [lg.indicator for lg in logs] == ["a", "b", "c"]
    assert "none" in logs[1].note
    # methods.treat = none leaves columns without an override alone, but the override still applies
    out2, _, _ = treat_frame(frame, Methods(treat="none"), specs)
    np.testing.assert_array_equal(out2["c"], skewed)
    np.testing.assert_allclose(out2["a"], np.log(sparse + 0.01))
    # an override's own winmax
    out3, _, _ = treat_frame(frame[["c"]], Methods(), {"c": TreatSpec(winmax=0)})
    assert out3["c"].max() != 19  # nothing may be winsorised, so the log fallback applies
    np.testing.assert_allclose(out3["c"], np.log(skewed - 1 + 0.01 * 399))


def _with_overrides(fw: Framework, specs: dict[str, dict[str, Any]]) -> Framework:
    data = fw.model_dump(by_alias=True, exclude_none=True)

    def visit(node: dict[str, Any]) -> None:
        if "children" in node:
            for c in node["children"]:
                visit(c)
        elif node["id"] in specs:
            node.update(specs[node["id"]])

    visit(data["root"])
    return fw_mod.from_dict(data)


def test_framework_rejects_bad_overrides(asem: tuple[Dataset, Framework]) -> None:
    _, fw = asem
    for spec in (
        {"normalise": {"goalposts": [3, 1]}},
        {"normalise": {"goalposts": [0, 1], "method": "rank"}},
        {"normalise": {}},
        {"treat": {"method": "square"}},
    ):
        with pytest.raises(UserError):
            _with_overrides(fw, {"Goods": spec})
    data = fw.model_dump(by_alias=True, exclude_none=True)
    data["root"]["children"][0]["requires"] = ["NoSuchIndicator"]
    with pytest.raises(UserError, match="requires"):
        fw_mod.from_dict(data)


OVERRIDES = {
    "Goods": {"treat": {"method": "none"}, "normalise": {"goalposts": [0, 1000]}},
    "Flights": {"treat": {"method": "log"}},
    "Tariff": {"normalise": {"method": "rank"}},
}


def test_pipeline_engine_and_whatif_agree_with_overrides(asem: tuple[Dataset, Framework]) -> None:
    ds, base = asem
    fw = _with_overrides(base, OVERRIDES)
    nominal = pipeline.evaluate(ds, fw, 2018)
    cur = nominal.current
    # the pipeline honours them: Goods untreated and on goalposts 0-1000 (by hand), Flights log_CT
    raw = cur.stages["raw"]
    np.testing.assert_allclose(cur.stages["treated"]["Goods"], raw["Goods"])
    want = 100 * np.clip(raw["Goods"].to_numpy(), 0, 1000) / 1000
    np.testing.assert_allclose(cur.stages["normalised"]["Goods"], want)
    f = raw["Flights"].to_numpy()
    lg = np.log(f - f.min() + 0.01 * (f.max() - f.min()))
    np.testing.assert_allclose(
        cur.stages["normalised"]["Flights"], 100 * (lg - lg.min()) / (lg.max() - lg.min())
    )
    assert not nominal.current.scores["Index"].equals(
        pipeline.evaluate(ds, base, 2018).current.scores["Index"]
    )

    # Monte Carlo engine: every (winmax, normalisation) variant equals the pipeline run with those methods
    factors = A.default_assumptions(fw)
    ctx = E.build_context(nominal, factors)
    codes = pipeline.universe(ds, fw)
    for (w, nm), x in ctx.variants.items():
        changes = {**factors[0].values[w], **factors[1].values[nm]}
        y = pipeline.evaluate_year(ds, fw_mod.with_methods(fw, **changes), 2018, codes)
        np.testing.assert_allclose(x, y.stages["normalised"].to_numpy(), rtol=0, atol=1e-12)
    # … and its nominal replication is the pipeline's index
    ctx0 = E.build_context(nominal, [])
    idx = E.evaluate(ctx0, E.sample(ctx0, 1, np.random.default_rng(0)))
    np.testing.assert_allclose(idx[0], cur.scores["Index"].to_numpy(), rtol=0, atol=1e-12)

    # what-if with another normalisation re-normalises the stored treated values with the overrides
    engine = whatif.Engine(nominal)
    weights = {k: float(v) for k, v in nominal.nominal_weights["Index"].items()}
    out = whatif.whatif(engine, weights, normalise_method=NormaliseMethod.zscore)
    ref = pipeline.evaluate(ds, fw_mod.with_methods(fw, normalise="zscore"), 2018)
    np.testing.assert_allclose(out.scores["Index"], ref.current.scores["Index"].to_numpy(), atol=1e-10)
    # goalposts are fixed whatever the run's method: the same Goods column under z-scores
    np.testing.assert_allclose(ref.current.stages["normalised"]["Goods"], want)


def test_requires_makes_the_aggregate_missing_not_zero(asem: tuple[Dataset, Framework]) -> None:
    ds, base = asem
    data = base.model_dump(by_alias=True, exclude_none=True)
    dim = data["root"]["children"][0]
    leaves: list[str] = []

    def collect(node: dict[str, Any]) -> None:
        if "children" in node:
            for c in node["children"]:
                collect(c)
        else:
            leaves.append(node["id"])

    collect(dim)
    dim["requires"] = leaves[:2]
    fw = fw_mod.from_dict(data)
    raw = pipeline.evaluate(ds, base, 2018).current.stages["raw"]
    # blank the two required indicators of one unit: its dimension score must be missing, not 0
    unit = str(raw.index[0])
    values = ds.values.copy()
    values = values[~((values["code"] == unit) & values["variable"].isin(leaves[:2]))]
    ds2 = Dataset(values=values, units=ds.units, lists=ds.lists, kind=ds.kind)
    res = pipeline.evaluate(ds2, fw, 2018)
    assert math.isnan(res.current.scores.loc[unit, dim["id"]])
    assert res.current.stages["raw"].loc[unit, leaves].isna().all()
    assert not math.isnan(res.current.scores.loc[unit, "Index"])  # renormalised over the other dimensions
    other = str(raw.index[1])
    assert not math.isnan(res.current.scores.loc[other, dim["id"]])
