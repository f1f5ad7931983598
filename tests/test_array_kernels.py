"""The array kernels of the nominal evaluation against definitions written out independently of them:
scipy.stats for the skewness/kurtosis rule, plain Python loops over the long data table for the derived
indicators and list counts, hand-computed group means, and the one-column winsorisation for the
column-vectorised treatment."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mfgindex.core import dataset, derive, framework, pipeline, rank
from mfgindex.core.framework import FormulaOp
from mfgindex.core.impute import impute_values
from mfgindex.core.methods import ImputeMethod, Methods, TreatSpec
from mfgindex.core.treat import moments, skew_kurt, treat_values, winsorise


def _heavy(seed: int, units: int = 60, k: int = 12) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.lognormal(0.0, rng.uniform(0.2, 2.0, size=k), size=(units, k))
    x[rng.random(x.shape) < 0.15] = np.nan
    x[:, 6] = np.round(x[:, 6])  # ties
    x[:, 7] = -x[:, 7]  # negative skew: the low tail is winsorised
    x[:, 8] = 1.0
    x[-2:, 8] = [50.0, 900.0]  # winsorising would make it constant: left untreated
    x[:, 0] = 3.0  # constant column
    x[:, 1] = np.nan
    x[:3, 1] = [1.0, 2.0, 5.0]  # three values: a skewness, no kurtosis
    return x


@pytest.mark.parametrize("seed", range(5))
def test_skewness_and_kurtosis_are_scipys_bias_corrected_statistics(seed: int) -> None:
    x = _heavy(seed)
    skew, kurt = moments(x)
    for j in range(2, x.shape[1]):
        col = x[:, j]
        want_s = stats.skew(col, bias=False, nan_policy="omit")
        want_k = stats.kurtosis(col, bias=False, nan_policy="omit")  # excess (Fisher) kurtosis
        assert skew[j] == pytest.approx(float(want_s), rel=1e-12, abs=1e-12)
        assert kurt[j] == pytest.approx(float(want_k), rel=1e-12, abs=1e-12)
        assert skew_kurt(col) == pytest.approx((float(want_s), float(want_k)), rel=1e-12, abs=1e-12)
    # a constant column is 0 (COINr treats it as passing); three values have no kurtosis
    assert (skew[0], kurt[0]) == (0.0, 0.0)
    assert skew[1] == pytest.approx(float(stats.skew([1.0, 2.0, 5.0], bias=False)), rel=1e-12)
    assert math.isnan(kurt[1])


@pytest.mark.parametrize("seed", range(12))
def test_vectorised_treatment_is_the_one_column_rule_on_every_column(seed: int) -> None:
    x = _heavy(seed, units=30 + 10 * seed) * 10.0
    cols = [f"c{j}" for j in range(x.shape[1])]
    overrides = {"c3": TreatSpec(method="log"), "c4": TreatSpec(method="none"), "c5": TreatSpec(winmax=1)}
    y, flags, logs = treat_values(x, cols, Methods(), overrides)
    by = {log.indicator: log for log in logs}
    for j, c in enumerate(cols):
        if c == "c4":
            np.testing.assert_array_equal(y[:, j], x[:, j])
            continue
        if c == "c3":
            continue
        want, changed, hi, lo, logged = winsorise(x[:, j], 1 if c == "c5" else 5, 2.0, 3.5)
        np.testing.assert_array_equal(y[:, j], want)
        np.testing.assert_array_equal(flags[:, j], changed)
        assert (by[c].winsorised_high, by[c].winsorised_low, by[c].log_transformed) == (hi, lo, logged)
    assert any(log.treated for log in logs)
    assert by["c8"].note.startswith("fails the outlier rule but left untreated")
    assert by["c7"].winsorised_low > 0 or by["c7"].log_transformed or not by["c7"].treated


@pytest.mark.parametrize("seed", range(40))
def test_vectorised_treatment_follows_the_one_column_rule_through_both_tails(seed: int) -> None:
    """Columns whose skew changes sign while they are winsorised (both tails moved), ties, columns that
    would become constant and log fallbacks, under random limits: every column as the one-column rule."""
    rng = np.random.default_rng(1000 + seed)
    units, k = int(rng.integers(5, 90)), 16
    x = rng.lognormal(0.0, rng.uniform(0.2, 2.5, size=k), size=(units, k))
    flip = rng.random((units, k)) < 0.5
    x[:, ::2] = np.where(flip[:, ::2], x[:, ::2], -x[:, ::2] * rng.uniform(0.5, 3.0))  # two heavy tails
    x[:, 3] = np.round(x[:, 3])  # ties
    x[rng.random(x.shape) < 0.1] = np.nan
    m = Methods(winmax=int(rng.integers(0, 12)), skew_thresh=float(rng.uniform(0.2, 2.5)), kurt_thresh=0.0)
    cols = [f"c{j}" for j in range(k)]
    y, flags, logs = treat_values(x, cols, m)
    for j, log in enumerate(logs):
        want, changed, hi, lo, logged = winsorise(x[:, j], m.winmax, m.skew_thresh, m.kurt_thresh)
        np.testing.assert_array_equal(y[:, j], want)
        np.testing.assert_array_equal(flags[:, j], changed)
        assert (log.winsorised_high, log.winsorised_low, log.log_transformed) == (hi, lo, logged)


def test_group_and_plain_imputation_by_hand() -> None:
    x = np.array([[1.0, np.nan], [3.0, 4.0], [np.nan, 8.0], [10.0, np.nan], [np.nan, 1.0]])
    groups = np.array(["a", "a", "a", "b", None], dtype=object)
    out, flags = impute_values(x, ImputeMethod.group_mean, groups)
    # group a: column 0 mean (1+3)/2 = 2, column 1 mean (4+8)/2 = 6; b has no column-1 value; no group
    want = np.array([[1.0, 6.0], [3.0, 4.0], [2.0, 8.0], [10.0, np.nan], [np.nan, 1.0]])
    np.testing.assert_array_equal(out, want)
    np.testing.assert_array_equal(flags, [[0, 1], [0, 0], [1, 0], [0, 0], [0, 0]])
    out, _ = impute_values(x, ImputeMethod.median)
    np.testing.assert_array_equal(out[:, 0], [1.0, 3.0, 3.0, 10.0, 3.0])  # median of 1, 3, 10
    np.testing.assert_array_equal(out[:, 1], [4.0, 4.0, 8.0, 4.0, 1.0])  # median of 4, 8, 1
    out, _ = impute_values(x, ImputeMethod.mean)
    np.testing.assert_allclose(out[:, 0], [1.0, 3.0, 14 / 3, 10.0, 14 / 3], rtol=1e-15)
    earlier = np.full(x.shape, 7.0)
    out, flags = impute_values(x, ImputeMethod.last_year, history=[earlier])
    np.testing.assert_array_equal(out, np.where(np.isnan(x), 7.0, x))
    assert flags.sum() == np.isnan(x).sum()


def test_derived_indicators_from_the_long_table_by_hand() -> None:
    """Every indicator of the default framework in 2022, recomputed with dict look-ups in the long table
    and Python loops over the lists' entries."""
    ds, fw = dataset.default(), framework.load("caict2023")
    codes = pipeline.universe(ds, fw)
    got = derive.raw_matrix(ds, fw, 2022, codes)
    cell = {
        (str(c), int(y), str(v)): float(x)
        for c, y, v, x in zip(
            ds.values["code"], ds.values["year"], ds.values["variable"], ds.values["value"], strict=True
        )
    }

    variables = set(ds.values["variable"])
    records = {name: entries.to_dict("records") for name, entries in ds.lists.items()}
    derived = {i.id: i.resolved_formula() for i in [*fw.indicators(), *fw.auxiliary]}

    def var(code: str, name: str, year: int) -> float:
        if name in variables:
            return cell.get((code, year, name), math.nan)
        return value(derived[name], code, year)  # another indicator's derived value

    def value(f: framework.Formula, code: str, year: int) -> float:
        if f.op is FormulaOp.list_count:
            total = 0.0
            for row in records[f.entries]:
                inside = row["year"] <= year if f.cumulative else row["year"] in (year, 0)
                if row["code"] == code and inside:
                    w = row.get(f.weight_column) if f.weight_column else row.get("weight", 1.0)
                    total += 0.0 if w is None or math.isnan(w) else w
            return total * f.scale
        if f.op is FormulaOp.value:
            return var(code, f.var, year) * f.scale
        if f.op is FormulaOp.growth:
            prev = var(code, f.var, year - f.lag)
            return 100.0 * (var(code, f.var, year) / prev - 1.0) * f.scale if prev > 0 else math.nan
        if f.op is FormulaOp.index_growth:
            return (var(code, f.var, year) - 100.0) * f.scale
        den = var(code, f.den, year)
        return f.scale * var(code, f.num, year) / den if den > 0 else math.nan

    checked = 0
    for ind in fw.indicators():
        for code in codes[::7]:
            want = value(ind.resolved_formula(), code, 2022)
            got_value = got.at[code, ind.id]
            assert (math.isnan(want) and math.isnan(got_value)) or got_value == pytest.approx(
                want, rel=1e-12
            ), (
                ind.id,
                code,
            )
            checked += 1
    assert checked > 1000


