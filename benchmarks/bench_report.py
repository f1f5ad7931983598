"""Benchmark: rendering the full default report (HTML + PDF, zh), target < 30 s.

Run: `.venv/bin/python benchmarks/bench_report.py` — wall and CPU time of `mfgindex report` (a child
process), with the load average before and after (wall time means something only on a quiet machine; CPU
time is what the report costs whatever the load).

`.venv/bin/python benchmarks/bench_report.py --parts` — the same report built in this process, with the
CPU time of its steps: the PDF (WeasyPrint) and, inside it, the tables' min-content widths; the figures
(matplotlib drawing and PNG); the audit's smoothing splines; the HTML; the analysis.
"""

from __future__ import annotations

import collections
import functools
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def whole_command() -> None:
    exe = Path(sys.executable).with_name("mfgindex")
    with tempfile.TemporaryDirectory() as tmp:
        load = _load()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run([str(exe), "report", "--out", tmp], check=True, capture_output=True)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        print(
            f"mfgindex report (default run, zh, HTML + PDF): wall {wall:.1f} s, CPU {cpu:.1f} s "
            f"(load average {load} before, {_load()} after)"
        )


def parts() -> None:
    spent: collections.Counter[str] = collections.Counter()

    def timed(owner: Any, name: str, label: str) -> None:
        fn: Callable[..., Any] = getattr(owner, name)

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[label] += time.process_time() - t0

        setattr(owner, name, wrapper)

    start = time.process_time()
    import weasyprint.layout.preferred as preferred

    from mfgindex.report import build, printing, report_figures
    from mfgindex.report import robustness as rb
    from mfgindex.robust import audit
    from mfgindex.services import runner

    spent["imports"] = time.process_time() - start
    timed(preferred, "table_cell_min_content_width", "  of which: tables' min-content widths")
    timed(printing, "write_pdf", "PDF (WeasyPrint)")
    timed(report_figures, "make_figures", "figures: building")
    timed(report_figures, "_png", "figures: drawing + PNG")
    timed(rb, "compute", "robustness (audit + uncertainty)")
    timed(audit, "_smooth", "  of which: audit smoothing splines")
    timed(build, "render_html", "HTML")
    timed(build, "analyze_run", "analysis")
    t0 = time.process_time()
    result, _, _ = runner.evaluate(runner.RunSpec())
    spent["evaluation"] = time.process_time() - t0
    wall0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        build.write_report(result, tmp)
    total = time.process_time() - start
    wall = time.perf_counter() - wall0
    print(f"report in process: CPU {total:.1f} s, report wall {wall:.1f} s (load average {_load()})")
    for label, seconds in spent.most_common():
        print(f"  {seconds:6.2f} s  {100 * seconds / total:4.1f} %  {label}")


if __name__ == "__main__":
    parts() if "--parts" in sys.argv[1:] else whole_command()
