"""A workspace's data read back as a :class:`~mfgindex.core.dataset.Dataset`, as of a snapshot (an import
id), and the history of a value."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from mfgindex.core import dataset as dataset_mod
from mfgindex.core import geo
from mfgindex.core.dataset import Dataset
from mfgindex.core.errors import Problem, UserError
from mfgindex.workspace.schema import Connection, connect
from mfgindex.workspace.store import current


def _list_versions(con: Connection, snapshot: int | None) -> list[tuple[str, int]]:
    """(list, import id of its current version), by list name; as of import ``snapshot`` when given."""
    rows = con.execute(
        "SELECT e.list, max(e.import_id) FROM list_entries e JOIN imports i ON i.id = e.import_id "
        "WHERE ? IS NULL OR i.id <= ? GROUP BY e.list ORDER BY e.list",
        [snapshot, snapshot],
    ).fetchall()
    return [(str(name), int(import_id)) for name, import_id in rows]


def _lists(con: Connection, snapshot: int | None) -> dict[str, pd.DataFrame]:
    out: dict[str, pd.DataFrame] = {}
    for name, import_id in _list_versions(con, snapshot):
        rows = con.execute(
            "SELECT unit, year, attrs FROM list_entries WHERE list = ? AND import_id = ? "
            "AND unit IS NOT NULL ORDER BY seq",
            [name, import_id],
        ).fetchall()
        frame = pd.DataFrame(
            {"code": [str(r[0]) for r in rows], "year": np.array([int(r[1]) for r in rows], dtype=np.int64)}
        )
        attrs = [json.loads(r[2]) if r[2] else {} for r in rows]
        for key in sorted({k for a in attrs for k in a}):
            frame[key] = np.array(
                [np.nan if a.get(key) is None else float(a[key]) for a in attrs], dtype=np.float64
            )
        out[str(name)] = frame
    return out


def _list_rates(con: Connection, snapshot: int | None) -> dict[str, pd.DataFrame]:
    """Per list (current version): entries assigned to a unit per region of the list
    (:func:`mfgindex.core.dataset.assignment_rates`)."""
    out: dict[str, pd.DataFrame] = {}
    for name, import_id in _list_versions(con, snapshot):
        rows = con.execute(
            "SELECT coalesce(province, ''), unit IS NOT NULL, basis FROM list_entries "
            "WHERE list = ? AND import_id = ? ORDER BY seq",
            [name, import_id],
        ).fetchall()
        if rows and all(r[2] == "default_dataset" for r in rows):
            # loaded from the embedded data, which stores its assigned entries only: its own record
            shipped = dataset_mod.default().list_assignment.get(str(name))
            if shipped is not None:
                out[str(name)] = shipped
            continue
        out[str(name)] = dataset_mod.assignment_rates([r[0] for r in rows], [bool(r[1]) for r in rows])
    return out


def data_hash(values: pd.DataFrame, lists: Mapping[str, pd.DataFrame]) -> str:
    """SHA-256 of the dataset's content (values sorted by key, lists in entry order)."""
    h = hashlib.sha256()
    v = values.sort_values(["code", "year", "variable"], kind="mergesort")
    for r in v[["code", "year", "variable", "value", "source"]].itertuples(index=False):
        h.update(f"{r[0]}\t{r[1]}\t{r[2]}\t{float(r[3])!r}\t{r[4]}\n".encode())
    for name in sorted(lists):
        h.update(f"#list {name}\n".encode())
        h.update(lists[name].to_csv(index=False, float_format=None).encode())
    return h.hexdigest()


def load_dataset(directory: Path, snapshot: int | None = None) -> Dataset:
    """The workspace as a ``Dataset``: current observations and lists (or as they were after ``snapshot``)."""
    with connect(directory) as con:
        obs = current(con, snapshot)
        lists = _lists(con, snapshot)
        rates = _list_rates(con, snapshot)
    values = pd.DataFrame(
        {
            "code": obs["unit"].astype(str).to_numpy(),
            "year": obs["year"].astype(np.int64).to_numpy(),
            "variable": obs["variable"].astype(str).to_numpy(),
            "value": obs["value"].astype(np.float64).to_numpy(),
            "source": obs["source"].fillna("").astype(str).to_numpy(),
        }
    )
    if values.empty:
        raise UserError(Problem("the workspace has no observations (import data first)", file=str(directory)))
    sources = {str(k): str(s) for k, s in values.groupby("variable")["source"].first().items()}
    digest = data_hash(values, lists)
    key = f"workspace:{Path(directory).resolve()}" + ("" if snapshot is None else f"@{snapshot}")
    return Dataset(
        values=values,
        units=dataset_mod.city_units(),
        lists=MappingProxyType(lists),
        inputs=MappingProxyType({key: digest}),
        kind="cities",
        variable_sources=MappingProxyType(sources),
        list_assignment=MappingProxyType(rates),
    )


def snapshot_id(directory: Path) -> int:
    """The latest import id (the workspace's state; 0 when empty)."""
    with connect(directory) as con:
        row = con.execute("SELECT coalesce(max(id), 0) FROM imports").fetchall()[0]
    return int(row[0]) if row else 0


def history(directory: Path, unit: str, variable: str | None = None, year: int | None = None) -> pd.DataFrame:
    """Every version of a unit's values (oldest first), with source, who, when and which import."""
    match = geo.resolve(unit)
    if match.code is None:
        raise UserError(Problem(match.reason, column="--unit", value=unit, expected="a city name or adcode"))
    sql = (
        "SELECT o.year, o.variable, o.value, o.source, o.note, o.entered_by, o.entered_at, o.import_id, "
        "i.file, o.location, o.id, o.superseded_by FROM observations o JOIN imports i ON i.id = o.import_id "
        "WHERE o.unit = ?"
    )
    params: list[Any] = [match.code]
    if variable:
        sql += " AND o.variable = ?"
        params.append(variable)
    if year is not None:
        sql += " AND o.year = ?"
        params.append(year)
    with connect(directory) as con:
        df = con.execute(sql + " ORDER BY o.variable, o.year, o.id", params).df()
    df.insert(0, "unit", match.code)
    df["status"] = np.where(df["superseded_by"].isna(), "current", "superseded")
    return df
