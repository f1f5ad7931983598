"""Authoritative lists (MIIT batches of firms, parks, projects) → entries assigned to prefecture-level units.

A list import reads a table of entries (name, province, optional address, batch, year;
:mod:`mfgindex.workspace.list_files`), assigns each entry
with :mod:`mfgindex.workspace.matcher` — or with a manual assignment, which always wins — and stores the
result as a new version of the list (one transaction). Unresolved entries keep their reason; a CSV of
``name, adcode`` (optionally ``province``) resolves them, now and on every later import. The current
version of each list is what ``load_dataset`` hands to the ``count`` formulas of a framework.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from mfgindex.core import dataset as dataset_mod
from mfgindex.core import geo
from mfgindex.core.dataset import assignment_rates, sha256
from mfgindex.core.errors import Problem, UserError
from mfgindex.core.files import unquote_cell
from mfgindex.workspace import matcher, places, snapshots
from mfgindex.workspace.list_files import (
    CITY_COLUMNS,
    CODE_COLUMNS,
    NAME_COLUMNS,
    PROVINCE_COLUMNS,
    _first,
    _read_entries,
    _read_table,
)
from mfgindex.workspace.schema import Connection, connect, run, transaction
from mfgindex.workspace.store import _new_import, insert_entries, now, whoami

LIST_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
ENTRY_COLUMNS = ["seq", "name", "province", "address", "batch", "year", "unit", "basis", "reason", "attrs"]


def check_list_name(name: str) -> str:
    if not LIST_NAME.match(name):
        raise UserError(
            Problem(
                "a list name is a snake_case ASCII id",
                column="--list",
                value=name,
                expected="e.g. green_factories",
            )
        )
    return name


@dataclass(frozen=True)
class ListReport:
    """What a list import did."""

    list: str
    import_id: int | None  # None: nothing changed
    entries: int
    resolved: int
    by_basis: dict[str, int]
    unmatched_assignments: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()  # about the file read, e.g. a CSV read as GB18030 (GBK)
    rates: pd.DataFrame = field(default_factory=pd.DataFrame)  # per region: entries, assigned, rate

    @property
    def share(self) -> float:
        return self.resolved / self.entries if self.entries else 0.0


Manual = dict[tuple[str, str], tuple[str | None, str]]


def _assignments(con: Connection, name: str) -> Manual:
    """(entry name, province) → (unit or None for "in no unit", where it was assigned: file:row)."""
    rows = con.execute(
        "SELECT name, province, unit, file, entered_by FROM list_assignments WHERE list = ?", [name]
    ).fetchall()
    return {
        (str(r[0]), str(r[1])): (
            str(r[2]) if r[2] is not None else None,
            f"{r[3] or ''}" + (f" ({r[4]})" if r[4] else ""),
        )
        for r in rows
    }


def _manual(manual: Manual, name: str, province: str) -> tuple[str | None, str] | None:
    return manual.get((name, province), manual.get((name, "")))


def _apply_manual(code: str | None, where: str) -> tuple[str, str, str]:
    """unit, basis, reason of an entry assigned by hand; the reason records the assignment file and row."""
    if code:
        return code, "manual", f"lists assign: {where}"
    return "", "manual_excluded", f"lists assign: {where}: not in any prefecture-level unit"


def resolve_entries(entries: pd.DataFrame, manual: Manual) -> pd.DataFrame:
    """Assign every entry: manual assignment > given adcode/city > matcher. Pure."""
    units, bases, reasons = [], [], []
    for name, province, address, given in zip(
        entries["name"], entries["province"], entries["address"], entries["given"], strict=True
    ):
        hand = _manual(manual, str(name), str(province))
        if hand is not None:
            unit, basis, reason = _apply_manual(*hand)
            units.append(unit)
            bases.append(basis)
            reasons.append(reason)
            continue
        if given:
            units.append(str(given))
            bases.append("given")
            reasons.append("")
            continue
        got = matcher.assign(str(name), str(province), str(address))
        units.append(got.code or "")
        bases.append(got.basis)
        reasons.append(got.reason)
    out = entries.copy()
    out["unit"] = units
    out["basis"] = bases
    out["reason"] = reasons
    return out


def _current_version(con: Connection, name: str) -> tuple[int | None, pd.DataFrame]:
    row = con.execute("SELECT max(import_id) FROM list_entries WHERE list = ?", [name]).fetchall()[0]
    if row[0] is None:
        return None, pd.DataFrame(columns=ENTRY_COLUMNS)
    df = con.execute(
        "SELECT seq, name, province, address, batch, year, coalesce(unit, '') AS unit, basis, reason, "
        "coalesce(attrs, '') AS attrs, location FROM list_entries WHERE list = ? AND import_id = ? "
        "ORDER BY seq",
        [name, int(row[0])],
    ).df()
    return int(row[0]), df


def _same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    if len(a) != len(b):
        return False
    x = a[ENTRY_COLUMNS].astype(str).reset_index(drop=True)
    y = b[ENTRY_COLUMNS].astype(str).reset_index(drop=True)
    return bool((x.to_numpy() == y.to_numpy()).all())


def _store_version(
    con: Connection,
    name: str,
    resolved: pd.DataFrame,
    kind: str,
    file: str,
    digest: str,
    who: str,
    summary: Mapping[str, object],
) -> int:
    at = now()
    run(con, "INSERT INTO lists VALUES (?, '', ?) ON CONFLICT DO NOTHING", [name, at])
    import_id = _new_import(con, kind, name, file, digest, "", who, at, summary)
    rows = resolved.assign(list=name, import_id=import_id)
    insert_entries(con, rows)
    return import_id


def _report(
    name: str,
    import_id: int | None,
    resolved: pd.DataFrame,
    unmatched: tuple[str, ...] = (),
    warnings: tuple[str, ...] = (),
) -> ListReport:
    counts = resolved["basis"].value_counts()
    assigned = resolved["unit"].astype(str) != ""
    return ListReport(
        name,
        import_id,
        len(resolved),
        int(assigned.sum()),
        {str(k): int(v) for k, v in counts.items()},
        unmatched,
        warnings,
        assignment_rates(resolved["province"].astype(str), assigned),
    )


def import_list(
    directory: Path,
    name: str,
    path: Path,
    year: int | None = None,
    batch_years: dict[str, int] | None = None,
    entered_by: str | None = None,
) -> ListReport:
    """Import a list file as the list's new version (no-op when nothing changed)."""
    check_list_name(name)
    entries, warnings = _read_entries(path, year, batch_years)
    entries["location"] = [f"{path}:row {r}" for r in entries["row"]]
    with connect(directory) as con:
        resolved = resolve_entries(entries, _assignments(con, name))
        _, old = _current_version(con, name)
        if _same(old, resolved):
            return _report(name, None, resolved, warnings=warnings)
        with transaction(con):
            summary = {"entries": len(resolved), "resolved": int((resolved["unit"] != "").sum())}
            import_id = _store_version(
                con, name, resolved, "list", str(path), sha256(path), whoami(entered_by), summary
            )
    return _report(name, import_id, resolved, warnings=warnings)


