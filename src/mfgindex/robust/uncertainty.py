"""Monte Carlo uncertainty analysis of the ranks (JRC practice; COINr ``get_sensitivity(SA_type = "UA")``).

N replications, each with every assumption drawn independently (discrete choices equally likely, weights
with fresh multiplicative noise), drawn in chunks of ``chunk`` replications: chunk ``i`` draws from its own
stream ``SeedSequence(seed).spawn(n_chunks)[i]``, so the result depends on (seed, N, chunk) only — not on
the backend, the number of workers or how many chunks are evaluated together — and the same seed gives
byte-identical files. The vectorised :mod:`mfgindex.robust.engine` evaluates *batches* of consecutive
chunks (about :data:`BATCH_CELLS` unit-replications each: large arrays, bounded memory, flat in N).

Rank statistics per unit over the replications in which it has a score: median, mean, 5 % and 95 %
quantiles of type 7 (R's default, numpy's "linear"), exact, from a units × ranks histogram accumulated
batch by batch (exact, unlike streaming quantile sketches, and units × units integers whatever N). A
replication in which a unit has no score (a geometric mean over a non-positive normalised value) leaves
that unit unranked there; such cases are counted per unit (``n_unranked``) and in total,
never dropped silently.

References
----------
Saisana, M., Saltelli, A. and Tarantola, S. (2005). *J. R. Stat. Soc. A* 168(2), 307-323. Becker, W. et al.
(2022). COINr ``get_sensitivity``, ``rank_df``, ``plot_uncertainty``.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from mfgindex.core import pipeline
from mfgindex.core.dataset import Dataset
from mfgindex.core.files import write_csv
from mfgindex.core.framework import Framework
from mfgindex.core.result import Result
from mfgindex.robust import engine, limits
from mfgindex.robust.assumptions import Factor
from mfgindex.robust.backend import Backend, map_ordered

CHUNK = 1000
BATCH_CELLS = 1_000_000  # unit-replications evaluated together (whole chunks; ≈ 8 MB per (R, units) array)
ROW_GROUP = 20_000  # rows per row group of replications.parquet
SCRATCH_MEMORY = "64MB"  # DuckDB's memory limit while the replications file is built (it spills to disk)
Progress = Callable[[int], None]


@dataclass(frozen=True, eq=False, repr=False)
class Task:
    """Replications ``start`` … ``start + size − 1``: drawn from ``seed``, or a Sobol ``design``'s points."""

    start: int
    size: int
    seed: np.random.SeedSequence | None = None
    design: engine.Array | None = None  # (size, d) points in [0, 1]^d (Sobol design) instead of sampling


@dataclass(frozen=True, eq=False, repr=False)
class Chunk:
    """What a task's replications give: draws, index scores, rank histogram, unscored counts, rank shift.

    The scores are kept as evaluated, group after group (``scores``, row ``i`` = replication ``order[i]``),
    and the multipliers per noisy node: :attr:`index` and :attr:`multipliers`, in replication order, are
    built when first read (the replications file and the per-unit Sobol indices read them; the rank
    histogram and the counts do not)."""

    start: int
    choices: engine.IntArray
    node_multipliers: tuple[engine.Array, ...]  # per noisy node (size, k)
    scores: engine.Array  # (size, units) in the order ``order``
    order: engine.IntArray | None  # None: the replications' own order
    histogram: engine.IntArray
    n_nan: engine.IntArray  # (size,) units without a score in each replication
    rank_shift: engine.Array  # (size,) mean |rank − nominal rank| over the ranked units; () if not asked

    @cached_property
    def index(self) -> engine.Array:
        """Index scores (size, units) in replication order."""
        if self.order is None:
            return self.scores
        out = np.empty_like(self.scores)
        out[self.order] = self.scores
        return out

    @cached_property
    def multipliers(self) -> engine.Array:
        """The weight multipliers (size, weight columns), the noisy nodes' side by side."""
        if not self.node_multipliers:
            return np.zeros((self.choices.shape[0], 0))
        return np.concatenate(self.node_multipliers, axis=1)


def _draws(ctx: engine.Context, task: Task) -> engine.Draws:
    if task.design is not None:
        return engine.from_unit(ctx, task.design)
    return engine.sample(ctx, task.size, np.random.Generator(np.random.PCG64(task.seed)))


