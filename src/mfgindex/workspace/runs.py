"""Keep each run from a workspace (its RunSpec, input hashes, outputs) for reproducibility.

A run from a workspace is evaluated like any run, by :func:`mfgindex.services.runner.evaluate_workspace`
(the same reading checks, plausibility checks and coverage gate as ``mfgindex run``). This module records it:
its :class:`~mfgindex.core.spec.RunSpec` (the workspace and the *snapshot* it read, i.e. the last import id,
the year, the framework's and the data's SHA-256: what run.json holds under ``spec``), so it can be
recomputed later from exactly the data it used (:func:`recorded`, then
:func:`mfgindex.services.runner.rerun_workspace`), even after newer imports. Runs recorded before specs were
kept (schema version < 4) are recomputed from their config. A previous year's ranking under the current
framework is simply an evaluation of that year from the current workspace.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from mfgindex.core.dataset import sha256
from mfgindex.core.errors import Problem, UserError
from mfgindex.core.result import Result
from mfgindex.core.spec import DEFAULT_FRAMEWORK, RunSpec
from mfgindex.workspace import snapshots, store
from mfgindex.workspace.schema import connect, run


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
        accept=tuple(config.get("accepted_findings", ())),
        allow_thin=bool(config.get("allow_thin", False)),
    )


@dataclass(frozen=True)
class Recorded:
    """A run as the workspace recorded it: its spec (year fixed), the snapshot it read, the SHA-256 of its
    data and its scores.csv text."""

    spec: RunSpec
    snapshot: int
    data_sha256: str
    scores: str

    def same(self, result: Result) -> bool:
        """``result`` read the same data and has the same scores (to the 10 digits stored)."""
        inputs = dict(result.provenance.get("inputs", {}))
        return next(iter(inputs.values()), "") == self.data_sha256 and _scores_csv(result) == self.scores


def recorded(directory: Path, run_id: int) -> Recorded:
    """The recorded run ``run_id`` (its evaluation: :func:`mfgindex.services.runner.rerun_workspace`)."""
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
    return Recorded(options.model_copy(update={"year": int(year)}), int(snapshot), str(digest), str(scores))
