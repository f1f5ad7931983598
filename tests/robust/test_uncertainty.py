"""Monte Carlo uncertainty: the vectorised engine against the core pipeline, COINr's published rank
statistics, determinism, unscored replications, assumption files."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from mfgindex.core import framework as fw_mod
from mfgindex.core import pipeline
from mfgindex.core.dataset import Dataset
from mfgindex.core.errors import UserError
from mfgindex.core.framework import Framework
from mfgindex.core.result import Result
from mfgindex.core.treat import specs as treat_specs
from mfgindex.core.treat import treat_frame
from mfgindex.core.weights.classes import local_weights
from mfgindex.robust import assumptions as A
from mfgindex.robust import engine as E
from mfgindex.robust import uncertainty as U


def test_no_assumptions_reproduces_nominal_asem(asem_coin_result: Result) -> None:
    ctx = E.build_context(asem_coin_result, [])
    idx = E.evaluate(ctx, E.sample(ctx, 3, np.random.default_rng(0)))
    want = asem_coin_result.current.scores["Index"].to_numpy()
    np.testing.assert_array_equal(idx, np.tile(want, (3, 1)))


def test_no_assumptions_reproduces_nominal_default(default_result: Result) -> None:
    """Stage-based per-unit weights (caict2023) and min_share survive the vectorised tree."""

    ctx = E.build_context(default_result, [])
    idx = E.evaluate(ctx, E.sample(ctx, 2, np.random.default_rng(0)))
    want = default_result.current.scores["index"].to_numpy()
    np.testing.assert_allclose(idx[1], want, rtol=0, atol=1e-12, equal_nan=True)


def test_data_variants_equal_pipeline(asem_coin: tuple[Dataset, Framework], asem_coin_result: Result) -> None:
    """Each precomputed (winmax, normalisation) variant equals the core pipeline run with those methods."""
    ds, fw = asem_coin
    factors = A.default_assumptions(fw)
    ctx = E.build_context(asem_coin_result, factors)
    assert len(ctx.variants) == 10
    codes = pipeline.universe(ds, fw)
    for (w, nm), x in ctx.variants.items():
        changes = {**factors[0].values[w], **factors[1].values[nm]}
        y = pipeline.evaluate_year(ds, fw_mod.with_methods(fw, **changes), 2018, codes)
        np.testing.assert_allclose(x, y.stages["normalised"].to_numpy(), rtol=0, atol=1e-12)


def test_nominal_treatment_is_the_retreated_imputed_data(
    asem_coin_result: Result, default_result: Result
) -> None:
    """The engine takes the run's treated values for the variant with the run's own treatment: they are
    exactly what treating the run's imputed values again gives (treat_frame called directly)."""
    for res in (asem_coin_result, default_result):
        for yr in (res.current, res.previous):
            if yr is None:
                continue
            again = treat_frame(yr.stages["imputed"], res.framework.methods, treat_specs(res.framework))[0]
            pd.testing.assert_frame_equal(yr.stages["treated"], again, check_exact=True)


def test_replications_equal_core_aggregate_tree(
    asem_coin: tuple[Dataset, Framework], asem_coin_result: Result
) -> None:
    """Vectorised replications = pipeline.aggregate_tree with the drawn methods and noisy local weights."""
    _, fw = asem_coin
    factors = A.default_assumptions(fw)
    ctx = E.build_context(asem_coin_result, factors)
    draws = E.sample(ctx, 40, np.random.default_rng(7))
    idx = E.evaluate(ctx, draws)
    codes = asem_coin_result.current.scores.index
    for r in range(draws.size):
        c = draws.choices[r]
        changes = {**factors[0].values[c[0]], **factors[1].values[c[1]], **factors[3].values[c[3]]}
        fw_r = fw_mod.with_methods(fw, **changes)
        local = local_weights(fw)
        for j in ctx.noisy_nodes():
            node = ctx.plan.aggregates[j]
            local[node] = local[node] * draws.multipliers[j][r]
        norm = pd.DataFrame(ctx.variants[(int(c[0]), int(c[1]))], index=codes, columns=list(ctx.indicators))
        scores = pipeline.aggregate_tree(fw_r, norm, local, {})
        np.testing.assert_allclose(idx[r], scores["Index"].to_numpy(), rtol=1e-12, atol=1e-10)


