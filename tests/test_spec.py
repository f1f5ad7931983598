"""``RunSpec``: serialisable, recorded in run.json with the inputs' hashes, and re-run by load + evaluate."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import mfgindex as mi
from mfgindex.cli.main import app
from mfgindex.core.errors import UserError
from mfgindex.core.geo import data_path
from mfgindex.services import runner

ASEM = data_path("asem")


def test_a_spec_round_trips_through_json() -> None:
    spec = mi.RunSpec(
        framework="caict2023",
        data=("a.csv",),
        year=2021,
        top=30,
        seed=7,
        methods={"normalise": "zscore", "range": (1, 100), "aggregate_by_level": {2: "geometric"}},
        accept=("reviewed.csv",),
        corrections=("fixes.csv",),
        default_data=False,
        allow_thin=True,
    )
    again = mi.RunSpec.model_validate_json(spec.model_dump_json())
    assert again == spec
    assert again.methods == {
        "aggregate_by_level": {"2": "geometric"},
        "normalise": "zscore",
        "range": [1, 100],
    }


def test_unknown_fields_and_methods_are_refused() -> None:
    with pytest.raises(UserError, match="yaer: run spec: Extra inputs"):
        mi.RunSpec.from_dict({"yaer": 2022})
    with pytest.raises(UserError, match="unknown method"):
        mi.RunSpec.from_dict({"methods": {"normalize": "zscore"}})


@pytest.fixture(scope="module")
def asem_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("asem") / "run"
    args = ["run", "-q", "-f", str(ASEM / "iMeta.csv"), "-d", str(ASEM / "iData.csv"), "--no-default-data"]
    res = CliRunner().invoke(app, [*args, "--seed", "3", "--out", str(out)])
    assert res.exit_code == 0, res.output
    return out


def test_run_json_records_the_spec_with_the_inputs_hashes(asem_run: Path) -> None:
    record = json.loads((asem_run / "run.json").read_text(encoding="utf-8"))
    spec = record["spec"]
    data = ASEM / "iData.csv"
    assert spec["data"] == [str(data)] and spec["default_data"] is False and spec["seed"] == 3
    assert spec["data_sha256"][str(data)] == hashlib.sha256(data.read_bytes()).hexdigest()
    assert len(spec["framework_sha256"]) == 64 and spec["year"] == record["year"]


def test_rerun_is_load_and_evaluate(asem_run: Path) -> None:
    saved = pd.read_csv(asem_run / "scores.csv", dtype={"code": str}).set_index("code")["rank"]
    got = runner.rerun(asem_run)
    assert not [w for w in got.warnings if "changed" in w or "differ" in w], got.warnings
    ranks = got.result.scores["rank"].reindex(saved.index)
    assert (ranks.to_numpy() == saved.to_numpy()).all()
    assert mi.evaluate(mi.RunSpec.load(asem_run)).scores["rank"].equals(got.result.scores["rank"])


def test_a_run_json_without_a_spec_still_reruns(asem_run: Path, tmp_path: Path) -> None:
    """Folders written before specs were recorded: the spec is read from the framework and config."""
    old = tmp_path / "old"
    old.mkdir()
    record = json.loads((asem_run / "run.json").read_text(encoding="utf-8"))
    del record["spec"]
    (old / "run.json").write_text(json.dumps(record), encoding="utf-8")
    (old / "scores.csv").write_bytes((asem_run / "scores.csv").read_bytes())
    got = runner.rerun(old)
    assert not [w for w in got.warnings if "changed" in w or "differ" in w], got.warnings
    assert got.result.spec is not None and got.result.spec.default_data is False


def test_a_changed_input_is_named(asem_run: Path, tmp_path: Path) -> None:
    data = tmp_path / "iData.csv"
    data.write_bytes((ASEM / "iData.csv").read_bytes())
    record = json.loads((asem_run / "run.json").read_text(encoding="utf-8"))
    record["spec"]["data"] = [str(data)]
    record["spec"]["data_sha256"] = {str(data): "0" * 64}
    (tmp_path / "run.json").write_text(json.dumps(record), encoding="utf-8")
    got = runner.rerun(tmp_path)
    assert any("input files changed since the run" in w and str(data) in w for w in got.warnings)
