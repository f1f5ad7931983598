"""Observations with provenance: initialise, import statistical tables, read back as a ``Dataset``.

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
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from mfgindex.core import dataset as dataset_mod
from mfgindex.core import framework as fw_mod
from mfgindex.core import geo, ingest
from mfgindex.core.dataset import Dataset, sha256
from mfgindex.core.errors import Problem, UserError
from mfgindex.core.files import check_out_dir
from mfgindex.workspace.schema import Connection, connect, db_path, run

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


# -- init -------------------------------------------------------------------------------------
def _units_frame() -> pd.DataFrame:
    u = geo.units()
    former = pd.read_csv(
        geo.data_path("admin_divisions", "former_names.csv"), dtype=str, keep_default_na=False
    )
    renamed = former[former["kind"] != "merged"]
    aliases = renamed.groupby("adcode")["former_name"].agg(lambda s: "、".join(sorted(set(s))))
    changed = renamed.groupby("adcode")["year_changed"].max()
    return pd.DataFrame(
        {
            "adcode": u.index.astype(str),
            "name": u["name"].astype(str).to_numpy(),
            "short_name": u["short_name"].astype(str).to_numpy(),
            "aliases": [str(aliases.get(c, "")) for c in u.index],
            "province": u["province"].astype(str).to_numpy(),
            "region": u["region"].astype(str).to_numpy(),
            "unit_type": u["unit_type"].astype(str).to_numpy(),
            # the code is valid since the last rename in the table (else: unknown, NULL) and still valid
            "valid_from": [int(changed[c]) if c in changed.index else None for c in u.index],
            "valid_to": [None] * len(u),
        }
    )


def _framework_variables(name: str = "caict2023") -> pd.DataFrame:
    fw = fw_mod.load(name)
    rows = [
        {
            "id": vid,
            "name_zh": v.name_zh,
            "unit": v.unit,
            "kind": v.kind,
            "definition": v.name_zh,
            "source": v.source,
        }
        for vid, v in fw.variables.items()
    ]
    return pd.DataFrame(rows, columns=["id", "name_zh", "unit", "kind", "definition", "source"])


def init(directory: Path, with_default: bool = False, entered_by: str | None = None) -> dict[str, int]:
    """Create a workspace (units and the preset's variables); optionally load the embedded default data."""
    check_out_dir(Path(directory))  # a file (or a path through a file) is refused before any work
    if db_path(directory).exists():
        raise UserError(Problem("a workspace already exists here", file=str(directory)))
    with connect(directory, create=True) as con:
        con.begin()
        try:
            units = _units_frame()
            con.register("units_df", units)
            run(con, "INSERT INTO units SELECT * FROM units_df")
            con.unregister("units_df")
            variables = _framework_variables()
            con.register("vars_df", variables)
            run(con, "INSERT INTO variables SELECT id, name_zh, unit, kind, definition, source FROM vars_df")
            con.unregister("vars_df")
            con.commit()
        except BaseException:
            con.rollback()
            raise
        counts = {"units": len(units), "variables": len(variables), "observations": 0, "list_entries": 0}
        if with_default:
            counts.update(load_default(con, whoami(entered_by)))
    return counts


def load_default(con: Connection, entered_by: str) -> dict[str, int]:
    """Load ``mfgindex.core.dataset.default()`` (values and lists) as one import."""
    ds = dataset_mod.default()
    con.begin()
    try:
        at = now()
        import_id = _new_import(
            con,
            "default",
            None,
            "mfgindex.core.dataset.default()",
            _hash_text(json.dumps(dict(ds.inputs), sort_keys=True)),
            DEFAULT_SOURCE,
            entered_by,
            at,
            {"inputs": dict(ds.inputs)},
        )
        v = ds.values
        obs = pd.DataFrame(
            {
                "unit": v["code"].astype(str).to_numpy(),
                "year": v["year"].astype(int).to_numpy(),
                "variable": v["variable"].astype(str).to_numpy(),
                "value": v["value"].astype(float).to_numpy(),
                "source": v["source"].astype(str).to_numpy(),
            }
        )
        _insert_observations(con, obs, import_id, entered_by, at, note="", location=None)
        _ensure_variables(con, sorted(set(obs["variable"])), ds.variable_sources)
        n_entries = 0
        for name, frame in ds.lists.items():
            n_entries += _insert_default_list(con, name, frame, import_id, at)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return {"observations": len(obs), "list_entries": n_entries}


def _insert_default_list(
    con: Connection, name: str, frame: pd.DataFrame, import_id: int, at: datetime
) -> int:
    run(
        con,
        "INSERT INTO lists VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        [name, "from the embedded default dataset", at],
    )
    extra = [c for c in frame.columns if c not in ("code", "year")]
    attrs = (
        [json_attrs({c: row[c] for c in extra}) for _, row in frame[extra].iterrows()]
        if extra
        else [""] * len(frame)
    )
    rows = pd.DataFrame(
        {
            "list": name,
            "import_id": import_id,
            "seq": np.arange(1, len(frame) + 1),
            "name": "",
            "province": "",
            "address": "",
            "batch": "",
            "year": frame["year"].astype(int).to_numpy(),
            "unit": frame["code"].astype(str).to_numpy(),
            "basis": "default_dataset",
            "reason": "",
            "attrs": attrs,
            "location": "",
        }
    )
    insert_entries(con, rows)
    run(con, "UPDATE imports SET target = coalesce(target || ',', '') || ? WHERE id = ?", [name, import_id])
    return len(rows)


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
    from mfgindex.core import framework as fw_mod

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
        con.begin()
        try:
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
            con.commit()
        except BaseException:
            con.rollback()
            raise
    return ImportReport(
        str(path),
        import_id,
        int(is_new.sum()),
        int(same.sum()),
        changes.reset_index(drop=True),
        tuple(new_vars),
        obs.attrs["warnings"],
    )


# -- reading back -----------------------------------------------------------------------------
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