def _batch_draws(ctx: engine.Context, batch: tuple[Task, ...]) -> engine.Draws:
    """The draws of consecutive chunks, each from its own stream: sampled straight into the batch's arrays
    (the same numbers as :func:`engine.concat` of each chunk's :func:`engine.sample`)."""
    if len(batch) == 1 or any(t.design is not None or t.seed is None for t in batch):
        return engine.concat([_draws(ctx, t) for t in batch])
    draws = engine.empty_draws(ctx, sum(t.size for t in batch))
    at = 0
    for t in batch:
        engine.sample_into(ctx, draws, at, t.size, np.random.Generator(np.random.PCG64(t.seed)))
        at += t.size
    return draws


def run_batch(ctx: engine.Context, batch: tuple[Task, ...], *, rank_shift: bool = False) -> Chunk:
    """Draw (or map) the assumptions of consecutive chunks, each from its own stream, and evaluate them
    together. Pure function of (ctx, batch); the same as evaluating the chunks one by one. The chunk's
    ``rank_shift`` is computed only when asked (the sensitivity analysis; the uncertainty analysis needs
    only the rank histogram), else empty. Per-replication numbers are computed in the evaluation's group
    order and put back in replication order (a row's rank and counts do not depend on the other rows)."""
    draws = _batch_draws(ctx, batch)
    scores, order = engine.evaluate_grouped(ctx, draws)
    shift = np.zeros(0)
    if rank_shift:
        rk = engine.ranks(scores)
        hist = engine.rank_histogram(rk, ctx.n_units)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            shift = np.nanmean(np.abs(rk - ctx.nominal_rank), axis=1)
        shift = _in_order(shift, order)
    else:  # the ranks tallied without being scattered into an array
        hist = engine.rank_counts(scores)
    # unscored units per replication; none when every score is ranked (the histogram counts each scored
    # unit of each replication once, and only those)
    n_nan = np.zeros(draws.size, dtype=np.int64)
    if int(hist.sum()) < scores.size:
        n_nan = _in_order(np.count_nonzero(np.isnan(scores), axis=1).astype(np.int64), order)
    mult = tuple(draws.multipliers[j] for j in ctx.noisy_nodes()) if draws.multipliers else ()
    return Chunk(batch[0].start, draws.choices, mult, scores, order, hist, n_nan, shift)


def _in_order(values: npt.NDArray[Any], order: engine.IntArray | None) -> npt.NDArray[Any]:
    """Per-replication ``values`` given in the order ``order``, put in replication order."""
    if order is None:
        return values
    out = np.empty_like(values)
    out[order] = values
    return out


def run_chunk(ctx: engine.Context, task: Task) -> Chunk:
    """One chunk: :func:`run_batch` of that chunk alone."""
    return run_batch(ctx, (task,))


def tasks(n: int, seed: int, chunk: int = CHUNK) -> list[Task]:
    """Chunks of at most ``chunk`` replications, each with an independent child seed sequence."""
    n_chunks = max(1, math.ceil(n / chunk))
    seqs = np.random.SeedSequence(seed).spawn(n_chunks)
    return [Task(i * chunk, min(chunk, n - i * chunk), seqs[i]) for i in range(n_chunks) if n - i * chunk > 0]


def batches(task_list: list[Task], n_units: int, cells: int = BATCH_CELLS) -> list[tuple[Task, ...]]:
    """Consecutive chunks grouped so that each batch holds about ``cells`` unit-replications (≥ 1 chunk)."""
    out: list[tuple[Task, ...]] = []
    cur: list[Task] = []
    size = 0
    for t in task_list:
        if cur and (size + t.size) * n_units > cells:
            out.append(tuple(cur))
            cur, size = [], 0
        cur.append(t)
        size += t.size
    if cur:
        out.append(tuple(cur))
    return out


@dataclass(frozen=True, eq=False, repr=False)
class UAResult:
    """An uncertainty run: rank statistics per unit, counts of unscored units, the rank histogram."""

    stats: pd.DataFrame  # one row per unit
    n: int
    n_nan: int  # unit-replications without a score
    n_replications_with_nan: int
    histogram: engine.IntArray


