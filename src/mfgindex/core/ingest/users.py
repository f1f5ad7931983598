"""Users' data for an evaluation: the one reader, the framework's names and units, the overlay."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

from mfgindex.core import dataset as dataset_mod
from mfgindex.core.dataset import Dataset
from mfgindex.core.errors import Problem
from mfgindex.core.framework import Framework
from mfgindex.core.ingest.maps import read_map
from mfgindex.core.ingest.overlay import overlay as over
from mfgindex.core.ingest.reader import read


def framework_variables(framework: Framework) -> dict[str, tuple[str, str]]:
    """The framework's variables as the reader needs them: id → (name_zh, unit)."""
    return {k: (v.name_zh, v.unit) for k, v in framework.variables.items()}


def read_users_data(
    paths: list[Path],
    framework: Framework,
    year: int | None = None,
    column_map: Path | None = None,
    overlay: bool = False,
) -> tuple[Dataset | None, list[Problem]]:
    """Users' tables through the one reader; over the embedded data when ``overlay``.

    Rows of units outside the framework's universe (municipalities) are reported, with counts, as a
    warning and in the dataset's reading record (``run.json``).
    """
    mapping = read_map(column_map) if column_map is not None else None
    got = read(
        paths, tuple(framework.groups), year, variables=framework_variables(framework), column_map=mapping
    )
    problems = list(got.problems)
    ds = got.dataset
    if ds is None:
        return None, problems
    record = dict(ds.reading)
    record["supplied"] = got.supplied
    if ds.kind == "cities":
        units = ds.units
        uni = framework.universe
        outside = units.index[
            units["unit_type"].isin(uni.exclude_unit_types) | units.index.isin(uni.exclude_codes)
        ]
        hit = ds.values[ds.values["code"].isin(outside)]
        if len(hit):
            excluded: dict[str, dict[str, int]] = {}
            for (f, code), grp in hit.groupby(["file", "code"], sort=True):
                excluded.setdefault(str(f), {})[str(units.at[code, "name"])] = int(grp["row"].nunique())
            record["excluded_rows"] = excluded
            for f, by_unit in excluded.items():
                listed = "、".join(f"{n} {k} 行" for n, k in by_unit.items())
                problems.append(
                    Problem(
                        f"rows of units outside the evaluated universe excluded ({listed}): "
                        "直辖市 (municipalities) and the framework's excluded units are not ranked",
                        file=f,
                        severity="warning",
                    )
                )
    ds = replace(ds, reading=MappingProxyType(record))
    if overlay and ds.kind == "cities":
        ds = over(dataset_mod.default(), ds)
    return ds, problems