def test_exclusion_equals_zero_weight(asem_coin: tuple[Dataset, Framework], asem_coin_result: Result) -> None:
    _, fw = asem_coin
    drop = {"name": "drop", "path": "indicators.exclude", "values": [None, "Goods", ["CO2", "LPI"]]}
    factors = A.parse([drop, {"name": "tariff", "path": "indicators.Tariff.include"}], fw)
    ctx = E.build_context(asem_coin_result, factors)
    draws = E.Draws(np.array([[0, 0], [1, 0], [2, 1]], dtype=np.int64), {})
    idx = E.evaluate(ctx, draws)
    np.testing.assert_allclose(idx[0], asem_coin_result.current.scores["Index"].to_numpy(), rtol=1e-12)
    norm = asem_coin_result.current.stages["normalised"]
    for r, dropped in ((1, {"Goods"}), (2, {"CO2", "LPI", "Tariff"})):
        local = local_weights(fw)
        for node, w in local.items():
            local[node] = w.where(~w.index.isin(list(dropped)), 0.0)
        want = pipeline.aggregate_tree(fw, norm, local, {})["Index"].to_numpy()
        np.testing.assert_allclose(idx[r], want, rtol=1e-12)


def test_histogram_quantiles_are_type7() -> None:
    rng = np.random.default_rng(3)
    rk = rng.integers(1, 12, size=(997, 11)).astype(np.float64)
    rk[rng.random(rk.shape) < 0.05] = np.nan
    h = E.rank_histogram(rk, 11)
    for p in (0.05, 0.5, 0.95):
        np.testing.assert_allclose(E.histogram_quantile(h, p), np.nanquantile(rk, p, axis=0, method="linear"))
    np.testing.assert_allclose(E.histogram_mean(h), np.nanmean(rk, axis=0))


def test_ranks_competition_and_nan() -> None:
    got = E.ranks(np.array([[3.0, np.nan, 1.0, 3.0]]))
    np.testing.assert_array_equal(got, [[1.0, np.nan, 3.0, 1.0]])


def test_rank_counts_by_hand() -> None:
    """Ranks by hand: (3, 1, 2) → 1, 3, 2; (1, 1, NaN) → 1, 1, unranked; (2, 5, 2 + 1e-12) → 2, 1, 2
    (equal after rounding to 1e-9)."""
    scores = np.array([[3.0, 1.0, 2.0], [1.0, 1.0, np.nan], [2.0, 5.0, 2.0 + 1e-12]])
    want = np.array([[0, 2, 1, 0], [0, 2, 0, 1], [0, 0, 2, 0]])
    np.testing.assert_array_equal(E.rank_counts(scores), want)


@pytest.mark.parametrize("units", [1, 2, 51, 333, 1500])
def test_rank_counts_equal_scipy_min_ranks(units: int) -> None:
    """The histogram counted from the sorted keys (:func:`rank_counts`) is the tally of competition ranks
    computed by scipy (``rankdata(method="min")`` of the negated scores rounded to 1e-9): ties, NaN rows,
    large scores (the argsort path) included; 700 rows: the keys' rows added to in runs (numpy's buffer
    length, see ``rank._add_rows``) and the remaining rows one by one."""
    from scipy.stats import rankdata

    rng = np.random.default_rng(units)
    for case in range(8):
        x = rng.normal(50, 20, (40 if case < 6 else 700, units))
        if case == 1:
            x = np.round(x)  # ties
        if case == 2:
            x[rng.random(x.shape) < 0.05] = np.nan
        if case == 3:
            x *= 1e5  # beyond exact integer keys: argsort
        if case in (4, 7):
            x[::3, 0] = x[::3, -1]  # one tie in every third row
        want = np.zeros((units, units + 1), dtype=np.int64)
        for row in x:
            ok = ~np.isnan(row)
            rk = rankdata(-np.round(row[ok], 9), method="min").astype(int)
            np.add.at(want, (np.flatnonzero(ok), rk), 1)
        np.testing.assert_array_equal(E.rank_counts(x), want)
        np.testing.assert_array_equal(E.rank_histogram(E.ranks(x), units), want)


