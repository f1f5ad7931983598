"""A run's results as the analyses read them: from a :class:`~mfgindex.core.result.Result` or a run directory.

:class:`RunData` holds what every run-mode analysis and the report need: the framework, the scores table
(docs/ARCHITECTURE.md ``scores.csv``), raw and normalised indicator values (``indicators.csv``), coverage,
nominal weights and the stage counts (``run.json``), plus the *context dataset* — the data the run was made
from (GDP, population, lists), reloaded from the run's configuration, for the aggregates that are not
indicators (share of national GDP, per-capita values, list counts by region).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from mfgindex.analysis.table import from_scores
from mfgindex.core.dataset import Dataset
from mfgindex.core.errors import Problem, UserError
from mfgindex.core.framework import Framework, from_dict
from mfgindex.core.result import Result

EMBEDDED = "embedded default"


@dataclass(frozen=True)
class RunData:
    """Everything the run-mode analyses read.

    Attributes
    ----------
    framework
        The framework of the run.
    table
        Ranking table (:func:`mfgindex.analysis.table.from_scores`) of every ranked unit, sorted by rank.
    raw, normalised
        Units × indicator ids (the ``raw`` and ``normalised`` stages).
    year, previous_year
        Evaluated year and the year ranks are compared with (None when there is none).
    coverage
        Aggregate id → share of non-missing indicator values.
    nominal_weights
        Aggregate id → {child id → nominal local weight}.
    stage_counts
        Stage label → number of units.
    config
        The resolved options of the run (``run.json`` ``config``).
    dataset
        The data the run was made from, when it can be reloaded (None otherwise: the aggregates that need
        non-indicator variables are then left out and the report says so).
    source
        Where the run came from (a directory, or ``evaluated``).
    """

    framework: Framework
    table: pd.DataFrame
    raw: pd.DataFrame
    normalised: pd.DataFrame
    year: int
    previous_year: int | None
    coverage: Mapping[str, float]
    nominal_weights: Mapping[str, Mapping[str, float]]
    stage_counts: Mapping[str, int]
    config: Mapping[str, Any] = field(default_factory=dict)
    dataset: Dataset | None = None
    source: str = "evaluated"
    # run.json's data_checks, data_corrections and coverage_gate: what the data appendix shows
    data_quality: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_cities(self) -> bool:
        """Units are Chinese cities with province and region (the city analyses apply)."""
        return bool(
            self.framework.universe.kind == "cities"
            and {"province", "region"} <= set(self.table.columns)
            and self.table["region"].notna().all()
        )

    @property
    def index_id(self) -> str:
        return self.framework.root.id

    @property
    def top_n(self) -> int:
        return int(self.framework.top_n)


def context_dataset(
    config: Mapping[str, Any], framework: Framework, folder: Path | None = None
) -> Dataset | None:
    """Reload the data a run was made from (``config["data"]``, relative paths against the run ``folder``
    when given); None when it cannot be read any more."""
    from mfgindex.core import dataset as dataset_mod

    if framework.universe.kind != "cities":
        return None
    data = config.get("data", EMBEDDED)
    if data in (EMBEDDED, None, [], ()):
        return dataset_mod.default()
    from mfgindex.core.files import resolve_input
    from mfgindex.core.ingest.users import read_users_data

    given = data if isinstance(data, list | tuple) else [data]
    paths = [resolve_input(str(p), folder) if folder is not None else Path(str(p)) for p in given]
    if not all(p.exists() for p in paths):
        return None
    cmap = config.get("column_map")
    try:
        ds, _ = read_users_data(
            paths,
            framework,
            config.get("year"),
            Path(str(cmap)) if isinstance(cmap, str) else None,
            overlay=config.get("data_mode") == "over the embedded data",
        )
    except (UserError, OSError, ValueError):
        return None
    return ds


def from_result(
    result: Result, config: Mapping[str, Any] | None = None, dataset: Dataset | None = None
) -> RunData:
    """:class:`RunData` of an evaluation; ``dataset`` defaults to the data reloaded from ``config``."""
    config = dict(config or {"data": EMBEDDED})
    cur = result.current
    ds = dataset if dataset is not None else context_dataset(config, result.framework)
    return RunData(
        framework=result.framework,
        table=from_scores(result.table.copy()),
        raw=cur.stages["raw"],
        normalised=cur.stages["normalised"],
        year=result.year,
        previous_year=None if result.previous is None else result.previous.year,
        coverage={str(k): float(v) for k, v in cur.coverage["coverage"].items()},
        nominal_weights={
            k: {str(c): float(w) for c, w in v.items()} for k, v in result.nominal_weights.items()
        },
        stage_counts={str(k): int(v) for k, v in cur.stage_label.value_counts().sort_index().items()},
        config=config,
        dataset=ds,
        data_quality={
            "data_checks": result.provenance.get("checks"),
            "data_corrections": list(result.provenance.get("data_corrections") or []),
            "coverage_gate": result.provenance.get("coverage_gate"),
        },
    )


def load_run_dir(path: str | Path) -> RunData:
    """Read a run directory (``scores.csv``, ``indicators.csv``, ``run.json``) written by ``mfgindex run``.

    Raises
    ------
    UserError
        When a file is missing or cannot be read, with the file named.
    """
    d = Path(path)
    if not d.is_dir():
        raise UserError(Problem("运行目录不存在 (run directory not found)", file=str(d)))
    needed = ("run.json", "scores.csv", "indicators.csv")
    missing = [n for n in needed if not (d / n).is_file()]
    if missing:
        raise UserError(
            [
                Problem(
                    "缺少运行结果文件 (missing run file; run `mfgindex run --out DIR` first)", file=str(d / m)
                )
                for m in missing
            ]
        )
    try:
        record = json.loads((d / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(Problem(f"无法读取 run.json: {exc}", file=str(d / "run.json"))) from None
    if not isinstance(record, dict) or "framework" not in record or "year" not in record:
        raise UserError(Problem("run.json 缺少 framework/year", file=str(d / "run.json")))
    framework = from_dict(record["framework"], file=str(d / "run.json"))
    try:
        scores = pd.read_csv(d / "scores.csv", dtype={"code": str}, encoding="utf-8-sig")
        ind = pd.read_csv(d / "indicators.csv", dtype={"code": str}, encoding="utf-8")
    except (OSError, ValueError) as exc:
        raise UserError(Problem(f"无法读取运行结果: {exc}", file=str(d))) from None
    for col in ("code", "name", "rank"):
        if col not in scores.columns:
            raise UserError(Problem("缺少列", file=str(d / "scores.csv"), column=col))
    for col in ("code", "indicator", "raw", "normalised"):
        if col not in ind.columns:
            raise UserError(Problem("缺少列", file=str(d / "indicators.csv"), column=col))
    order = [i.id for i in framework.indicators()]
    raw = ind.pivot(index="code", columns="indicator", values="raw").reindex(columns=order)
    norm = ind.pivot(index="code", columns="indicator", values="normalised").reindex(columns=order)
    weights = record.get("weights", {}) or {}
    config = record.get("config", {}) or {}
    return RunData(
        framework=framework,
        table=from_scores(scores),
        raw=raw,
        normalised=norm,
        year=int(record["year"]),
        previous_year=None if record.get("previous_year") is None else int(record["previous_year"]),
        coverage={str(k): float(v) for k, v in (record.get("coverage") or {}).items()},
        nominal_weights={
            str(k): {str(c): float(w) for c, w in v.items()}
            for k, v in (weights.get("nominal_local") or {}).items()
        },
        stage_counts={str(k): int(v) for k, v in (record.get("stage_counts") or {}).items()},
        config=config,
        dataset=context_dataset(config, framework, d),
        source=str(d),
        data_quality={
            k: record.get(k) for k in ("data_checks", "data_corrections", "coverage_gate") if k in record
        },
    )
