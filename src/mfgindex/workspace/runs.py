"""Evaluate from a workspace and keep each run (its RunSpec, input hashes, outputs) for reproducibility.

A run records its :class:`~mfgindex.core.spec.RunSpec` (the workspace and the *snapshot* it read, i.e. the
last import id, the year, the framework's and the data's SHA-256: what run.json holds under ``spec``), so
it can be recomputed later from exactly the data it used (``rerun``), even after newer imports. Runs
recorded before specs were kept (schema version < 4) are recomputed from their config. A previous year's
ranking under the current framework is simply an evaluation of that year from the current workspace.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from mfgindex.core import framework as fw_mod
from mfgindex.core import pipeline, validate
from mfgindex.core.dataset import Dataset, sha256
from mfgindex.core.errors import Problem, UserError
from mfgindex.core.result import Result
from mfgindex.core.spec import DEFAULT_FRAMEWORK, RunSpec
from mfgindex.workspace import snapshots, store
from mfgindex.workspace.schema import connect, run


def load(
    directory: Path, options: RunSpec, snapshot: int | None = None
) -> tuple[Dataset, fw_mod.Framework, list[Problem]]:
    """The spec's framework and the workspace's data (current, or as of ``snapshot``), validated."""
    framework = options.resolve_framework()
    ds = snapshots.load_dataset(directory, snapshot)
    problems = validate.check(ds, framework)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise UserError(errors)
    return ds, framework, [p for p in problems if p.severity != "error"]


def evaluate(directory: Path, options: RunSpec, snapshot: int | None = None) -> tuple[Result, list[Problem]]:
    """Evaluate ``options`` on the workspace → (Result, warnings). Pure apart from reading the workspace.

    ``result.spec`` is ``options`` with the workspace, the snapshot read, the year and the hashes filled in.
    """
    ds, framework, warnings = load(directory, options, snapshot)
    year = options.resolve_year(ds)
    result = pipeline.evaluate(ds, framework, year, options.previous_year, options.seed)
    where = {"workspace": str(Path(directory).resolve()), "snapshot": _snapshot(directory, snapshot)}
    spec = options.model_copy(update=where).resolved(framework, year, result.provenance.get("inputs", {}))
    return replace(result, spec=spec), warnings


def _snapshot(directory: Path, snapshot: int | None) -> int:
    return snapshots.snapshot_id(directory) if snapshot is None else int(snapshot)


def _scores_csv(result: Result) -> str:
    buf = io.StringIO()
    result.table.to_csv(buf, float_format="%.10g")
    return buf.getvalue()


def record_run(
    directory: Path,
    result: Result,
    config: dict[str, Any],
    out_dir: Path | None = None,
    written: Iterable[Path] = (),
) -> int:
    """Store a run: its spec and config, input hashes, the snapshot it read, output files' hashes and the
    scores."""
    spec = result.spec
    snapshot = (
        spec.snapshot if spec is not None and spec.snapshot is not None else snapshots.snapshot_id(directory)
    )
    inputs = dict(result.provenance.get("inputs", {}))
    digest = next(iter(inputs.values()), "")
    outputs = {p.name: sha256(p) for p in written if p.is_file()}
    with connect(directory) as con:
        run_id = store.next_id(con, "runs")
        run(
            con,
            "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run_id,
                store.now(),
                json.dumps(config, ensure_ascii=False, sort_keys=True, default=str),
                json.dumps(inputs, sort_keys=True),
                snapshot,
                digest,
                int(result.provenance["year"]),
                result.provenance.get("previous_year"),
                str(out_dir) if out_dir else None,
                json.dumps(outputs, sort_keys=True),
                _scores_csv(result),
                None if spec is None else json.dumps(spec.dump(), ensure_ascii=False, sort_keys=True),
            ],
        )
    return run_id


def runs(directory: Path) -> pd.DataFrame:
    with connect(directory) as con:
        return con.execute(
            "SELECT id, created_at, year, previous_year, snapshot, data_sha256, out_dir, config "
            "FROM runs ORDER BY id"
        ).df()


def options_of(config: dict[str, Any]) -> RunSpec:
    """The spec back from the config of a run recorded before specs were kept (``RunSpec.record()``)."""
    return RunSpec(
        framework=str(config.get("framework", DEFAULT_FRAMEWORK)),
        year=config.get("year"),
        previous_year=config.get("previous_year"),
        top=config.get("top"),
        seed=int(config.get("seed", 0)),
        methods=dict(config.get("method_overrides", {})),
    )


def rerun(directory: Path, run_id: int, framework: str | None = None) -> tuple[Result, bool]:
    """Recompute a recorded run from the data as it was then → (result, scores identical to the record).

    With ``framework``, the same data and year are evaluated under another (e.g. the current) framework.
    """
    with connect(directory) as con:
        rows = con.execute(
            "SELECT spec, config, snapshot, data_sha256, year, scores FROM runs WHERE id = ?", [run_id]
        ).fetchall()
    if not rows:
        raise UserError(Problem(f"no run {run_id} in the workspace", column="--run", value=str(run_id)))
    spec_text, config_text, snapshot, digest, year, scores = rows[0]
    if spec_text:
        options = RunSpec.from_dict(json.loads(spec_text), f"workspace run {run_id}")
    else:  # recorded before specs were kept
        options = options_of(json.loads(config_text))
    options = options.model_copy(update={"year": int(year)})
    if framework is not None:
        options = options.model_copy(update={"framework": framework})
    result, _ = evaluate(directory, options, int(snapshot))
    inputs = dict(result.provenance.get("inputs", {}))
    same_data = next(iter(inputs.values()), "") == digest
    return result, same_data and framework is None and _scores_csv(result) == scores
