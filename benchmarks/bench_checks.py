"""Benchmark: the plausibility checks (`mfgindex check`) on the default panel, and the coverage gate.

Target: the checks of the default 333-city panel well under 1 s. Measures `core.checks.run_checks`
on the years a default run reads (2021-2022, with 2000-2023 as history), on every year, and the service
with the accepted findings, then the coverage gate of one year. Run:
`.venv/bin/python benchmarks/bench_checks.py`.
"""

from __future__ import annotations

import statistics
import time


def timed(fn, n: int = 7) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times), max(times)


def main() -> None:
    from mfgindex.core import checks, dataset, framework, gates
    from mfgindex.services import checks as checks_svc

    ds = dataset.default()
    fw = framework.load("caict2023")
    kinds = checks_svc.kinds(fw)
    n_values = len(ds.values)
    found = checks.run_checks(ds, kinds, [2021, 2022])
    for label, fn in (
        ("run_checks, years 2021-2022", lambda: checks.run_checks(ds, kinds, [2021, 2022])),
        ("run_checks, every year 2000-2024", lambda: checks.run_checks(ds, kinds, None)),
        (
            "service (accepted findings applied)",
            lambda: checks_svc.check(ds, fw, [2021, 2022], embedded=True),
        ),
        ("coverage gate of 2022", lambda: gates.gate(ds, fw, [2022])),
    ):
        med, lo, hi = timed(fn)
        print(f"{label:<38} median {med:.3f} s (min {lo:.3f}, max {hi:.3f}, 7 runs)")
    print(f"panel: {n_values} values, {ds.values['code'].nunique()} units; findings 2021-2022: {len(found)}")


if __name__ == "__main__":
    main()