EXCLUDED = ("none", "-", "无", "—")


def import_assignments(directory: Path, name: str, path: Path, entered_by: str | None = None) -> ListReport:
    """Store manual assignments (``name, adcode`` [``province``]) and apply them to the current version.

    Only the rows whose adcode (or city) is filled change anything: an empty cell leaves the entry as it is
    (an unresolved entry stays unresolved), ``none`` (or ``-``, ``无``) marks an entry as belonging to no
    prefecture-level unit. The other entries of the list are kept exactly as they are (the matcher is not run
    again). Each assigned entry records the assignment file and row in its ``reason``.
    """
    check_list_name(name)
    df, sheet, warnings = _read_table(path)
    df.columns = [str(c).strip() for c in df.columns]
    cols = list(df.columns)
    name_col = _first(cols, NAME_COLUMNS)
    code_col = _first(cols, (*CODE_COLUMNS, "unit", *CITY_COLUMNS))
    prov_col = _first(cols, PROVINCE_COLUMNS)
    if name_col is None or code_col is None:
        raise UserError(
            Problem(
                "an assignment file needs columns name and adcode",
                file=str(path),
                sheet=sheet,
                expected="name,adcode[,province]",
            )
        )
    problems: list[Problem] = []
    rows: list[tuple[str, str, str | None, str]] = []
    for i, rec in enumerate(df.to_dict("records")):
        file, row = str(path), i + 2
        # the cell rule's leading ' (``lists unresolved --out``) comes off: the names must match exactly
        entry = unquote_cell(str(rec[name_col]).strip())
        province = unquote_cell(str(rec[prov_col]).strip()) if prov_col else ""
        target = unquote_cell(str(rec[code_col]).strip())
        where = f"{file}:row {row}"
        if not target:
            continue  # not filled in: the entry is left as it is
        if not entry:
            problems.append(Problem("empty name", file=file, sheet=sheet, row=row, column=name_col))
            continue
        if target.lower() in EXCLUDED:
            rows.append((entry, province, None, where))
            continue
        prov_short = places.parse_province(province) if province else None
        m = geo.resolve(target, prov_short)
        if m.code is None:
            problems.append(
                Problem(
                    m.reason,
                    file=file,
                    sheet=sheet,
                    row=row,
                    column=code_col,
                    value=target,
                    expected="a prefecture-level adcode or city name (or none)",
                )
            )
            continue
        rows.append((entry, province, m.code, where))
    if problems:
        raise UserError(problems)
    who = whoami(entered_by)
    with connect(directory) as con:
        version, old = _current_version(con, name)
        with transaction(con):
            at = now()
            for entry, province, code, where in rows:
                run(
                    con,
                    "INSERT OR REPLACE INTO list_assignments VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [name, entry, province, code, where, who, at],
                )
            import_id = None
            resolved = old
            names = set(old["name"].astype(str)) if len(old) else set()
            unmatched = tuple(e for e, _, _, _ in rows if e not in names)
            if version is not None:
                resolved = _with_manual(old, {(e, p): (c, w + f" ({who})") for e, p, c, w in rows})
                if not _same(old, resolved):
                    summary = {
                        "entries": len(resolved),
                        "resolved": int((resolved["unit"] != "").sum()),
                        "assignments": len(rows),
                    }
                    import_id = _store_version(
                        con, name, resolved, "assignments", str(path), sha256(path), who, summary
                    )
    if version is None:
        return ListReport(name, None, 0, 0, {}, unmatched, warnings)
    return _report(name, import_id, resolved, unmatched, warnings)