def test_province_ranks_by_hand() -> None:
    idx = pd.Index(list("abcdefg"), dtype=object)
    scores = pd.Series([5.0, 7.0, 7.0, np.nan, 1.0, 2.0, 9.0], index=idx)
    province = pd.Series(["P", "P", "P", "P", "Q", "Q", None], index=idx)
    abbr = pd.Series(["p", "p", "p", "p", "q", "q", "r"], index=idx)
    got = rank.province_rank(scores, province, abbr)
    assert got.tolist()[:3] == ["p3", "p1", "p1"]
    assert got.iloc[3] is pd.NA and got.iloc[6] is pd.NA  # no score; no province
    assert got.tolist()[4:6] == ["q2", "q1"]


@pytest.mark.parametrize("seed", range(3))
def test_imputed_values_are_pandas_to_the_last_bit(seed: int) -> None:
    """The array imputation against pandas' own fillna/groupby (compensated grouped sums included)."""
    rng = np.random.default_rng(seed)
    for _ in range(40):
        units, k = int(rng.integers(1, 80)), int(rng.integers(1, 8))
        x = rng.lognormal(3, 2, size=(units, k)) * rng.choice([1.0, 1e-3, 1e5], size=k)
        x[rng.random(x.shape) < 0.3] = np.nan
        groups = rng.choice(np.array(["a", "b", "c", None], dtype=object), size=units)
        frame = pd.DataFrame(x)
        by = frame.groupby(pd.Series(groups))
        expected = {
            ImputeMethod.mean: frame.fillna(frame.mean()),
            ImputeMethod.median: frame.fillna(frame.median()),
            ImputeMethod.group_mean: frame.fillna(by.transform("mean")),
            ImputeMethod.group_median: frame.fillna(by.transform("median")),
        }
        for method, want in expected.items():
            got, _ = impute_values(x, method, groups)
            np.testing.assert_array_equal(got, want.to_numpy())


