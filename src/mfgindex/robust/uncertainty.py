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
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
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
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Task:
    start: int
    size: int
    seed: np.random.SeedSequence | None = None
    design: engine.Array | None = None  # (size, d) points in [0, 1]^d (Sobol design) instead of sampling


@dataclass(frozen=True)
class Chunk:
    start: int
    choices: engine.IntArray
    multipliers: engine.Array  # (size, weight columns)
    index: engine.Array  # (size, units)
    histogram: engine.IntArray
    n_nan: engine.IntArray  # (size,) units without a score in each replication
    rank_shift: engine.Array  # (size,) mean |rank − nominal rank| over the ranked units


def _draws(ctx: engine.Context, task: Task) -> engine.Draws:
    if task.design is not None:
        return engine.from_unit(ctx, task.design)
    return engine.sample(ctx, task.size, np.random.Generator(np.random.PCG64(task.seed)))


def run_batch(ctx: engine.Context, batch: tuple[Task, ...]) -> Chunk:
    """Draw (or map) the assumptions of consecutive chunks, each from its own stream, and evaluate them
    together. Pure function of (ctx, batch); the same as evaluating the chunks one by one."""
    draws = engine.concat([_draws(ctx, t) for t in batch])
    index = engine.evaluate(ctx, draws)
    rk = engine.ranks(index)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        shift = np.nanmean(np.abs(rk - ctx.nominal_rank), axis=1)
    mult = (np.concatenate([draws.multipliers[j] for j in ctx.noisy_nodes()], axis=1)
            if draws.multipliers else np.zeros((draws.size, 0)))  # fmt: skip
    return Chunk(batch[0].start, draws.choices, mult, index, engine.rank_histogram(rk, ctx.n_units),
                 np.isnan(index).sum(axis=1).astype(np.int64), shift)  # fmt: skip


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


@dataclass(frozen=True)
class UAResult:
    stats: pd.DataFrame  # one row per unit
    n: int
    n_nan: int  # unit-replications without a score
    n_replications_with_nan: int
    histogram: engine.IntArray


def nominal(ds: Dataset, framework: Framework, year: int, previous_year: int | None = None) -> Result:
    return pipeline.evaluate(ds, framework, year, previous_year)


def _schema(ctx: engine.Context) -> Any:
    import pyarrow as pa  # only when the replications file is asked for

    rank = pa.uint16() if ctx.n_units < 2**16 else pa.uint32()
    fields = [pa.field("replication", pa.int64())]
    fields += [
        pa.field(f.name, pa.dictionary(pa.int8(), pa.string())) for f in ctx.factors if f.kind != "weights"
    ]
    fields += [pa.field(c, pa.float64()) for c in ctx.weight_columns()]
    fields += [pa.field("n_unscored", pa.int32())]
    fields += [pa.field(f"index:{c}", pa.float32()) for c in ctx.codes]
    fields += [pa.field(f"rank:{c}", rank) for c in ctx.codes]
    return pa.schema(fields)


def _table(ctx: engine.Context, ch: Chunk, schema: Any) -> Any:
    import pyarrow as pa

    size = ch.index.shape[0]
    cols: list[Any] = [pa.array(np.arange(ch.start, ch.start + size, dtype=np.int64))]
    for k, f in enumerate(ctx.factors):
        if f.kind != "weights":
            labels = pa.array(list(f.labels), pa.string())
            cols.append(pa.DictionaryArray.from_arrays(pa.array(ch.choices[:, k].astype(np.int8)), labels))
    cols += [pa.array(ch.multipliers[:, i]) for i in range(ch.multipliers.shape[1])]
    cols.append(pa.array(ch.n_nan.astype(np.int32)))
    index = ch.index.astype(np.float32)
    cols += [pa.array(index[:, u]) for u in range(index.shape[1])]
    rk = engine.ranks(ch.index)  # recomputed here: only when the file is written
    unranked = np.isnan(rk)
    small = np.nan_to_num(rk, nan=0.0).astype(np.uint16 if ctx.n_units < 2**16 else np.uint32)
    cols += [pa.array(small[:, u], mask=unranked[:, u]) for u in range(small.shape[1])]
    return pa.Table.from_arrays(cols, schema=schema)


def collect(
    ctx: engine.Context,
    chunks: Iterable[Chunk],
    n: int,
    parquet: Path | None = None,
    progress: Progress | None = None,
    keep: bool = False,
) -> tuple[engine.IntArray, engine.IntArray, list[Chunk]]:
    """Fold chunk results in order: rank histogram, unscored counts ``[unit-replications, replications]``
    (totals: memory flat in N), parquet row groups (streamed)."""
    hist = np.zeros((ctx.n_units, ctx.n_units + 1), dtype=np.int64)
    unscored = np.zeros(2, dtype=np.int64)  # unit-replications without a score; replications with any
    kept: list[Chunk] = []
    writer = None
    tmp = parquet.with_name(parquet.name + ".tmp") if parquet is not None else None
    try:
        if tmp is not None:
            import pyarrow.parquet as pq

            schema = _schema(ctx)
            tmp.parent.mkdir(parents=True, exist_ok=True)
            writer = pq.ParquetWriter(tmp, schema, compression="lz4")  # floats barely compress; lz4 is fast
        done = 0
        for ch in chunks:
            hist += ch.histogram
            unscored += (int(ch.n_nan.sum()), int(np.count_nonzero(ch.n_nan)))
            if writer is not None:
                writer.write_table(_table(ctx, ch, schema))
            if keep:
                kept.append(ch)
            done += ch.index.shape[0]
            if progress is not None:
                progress(done)
        if writer is not None:
            writer.close()
            writer = None
            assert tmp is not None and parquet is not None
            os.replace(tmp, parquet)
    finally:
        if writer is not None:
            writer.close()
        if tmp is not None and tmp.exists():
            tmp.unlink()
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
    return stats.sort_values(["nominal_rank", "code"], na_position="last", kind="mergesort").reset_index(
        drop=True
    )


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
