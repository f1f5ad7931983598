"""An engine ``Context`` pickles with plain :mod:`pickle` (process pools and Dask workers receive it), and
the copy evaluates replications bit for bit as the original: the method kernels are module-level
functions, ``functools.partial`` of them (goalposts) or a picklable class (per-indicator overrides)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from mfgindex.core import pipeline
from mfgindex.core.dataset import Dataset
from mfgindex.core.framework import Framework
from mfgindex.core.normalise import NORMALISERS, compile_normaliser
from mfgindex.core.result import Result
from mfgindex.robust import assumptions as A
from mfgindex.robust import engine as E
from tests.test_overrides import OVERRIDES, _with_overrides


def _same_after_pickle(ctx: E.Context, n: int, seed: int) -> None:
    copy = pickle.loads(pickle.dumps(ctx))  # before any evaluation fills the context's caches
    draws = E.sample(ctx, n, np.random.default_rng(seed))
    want = E.evaluate(ctx, draws)
    got = E.evaluate(copy, pickle.loads(pickle.dumps(draws)))
    assert got.shape == want.shape and got.dtype == want.dtype
    assert got.tobytes() == want.tobytes()  # bit for bit, NaNs included
    assert np.isfinite(want).any()


def test_registry_kernels_are_named_functions() -> None:
    for name, kernel in NORMALISERS.items():
        assert kernel.__name__ != "<lambda>", name
        assert pickle.loads(pickle.dumps(kernel)) is kernel


def test_default_assumptions_context_pickles_and_evaluates_identically(
    asem_coin: tuple[Dataset, Framework], asem_coin_result: Result
) -> None:
    _, fw = asem_coin
    _same_after_pickle(E.build_context(asem_coin_result, A.default_assumptions(fw)), 200, 11)


def test_overrides_and_method_alternatives_pickle_and_evaluate_identically(
    asem: tuple[Dataset, Framework],
) -> None:
    """Goalposts and a rank override on single indicators, and three normalisations as a factor."""
    ds, fw = asem
    fw = _with_overrides(fw, OVERRIDES)
    kernel = compile_normaliser(fw.methods, [i.normalise for i in fw.indicators()])
    x = np.random.default_rng(1).lognormal(3.0, 1.0, size=(40, len(fw.indicators())))
    d = np.array([i.direction for i in fw.indicators()], dtype=float)
    t = np.full(x.shape[1], np.nan)
    copy = pickle.loads(pickle.dumps(kernel))
    assert copy(x, d, t, fw.methods).tobytes() == kernel(x, d, t, fw.methods).tobytes()
    nominal = pipeline.evaluate(ds, fw, 2018)
    factors = A.parse(
        [
            {"name": "norm", "path": "methods",
             "values": [{"normalise": "minmax"}, {"normalise": "prank"}, {"normalise": "zscore"}]},
            {"name": "w", "path": "weights", "noise": {2: 0.25}, "sets": 20},
        ],
        fw,
    )  # fmt: skip
    _same_after_pickle(E.build_context(nominal, factors, ds), 150, 3)


def test_a_context_with_data_variants_pickles(
    asem_coin: tuple[Dataset, Framework], asem_coin_result: Result
) -> None:
    ds, fw = asem_coin
    factors = A.parse([{"name": "imp", "path": "methods.impute", "values": ["none", "mean", "median"]}], fw)
    ctx = E.build_context(asem_coin_result, factors, ds)
    assert len(ctx.variants) == 3
    _same_after_pickle(ctx, 60, 5)


@pytest.mark.parametrize("protocol", [2, pickle.HIGHEST_PROTOCOL])
def test_any_pickle_protocol(asem_coin_result: Result, protocol: int) -> None:
    ctx = E.build_context(asem_coin_result, [])
    copy = pickle.loads(pickle.dumps(ctx, protocol=protocol))
    draws = E.sample(ctx, 2, np.random.default_rng(0))
    assert E.evaluate(copy, draws).tobytes() == E.evaluate(ctx, draws).tobytes()