def test_stage_mix_three_stages_by_hand() -> None:
    """Two transition bands: shares and labels of units below, inside and above each band, on a boundary,
    and without a value (the fallback stage)."""
    from mfgindex.core.framework import StageRule
    from mfgindex.core.weights.stages import stage_mix, stage_weights

    rule = StageRule.model_validate(
        {
            "variable": "v",
            "boundaries": [[10, 20], [30, 50]],
            "fallback": "c",
            "stages": [
                {"id": "a", "name_zh": "甲", "weights": {"x": 1, "y": 3}},
                {"id": "b", "weights": {"x": 1, "y": 1}},
                {"id": "c", "name_zh": "丙", "weights": {"x": 3, "y": 1, "z": 9}},
            ],
        }
    )
    values = pd.Series(
        [5.0, 10.0, 12.5, 20.0, 25.0, 30.0, 45.0, 50.0, 99.0, np.nan], index=list("pqrstuvwxy")
    )
    mix, labels = stage_mix(values, rule)
    want = [
        [1, 0, 0],
        [1, 0, 0],
        [0.75, 0.25, 0],
        [0, 1, 0],
        [0, 1, 0],
        [0, 1, 0],
        [0, 0.25, 0.75],
        [0, 0, 1],
    ]
    want += [[0, 0, 1], [0, 0, 1]]
    np.testing.assert_allclose(mix.to_numpy(), want, rtol=0, atol=1e-15)
    assert labels.tolist() == ["甲", "甲", "甲→b", "b", "b", "b", "b→丙", "丙", "丙", "未分类"]
    w = stage_weights(mix, rule, pd.Series({"x": 0.5, "y": 0.5}))  # z is not a child: ignored
    np.testing.assert_allclose(w.loc["p"].to_numpy(), [0.25, 0.75], rtol=1e-15)
    np.testing.assert_allclose(w.loc["v"].to_numpy(), [0.25 * 0.5 + 0.75 * 0.75, 0.25 * 0.5 + 0.75 * 0.25])