def nominal(ds: Dataset, framework: Framework, year: int, previous_year: int | None = None) -> Result:
    return pipeline.evaluate(ds, framework, year, previous_year)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class Replications:
    """``replications.parquet``, written through DuckDB with memory flat in N: each batch of chunks is
    copied to a small parquet file of its own, and :meth:`finish` streams those, in order, into the one
    file (one thread: insertion order and row groups of :data:`ROW_GROUP` rows, so the same seed gives the
    same bytes) and moves it into place. The parts and the file being written live in the folder
    ``<file>.tmp`` next to it, which :meth:`close` removes: an interrupted run leaves the previous file, if
    any, untouched. Columns: ``replication``, the drawn alternative of each discrete assumption (its label),
    the weight multipliers, ``n_unscored``, ``index:<code>`` (float32) and ``rank:<code>`` (uint16, or uint32
    from 65,536 units on; null where the unit has no score)."""

    def __init__(self, ctx: engine.Context, path: Path) -> None:
        import duckdb  # only when the replications file is asked for

        self.ctx = ctx
        self.path = path
        self.scratch = path.with_name(path.name + ".tmp")
        if self.scratch.is_dir():
            shutil.rmtree(self.scratch)  # left by a killed run
        elif self.scratch.exists():
            self.scratch.unlink()
        self.scratch.mkdir(parents=True)
        try:
            self.con = duckdb.connect(config={"threads": 1, "memory_limit": SCRATCH_MEMORY,
                                              "temp_directory": str(self.scratch / "spill")})  # fmt: skip
        except BaseException:
            shutil.rmtree(self.scratch, ignore_errors=True)
            raise
        self.con.execute("SET enable_progress_bar = false")
        self.parts: list[Path] = []
        self.rank_np = np.uint16 if ctx.n_units < 2**16 else np.uint32
        self.factors = [(k, f) for k, f in enumerate(ctx.factors) if f.kind != "weights"]
        rank = "USMALLINT" if ctx.n_units < 2**16 else "UINTEGER"
        select = ["CAST(replication AS BIGINT) AS replication"]
        for _, f in self.factors:  # the drawn alternative's label (a dictionary-encoded parquet string)
            labels = "[" + ", ".join(_sql_text(x) for x in f.labels) + "]::VARCHAR[]"
            select.append(f"list_extract({labels}, {_ident(f.name)} + 1) AS {_ident(f.name)}")
        select += [_ident(c) for c in ctx.weight_columns()]
        select += ["n_unscored"] + [_ident(f"index:{c}") for c in ctx.codes]
        select += [
            f"CAST(NULLIF({_ident(f'rank:{c}')}, 0) AS {rank}) AS {_ident(f'rank:{c}')}" for c in ctx.codes
        ]
        self.select = ", ".join(select)

    def append(self, ch: Chunk) -> None:
        """Write one batch's rows to the next part file."""
        size = ch.index.shape[0]
        cols: dict[str, Any] = {"replication": np.arange(ch.start, ch.start + size, dtype=np.int64)}
        cols.update((f.name, ch.choices[:, k].astype(np.int8)) for k, f in self.factors)
        cols.update((c, ch.multipliers[:, i]) for i, c in enumerate(self.ctx.weight_columns()))
        cols["n_unscored"] = ch.n_nan.astype(np.int32)
        index = np.asfortranarray(ch.index, dtype=np.float32)
        cols.update((f"index:{c}", index[:, u]) for u, c in enumerate(self.ctx.codes))
        rk = engine.ranks(ch.index)  # recomputed here: only when the file is written
        small = np.asfortranarray(np.nan_to_num(rk, nan=0.0), dtype=self.rank_np)  # 0: no rank
        cols.update((f"rank:{c}", small[:, u]) for u, c in enumerate(self.ctx.codes))
        part = self.scratch / f"part-{len(self.parts):06d}.parquet"
        self.con.register("chunk", pd.DataFrame(cols, copy=False))
        try:
            self.con.execute(f"COPY (SELECT {self.select} FROM chunk) TO {_sql_text(str(part))} "
                             "(FORMAT parquet, COMPRESSION uncompressed)").fetchall()  # fmt: skip
        finally:
            self.con.unregister("chunk")
        self.parts.append(part)

    def finish(self) -> None:
        """Stream the parts, in order, into one file and move it into place."""
        out = self.scratch / self.path.name
        files = "[" + ", ".join(_sql_text(str(p)) for p in self.parts) + "]"
        self.con.execute(
            f"COPY (SELECT * FROM read_parquet({files})) TO {_sql_text(str(out))} "
            f"(FORMAT parquet, COMPRESSION lz4, ROW_GROUP_SIZE {ROW_GROUP})"  # floats barely compress
        ).fetchall()
        self.con.close()
        os.replace(out, self.path)

    def close(self) -> None:
        self.con.close()
        shutil.rmtree(self.scratch, ignore_errors=True)