def test_consistent_with_coinr_sensitivity_vignette(
    asem_coin: tuple[Dataset, Framework], asem_coin_result: Result
) -> None:
    """COINr's sensitivity vignette (docs/coinr-reference.md §8.1), RankStats head, N = 100 in R:
    AUS 35/35.28/35/34/38, AUT 7/7.00/7/5.95/9, BEL 5/5.15/5/3/9, BGD 46/45.46/46/41/48,
    BGR 30/27.59/28/24/30, BRN 40/40.07/40/37/45 (Nominal/Mean/Median/Q5/Q95).

    How this was checked: COINr's R random numbers cannot be reproduced, so we draw from the same
    distributions of assumptions (winmax 1..5, min-max [1,100] | z-score (10,2), ±25 % weights at levels 2
    and 3, arithmetic | geometric) with N = 4000. Nominal ranks must equal exactly (deterministic). COINr's
    own statistics come from only 100 replications: the sampling error of a mean rank is about sd/√100 and
    of a 5 % / 95 % quantile (5 points in the tail) about one rank step, so we require medians within 1 rank,
    means within 1 rank and the 5-95 % bounds within 2 ranks. A wrong assumption distribution (e.g. no
    geometric mean, or min-max [0,100]) moves BGR's median to 30 or widens BEL's interval and fails this.
    """
    ds, fw = asem_coin
    ua = U.run(asem_coin_result, ds, A.default_assumptions(fw), 4000, 2024)
    assert ua.n_nan == 0
    s = ua.stats.set_index("code")
    coinr = {
        "AUS": (35, 35.28, 35, 34, 38),
        "AUT": (7, 7.00, 7, 5.95, 9),
        "BEL": (5, 5.15, 5, 3, 9),
        "BGD": (46, 45.46, 46, 41, 48),
        "BGR": (30, 27.59, 28, 24, 30),
        "BRN": (40, 40.07, 40, 37, 45),
    }
    for code, (nom, mean, med, q5, q95) in coinr.items():
        row = s.loc[code]
        assert row.nominal_rank == nom
        assert abs(row.median_rank - med) <= 1, code
        assert abs(row.mean_rank - mean) <= 1, code
        assert abs(row.p05_rank - q5) <= 2, code
        assert abs(row.p95_rank - q95) <= 2, code


def test_geometric_with_zero_values_counts_unscored(
    asem_coin: tuple[Dataset, Framework], asem_coin_result: Result, tmp_path: Path
) -> None:
    """Min-max to [0, 100] puts a 0 in every column: a geometric mean over it has no score (COINr errors),
    and the unit's index has none either (not skipped as a missing component)."""
    ds, fw = asem_coin
    factors = A.parse([{"name": "agg", "path": "methods.aggregate", "values": ["arithmetic", "geometric"]},
                       {"name": "w", "path": "weights", "noise": 0.1}], fw)  # fmt: skip
    ua = U.run(asem_coin_result, ds, factors, 300, 5, chunk=128, parquet=tmp_path / "r.parquet")
    assert ua.n_nan > 0 and ua.n_replications_with_nan > 0
    file = str(tmp_path / "r.parquet")
    con = duckdb.connect()
    reps = con.execute("SELECT * FROM read_parquet(?)", [file]).df()
    assert int(reps["n_unscored"].sum()) == ua.n_nan
    assert set(reps.loc[reps["n_unscored"] > 0, "agg"]) == {"geometric"}
    assert (ua.stats["n_ranked"] < 300).any()
    assert len(reps) == 300 and reps["replication"].tolist() == list(range(300))
    # a unit without a score has no rank either; the others have ranks 1..51
    codes = list(ua.stats["code"])
    index = reps[[f"index:{c}" for c in codes]].to_numpy(dtype=float)
    ranks = reps[[f"rank:{c}" for c in codes]].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    assert (np.isnan(index) == np.isnan(ranks)).all() and np.isnan(index).sum() == ua.n_nan
    assert np.nanmin(ranks) == 1 and np.nanmax(ranks) <= 51
    # the compact schema: float32 scores, 16-bit unsigned ranks, the drawn labels as strings
    types = dict(con.execute("SELECT name, type FROM parquet_schema(?)", [file]).fetchall())
    logical = dict(con.execute("SELECT name, converted_type FROM parquet_schema(?)", [file]).fetchall())
    assert {types[f"index:{c}"] for c in codes} == {"FLOAT"}
    assert {logical[f"rank:{c}"] for c in codes} == {"UINT_16"}
    assert (types["agg"], logical["agg"]) == ("BYTE_ARRAY", "UTF8")
    weights = [c for c in reps.columns if c.startswith("w:")]
    assert weights and {types[c] for c in weights} == {"DOUBLE"}
    assert (types["replication"], types["n_unscored"]) == ("INT64", "INT32")


