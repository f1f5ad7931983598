"""The policy and case library in a workspace: import with provenance, search and list.

Import follows the rules of statistical imports (:mod:`mfgindex.workspace.store`): the whole file is validated
first and a file with any bad cell is rejected with every problem's file/row/column and nothing written; one
import is one transaction recorded in ``imports`` (kind ``policy``: file, SHA-256, who, when); records carry
``entered_by``/``entered_at``; re-importing the same records writes nothing; a record whose content changed
becomes a new version and the old one points to it through ``superseded_by``.

Search
------
DuckDB's ``fts`` extension is not bundled with the DuckDB wheel and ``LOAD fts`` needs a download
(``INSTALL fts``) that an offline install cannot make; its tokeniser also splits on spaces and punctuation,
so a Chinese sentence would be one token. The library therefore searches a *normalised text column*
(``search_text``: NFKC, case-folded, spaces and punctuation removed; :func:`records.normalise_text`) by
substring: every query word must occur (AND); results are ordered by the number of occurrences, then year
(newest first) and table order. This is exact for Chinese words of any length, needs no segmenter, and runs
the same SQL on a workspace and on in-memory records (the shipped sample).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from mfgindex.core import geo
from mfgindex.core.dataset import sha256
from mfgindex.core.errors import Problem, UserError
from mfgindex.policy import records as rec
from mfgindex.workspace.schema import Connection, connect, run, transaction
from mfgindex.workspace.store import _new_import, next_id, now, whoami

CONTENT = ("unit", "year", "kind", "department", "title", "text", "tags", "source", "source_url", "seq")
# a record as shown to users: the stored columns without the search index and the file location
OUTPUT = tuple(c for c in rec.RECORD_COLUMNS if c not in ("search_text", "location"))


@dataclass(frozen=True)
class PolicyImport:
    """What a policy import did."""

    file: str
    import_id: int | None
    added: int
    changed: int
    unchanged: int

    @property
    def is_noop(self) -> bool:
        return self.import_id is None


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, list | tuple | np.ndarray) or isinstance(b, list | tuple | np.ndarray):
        return list(a if a is not None else []) == list(b if b is not None else [])
    na = a is None or (isinstance(a, float) and np.isnan(a))
    nb = b is None or (isinstance(b, float) and np.isnan(b))
    if na or nb:
        return na and nb
    return bool(a == b)


def import_policies(
    directory: Path, path: Path, entered_by: str | None = None, source: str | None = None
) -> PolicyImport:
    """Import a policy/case file into a workspace; one transaction; same records → no-op."""
    records = rec.read_records(path)
    if source:
        records["source"] = records["source"].where(records["source"] != "", source)
    who = whoami(entered_by)
    with connect(directory) as con:
        old = con.execute(
            "SELECT id, key, unit, year, kind, department, title, text, tags, source, source_url, seq "
            "FROM policy_records WHERE superseded_by IS NULL"
        ).df()
        by_key = {str(r["key"]): r for r in old.to_dict("records")}
        status: list[str] = []
        old_ids: list[int | None] = []
        for r in records.to_dict("records"):
            prev = by_key.get(str(r["key"]))
            if prev is None:
                status.append("new")
                old_ids.append(None)
            elif all(_same(r[c], prev[c]) for c in CONTENT):
                status.append("same")
                old_ids.append(None)
            else:
                status.append("changed")
                old_ids.append(int(prev["id"]))
        st = pd.Series(status)
        counts = {k: int((st == k).sum()) for k in ("new", "changed", "same")}
        write = records[(st != "same").to_numpy()].reset_index(drop=True)
        if write.empty:
            return PolicyImport(str(path), None, 0, 0, counts["same"])
        supersede = [i for i, s in zip(old_ids, status, strict=True) if s != "same"]
        with transaction(con):
            at = now()
            summary = {"added": counts["new"], "changed": counts["changed"], "unchanged": counts["same"]}
            import_id = _new_import(
                con, "policy", "policy_records", str(path), sha256(path), source or "", who, at, summary
            )
            start = next_id(con, "policy_records")
            ids = np.arange(start, start + len(write), dtype=np.int64)
            frame = pd.DataFrame(
                {
                    "id": ids,
                    "key": write["key"],
                    "unit": write["unit"],
                    "year": write["year"].astype(np.int64),
                    "kind": write["kind"],
                    "department": write["department"],
                    "title": write["title"],
                    "text": write["text"],
                    "tags": write["tags"],
                    "source": write["source"],
                    "source_url": write["source_url"],
                    "seq": pd.array(write["seq"].tolist(), dtype="Int64"),
                    "search_text": write["search_text"],
                    "import_id": import_id,
                    "location": write["location"],
                    "entered_by": who,
                    "entered_at": at,
                }
            )
            con.register("policy_df", frame)
            run(
                con,
                "INSERT INTO policy_records SELECT id, key, unit, year, kind, department, title, text, "
                "CAST(tags AS VARCHAR[]), source, source_url, seq, search_text, import_id, location, "
                "entered_by, entered_at, NULL FROM policy_df",
            )
            con.unregister("policy_df")
            for old_id, new_id in zip(supersede, ids.tolist(), strict=True):
                if old_id is not None:
                    run(con, "UPDATE policy_records SET superseded_by = ? WHERE id = ?", [new_id, old_id])
    return PolicyImport(str(path), import_id, counts["new"], counts["changed"], counts["same"])


# -- search ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Query:
    """Search filters; every given filter must hold (AND). ``words`` are matched in the normalised text."""

    cities: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    tags: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    words: tuple[str, ...] = ()

    @staticmethod
    def make(
        cities: Sequence[str] = (),
        years: Sequence[int] = (),
        tags: Sequence[str] = (),
        kinds: Sequence[str] = (),
        words: str | Sequence[str] = (),
    ) -> Query:
        """Resolve city names to adcodes and kind aliases to ids (UserError on unknown ones)."""
        codes = []
        problems = []
        for c in cities:
            m = geo.resolve(c)
            if m.code is None:
                problems.append(Problem(m.reason, column="--city", value=c, expected="a city name or adcode"))
            else:
                codes.append(m.code)
        kind_ids = []
        for k in kinds:
            kid = rec.KIND_ALIASES.get(k.strip().lower())
            if kid is None:
                expected = " / ".join(rec.KINDS)
                problems.append(Problem("unknown kind", column="--kind", value=k, expected=expected))
            else:
                kind_ids.append(kid)
        if problems:
            raise UserError(problems)
        text = " ".join([words] if isinstance(words, str) else list(words))
        parts = tuple(w for w in (rec.normalise_text(p) for p in text.split()) if w)
        return Query(tuple(codes), tuple(years), tuple(tags), tuple(kind_ids), parts)


def _sql(q: Query) -> tuple[str, list[Any]]:
    where = ["true"]
    params: list[Any] = []
    score = "0"
    if q.cities:
        where.append(f"unit IN ({', '.join('?' * len(q.cities))})")
        params += list(q.cities)
    if q.years:
        where.append(f"year IN ({', '.join('?' * len(q.years))})")
        params += list(q.years)
    if q.kinds:
        where.append(f"kind IN ({', '.join('?' * len(q.kinds))})")
        params += list(q.kinds)
    for t in q.tags:
        where.append("list_contains(tags, ?)")
        params.append(t)
    score_params: list[Any] = []
    for w in q.words:
        where.append("strpos(search_text, ?) > 0")
        params.append(w)
        score += " + (length(search_text) - length(replace(search_text, ?, ''))) // length(?)"
        score_params += [w, w]
    sql = (
        f"SELECT *, {score} AS score FROM policy_current WHERE {' AND '.join(where)} "
        "ORDER BY score DESC, year DESC, kind, seq NULLS LAST, unit, title"
    )
    return sql, score_params + params


def _finish(df: pd.DataFrame) -> pd.DataFrame:
    units = geo.units()
    df = df.copy()
    df["city_name"] = df["unit"].map(units["name"])
    df["province"] = df["unit"].map(units["province"])
    df["tags"] = [list(t) if t is not None else [] for t in df["tags"]]
    df["seq"] = pd.array(df["seq"].tolist(), dtype="Int64")
    return df[[*OUTPUT, "score"]].reset_index(drop=True)


def search_records(records: pd.DataFrame, q: Query) -> pd.DataFrame:
    """Search in-memory records (e.g. :func:`records.sample`) with the workspace's SQL."""
    con = duckdb.connect()
    try:
        frame = records[[c for c in OUTPUT if c not in ("city_name", "province")] + ["search_text"]].copy()
        frame["seq"] = pd.array(frame["seq"].tolist(), dtype="Int64")
        con.register("policy_df", frame)
        con.execute(
            "CREATE TEMP VIEW policy_current AS "
            "SELECT * REPLACE (CAST(tags AS VARCHAR[]) AS tags) FROM policy_df"
        )
        sql, params = _sql(q)
        return _finish(con.execute(sql, params).df())
    finally:
        con.close()


