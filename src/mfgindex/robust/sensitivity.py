"""Variance-based (Sobol) sensitivity of the ranks to each assumption, through SALib.

Design: SALib's Sobol sequence for the Saltelli scheme without second-order terms, N·(d + 2) points in
[0, 1]^d (one dimension per assumption). A discrete assumption with n alternatives takes alternative
⌊u·n⌋ (binning, as COINr's ``sample_2_para``); the weight noise is one dimension choosing one of ``sets``
noisy weight sets drawn once (as COINr, which draws 100). Outputs: the mean absolute rank shift with respect
to the nominal ranks (COINr's SA output) and each unit's index. Estimators: SALib's first-order (Saltelli
2010) and total (Jansen 1999) indices, confidence intervals by bootstrap over the N base rows.

References
----------
Saltelli, A. et al. (2010). Variance based sensitivity analysis of model output. *Comput. Phys. Commun.*
181(2), 259-270. Herman, J. and Usher, W. (2017). SALib. *JOSS* 2(9), 97. Ishigami, T. and Homma, T.
(1990). An importance quantification technique in uncertainty analysis for computer models. ISUMA '90.
"""

from __future__ import annotations

import functools
import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample

from mfgindex.core.dataset import Dataset
from mfgindex.core.errors import Problem, UserError
from mfgindex.core.files import write_csv
from mfgindex.core.result import Result
from mfgindex.robust import engine, limits
from mfgindex.robust.assumptions import Factor
from mfgindex.robust.backend import Backend, map_ordered
from mfgindex.robust.uncertainty import CHUNK, Progress, Task, batches, collect, run_batch

Array = engine.Array
COLUMNS = ["factor", "S1", "S1_conf", "ST", "ST_conf"]


def problem(names: list[str], bounds: list[tuple[float, float]]) -> dict[str, Any]:
    return {"num_vars": len(names), "names": list(names), "bounds": [list(b) for b in bounds]}


def design(prob: dict[str, Any], n: int, seed: int) -> Array:
    """The N·(d + 2) Saltelli points of SALib's scrambled Sobol sequence."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib warns when N is not a power of two; the CLI says so
        x = sobol_sample.sample(prob, n, calc_second_order=False, scramble=True, seed=seed)
    return np.asarray(x, dtype=np.float64)


def analyse(
    prob: dict[str, Any], y: Array, seed: int, resamples: int = 100, conf: float = 0.95
) -> pd.DataFrame:
    """First-order and total Sobol indices with bootstrap half-widths (``*_conf``) of level ``conf``."""
    if np.any(~np.isfinite(y)):
        return pd.DataFrame({"factor": prob["names"], **{c: np.nan for c in COLUMNS[1:]}})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        # the bootstrap's draws from a generator of ``seed``: SALib seeds only a truthy ``seed`` and draws
        # from numpy's global state otherwise, so seed 0 (the CLI's default) gave other half-widths each run
        res = sobol_analyze.analyze(prob, y, calc_second_order=False, num_resamples=resamples,
                                    conf_level=conf, print_to_console=False,
                                    seed=np.random.default_rng(seed))  # fmt: skip
    return pd.DataFrame({"factor": prob["names"], "S1": res["S1"], "S1_conf": res["S1_conf"],
                         "ST": res["ST"], "ST_conf": res["ST_conf"]})  # fmt: skip


def sobol_indices(
    names: list[str],
    bounds: list[tuple[float, float]],
    model: Callable[[Array], Array],
    n: int,
    seed: int = 0,
    resamples: int = 100,
) -> pd.DataFrame:
    """Sobol S1/ST of a vectorised ``model`` (points (M, d) → outputs (M,)) on the box ``bounds``."""
    prob = problem(names, bounds)
    x = design(prob, n, seed)
    return analyse(prob, np.asarray(model(x), dtype=np.float64), seed, resamples)


@dataclass(frozen=True)
class SAResult:
    sobol: pd.DataFrame  # factors × (S1, S1_conf, ST, ST_conf) on the mean absolute rank shift
    units: pd.DataFrame  # long: code, name, factor, S1, S1_conf, ST, ST_conf on each unit's index
    n: int
    runs: int
    n_nan: int
    rank_shift: Array


def check_size(result: Result, factors: list[Factor], n: int) -> None:
    """Refuse, before any work, fewer than two assumptions or N·(d + 2) runs over :mod:`.limits`."""
    if len(factors) < 2:
        raise UserError(Problem("a Sobol analysis needs at least two assumptions", column="--assumptions"))
    d = len(factors)
    runs = n * (d + 2)
    what = f"{n:,} × ({d} assumptions + 2) = {runs:,} evaluations"
    limits.check_evaluations(runs, what)  # before SALib allocates the N·(d + 2) design
    # kept until the end: each evaluation's unit indices, multipliers and rank shift, and its design point
    limits.check_memory(runs, (len(result.table) + 2 * d + 3) * 8, what)


def run(
    result: Result,
    ds: Dataset,
    factors: list[Factor],
    n: int,
    seed: int,
    *,
    chunk: int = CHUNK,
    backend: Backend = "local",
    scheduler: str | None = None,
    per_unit: bool = True,
    progress: Progress | None = None,
) -> SAResult:
    """Sobol analysis of the assumptions around the nominal ``result`` (N base rows, N·(d + 2) runs)."""
    check_size(result, factors, n)
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))
    ctx = engine.with_weight_sets(engine.build_context(result, factors, ds), rng)
    prob = problem([f.name for f in factors], [(0.0, 1.0)] * len(factors))
    x = design(prob, n, seed)
    task_list = [Task(s, min(chunk, len(x) - s), design=x[s : s + chunk]) for s in range(0, len(x), chunk)]
    work = batches(task_list, ctx.n_units)
    evaluate = functools.partial(run_batch, rank_shift=True)  # the mean rank shift is Sobol's output
    chunks = map_ordered(evaluate, ctx, work, backend, scheduler)
    _, unscored, kept = collect(ctx, chunks, len(x), progress=progress, keep=True)
    shift = np.concatenate([c.rank_shift for c in kept])
    main = analyse(prob, shift, seed)
    rows = []
    if per_unit:
        index = np.concatenate([c.index for c in kept])
        names = result.units["name"] if "name" in result.units.columns else pd.Series(dtype=object)
        for u, code in enumerate(ctx.codes):
            df = analyse(prob, index[:, u], seed)
            df.insert(0, "name", str(names.get(code, code)))
            df.insert(0, "code", code)
            rows.append(df)
    units = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["code", "name", *COLUMNS])
    return SAResult(main, units, n, len(x), int(unscored[0]), shift)


def write(sa: SAResult, out_dir: Path, config: dict[str, Any]) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    files = [("sobol.csv", sa.sobol)] + ([("sobol_units.csv", sa.units)] if len(sa.units) else [])
    for name, frame in files:
        path = out_dir / name
        tmp = out_dir / (name + ".tmp")
        write_csv(frame, tmp, float_format="%.10g", lineterminator="\n")
        tmp.replace(path)
        written.append(path)
    meta = out_dir / "sensitivity.json"
    info = {**config, "n": sa.n, "runs": sa.runs, "unscored_unit_replications": sa.n_nan,
            "output": "mean absolute rank shift w.r.t. the nominal ranks (sobol.csv); each unit's index "
                      "(sobol_units.csv)" if len(sa.units) else
                      "mean absolute rank shift w.r.t. the nominal ranks (sobol.csv)"}  # fmt: skip
    meta.write_text(json.dumps(info, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    return [*written, meta]
