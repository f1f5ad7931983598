"""Load inputs, apply overrides, validate: what ``run``, ``validate``, ``audit`` and the web share."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mfgindex import dataset as dataset_mod
from mfgindex import framework as fw_mod
from mfgindex import ingest, validate
from mfgindex.dataset import Dataset
from mfgindex.errors import Problem, UserError
from mfgindex.framework import Framework

DEFAULT_FRAMEWORK = "caict2023"
DEFAULT_YEAR = 2022


@dataclass(frozen=True)
class Options:
    """Everything a run is made of, as given by the user (recorded in run.json)."""

    framework: str = DEFAULT_FRAMEWORK
    data: tuple[str, ...] = ()
    year: int | None = None
    previous_year: int | None = None
    top: int | None = None
    seed: int = 0
    methods: dict[str, Any] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        return {
            "framework": self.framework,
            "data": list(self.data) or "embedded default",
            "year": self.year,
            "previous_year": self.previous_year,
            "top": self.top,
            "seed": self.seed,
            "method_overrides": {
                k: (v.value if hasattr(v, "value") else v) for k, v in sorted(self.methods.items())
            },
        }


def load(options: Options) -> tuple[Dataset, Framework, list[Problem]]:
    """Framework and data with overrides applied; raises UserError on any error-severity problem."""
    framework = fw_mod.load(options.framework)
    if options.methods:
        framework = fw_mod.with_methods(framework, **options.methods)
    if options.top is not None:
        if options.top < 1:
            raise UserError(
                Problem("--top must be at least 1", column="--top", value=str(options.top), expected="N ≥ 1")
            )
        framework = framework.model_copy(update={"top_n": options.top})
    if options.data:
        got = ingest.read([Path(d) for d in options.data], tuple(framework.groups), options.year)
        problems = list(got.problems)
        ds = got.dataset
    else:
        problems, ds = [], dataset_mod.default()
    if ds is not None:
        problems.extend(validate.check(ds, framework))
    errors = [p for p in problems if p.severity == "error"]
    if errors or ds is None:
        raise UserError(errors or [Problem("no data")])
    return ds, framework, [p for p in problems if p.severity != "error"]


def default_year(ds: Dataset, options: Options) -> int:
    if options.year is not None:
        return options.year
    years = ds.years()
    return DEFAULT_YEAR if DEFAULT_YEAR in years and not options.data else years[-1]
