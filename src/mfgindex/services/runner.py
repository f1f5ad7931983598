"""Prepare and evaluate a :class:`~mfgindex.core.spec.RunSpec`: what ``run``, ``validate``, ``audit``, the
web app, the report, the toolbox and the workspace share.

:func:`prepare` reads the spec's inputs, applies its overrides and corrections, validates, runs the
plausibility checks and the coverage gate once; :func:`evaluate` evaluates the prepared inputs and returns
the :class:`~mfgindex.core.result.Result` with the resolved spec (year and hashes filled in);
:func:`rerun` is ``evaluate(RunSpec.load(folder))`` plus a comparison with the folder's ranks.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import numpy as np

from mfgindex.core import dataset as dataset_mod
from mfgindex.core import gates, ingest, validate
from mfgindex.core.dataset import Dataset
from mfgindex.core.errors import Problem, UserError
from mfgindex.core.framework import Framework
from mfgindex.core.ingest.users import read_users_data
from mfgindex.core.result import Result
from mfgindex.core.spec import DEFAULT_FRAMEWORK, DEFAULT_YEAR, RunSpec
from mfgindex.services import checks as checks_svc

__all__ = ["DEFAULT_FRAMEWORK", "DEFAULT_YEAR", "RunSpec"]  # re-exported: the faces build specs from here


class Prepared:
    """Inputs of a run after reading, corrections, validation, plausibility checks and the coverage gate.

    (A plain class: a dataclass's generated methods, compiled at class creation, cost start-up time.)"""

    __slots__ = ("checks", "dataset", "framework", "gate", "warnings")

    def __init__(
        self,
        dataset: Dataset,
        framework: Framework,
        warnings: list[Problem],
        checks: checks_svc.Outcome,
        gate: gates.YearGate | None,
    ) -> None:
        self.dataset = dataset
        self.framework = framework
        self.warnings = warnings
        self.checks = checks
        self.gate = gate


def prepare(options: RunSpec) -> Prepared:
    """Framework and data with overrides and corrections applied, checked once for the run's years.

    Raises UserError on any error: reading and validation problems, plausibility errors nobody accepted
    (``options.accept``), and a thin year (a dimension with < 50 % of its cells) unless
    ``options.allow_thin``.
    """
    framework = options.resolve_framework()
    problems: list[Problem]
    ds: Dataset | None
    if options.workspace is not None:
        problems, ds = [], _workspace_data(options)
    elif options.data:
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
    where = ", ".join(options.data) if options.data else options.workspace or "embedded data"
    problems.extend(p if p.file else p._replace(file=where) for p in validate.check(ds, framework))
    errors = [p for p in problems if p.severity == "error"]
    year = options.resolve_year(ds)
    # the plausibility checks run even when validation failed, so every problem is reported at once
    outcome = checks_svc.check(
        ds,
        framework,
        checks_svc.run_years(ds, year, options.previous_year),
        # over the embedded data (the reader's overlay), the data contain the embedded data; a workspace's
        # data are checked as a user's, merged with the embedded data (as `run --workspace` checks them)
        embedded=options.workspace is None and (not options.data or options.overlays()),
        accepted_files=[Path(a) for a in options.accept],
        corrections=applied,
        merge_default=options.workspace is not None
        and options.default_data
        and options.framework_label == DEFAULT_FRAMEWORK,
    )
    try:
        checks_svc.raise_on_errors(outcome)
    except UserError as exc:
        errors.extend(exc.problems)
    gate = None
    if year in ds.years() and not any(p.severity == "error" for p in problems):  # needs valid data
        try:
            gate = gates.gate(ds, framework, [year])[0]
        except UserError as exc:  # e.g. a variable the framework needs is in none of the files
            errors.extend(p if p.file else p._replace(file=where) for p in exc.problems)
        else:
            if not gate.passed and not options.allow_thin:
                errors.append(gate.problem())
    if errors:
        raise UserError(errors)
    # the checks' warnings stay in ``checks`` (run.json, 标记, the console's count), not in this list
    warnings = [p for p in problems if p.severity != "error"]
    return Prepared(ds, framework, warnings, outcome, gate)


def _workspace_data(options: RunSpec) -> Dataset:
    """The data of the spec's workspace as of its snapshot (a run recorded from a workspace)."""
    from mfgindex.workspace import snapshots

    if options.data or options.corrections:
        raise UserError(
            Problem(
                "a workspace run reads the workspace's data: no data files or corrections "
                "(import the values into the workspace)",
                file=str(options.workspace),
            )
        )
    return snapshots.load_dataset(Path(str(options.workspace)), options.snapshot)


def workspace_spec(directory: Path, options: RunSpec, snapshot: int | None = None) -> RunSpec:
    """``options`` reading the data workspace at ``directory`` as of import ``snapshot`` (None: its last
    import, pinned now so that the run records the state it read)."""
    from mfgindex.workspace import snapshots

    snap = snapshots.snapshot_id(directory) if snapshot is None else int(snapshot)
    return options.model_copy(update={"workspace": str(Path(directory).resolve()), "snapshot": snap})


def evaluate_workspace(
    directory: Path, options: RunSpec, snapshot: int | None = None
) -> tuple[Result, list[Problem], Prepared]:
    """:func:`evaluate` on a workspace's data: the same validation, plausibility checks, coverage gate and
    provenance as a run from files. ``result.spec`` names the workspace and the snapshot read."""
    return evaluate(workspace_spec(directory, options, snapshot))


def rerun_workspace(
    directory: Path, run_id: int, framework: str | None = None, *, allow_thin: bool = False
) -> tuple[Result, bool]:
    """Recompute a run recorded in a workspace from the data as they were then → (result, scores identical
    to the record). With ``framework``, the same data and year are evaluated under another framework.

    The recorded spec is evaluated like any spec (:func:`evaluate`: checks and coverage gate included),
    on the workspace at ``directory`` (where it is now, e.g. restored from an export). ``allow_thin``
    evaluates a thin year the recorded spec did not allow (a run recorded before workspace runs were gated).
    """
    from mfgindex.workspace import runs

    recorded = runs.recorded(directory, run_id)
    options = recorded.spec
    if framework is not None:
        options = options.model_copy(update={"framework": framework, "framework_sha256": None})
    if allow_thin:
        options = options.model_copy(update={"allow_thin": True})
    result, _, _ = evaluate_workspace(directory, options, recorded.snapshot)
    same = framework is None and recorded.same(result)
    return result, same


def load(options: RunSpec) -> tuple[Dataset, Framework, list[Problem]]:
    """Framework and data with overrides applied; raises UserError on any error-severity problem."""
    p = prepare(options)
    return p.dataset, p.framework, p.warnings


def evaluate(options: RunSpec) -> tuple[Result, list[Problem], Prepared]:
    """Prepare (read, check, gate) once, evaluate, and record the checks and the gate in the provenance.

    ``result.spec`` is ``options`` with the year, the framework's SHA-256 and the inputs' SHA-256 filled
    in; ``result.dataset`` the data evaluated.
    """
    p = prepare(options)
    return evaluate_prepared(options, p), p.warnings, p


def evaluate_prepared(options: RunSpec, p: Prepared) -> Result:
    """Evaluate a spec whose inputs are prepared (:func:`prepare`, or a workspace's snapshot)."""
    return with_checks(evaluate_data(options, p.dataset, p.framework), p)


def evaluate_data(options: RunSpec, ds: Dataset, framework: Framework) -> Result:
    """Evaluate ``options`` on data read and validated by the caller (a workbook uploaded to the web app);
    no plausibility checks or coverage gate are recorded. ``result.spec`` is ``options`` resolved."""
    from mfgindex.core import pipeline

    year = options.resolve_year(ds)
    result = pipeline.evaluate(ds, framework, year, options.previous_year, options.seed)
    resolved = options.resolved(framework, year, result.provenance.get("inputs", {}))
    return replace(result, spec=resolved, dataset=ds)


def with_checks(result: Result, p: Prepared) -> Result:
    """``result`` whose provenance carries the checks, the corrections and the coverage gate."""
    prov = checks_svc.annotate(result.provenance, p.checks)
    if p.gate is not None:
        prov["coverage_gate"] = p.gate.record()
    return replace(result, provenance=MappingProxyType(prov))


class Rerun:
    """A run folder re-evaluated from its run.json (``result``: its spec and data included), with what
    differs from the recorded run."""

    __slots__ = ("result", "warnings")

    def __init__(self, result: Result, warnings: tuple[str, ...]) -> None:
        self.result = result
        self.warnings = warnings


def rerun(folder: Path) -> Rerun:
    """Re-evaluate a folder written by ``mfgindex run``: ``evaluate(RunSpec.load(folder))``.

    The framework is the one recorded (not the preset of today); the data are the recorded files, or the
    embedded data. Warnings say when an input file's hash changed since the run and when the re-evaluated
    ranks differ from the folder's ``scores.csv``.
    """
    spec = RunSpec.load(folder)
    result, problems, prepared = evaluate(spec)
    warnings = [str(p) for p in problems]
    recorded = spec.data_sha256
    now = prepared.dataset.inputs
    changed = sorted(k for k in recorded if k in now and now[k] != recorded[k])
    if changed:
        warnings.append(f"input files changed since the run: {', '.join(changed)}")
    now_sha = result.spec.framework_sha256 if result.spec is not None else None
    if spec.framework_sha256 is not None and now_sha != spec.framework_sha256:
        warnings.append("the framework differs from the one recorded in run.json (hash changed)")
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
    return Rerun(result, tuple(warnings))
