"""Observations with provenance: import statistical tables, and the rows every import writes.

A new workspace is made by :mod:`mfgindex.workspace.create`; its data are read back as a ``Dataset`` (as
of a snapshot) by :mod:`mfgindex.workspace.snapshots`.

Every value is kept with its year, source, note, who entered it and when, and the import that brought
it. A value is never overwritten: a changed value is a new observation and the old one points to it
through ``superseded_by``. Re-importing the same values writes nothing. An import is one transaction:
any bad cell rejects the whole file, with the cell's location, and the workspace is left as it was.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import math
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mfgindex.core import framework as fw_mod
from mfgindex.core import geo, ingest
from mfgindex.core.dataset import sha256
from mfgindex.core.errors import Problem, UserError
from mfgindex.workspace.schema import Connection, connect, run, transaction

VARIABLE_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
NOTES_SHEETS = frozenset({"说明", "notes", "readme", "README"})
DEFAULT_SOURCE = "embedded default dataset (mfgindex.core.dataset.default)"
# Tests only: ``MFGINDEX_TEST_PAUSE=import:/path/marker`` makes an import write its first rows, create the
# marker file and sleep inside its open transaction, so that a test can kill the process there.
PAUSE_ENV = "MFGINDEX_TEST_PAUSE"
FIRST_ROWS = 100


def pause_for_tests(point: str) -> None:
    """Sleep at ``point`` when ``MFGINDEX_TEST_PAUSE`` names it (after writing the marker file it gives)."""
    spec = os.environ.get(PAUSE_ENV, "")
    name, _, marker = spec.partition(":")
    if not spec or name != point:
        return
    if marker:
        Path(marker).write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(float(os.environ.get("MFGINDEX_TEST_PAUSE_SECONDS", "120")))


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def whoami(entered_by: str | None) -> str:
    if entered_by:
        return entered_by
    try:
        return os.environ.get("MFGINDEX_USER") or getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


# -- rows every import writes -----------------------------------------------------------------


def json_attrs(values: Mapping[str, Any]) -> str:
    """Numeric attributes of a list entry as JSON (NaN → null); exact float round trip."""
    out: dict[str, float | None] = {}
    for k, v in values.items():
        x = float(v) if v is not None and v != "" else math.nan
        out[str(k)] = None if math.isnan(x) else x
    return json.dumps(out, sort_keys=True)


def insert_entries(con: Connection, rows: pd.DataFrame) -> None:
    cols = [
        "list",
        "import_id",
        "seq",
        "name",
        "province",
        "address",
        "batch",
        "year",
        "unit",
        "basis",
        "reason",
        "attrs",
        "location",
    ]
    frame = rows[cols].copy()
    frame["unit"] = frame["unit"].where(frame["unit"].astype(str) != "", None)
    start = next_id(con, "list_entries")
    frame.insert(0, "id", np.arange(start, start + len(frame), dtype=np.int64))
    con.register("entries_df", frame)
    run(con, f"INSERT INTO list_entries SELECT id, {', '.join(cols)} FROM entries_df")
    con.unregister("entries_df")


def _hash_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _new_import(
    con: Connection,
    kind: str,
    target: str | None,
    file: str,
    digest: str,
    source: str,
    entered_by: str,
    at: datetime,
    summary: Mapping[str, Any],
) -> int:
    import_id = next_id(con, "imports")
    run(
        con,
        "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            import_id,
            kind,
            target,
            file,
            digest,
            source,
            entered_by,
            at,
            json.dumps(summary, ensure_ascii=False, sort_keys=True, default=str),
        ],
    )
    return import_id


def _insert_observations(
    con: Connection,
    obs: pd.DataFrame,
    import_id: int,
    entered_by: str,
    at: datetime,
    note: str,
    location: pd.Series | None,
) -> pd.Series:
    """Insert observations; returns their new ids (aligned with ``obs``)."""
    frame = obs[["unit", "year", "variable", "value", "source"]].copy()
    # one writer at a time (DuckDB file lock), so max + 1 inside the transaction gives increasing ids
    start = next_id(con, "observations")
    ids = np.arange(start, start + len(frame), dtype=np.int64)
    frame.insert(0, "id", ids)
    frame["note"] = note
    frame["entered_by"] = entered_by
    frame["entered_at"] = at
    frame["import_id"] = import_id
    frame["location"] = location.to_numpy() if location is not None else None
    frame["superseded_by"] = pd.array([None] * len(frame), dtype="Int64")
    con.register("obs_df", frame)
    run(
        con,
        "INSERT INTO observations SELECT id, unit, year, variable, value, source, note, entered_by, "
        "entered_at, import_id, location, superseded_by FROM obs_df",
    )
    con.unregister("obs_df")
    return pd.Series(ids, index=obs.index)


def next_id(con: Connection, table: str) -> int:
    row = con.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchall()[0]
    return int(row[0]) if row else 1


def _ensure_variables(
    con: Connection, variables: list[str], sources: Mapping[str, str] | None = None
) -> list[str]:
    """Add variables the workspace does not know yet (unit unknown); returns the ones added."""
    known = {str(r[0]) for r in con.execute("SELECT id FROM variables").fetchall()}
    added = [v for v in variables if v not in known]
    for v in added:
        run(con, "INSERT INTO variables VALUES (?, '', '', 'other', '', ?)", [v, (sources or {}).get(v, "")])
    return added


# -- column maps ------------------------------------------------------------------------------
def read_map(path: Path) -> dict[str, str]:
    """A column map (file column → variable id); the reader's, shared with ``run --map``."""
    return ingest.read_map(path)


