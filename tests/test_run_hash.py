"""The run's fingerprint (``Result.run_hash``): the same for the same numbers wherever the files lie,
different when anything that makes the numbers differs."""

from __future__ import annotations

import csv
import shutil
from importlib import resources
from pathlib import Path

import pytest

import mfgindex as mi

ASEM = Path(str(resources.files("mfgindex") / "data" / "asem"))
COIN = {"denominate": True, "impute": "group_mean", "impute_group": "EurAsia_group"}


def _copy(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in ("iMeta.csv", "iData.csv"):
        shutil.copy(ASEM / name, folder / name)
    return folder


def _hash(folder: Path, **changes: object) -> str:
    spec = mi.RunSpec(framework=str(folder / "iMeta.csv"), data=(str(folder / "iData.csv"),), methods=COIN)
    return mi.evaluate(spec.model_copy(update=changes)).run_hash()


@pytest.fixture(scope="module")
def two_places(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("runhash")
    return _copy(root / "here"), _copy(root / "there" / "deeper")


def test_same_files_elsewhere_same_hash(two_places: tuple[Path, Path]) -> None:
    here, there = two_places
    first = _hash(here)
    assert len(first) == 16 and int(first, 16) >= 0
    assert _hash(there) == first


def test_one_changed_value_changes_the_hash(two_places: tuple[Path, Path], tmp_path: Path) -> None:
    changed = _copy(tmp_path / "changed")
    path = changed / "iData.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    rows[1][rows[0].index("GDP")] = str(float(rows[1][rows[0].index("GDP")]) * 1.5)  # Austria
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    assert _hash(changed) != _hash(two_places[0])


@pytest.mark.parametrize("changes", [{"seed": 7}, {"methods": {**COIN, "normalise": "zscore"}}, {"top": 5}])
def test_seed_methods_and_framework_change_the_hash(
    two_places: tuple[Path, Path], changes: dict[str, object]
) -> None:
    assert _hash(two_places[0], **changes) != _hash(two_places[0])
