"""Benchmark: the default evaluation (≈ 333 cities × 2 years, caict2023 preset), without report rendering.

Target: the whole evaluation in under 2 s on a 2-core machine. Measures, separately, loading the
embedded data (done once per process) and the evaluation of the current and previous year, then the full
`mfgindex run` with outputs written. Run: `make bench` or `.venv/bin/python benchmarks/bench_run.py`.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    t0 = time.perf_counter()
    from mfgindex.core import dataset, framework, pipeline

    t_import = time.perf_counter() - t0
    t0 = time.perf_counter()
    ds = dataset.default()
    fw = framework.load("caict2023")
    t_load = time.perf_counter() - t0
    times = []
    for _ in range(7):
        t0 = time.perf_counter()
        result = pipeline.evaluate(ds, fw, 2022)
        times.append(time.perf_counter() - t0)
    print(f"import mfgindex:                {t_import:.3f} s")
    print(f"load embedded data + preset:    {t_load:.3f} s")
    print(
        f"evaluate 2022 + 2021 ({len(result.table)} units): median {statistics.median(times):.3f} s "
        f"(min {min(times):.3f}, max {max(times):.3f}, 7 runs)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        exe = Path(sys.executable).with_name("mfgindex")
        t0 = time.perf_counter()
        subprocess.run([str(exe), "run", "--out", tmp, "-q"], check=True, capture_output=True)
        whole = time.perf_counter() - t0
        print(f"whole `mfgindex run` incl. start-up and writing CSV/XLSX/JSON: {whole:.3f} s")


if __name__ == "__main__":
    main()
