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

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from mfgindex.dataset import Dataset
from mfgindex.errors import Problem, UserError
from mfgindex.framework import Framework
from mfgindex.result import Result


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
    from mfgindex import pipeline
    from mfgindex.cliopts import make_options
    from mfgindex.runner import default_year, load

    options = make_options(framework, data, year, previous_year)
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
    from mfgindex import dataset as dataset_mod
    from mfgindex import ingest, pipeline, validate
    from mfgindex.framework import from_dict

    run_json = folder / "run.json"
    if not run_json.is_file():
        raise UserError(
            Problem(
                "not a run folder: run.json is missing",
                file=str(folder),
                column="--run",
                expected="a folder written by `mfgindex run --out DIR`",
            )
        )
    try:
        record = json.loads(run_json.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(Problem(f"cannot read run.json: {exc}", file=str(run_json))) from None
    if not isinstance(record, dict) or not isinstance(record.get("framework"), dict):
        raise UserError(Problem("run.json has no framework", file=str(run_json)))
    fw = from_dict(record["framework"], file=str(run_json))
    config = record.get("config") or {}
    data = config.get("data")
    paths = [Path(str(d)) for d in data] if isinstance(data, list) else []
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UserError(
            Problem(f"data named in run.json not found: {', '.join(missing)}", file=str(run_json))
        )
    year = record.get("year")
    if paths:
        got = ingest.read(paths, tuple(fw.groups), year if isinstance(year, int) else None)
        problems = list(got.problems)
        ds = got.dataset
    else:
        problems, ds = [], dataset_mod.default()
    if ds is not None:
        problems.extend(validate.check(ds, fw))
    errors = [p for p in problems if p.severity == "error"]
    if errors or ds is None:
        raise UserError(errors or [Problem("no data", file=str(run_json))])
    if not isinstance(year, int):
        raise UserError(Problem("run.json has no year", file=str(run_json)))
    prev = record.get("previous_year")
    result = pipeline.evaluate(
        ds, fw, year, prev if isinstance(prev, int) else None, int(record.get("seed") or 0)
    )
    warnings: list[str] = []
    scores = folder / "scores.csv"
    if scores.is_file():
        try:
            saved = pd.read_csv(scores, dtype={"code": str}, encoding="utf-8-sig").set_index("code")["rank"]
        except (OSError, ValueError, KeyError):
            warnings.append("scores.csv could not be read to check the re-evaluation")
        else:
            now = result.table["rank"].reindex(saved.index)
            differ = int((now.fillna(-1) != saved.fillna(-1)).sum())
            if differ:
                warnings.append(
                    f"re-evaluation differs from scores.csv for {differ} units (data changed since the run?)"
                )
    return Context(
        ds,
        fw,
        result,
        {
            "run": str(folder),
            "framework": config.get("framework", fw.id),
            "data": data if paths else "embedded default",
            "year": year,
        },
        warnings,
    )