def _product_cases(seed: int) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """400 random (multipliers (r, k), terms (units, k), weights (units, k)) for the aggregation's matrix
    products: few or many replications, 1-11 components, equal weights, every third case a unit missing
    its components."""
    rng = np.random.default_rng(seed)
    for case in range(400):
        r = int(rng.integers(1, 6)) if case % 2 else int(rng.integers(1, 3000))
        k, units = int(rng.integers(1, 12)), int(rng.integers(1, 120))
        factor = rng.uniform(0.75, 1.25, (r, k))
        terms = rng.uniform(-5.0, 100.0, (units, k))
        wb = np.repeat(rng.uniform(0.0, 1.0, (1, k)), units, axis=0)
        if case % 3 == 0:
            wb[rng.integers(0, units)] = 0.0  # a unit missing its components
        yield factor, terms, wb


def test_weighted_sums_and_totals_in_one_product_equal_separate_products() -> None:
    """The aggregation kernels' one matrix product (weighted sums with the total weights as extra columns)
    gives the two separate products ``factor @ terms.T`` and ``factor @ wb.T`` to the last bit, whatever
    the number of replications, units and components, with equal or unit-varying weights."""
    from mfgindex.core.aggregate import _products

    for factor, terms, wb in _product_cases(11):
        r, units = factor.shape[0], wb.shape[0]
        sums, totals = _products(factor, terms, wb)
        assert np.array_equal(sums, factor @ terms.T)
        assert np.array_equal(np.broadcast_to(totals, (r, units)), factor @ wb.T)


def test_products_replications_last_equal_separate_products() -> None:
    """The replications-last product (components before the multipliers, at most 240 replications per
    call) gives the separate products, transposed, to the last bit."""
    from mfgindex.core.aggregate import _products_t

    for factor, terms, wb in _product_cases(13):
        r, units = factor.shape[0], wb.shape[0]
        sums, totals = _products_t(factor, terms, wb)
        assert np.array_equal(sums, (factor @ terms.T).T)
        assert np.array_equal(np.broadcast_to(totals, (units, r)), (factor @ wb.T).T)


@pytest.mark.parametrize("method", ["arithmetic", "geometric", "harmonic"])
def test_columns_equal_the_stacked_components(method: str) -> None:
    """Child scores given to a kernel as columns give the stacked array's result to the last bit (one or
    two components varying by replication; more, or missing values, are stacked)."""
    from mfgindex.core.aggregate import AGGREGATORS

    rng = np.random.default_rng(12)
    for k in (1, 2, 3):
        cols = tuple(rng.uniform(0.5, 100.0, (40, 25)) for _ in range(k))
        base, factor = rng.uniform(0.1, 1.0, k), rng.uniform(0.75, 1.25, (40, k))
        got = AGGREGATORS[method](cols, base, factor, 0.0, Methods())
        want = AGGREGATORS[method](np.stack(cols, axis=-1), base, factor, 0.0, Methods())
        assert np.array_equal(got, want)