def collect(
    ctx: engine.Context,
    chunks: Iterable[Chunk],
    n: int,
    parquet: Path | None = None,
    progress: Progress | None = None,
    keep: bool = False,
) -> tuple[engine.IntArray, engine.IntArray, list[Chunk]]:
    """Fold chunk results in order: rank histogram, unscored counts ``[unit-replications, replications]``
    (totals: memory flat in N), the replications file (streamed, see :class:`Replications`)."""
    hist = np.zeros((ctx.n_units, ctx.n_units + 1), dtype=np.int64)
    unscored = np.zeros(2, dtype=np.int64)  # unit-replications without a score; replications with any
    kept: list[Chunk] = []
    writer = None
    try:
        if parquet is not None:
            writer = Replications(ctx, parquet)
        done = 0
        for ch in chunks:
            hist += ch.histogram
            unscored += (int(ch.n_nan.sum()), int(np.count_nonzero(ch.n_nan)))
            if writer is not None:
                writer.append(ch)
            if keep:
                kept.append(ch)
            done += ch.index.shape[0]
            if progress is not None:
                progress(done)
        if writer is not None:
            writer.finish()
    finally:
        if writer is not None:
            writer.close()
    return hist, unscored, kept


def rank_stats(ctx: engine.Context, hist: engine.IntArray, names: pd.Series | None) -> pd.DataFrame:
    n_ranked = hist.sum(axis=1)
    stats = pd.DataFrame({
        "code": list(ctx.codes),
        "name": [str(names.get(c, c)) if names is not None else c for c in ctx.codes],
        "nominal_rank": pd.array(ctx.nominal_rank, dtype="Float64").astype("Int64"),
        "median_rank": engine.histogram_quantile(hist, 0.5),
        "mean_rank": engine.histogram_mean(hist),
        "p05_rank": engine.histogram_quantile(hist, 0.05),
        "p95_rank": engine.histogram_quantile(hist, 0.95),
        "n_ranked": n_ranked,
    })  # fmt: skip
    # by nominal rank (unranked last), then code: one stable numpy sort
    order = np.lexsort(
        (np.array(ctx.codes, dtype=str), np.where(np.isnan(ctx.nominal_rank), np.inf, ctx.nominal_rank))
    )
    return stats.iloc[order].reset_index(drop=True)


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
    parquet: Path | None = None,
    progress: Progress | None = None,
) -> UAResult:
    """Run the uncertainty analysis around the nominal ``result`` (N above :mod:`.limits` is refused)."""
    limits.check_evaluations(n, f"{n:,} replications")
    ctx = engine.build_context(result, factors, ds)
    work = batches(tasks(n, seed, chunk), ctx.n_units)
    chunks = map_ordered(run_batch, ctx, work, backend, scheduler)
    hist, unscored, _ = collect(ctx, chunks, n, parquet, progress)
    names = result.units["name"] if "name" in result.units.columns else None
    return UAResult(rank_stats(ctx, hist, names), n, int(unscored[0]), int(unscored[1]), hist)


def write(ua: UAResult, out_dir: Path, config: dict[str, Any]) -> list[Path]:
    """``uncertainty.csv`` and ``uncertainty.json`` (settings and unscored counts; no timings, so that the
    same seed gives byte-identical files)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    csv = out_dir / "uncertainty.csv"
    tmp = out_dir / "uncertainty.csv.tmp"
    write_csv(ua.stats, tmp, float_format="%.10g", lineterminator="\n")
    tmp.replace(csv)
    meta = out_dir / "uncertainty.json"
    info = {**config, "n": ua.n, "unscored_unit_replications": ua.n_nan,
            "replications_with_unscored_units": ua.n_replications_with_nan}  # fmt: skip
    meta.write_text(json.dumps(info, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    return [csv, meta]
