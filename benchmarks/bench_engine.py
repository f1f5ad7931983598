"""Benchmark: the Monte Carlo engine in-process on ASEM, per replication and memory, next to COINr.

COINr's sensitivity-vignette assumptions (winmax 1-5, min-max or z-score, ±25 % weight noise, arithmetic or
geometric mean) around ``build_example_coin()``; N replications (default 100,000) in chunks of the default
size, evaluated in batches of consecutive chunks (``uncertainty.batches``) as the command does; ranks
accumulated in the histogram (no per-replication file). COINr 1.1.14 on the same machine:
87-114 ms per replication. Target ≤ 5 µs per replication, memory flat in N (the peak of traced allocations
is printed for N/10 and N), with the host steal during each timed run (``bench_uncertainty.py``
explains it: a figure with steal is not an idle machine's).

Run: ``.venv/bin/python benchmarks/bench_engine.py [N]``.
"""

from __future__ import annotations

import os
import sys
import time
import tracemalloc
import warnings
from importlib import resources

from web_probe import steal_seconds  # the machine's steal counter, as the web benchmark reads it

import mfgindex as mi
from mfgindex.robust import assumptions, engine, uncertainty

COINR_MS = (87.0, 114.0)


def once(ctx: engine.Context, n: int) -> None:
    work = uncertainty.batches(uncertainty.tasks(n, 1), ctx.n_units)
    uncertainty.collect(ctx, (uncertainty.run_batch(ctx, b) for b in work), n)


def run(ctx: engine.Context, n: int) -> tuple[float, float, float, float]:
    """Timed without tracing; then the same run again under tracemalloc for the memory peak (tracing
    slows allocation-heavy code several-fold, so it never overlaps the timing)."""
    steal = steal_seconds()
    t0, c0 = time.perf_counter(), time.process_time()
    once(ctx, n)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    steal = steal_seconds() - steal
    tracemalloc.start()
    once(ctx, n)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return wall, cpu, peak, steal


def main(argv: list[str]) -> None:
    n = int(argv[0]) if argv else 100_000
    warnings.simplefilter("ignore")
    asem = resources.files("mfgindex") / "data" / "asem"
    coin = {"denominate": True, "impute": "group_mean", "impute_group": "EurAsia_group"}
    res = mi.evaluate(
        mi.RunSpec(framework=str(asem / "iMeta.csv"), data=(str(asem / "iData.csv"),), methods=coin)
    )
    assert res.dataset is not None
    t0 = time.perf_counter()
    ctx = engine.build_context(res, assumptions.default_assumptions(res.framework))
    took = time.perf_counter() - t0
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; context {took:.2f} s")
    for size in (n // 10, n):
        wall, cpu, peak, steal = run(ctx, size)
        us = wall / size * 1e6
        print(f"N = {size:>7,}: {us:6.1f} µs/replication wall, {cpu / size * 1e6:6.1f} µs CPU, "
              f"peak traced memory {peak:6.1f} MiB; COINr {COINR_MS[0]:.0f}-{COINR_MS[1]:.0f} ms "
              f"→ {COINR_MS[0] * 1e3 / us:,.0f}× faster; host steal {steal * 1e3:.0f} ms")  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1:])
