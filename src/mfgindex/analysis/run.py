"""A run's results as the analyses and the report read them: a thin view over a
:class:`~mfgindex.core.result.Result`.

:class:`RunData` derives, from the result and nothing else, what every run-mode analysis and the report
need: the ranking table (docs/ARCHITECTURE.md ``scores.csv``), raw and normalised indicator values,
coverage, nominal weights, stage counts, the run's settings (its :class:`~mfgindex.core.spec.RunSpec`) and
the data it was evaluated on (``result.dataset``: GDP, population, lists — the aggregates that are not
indicators). A run folder is read by re-evaluating it (``mfgindex.rerun`` / ``services.runner.rerun``),
never by reading its CSV files back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pandas as pd

from mfgindex.analysis.table import from_scores
from mfgindex.core.dataset import Dataset
from mfgindex.core.framework import Framework
from mfgindex.core.result import Result

EMBEDDED = "embedded default"


@dataclass(frozen=True)
class RunData:
    """What the run-mode analyses read, derived from ``result`` on first use.

    Attributes
    ----------
    result
        The evaluation.
    framework
        The framework of the run (the result's; an analysis may change its list length ``top_n``).
    config
        The run's settings in short form (``RunSpec.record()``, the ``config`` block of run.json).
    source
        Where the run came from (a run folder, or ``evaluated``).
    """

    result: Result
    framework: Framework
    config: Mapping[str, Any]
    source: str = "evaluated"

    @cached_property
    def table(self) -> pd.DataFrame:
        """Ranking table (:func:`~mfgindex.analysis.table.from_scores`) of the ranked units, by rank."""
        return from_scores(self.result.table.copy())

    @property
    def raw(self) -> pd.DataFrame:
        """Units × indicator ids: the ``raw`` stage of the evaluated year."""
        return self.result.current.stages["raw"]

    @property
    def normalised(self) -> pd.DataFrame:
        """Units × indicator ids: the ``normalised`` stage of the evaluated year."""
        return self.result.current.stages["normalised"]

    @property
    def year(self) -> int:
        return self.result.year

    @property
    def previous_year(self) -> int | None:
        """The year ranks are compared with (None when there is none)."""
        return None if self.result.previous is None else self.result.previous.year

    @cached_property
    def coverage(self) -> Mapping[str, float]:
        """Aggregate id → share of non-missing indicator values."""
        return {str(k): float(v) for k, v in self.result.current.coverage["coverage"].items()}

    @cached_property
    def nominal_weights(self) -> Mapping[str, Mapping[str, float]]:
        """Aggregate id → {child id → nominal local weight}."""
        return {k: {str(c): float(w) for c, w in v.items()} for k, v in self.result.nominal_weights.items()}

    @cached_property
    def stage_counts(self) -> Mapping[str, int]:
        """Stage label → number of units."""
        labels = self.result.current.stage_label
        return {str(k): int(v) for k, v in labels.value_counts().sort_index().items()}

    @property
    def dataset(self) -> Dataset | None:
        """The data the run was evaluated on, read by the city analyses (GDP, population, lists); None when
        the units are not cities (those analyses do not apply) or the result carries no data."""
        return self.result.dataset if self.framework.universe.kind == "cities" else None

    @cached_property
    def data_quality(self) -> Mapping[str, Any]:
        """run.json's data_checks, data_corrections and coverage_gate: what the data appendix shows."""
        prov = self.result.provenance
        return {
            "data_checks": prov.get("checks"),
            "data_corrections": list(prov.get("data_corrections") or []),
            "coverage_gate": prov.get("coverage_gate"),
        }

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


def from_result(
    result: Result, config: Mapping[str, Any] | None = None, source: str = "evaluated"
) -> RunData:
    """The analyses' view of ``result``; ``config`` defaults to the result's spec in short form
    (``RunSpec.record()``), or the embedded data when the result has no spec."""
    if config is None:
        config = result.spec.record() if result.spec is not None else {"data": EMBEDDED}
    return RunData(result, result.framework, dict(config), source)