# -- value imports ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ImportReport:
    """What an import did: new and changed values (with the old value), unchanged count."""

    file: str
    import_id: int | None
    added: int
    unchanged: int
    changed: pd.DataFrame  # unit, name, year, variable, old, new
    new_variables: tuple[str, ...]
    warnings: tuple[str, ...] = ()  # what the reader skipped, ignored or converted

    @property
    def is_noop(self) -> bool:
        return self.import_id is None


def _locations(v: pd.DataFrame) -> list[str]:
    """``file:sheet S:row R:column C`` of every value ingest read."""
    cols = [v[c].tolist() for c in ("file", "sheet", "row", "column")]
    return [
        Problem("", file=str(f), sheet=str(sh), row=int(r), column=str(c)).location()
        for f, sh, r, c in zip(*cols, strict=True)
    ]


def _default_variables() -> dict[str, tuple[str, str]]:
    """The default preset's variable names and units: 地区生产总值（万元）imports as gdp in 亿元."""

    fw = fw_mod.load("caict2023")
    return {k: (v.name_zh, v.unit) for k, v in fw.variables.items()}


def read_values(path: Path, column_map: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Read a statistical table (layouts of ``run --data``) → unit, year, variable, value, source, location.

    Raises UserError with every problem's location; nothing is guessed.
    """
    got = ingest.read([path], column_map=column_map, variables=_default_variables())
    problems = [
        p
        for p in got.problems
        if p.severity == "error" and not (p.sheet.strip() in NOTES_SHEETS and p.message == "no unit column")
    ]
    if problems:
        raise UserError(problems)
    ds = got.dataset
    if ds is None:
        raise UserError(Problem("no data values found", file=str(path)))
    if ds.kind != "cities":
        raise UserError(
            Problem("a workspace holds cities: use adcode or city columns, not uCode", file=str(path))
        )
    v = ds.values
    variables = v["variable"].astype(str)
    keep = variables != ""
    bad = keep & ~variables.str.match(VARIABLE_ID.pattern)
    locations = _locations(v)
    if bad.any():
        first = pd.DataFrame({"variable": variables, "location": locations})[bad].drop_duplicates("variable")
        raise UserError(
            [
                Problem(
                    "not a variable id: map it with --map (file column → variable id)",
                    file=loc,
                    value=var,
                    expected="snake_case ASCII id",
                )
                for var, loc in zip(first["variable"].tolist(), first["location"].tolist(), strict=True)
            ]
        )
    out = pd.DataFrame(
        {
            "unit": v["code"].astype(str).to_numpy(),
            "year": v["year"].astype(int).to_numpy(),
            "variable": variables.to_numpy(),
            "value": v["value"].astype(float).to_numpy(),
            "source": v["source"].astype(str).to_numpy(),
            "location": locations,
        }
    )[keep.to_numpy()].reset_index(drop=True)
    out.attrs["warnings"] = tuple(str(p) for p in got.problems if p.severity != "error")
    dup = out.duplicated(["unit", "year", "variable"], keep=False)
    if dup.any():  # two file columns mapped to the same variable
        raise UserError(
            [
                Problem(f"duplicate unit-year-variable after mapping ({r.variable})", file=str(r.location))
                for r in out[dup].itertuples()
            ]
        )
    return out


def _kind_problems(con: Connection, obs: pd.DataFrame) -> list[Problem]:
    kinds = dict(con.execute("SELECT id, kind FROM variables").fetchall())
    problems = []
    cols = [obs[c].tolist() for c in ("variable", "value", "location")]
    for variable, value, location in zip(*cols, strict=True):
        kind = kinds.get(variable, "other")
        x = float(value)
        msg = ""
        if kind in ("amount", "count") and x < 0:
            msg, expected = f"negative value for {variable} ({kind})", "a non-negative value"
        elif kind == "count" and x != round(x):
            msg, expected = f"non-integer count for {variable}", "a whole number"
        elif kind == "share" and not 0 <= x <= 1:
            msg, expected = f"share outside [0, 1] for {variable}", "a share between 0 and 1"
        if msg:
            problems.append(Problem(msg, file=str(location), value=f"{x:g}", expected=expected))
    return problems


def current(con: Connection, snapshot: int | None = None) -> pd.DataFrame:
    """Current observations (not superseded), or as they stood after import ``snapshot``."""
    if snapshot is None:
        return con.execute(
            "SELECT id, unit, year, variable, value, source FROM observations "
            "WHERE superseded_by IS NULL ORDER BY id"
        ).df()
    return con.execute(
        """
        SELECT o.id, o.unit, o.year, o.variable, o.value, o.source FROM observations o
        LEFT JOIN observations n ON n.id = o.superseded_by
        WHERE o.import_id <= ? AND (o.superseded_by IS NULL OR n.import_id > ?) ORDER BY o.id
        """,
        [snapshot, snapshot],
    ).df()


def import_values(
    directory: Path,
    path: Path,
    source: str | None = None,
    column_map: Mapping[str, str] | None = None,
    entered_by: str | None = None,
    note: str = "",
) -> ImportReport:
    """Import one statistical table; one transaction; a changed value becomes a new version."""
    obs = read_values(path, column_map)
    if source:
        # a source column in the file wins; else the file name ingest put there is replaced
        obs.loc[obs["source"] == path.name, "source"] = source
    who = whoami(entered_by)
    with connect(directory) as con:
        problems = _kind_problems(con, obs)
        if problems:
            raise UserError(problems)
        old = con.execute(
            "SELECT id AS old_id, unit, year, variable, value AS old FROM observations "
            "WHERE superseded_by IS NULL"
        ).df()
        merged = obs.merge(old, on=["unit", "year", "variable"], how="left")
        is_new = merged["old_id"].isna()
        same = ~is_new & (merged["old"].astype(float) == merged["value"].astype(float))
        changed = ~is_new & ~same
        write = merged[(is_new | changed).to_numpy()].reset_index(drop=True)
        names = geo.units()["name"]
        changes = merged.loc[changed, ["unit", "year", "variable", "old", "value"]].rename(
            columns={"value": "new"}
        )
        changes.insert(1, "name", changes["unit"].map(names).to_numpy())
        if write.empty:
            return ImportReport(
                str(path), None, 0, int(same.sum()), changes.reset_index(drop=True), (), obs.attrs["warnings"]
            )
        with transaction(con):
            at = now()
            summary = {
                "added": int(is_new.sum()),
                "changed": int(changed.sum()),
                "unchanged": int(same.sum()),
            }
            import_id = _new_import(
                con, "values", None, str(path), sha256(path), source or "", who, at, summary
            )
            new_vars = _ensure_variables(con, sorted(set(write["variable"])))
            first, rest = write.iloc[:FIRST_ROWS], write.iloc[FIRST_ROWS:]
            ids = _insert_observations(con, first, import_id, who, at, note, first["location"])
            pause_for_tests("import")  # tests kill the process here, inside the transaction
            if len(rest):
                more = _insert_observations(con, rest, import_id, who, at, note, rest["location"])
                ids = pd.concat([ids, more])
            is_changed = write["old_id"].notna().to_numpy()
            sup = pd.DataFrame(
                {
                    "old_id": write["old_id"].to_numpy()[is_changed].astype(np.int64),
                    "new_id": ids.to_numpy()[is_changed],
                }
            )
            if not sup.empty:
                con.register("sup_df", sup)
                run(
                    con,
                    "UPDATE observations SET superseded_by = sup_df.new_id FROM sup_df "
                    "WHERE observations.id = sup_df.old_id",
                )
                con.unregister("sup_df")
    return ImportReport(
        str(path),
        import_id,
        int(is_new.sum()),
        int(same.sum()),
        changes.reset_index(drop=True),
        tuple(new_vars),
        obs.attrs["warnings"],
    )