def test_same_seed_identical_other_seed_differs(
    asem_coin: tuple[Dataset, Framework], asem_coin_result: Result, tmp_path: Path
) -> None:
    ds, fw = asem_coin
    factors = A.default_assumptions(fw)
    for name, seed in (("a", 11), ("b", 11), ("c", 12)):
        ua = U.run(asem_coin_result, ds, factors, 500, seed, chunk=200, parquet=tmp_path / name / "r.parquet")
        U.write(ua, tmp_path / name, {"seed": seed})
    for f in ("r.parquet", "uncertainty.csv"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()
    assert (tmp_path / "a" / "r.parquet").read_bytes() != (tmp_path / "c" / "r.parquet").read_bytes()


def test_tasks_use_spawned_streams() -> None:
    t = U.tasks(2500, 9, 1000)
    assert [x.size for x in t] == [1000, 1000, 500]
    assert [x.start for x in t] == [0, 1000, 2000]
    seeds = [x.seed for x in t]
    assert all(s is not None for s in seeds)
    assert [s.spawn_key for s in seeds if s is not None] == [(0,), (1,), (2,)]


def test_stage_threshold_factor(default_result: Result) -> None:
    """Scaling the stage boundaries by 1 reproduces the nominal index; by 0.5 changes it."""

    factors = A.parse([{"name": "stages", "path": "stages.boundaries", "values": [1.0, 0.5]},
                       {"name": "agg", "path": "methods.aggregate", "values": ["arithmetic"]}],
                      default_result.framework)  # fmt: skip
    ctx = E.build_context(default_result, factors)
    idx = E.evaluate(ctx, E.Draws(np.array([[0, 0], [1, 0]], dtype=np.int64), {}))
    want = default_result.current.scores["index"].to_numpy()
    np.testing.assert_allclose(idx[0], want, atol=1e-12, equal_nan=True)
    assert np.nanmax(np.abs(idx[1] - want)) > 0.1


def test_assumptions_yaml_and_errors(asem: tuple[Dataset, Framework], tmp_path: Path) -> None:
    _, fw = asem
    good = tmp_path / "a.yaml"
    good.write_text(
        "assumptions:\n"
        "  - {name: winmax, path: methods.winmax, values: [1, 3, 5]}\n"
        "  - name: imputation\n    path: methods.impute\n    values: [none, mean, median]\n"
        "  - name: norm\n    path: methods\n"
        "    values: [{normalise: minmax, range: [1, 100]}, {normalise: prank}]\n"
        "  - {name: w, path: weights, noise: {2: 0.25, 3: 0.1}, sets: 50}\n"
        "  - {name: drop, path: indicators.exclude, values: [null, Goods]}\n",
        encoding="utf-8",
    )
    factors = A.load(good, fw)
    assert [f.kind for f in factors] == ["methods", "methods", "methods", "weights", "exclude"]
    assert factors[3].noise == ((2, 0.25), (3, 0.1)) and factors[3].n_alternatives == 50
    bad = tmp_path / "b.yaml"
    bad.write_text("assumptions:\n  - {path: methods.normalize, values: [minmax]}\n"
                   "  - {path: indicators.exclude, values: [NoSuch]}\n  - {path: weights, noise: 2}\n",
                   encoding="utf-8")  # fmt: skip
    with pytest.raises(UserError) as exc:
        A.load(bad, fw)
    assert len(exc.value.problems) == 3
    assert all("b.yaml" in str(p) for p in exc.value.problems)
    with pytest.raises(UserError):
        A.parse([{"path": "methods.aggregate", "values": ["median"]}], fw)


@pytest.mark.slow
def test_dask_backend_equals_local(
    asem_coin: tuple[Dataset, Framework], asem_coin_result: Result, tmp_path: Path
) -> None:
    """Same seed → identical outputs on a LocalCluster(2 processes) and in process."""
    ds, fw = asem_coin
    factors = A.default_assumptions(fw)
    got = {}
    for backend in ("local", "dask"):
        d = tmp_path / backend
        ua = U.run(asem_coin_result, ds, factors, 1200, 3, chunk=250, backend=backend,  # type: ignore[arg-type]
                   parquet=d / "r.parquet")  # fmt: skip
        U.write(ua, d, {"seed": 3})
        got[backend] = ((d / "r.parquet").read_bytes(), (d / "uncertainty.csv").read_bytes())
    assert got["local"] == got["dask"]


def test_matmul_path_equals_kernel() -> None:
    """The kernels' matrix-product path (components shared by the replications, weights base × factor)
    gives the elementwise path's results, NaN and min_share included."""
    from mfgindex.core.aggregate import AGGREGATORS
    from mfgindex.core.methods import Methods

    rng = np.random.default_rng(5)
    x = rng.uniform(0.5, 100, (30, 6))
    x[rng.random(x.shape) < 0.2] = np.nan
    x[3, 2] = 0.0
    x[4] = np.nan
    factor = rng.uniform(0.75, 1.25, (17, 6))
    for base in (rng.uniform(0.1, 1, 6), rng.uniform(0.1, 1, (30, 6))):
        for method in ("arithmetic", "geometric", "harmonic"):
            kernel = AGGREGATORS[method]
            for share in (0.0, 0.7):
                got = kernel(x, base, factor, share, Methods())
                want = kernel(np.broadcast_to(x, (17, 30, 6)), base, factor, share, Methods())
                np.testing.assert_allclose(got, want, rtol=1e-12, equal_nan=True)
