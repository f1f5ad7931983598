"""The workspace's DuckDB schema and its versioned migrations.

A workspace is a folder holding one embedded DuckDB file (``workspace.duckdb``); no server runs. The
schema version is kept in ``schema_version`` (one row per applied migration). ``open_workspace`` applies
the migrations a workspace lacks, in order, each in its own transaction, so a workspace made by an older
``mfgindex`` is brought up to date on first use and its data are kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from mfgindex.core.errors import Problem, UserError

DB_FILE = "workspace.duckdb"

Connection = duckdb.DuckDBPyConnection


def run(con: Connection, sql: str, params: list[Any] | None = None) -> None:
    """Execute a statement and finish its result (DuckDB needs results consumed before the next call)."""
    con.execute(sql, params).fetchall()


@contextmanager
def transaction(con: Connection) -> Iterator[Connection]:
    """One transaction around the block: committed when it ends, rolled back when anything (an error, an
    interrupt) stops it."""
    con.begin()
    try:
        yield con
        con.commit()
    except BaseException:
        con.rollback()
        raise


def _v1(con: Connection) -> None:
    """Base tables: units, variables, imports, observations, lists, list entries, runs."""
    run(
        con,
        """
        CREATE TABLE units (
            adcode TEXT PRIMARY KEY, name TEXT NOT NULL, short_name TEXT, aliases TEXT,
            province TEXT, region TEXT, unit_type TEXT,
            valid_from INTEGER, valid_to INTEGER
        );
        CREATE TABLE variables (
            id TEXT PRIMARY KEY, name_zh TEXT, unit TEXT, kind TEXT, definition TEXT, source TEXT
        );
        CREATE TABLE imports (
            id BIGINT PRIMARY KEY, kind TEXT NOT NULL, target TEXT, file TEXT, sha256 TEXT, source TEXT,
            entered_by TEXT, entered_at TIMESTAMP, summary TEXT
        );
        CREATE TABLE observations (
            id BIGINT PRIMARY KEY, unit TEXT NOT NULL, year INTEGER NOT NULL, variable TEXT NOT NULL,
            value DOUBLE NOT NULL, source TEXT, note TEXT, entered_by TEXT, entered_at TIMESTAMP,
            import_id BIGINT NOT NULL, location TEXT, superseded_by BIGINT
        );
        CREATE TABLE lists (
            name TEXT PRIMARY KEY, description TEXT, created_at TIMESTAMP
        );
        CREATE TABLE list_entries (
            id BIGINT PRIMARY KEY, list TEXT NOT NULL, import_id BIGINT NOT NULL, seq INTEGER NOT NULL,
            name TEXT, province TEXT, address TEXT, batch TEXT, year INTEGER NOT NULL,
            unit TEXT, basis TEXT, reason TEXT, attrs TEXT, location TEXT
        );
        CREATE TABLE runs (
            id BIGINT PRIMARY KEY, created_at TIMESTAMP, config TEXT, inputs TEXT, snapshot BIGINT,
            data_sha256 TEXT, year INTEGER, previous_year INTEGER, out_dir TEXT, outputs TEXT, scores TEXT
        );
        """,
    )


def _v2(con: Connection) -> None:
    """Manual list assignments (entry name → unit) that override the matcher; lookup indexes."""
    run(
        con,
        """
        CREATE TABLE list_assignments (
            list TEXT NOT NULL, name TEXT NOT NULL, province TEXT NOT NULL DEFAULT '', unit TEXT,
            file TEXT, entered_by TEXT, entered_at TIMESTAMP,
            PRIMARY KEY (list, name, province)
        );
        CREATE INDEX observations_key ON observations (unit, year, variable);
        CREATE INDEX list_entries_list ON list_entries (list, import_id);
        """,
    )


def _v3(con: Connection) -> None:
    """Policy and case library (:mod:`mfgindex.policy.library`): government work report excerpts, policy
    documents, case studies."""
    run(
        con,
        """
        CREATE TABLE policy_records (
            id BIGINT PRIMARY KEY, key TEXT NOT NULL, unit TEXT NOT NULL, year INTEGER NOT NULL,
            kind TEXT NOT NULL, department TEXT, title TEXT, text TEXT, tags VARCHAR[], source TEXT,
            source_url TEXT, seq INTEGER, search_text TEXT, import_id BIGINT NOT NULL, location TEXT,
            entered_by TEXT, entered_at TIMESTAMP, superseded_by BIGINT
        );
        CREATE INDEX policy_records_key ON policy_records (key);
        CREATE INDEX policy_records_unit_year ON policy_records (unit, year);
        """,
    )


def _v4(con: Connection) -> None:
    """Runs keep their RunSpec (the JSON of run.json's ``spec``); older runs keep only their config."""
    run(con, "ALTER TABLE runs ADD COLUMN spec TEXT")


# Ordered: MIGRATIONS[k] brings a workspace from version k to k + 1. Never edit a released migration;
# append a new one.
MIGRATIONS: tuple[Callable[[Connection], None], ...] = (_v1, _v2, _v3, _v4)
LATEST = len(MIGRATIONS)


def version(con: Connection) -> int:
    """The workspace's schema version (0 for an empty database)."""
    has = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchall()[0]
    if not has or not has[0]:
        return 0
    row = con.execute("SELECT max(version) FROM schema_version").fetchall()[0]
    return int(row[0]) if row and row[0] is not None else 0


def migrate(con: Connection, target: int = LATEST) -> list[int]:
    """Apply the migrations from the current version up to ``target``; returns the versions applied."""
    current = version(con)
    if current > LATEST:
        raise UserError(
            Problem(
                f"workspace schema version {current} is newer than this mfgindex ({LATEST})",
                expected="a newer mfgindex",
            )
        )
    applied = []
    for v in range(current + 1, target + 1):
        with transaction(con):
            if v == 1:
                run(
                    con,
                    "CREATE TABLE schema_version (version INTEGER, applied_at TIMESTAMP, description TEXT)",
                )
            step = MIGRATIONS[v - 1]
            step(con)
            run(con, "INSERT INTO schema_version VALUES (?, now(), ?)", [v, (step.__doc__ or "").strip()])
        applied.append(v)
    return applied


def db_path(directory: Path) -> Path:
    return Path(directory) / DB_FILE


@contextmanager
def connect(directory: Path, *, create: bool = False, read_only: bool = False) -> Iterator[Connection]:
    """Open a workspace (migrating it to the latest schema unless read-only) and close it afterwards."""
    path = db_path(directory)
    if not create and not path.exists():
        raise UserError(Problem("not a workspace (run `mfgindex init DIR` first)", file=str(directory)))
    if create:
        Path(directory).mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        raise UserError(Problem(f"cannot open workspace: {exc}", file=str(path))) from None
    try:
        if not read_only:
            migrate(con)
        elif version(con) != LATEST:
            raise UserError(
                Problem(
                    f"workspace schema version {version(con)} needs migrating to {LATEST}",
                    file=str(path),
                    expected="open it once without read-only",
                )
            )
        yield con
    except (duckdb.IOException, OSError) as exc:  # disk full, read-only mount …: exit 2
        raise UserError(
            Problem(
                f"cannot write the workspace ({type(exc).__name__}: {str(exc)[:160]}); the command's "
                "transaction was not committed",
                file=str(path),
                expected="free disk space and a writable folder",
            )
        ) from None
    finally:
        con.close()
