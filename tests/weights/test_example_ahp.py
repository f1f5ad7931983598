"""examples/ahp: the framework runs on the default data; its weights are the published/hand values."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from mfgindex.cli.main import app
from mfgindex.core.weights.ahp import ahp, combine_judgements
from tests.reference import weights as ref

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ahp"


def test_example_ahp_runs_PapathanasiouPloskas2018(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # experts.xlsx is found next to the framework file
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", "-f", str(EXAMPLE / "framework.yaml"), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    block = json.loads((out / "run.json").read_text(encoding="utf-8"))["weights"]["derivation"]
    index = block["nodes"]["index"]
    case = ref.PAPATHANASIOU_PLOSKAS_2018_AHP
    e01 = index["experts"]["E01"]
    np.testing.assert_allclose(list(e01["weights"].values()), case["weights"], atol=5e-5)
    assert e01["cr"] == pytest.approx(case["cr"], abs=5e-4)
    # group weights: eigenvector of the element-wise geometric mean of E01 and E02 (make_experts.py)
    e02 = np.array([[1, 1 / 2, 3, 2], [2, 1, 5, 3], [1 / 3, 1 / 5, 1, 1 / 2], [1 / 2, 1 / 3, 2, 1]])
    group = ahp(combine_judgements([np.array(case["matrix"]), e02]))
    np.testing.assert_allclose(list(index["weights"].values()), group.weights, atol=1e-9)
    assert index["consistent"] is True and block["nodes"]["green"]["method"] == "entropy"
    assert "权重推导" in load_workbook(out / "results.xlsx").sheetnames


def test_example_workbook_matches_its_script(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_experts", EXAMPLE / "make_experts.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(tmp_path / "experts.xlsx")

    def cells(path: Path) -> list[list[object]]:
        ws = load_workbook(path)["ahp_round1"]
        return [list(r) for r in ws.iter_rows(values_only=True)]

    assert cells(tmp_path / "experts.xlsx") == cells(EXAMPLE / "experts.xlsx")
