"""Where a toolbox method's inputs come from: a fresh evaluation (framework + data + year, as
``mfgindex run``) or an existing run folder (``--run DIR``).

A run folder is **re-evaluated from its run.json**: the framework tree recorded there (with every method
override already applied), the data files named in ``config.data`` (or the embedded data), the year, the
previous year and the seed. This is needed because most methods use more than scores.csv/indicators.csv
hold (multi-year panels, stage weights per city, the dataset's unit attributes). The re-evaluated ranks are
compared with the folder's scores.csv; a difference (data changed since the run) is reported as a warning
in the ``about`` sheet and on the terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mfgindex.core.dataset import Dataset
from mfgindex.core.framework import Framework
from mfgindex.core.result import Result


@dataclass
class Context:
    """An evaluated framework + data, and the parameters to record in ``about``."""

    ds: Dataset
    framework: Framework
    result: Result
    options: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


def evaluate(
    framework: str = "caict2023",
    data: list[Path] | None = None,
    year: int | None = None,
    previous_year: int | None = None,
) -> Context:
    """Evaluate a framework (preset name or file) on data (default: embedded) for ``year``."""
    from mfgindex.core import pipeline
    from mfgindex.core.spec import RunSpec
    from mfgindex.services.runner import default_year, load

    options = RunSpec(
        framework=framework, data=tuple(str(d) for d in data or ()), year=year, previous_year=previous_year
    )
    ds, fw, _ = load(options)
    y = default_year(ds, options)
    result = pipeline.evaluate(ds, fw, y, previous_year)
    return Context(
        ds,
        fw,
        result,
        {"framework": framework, "data": [str(d) for d in data or ()] or "embedded default", "year": y},
    )


def from_run(folder: Path) -> Context:
    """Re-evaluate the run folder ``folder`` from its run.json (see the module docstring)."""
    from mfgindex.services.runner import rerun

    got = rerun(folder)
    return Context(
        got.dataset,
        got.framework,
        got.result,
        {
            "run": str(folder),
            "framework": got.config.get("framework", got.framework.id),
            "data": [str(p) for p in got.data_paths] if got.data_paths else "embedded default",
            "year": got.result.year,
        },
        list(got.warnings),
    )
