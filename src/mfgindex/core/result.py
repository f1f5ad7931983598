"""The immutable result of an evaluation: every stage's output by name, weights, ranks and provenance."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import pandas as pd

from mfgindex import __version__
from mfgindex.core.framework import Framework
from mfgindex.core.spec import framework_sha256
from mfgindex.core.treat import TreatLog

if TYPE_CHECKING:
    from mfgindex.core.dataset import Dataset
    from mfgindex.core.spec import RunSpec


@dataclass(frozen=True, eq=False)
class YearResult:
    """One year's evaluation. Frames are units × indicators (stages) or units × aggregates (scores)."""

    year: int
    stages: Mapping[str, pd.DataFrame]
    imputed: pd.DataFrame
    treated: pd.DataFrame
    scores: pd.DataFrame
    stage_label: pd.Series
    stage_mix: pd.DataFrame
    weights: Mapping[str, pd.DataFrame]
    treat_log: tuple[TreatLog, ...]
    excluded: Mapping[str, str]
    coverage: pd.DataFrame


@dataclass(frozen=True, eq=False)
class Result:
    """An evaluation: the current year, the previous year (same framework) and the ranking table."""

    framework: Framework
    current: YearResult
    previous: YearResult | None
    table: pd.DataFrame
    units: pd.DataFrame
    nominal_weights: Mapping[str, pd.Series]
    global_weights: pd.Series
    effective_weights: pd.Series
    provenance: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    # the spec evaluated, with the year and the framework's and inputs' hashes filled in (None when the
    # pipeline was called directly), and the data it was evaluated on (the report, the toolbox and the
    # dashboard read the non-indicator variables, lists and panels from it)
    spec: RunSpec | None = None
    dataset: Dataset | None = None

    @property
    def year(self) -> int:
        return self.current.year

    @property
    def scores(self) -> pd.DataFrame:
        """The ranking table (``scores.csv``): one row per unit, indexed by code, sorted by rank."""
        return self.table

    def aggregate_ids(self) -> list[str]:
        return [a.id for a in self.framework.aggregates()]

    def run_hash(self) -> str:
        """The run's fingerprint (16 hex digits of a SHA-256): equal when the numbers are made of the same
        things — the framework with its method choices and weights (its SHA-256), the content of every input
        (data, corrections, expert surveys: the SHA-256 of their bytes, wherever the files lie), the year, the
        comparison year, the seed and mfgindex's version. The same run gives the same hash on every machine;
        the dashboard's export and results.xlsx show this one."""
        p = self.provenance
        payload = {
            "framework": framework_sha256(self.framework),
            "inputs": sorted(dict(p.get("inputs") or {}).values()),
            "year": self.year,
            "previous_year": p.get("previous_year"),
            "seed": p.get("seed", 0),
            "version": __version__,
        }
        blob = json.dumps(payload, sort_keys=True).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()[:16]