def search(directory: Path, q: Query) -> pd.DataFrame:
    """Current records of a workspace matching ``q`` (best match first)."""
    with connect(directory) as con:
        return _search_con(con, q)


def _search_con(con: Connection, q: Query) -> pd.DataFrame:
    con.execute(
        "CREATE OR REPLACE TEMP VIEW policy_current AS "
        "SELECT * FROM policy_records WHERE superseded_by IS NULL"
    )
    sql, params = _sql(q)
    return _finish(con.execute(sql, params).df())


def load(directory: Path | None = None) -> pd.DataFrame:
    """All current records: of a workspace, or the shipped sample when ``directory`` is None."""
    if directory is None:
        return search_records(rec.sample(), Query())
    return search(directory, Query())


def find(directory: Path | None, q: Query) -> pd.DataFrame:
    """Search a workspace, or the shipped sample when ``directory`` is None."""
    if directory is None:
        return search_records(rec.sample(), q)
    return search(directory, q)


def history(directory: Path, key: str) -> pd.DataFrame:
    """Every version of a record (oldest first) with who, when and which import."""
    with connect(directory) as con:
        return con.execute(
            "SELECT p.id, p.key, p.year, p.title, p.entered_by, p.entered_at, p.import_id, i.file, "
            "p.location, p.superseded_by FROM policy_records p JOIN imports i ON i.id = p.import_id "
            "WHERE p.key = ? ORDER BY p.id",
            [key],
        ).df()


def summary(records: pd.DataFrame) -> pd.DataFrame:
    """Records per city, year and kind (for ``policy list``)."""
    if records.empty:
        return pd.DataFrame(columns=["unit", "city_name", "year", *rec.KINDS])
    table = (
        records.pivot_table(
            index=["unit", "city_name", "year"], columns="kind", values="key", aggfunc="count", fill_value=0
        )
        .reindex(columns=list(rec.KINDS), fill_value=0)
        .reset_index()
    )
    table.columns.name = None
    return table.sort_values(["year", "unit"], ascending=[False, True]).reset_index(drop=True)
