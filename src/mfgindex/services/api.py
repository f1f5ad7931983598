"""The public Python API: plain functions over a :class:`~mfgindex.core.spec.RunSpec` and its result.

``import mfgindex as mi`` exposes these lazily (``mi.RunSpec``, ``mi.evaluate``, ``mi.whatif``,
``mi.uncertainty``, ``mi.rerun``), so ``import mfgindex`` itself imports nothing heavy. See
``docs/python-api.md``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from mfgindex.core.result import Result
from mfgindex.core.spec import RunSpec
from mfgindex.services import runner

__all__ = ["RunSpec", "evaluate", "rerun", "uncertainty", "whatif"]


def evaluate(spec: RunSpec) -> Result:
    """Evaluate ``spec`` as ``mfgindex run`` does (read, plausibility checks, coverage gate, pipeline).

    Returns the frozen :class:`~mfgindex.core.result.Result`: ``res.scores`` is the ranking table (one row
    per unit, indexed by code), ``res.current.stages`` every stage by name, ``res.spec`` the spec with the
    year and the SHA-256 of the framework and of every input filled in. Reading and validation warnings
    are issued as Python warnings; errors raise :class:`~mfgindex.core.errors.UserError` with locations.
    """
    result, problems, _ = runner.evaluate(spec)
    for p in problems:
        warnings.warn(str(p), UserWarning, stacklevel=2)
    return result


def rerun(folder: str | Path) -> Result:
    """Re-evaluate a folder written by ``mfgindex run`` from the spec in its ``run.json``; warnings say when
    an input's hash or the ranks differ from the recorded run."""
    got = runner.rerun(Path(folder))
    for w in got.warnings:
        warnings.warn(w, UserWarning, stacklevel=2)
    return got.result


def whatif(result: Result, weights: Mapping[str, float], *, stages: bool = True) -> pd.DataFrame:
    """Scores and ranks of ``result`` re-aggregated with changed weights (the earlier stages are not rerun).

    ``weights`` maps node ids (dimensions or indicators) to weights on the scale of the framework's
    nominal local weights; siblings not given keep theirs. Returns a frame indexed by unit code: every
    aggregate's score, ``rank`` and ``nominal_rank``, sorted by rank.
    """
    from mfgindex.core.whatif import Engine
    from mfgindex.core.whatif import whatif as _whatif

    out = _whatif(Engine(result), dict(weights), stages=stages)
    frame = pd.DataFrame(out.scores, index=pd.Index(out.codes, name="code"))
    frame["rank"] = pd.array(out.rank, dtype="Float64").astype("Int64")
    frame["nominal_rank"] = pd.array(out.nominal_rank, dtype="Float64").astype("Int64")
    return frame.sort_values(["rank", "nominal_rank"], na_position="last", kind="mergesort")


def uncertainty(
    spec: RunSpec | Result,
    n: int = 1000,
    *,
    seed: int | None = None,
    assumptions: str | Path | list[Any] | None = None,
) -> pd.DataFrame:
    """Monte Carlo uncertainty of the ranks (COINr's ``get_sensitivity(SA_type = "UA")``).

    ``assumptions``: a YAML file or a list of :class:`~mfgindex.robust.assumptions.Factor`; by default
    COINr's sensitivity-vignette set. ``seed`` defaults to the spec's. Returns one row per unit (indexed by
    code): the nominal rank and the median, mean, 5 % and 95 % ranks over the replications.
    """
    from mfgindex.robust import assumptions as assumptions_mod
    from mfgindex.robust import uncertainty as ua

    result = spec if isinstance(spec, Result) else evaluate(spec)
    if result.dataset is None:
        raise ValueError("the result carries no data: evaluate a RunSpec with mfgindex.evaluate")
    if assumptions is None:
        factors = assumptions_mod.default_assumptions(result.framework)
    elif isinstance(assumptions, str | Path):
        factors = assumptions_mod.load(Path(assumptions), result.framework)
    else:
        factors = list(assumptions)
    run_seed = seed if seed is not None else (result.spec.seed if result.spec is not None else 0)
    got = ua.run(result, result.dataset, factors, n, run_seed)
    return got.stats.set_index("code")
