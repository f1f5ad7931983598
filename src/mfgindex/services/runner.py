"""Load inputs, apply overrides, validate: what ``run``, ``validate``, ``audit`` and the web share."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from mfgindex.core import dataset as dataset_mod
from mfgindex.core import framework as fw_mod
from mfgindex.core import gates, ingest, validate
from mfgindex.core.dataset import Dataset
from mfgindex.core.errors import Problem, UserError
from mfgindex.core.files import resolve_input
from mfgindex.core.framework import Framework
from mfgindex.core.ingest.users import read_users_data
from mfgindex.core.result import Result
from mfgindex.services import checks as checks_svc

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
    accept: tuple[str, ...] = ()  # reviewed findings files (each entry with a reason)
    corrections: tuple[str, ...] = ()  # files whose values replace the data's
    allow_thin: bool = False  # evaluate a year even when a dimension has < 50 % of its cells
    column_map: str | None = None  # --map: file column → variable id (YAML or CSV)
    default_data: bool = True  # with the default preset, --data is put over the embedded data

    def overlays(self) -> bool:
        """``--data`` goes over the embedded data: the default preset, unless ``--no-default-data``."""
        return bool(self.data) and self.default_data and self.framework == DEFAULT_FRAMEWORK

    def record(self) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        if self.accept:
            extra["accepted_findings"] = list(self.accept)
        if self.corrections:
            extra["corrections"] = list(self.corrections)
        if self.allow_thin:
            extra["allow_thin"] = True
        if self.column_map:
            extra["column_map"] = self.column_map
        if self.data:
            extra["data_mode"] = "over the embedded data" if self.overlays() else "the given data alone"
        return {
            "framework": self.framework,
            "data": list(self.data) or "embedded default",
            **extra,
            "year": self.year,
            "previous_year": self.previous_year,
            "top": self.top,
            "seed": self.seed,
            "method_overrides": {
                k: (v.value if hasattr(v, "value") else v) for k, v in sorted(self.methods.items())
            },
            **extra,
        }


@dataclass(frozen=True)
class Prepared:
    """Inputs of a run after reading, corrections, validation, plausibility checks and the coverage gate."""

    dataset: Dataset
    framework: Framework
    warnings: list[Problem]
    checks: checks_svc.Outcome
    gate: gates.YearGate | None


def prepare(options: Options) -> Prepared:
    """Framework and data with overrides and corrections applied, checked once for the run's years.

    Raises UserError on any error: reading and validation problems, plausibility errors nobody accepted
    (``options.accept``), and a thin year (a dimension with < 50 % of its cells) unless
    ``options.allow_thin``.
    """
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
        ds, problems = read_users_data(
            [Path(d) for d in options.data],
            framework,
            options.year,
            Path(options.column_map) if options.column_map else None,
            overlay=options.overlays(),
        )
    else:
        problems, ds = [], dataset_mod.default()
    if ds is None:
        no_data = Problem("no data", file=", ".join(options.data) or "embedded data")
        raise UserError([p for p in problems if p.severity == "error"] or [no_data])
    ds, applied = checks_svc.apply_corrections(ds, [Path(c) for c in options.corrections])
    where = ", ".join(options.data) if options.data else "embedded data"
    problems.extend(p if p.file else replace(p, file=where) for p in validate.check(ds, framework))
    errors = [p for p in problems if p.severity == "error"]
    year = default_year(ds, options)
    # the plausibility checks run even when validation failed, so every problem is reported at once
    outcome = checks_svc.check(
        ds,
        framework,
        checks_svc.run_years(ds, year, options.previous_year),
        # over the embedded data (the reader's overlay), the data contain the embedded data
        embedded=not options.data or options.overlays(),
        accepted_files=[Path(a) for a in options.accept],
        corrections=applied,
        merge_default=False,
    )
    try:
        checks_svc.raise_on_errors(outcome)
    except UserError as exc:
        errors.extend(exc.problems)
    gate = None
    if year in ds.years() and not any(p.severity == "error" for p in problems):  # needs valid data
        gate = gates.gate(ds, framework, [year])[0]
        if not gate.passed and not options.allow_thin:
            errors.append(gate.problem())
    if errors:
        raise UserError(errors)
    # the checks' warnings stay in ``checks`` (run.json, 标记, the console's count), not in this list
    warnings = [p for p in problems if p.severity != "error"]
    return Prepared(ds, framework, warnings, outcome, gate)


def load(options: Options) -> tuple[Dataset, Framework, list[Problem]]:
    """Framework and data with overrides applied; raises UserError on any error-severity problem."""
    p = prepare(options)
    return p.dataset, p.framework, p.warnings


def evaluate(options: Options) -> tuple[Result, list[Problem], Prepared]:
    """Prepare (read, check, gate) once, evaluate, and record the checks and the gate in the provenance."""
    from mfgindex.core import pipeline

    p = prepare(options)
    year = default_year(p.dataset, options)
    result = pipeline.evaluate(p.dataset, p.framework, year, options.previous_year, options.seed)
    return with_checks(result, p), p.warnings, p


def with_checks(result: Result, p: Prepared) -> Result:
    """``result`` whose provenance carries the checks, the corrections and the coverage gate."""
    prov = checks_svc.annotate(result.provenance, p.checks)
    if p.gate is not None:
        prov["coverage_gate"] = p.gate.record()
    return replace(result, provenance=MappingProxyType(prov))


def default_year(ds: Dataset, options: Options) -> int:
    if options.year is not None:
        return options.year
    if options.overlays():  # over the embedded data: the latest year the user's files supplied
        supplied = ds.reading.get("supplied") or {}
        given = [int(y) for per_file in supplied.values() for per_var in per_file.values() for y in per_var]
        if given:
            return max(given)
    years = ds.years()
    return DEFAULT_YEAR if DEFAULT_YEAR in years and not options.data else years[-1]


@dataclass(frozen=True)
class Rerun:
    """A run folder re-evaluated from its run.json, with what differs from the recorded run."""

    dataset: Dataset
    framework: Framework
    result: Result
    config: dict[str, Any]
    data_paths: tuple[Path, ...]
    warnings: tuple[str, ...]


def rerun(folder: Path) -> Rerun:
    """Re-evaluate a folder written by ``mfgindex run`` from its ``run.json``.

    The framework is the one recorded (not the preset of today); the data are the recorded files, or the
    embedded data. Warnings say when an input file's hash changed since the run and when the re-evaluated
    ranks differ from the folder's ``scores.csv``.
    """
    from mfgindex.core import pipeline

    run_json = folder / "run.json"
    if not run_json.is_file():
        raise UserError(
            Problem(
                "not a run folder: run.json is missing",
                file=str(folder),
                expected="a folder written by `mfgindex run --out DIR`",
            )
        )
    try:
        record = json.loads(run_json.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(Problem(f"cannot read run.json: {exc}", file=str(run_json))) from None
    if not isinstance(record, dict) or not isinstance(record.get("framework"), dict):
        raise UserError(Problem("run.json has no framework", file=str(run_json)))
    framework = fw_mod.from_dict(record["framework"], file=str(run_json))
    config = record.get("config") or {}
    data = config.get("data")
    paths = tuple(resolve_input(str(d), folder) for d in data) if isinstance(data, list) else ()
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UserError(
            Problem(f"data named in run.json not found: {', '.join(missing)}", file=str(run_json))
        )
    year = record.get("year")
    problems: list[Problem] = []
    ds: Dataset | None
    if paths:
        mode = config.get("data_mode")
        cmap = config.get("column_map")
        ds, found = read_users_data(
            list(paths),
            framework,
            year if isinstance(year, int) else None,
            Path(str(cmap)) if isinstance(cmap, str) else None,
            overlay=mode == "over the embedded data",
        )
        problems.extend(found)
    else:
        ds = dataset_mod.default()
    if ds is not None:
        problems.extend(validate.check(ds, framework))
    errors = [p for p in problems if p.severity == "error"]
    if errors or ds is None:
        raise UserError(errors or [Problem("no data", file=str(run_json))])
    if not isinstance(year, int):
        year = default_year(ds, Options(data=tuple(map(str, paths))))
    prev = record.get("previous_year")
    result = pipeline.evaluate(
        ds, framework, year, prev if isinstance(prev, int) else None, int(record.get("seed") or 0)
    )
    warnings = [str(p) for p in problems]
    recorded = dict(record.get("inputs") or {})
    changed = sorted(k for k in recorded if k in ds.inputs and ds.inputs[k] != recorded[k])
    if changed:
        warnings.append(f"input files changed since the run: {', '.join(changed)}")
    scores = folder / "scores.csv"
    if scores.is_file():
        try:
            frame, _ = ingest.read_csv(scores, dtype={"code": str})  # UTF-8, else GB18030
            saved = frame.set_index("code")["rank"].astype(float)
        except (UserError, ValueError, KeyError):
            warnings.append(f"{scores}: could not be read to check the re-evaluated ranks")
        else:
            ours = (
                result.table["rank"].astype("Float64").reindex(saved.index).fillna(-1).to_numpy(dtype=float)
            )
            if not np.array_equal(ours, saved.fillna(-1).to_numpy(dtype=float)):
                warnings.append(
                    "re-evaluated ranks differ from the run's scores.csv (data or package version changed)"
                )
    return Rerun(ds, framework, result, dict(config), paths, tuple(warnings))
