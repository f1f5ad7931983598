"""Benchmark: one nominal evaluation through the public API, next to COINr's figure.

Two figures per case: ``mfgindex.evaluate(spec)`` end to end (files read, validated and checked, then
evaluated), and the evaluation on loaded data (``services.runner.evaluate_prepared``: plan compiled, every
stage and the result tables built; file reading and the plausibility checks excluded). Cases:

  asem     COINr's ``build_example_coin()`` pipeline on ASEM (51 units, 49 indicators, one year)
           — COINr 1.1.14: one build 93 ms (same machine, interleaved runs). Target ≤ 5 ms on loaded data.
  default  the embedded data, 333 cities × 2 years (2022 and 2021), preset caict2023. Target ≤ 50 ms.

Prints the median of 11 calls (after one warm-up) in wall and CPU time, the machine's load average and the
host steal during the calls (``bench_uncertainty.py`` explains steal; a figure with steal is not an idle one).
Run: ``.venv/bin/python benchmarks/bench_api.py``.
"""

from __future__ import annotations

import os
import statistics
import time
import warnings
from collections.abc import Callable
from importlib import resources
from typing import Any

from web_probe import steal_seconds  # the machine's steal counter, as the web benchmark reads it

import mfgindex as mi
from mfgindex.services import runner

COINR_BUILD_MS = 93.0


def measure(fn: Callable[[], Any], runs: int = 11) -> tuple[float, float, float]:
    """Median wall and CPU ms of ``runs`` calls, and the host steal (ms) during them."""
    fn()  # warm-up
    wall, cpu = [], []
    steal = steal_seconds()
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall) * 1e3, statistics.median(cpu) * 1e3, (steal_seconds() - steal) * 1e3


def main() -> None:
    warnings.simplefilter("ignore")  # the ASEM data's unit-slip warnings, once per call
    asem = resources.files("mfgindex") / "data" / "asem"
    coin = {"denominate": True, "impute": "group_mean", "impute_group": "EurAsia_group"}
    cases = {
        "asem": (
            mi.RunSpec(framework=str(asem / "iMeta.csv"), data=(str(asem / "iData.csv"),), methods=coin),
            5,
        ),
        "default": (mi.RunSpec(), 50),
    }
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for name, (spec, target) in cases.items():
        prepared = runner.prepare(spec)
        e2e = measure(lambda spec=spec: mi.evaluate(spec))
        loaded = measure(lambda spec=spec, p=prepared: runner.evaluate_prepared(spec, p))
        vs = f"; COINr {COINR_BUILD_MS:.0f} ms → {COINR_BUILD_MS / loaded[0]:.1f}×" if name == "asem" else ""
        print(f"{name:8s} mi.evaluate (read, check, evaluate): median {e2e[0]:7.1f} ms wall, "
              f"{e2e[1]:7.1f} ms CPU; host steal {e2e[2]:.0f} ms")  # fmt: skip
        print(f"{name:8s} on loaded data: median {loaded[0]:7.1f} ms wall, {loaded[1]:7.1f} ms CPU "
              f"(target ≤ {target} ms){vs}; host steal {loaded[2]:.0f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