def _with_manual(current: pd.DataFrame, manual: Manual) -> pd.DataFrame:
    """The current version with the given manual assignments applied; every other row unchanged."""
    out = current.copy()
    units, bases, reasons = list(out["unit"]), list(out["basis"]), list(out["reason"])
    for i, (entry, province) in enumerate(zip(out["name"], out["province"], strict=True)):
        hand = _manual(manual, str(entry), str(province))
        if hand is not None:
            units[i], bases[i], reasons[i] = _apply_manual(*hand)
    out["unit"], out["basis"], out["reason"] = units, bases, reasons
    return out


def entries(directory: Path, name: str) -> pd.DataFrame:
    """The current version of a list (all entries, resolved or not)."""
    check_list_name(name)
    with connect(directory) as con:
        version, df = _current_version(con, name)
    if version is None:
        raise UserError(Problem(f"no list {name!r} in the workspace", column="--list", value=name))
    return df


def unresolved(directory: Path, name: str) -> pd.DataFrame:
    """Entries of the current version with no unit, with the reason."""
    df = entries(directory, name)
    return df[df["unit"].astype(str) == ""][
        ["seq", "name", "province", "batch", "year", "basis", "reason", "location"]
    ].reset_index(drop=True)


def rates(directory: Path | None = None, name: str | None = None) -> dict[str, pd.DataFrame]:
    """List → entries assigned to a city per region of the list (:func:`assignment_rates`).

    Without ``directory``: the lists of the embedded default data. ``name`` selects one list.
    """
    if directory is None:
        got = dict(dataset_mod.default().list_assignment)
    else:
        with connect(directory) as con:
            got = snapshots._list_rates(con, None)
    if name is not None:
        check_list_name(name)
        if name not in got:
            where = "the embedded data" if directory is None else "the workspace"
            raise UserError(
                Problem(
                    f"no list {name!r} with assignments in {where}",
                    column="--list",
                    value=name,
                    expected=", ".join(sorted(got)) or "a list imported with `lists import`",
                )
            )
        return {name: got[name]}
    return got


def counts(directory: Path, name: str) -> pd.DataFrame:
    """Per unit and year: entries new in that year and cumulative to it (resolved entries only)."""
    df = entries(directory, name)
    df = df[df["unit"].astype(str) != ""]
    if df.empty:
        return pd.DataFrame(columns=["unit", "name", "year", "new", "cumulative"])
    new = df.groupby(["unit", "year"]).size().rename("new").reset_index()
    years = sorted(int(y) for y in new["year"].unique())
    wide = new.pivot(index="unit", columns="year", values="new").reindex(columns=years).fillna(0).astype(int)
    cum = wide.cumsum(axis=1)
    out = pd.DataFrame(
        {
            "unit": np.repeat(wide.index.to_numpy(), len(years)),
            "year": np.tile(years, len(wide)),
            "new": wide.to_numpy().ravel(),
            "cumulative": cum.to_numpy().ravel(),
        }
    )
    out.insert(1, "name", out["unit"].map(geo.units()["name"]))
    return out
