"""Export a whole workspace to Parquet or CSV files and restore it, round-trip identical.

``export`` writes every table of the workspace (one file per table, rows in a fixed order), and a
``manifest.json`` with the schema version, each table's columns and types, row count and the SHA-256 of its
file. Nothing in the folder depends on when or where it was written, so exporting a restored workspace
gives byte-identical files.

``restore`` checks every file against the manifest, builds the schema of the exported version (the
migrations up to it), loads the rows in one transaction, then applies any newer migrations. It works in
a staging folder and moves the finished database into place, so an interrupted restore leaves nothing
that looks like a workspace.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Literal

import duckdb

from mfgindex.core.dataset import sha256
from mfgindex.core.errors import Problem, UserError
from mfgindex.workspace import schema
from mfgindex.workspace.schema import Connection, connect, db_path, transaction

MANIFEST = "manifest.json"
KIND = "mfgindex workspace export"
FORMAT_VERSION = 1
Format = Literal["parquet", "csv"]
FORMATS: tuple[str, ...] = ("parquet", "csv")


def _q(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def tables(con: Connection) -> list[str]:
    """The workspace's tables (main schema), sorted."""
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
        "AND table_type = 'BASE TABLE' ORDER BY table_name"
    ).fetchall()
    return [str(r[0]) for r in rows]


def columns(con: Connection, table: str) -> list[tuple[str, str]]:
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return [(str(n), str(t)) for n, t in rows]


def _is_list(data_type: str) -> bool:
    return data_type.endswith("]")


def _write_table(con: Connection, table: str, cols: list[tuple[str, str]], path: Path, fmt: str) -> int:
    order = f"SELECT * FROM {_ident(table)} ORDER BY ALL"
    if fmt == "parquet":  # DuckDB's own writer; one thread, so that the row groups never vary
        threads = con.execute("SELECT current_setting('threads')").fetchall()[0][0]
        con.execute("SET threads = 1")
        try:
            con.execute(f"COPY ({order}) TO {_q(path)} (FORMAT parquet, COMPRESSION zstd)").fetchall()
        finally:
            con.execute(f"SET threads = {int(threads)}")
        return int(con.execute(f"SELECT count(*) FROM {_ident(table)}").fetchall()[0][0])
    # CSV: lists as JSON text (a list's text form is ambiguous); everything else as DuckDB writes it,
    # doubles in their shortest exact form, NULL as an empty field and '' as "".
    select = ", ".join(f"to_json({_ident(n)}) AS {_ident(n)}" if _is_list(t) else _ident(n) for n, t in cols)
    con.execute(f"COPY (SELECT {select} FROM ({order})) TO {_q(path)} (HEADER, DELIMITER ',')").fetchall()
    row = con.execute(f"SELECT count(*) FROM {_ident(table)}").fetchall()[0]
    return int(row[0])


def export(directory: Path, out: Path, fmt: str = "parquet") -> dict[str, Any]:
    """Write every table, the schema version and a manifest with hashes to the folder ``out``."""
    if fmt not in FORMATS:
        raise UserError(Problem("unknown format", column="--format", value=fmt, expected="parquet or csv"))
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UserError(Problem("the output folder exists and is not empty", file=str(out)))
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.export-", dir=out.parent))
    try:
        with connect(directory) as con:
            entries = []
            for table in tables(con):
                cols = columns(con, table)
                file = f"{table}.{fmt}"
                rows = _write_table(con, table, cols, staging / file, fmt)
                entries.append(
                    {
                        "name": table,
                        "file": file,
                        "rows": rows,
                        "columns": [[n, t] for n, t in cols],
                        "sha256": sha256(staging / file),
                    }
                )
            manifest = {
                "kind": KIND,
                "format_version": FORMAT_VERSION,
                "schema_version": schema.version(con),
                "format": fmt,
                "tables": entries,
            }
        (staging / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)  # mkdtemp made it private
        if out.exists():
            out.rmdir()
        os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest


def read_manifest(folder: Path) -> dict[str, Any]:
    """The export's manifest, checked (kind, version, entries) and with every file's hash verified."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise UserError(Problem("not a workspace export (no manifest.json)", file=str(folder)))
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UserError(Problem(f"invalid manifest: {exc}", file=str(path))) from None
    if not isinstance(manifest, dict) or manifest.get("kind") != KIND:
        raise UserError(Problem("not an mfgindex workspace manifest", file=str(path), column="kind"))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise UserError(
            Problem(
                "unsupported export format version",
                file=str(path),
                column="format_version",
                value=str(manifest.get("format_version")),
                expected=str(FORMAT_VERSION),
            )
        )
    if manifest.get("format") not in FORMATS:
        raise UserError(
            Problem("unknown format", file=str(path), column="format", value=str(manifest.get("format")))
        )
    version = manifest.get("schema_version")
    if not isinstance(version, int) or version < 1:
        raise UserError(Problem("invalid schema version", file=str(path), column="schema_version"))
    if version > schema.LATEST:
        raise UserError(
            Problem(
                f"the export has schema version {version}, newer than this mfgindex ({schema.LATEST})",
                file=str(path),
                expected="a newer mfgindex",
            )
        )
    problems = []
    entries = manifest.get("tables")
    if not isinstance(entries, list):
        raise UserError(Problem("no table list", file=str(path), column="tables"))
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not {"name", "file", "rows", "columns", "sha256"} <= entry.keys():
            problems.append(Problem("incomplete table entry", file=str(path), column=f"tables[{i}]"))
            continue
        file = Path(folder) / str(entry["file"])
        if Path(str(entry["file"])).name != str(entry["file"]):
            problems.append(Problem("a table file must be in the export folder", file=str(path)))
        elif not file.is_file():
            problems.append(Problem("table file missing", file=str(file)))
        elif sha256(file) != entry["sha256"]:
            problems.append(Problem("file does not match the manifest (SHA-256 differs)", file=str(file)))
    if problems:
        raise UserError(problems)
    return manifest


def _load_table(con: Connection, folder: Path, entry: dict[str, Any], fmt: str) -> None:
    table = str(entry["name"])
    cols = [(str(n), str(t)) for n, t in entry["columns"]]
    names = ", ".join(_ident(n) for n, _ in cols)
    file = folder / str(entry["file"])
    if fmt == "parquet":
        source = f"read_parquet({_q(file)})"
        select = ", ".join(f"CAST({_ident(n)} AS {t})" for n, t in cols)
    else:
        types = ", ".join(f"'{n}': '{'VARCHAR' if _is_list(t) else t}'" for n, t in cols)
        source = (
            f"read_csv({_q(file)}, header = true, auto_detect = false, delim = ',', quote = '\"', "
            f"escape = '\"', allow_quoted_nulls = false, columns = {{{types}}})"
        )
        select = ", ".join(
            f"CAST(CAST({_ident(n)} AS JSON) AS {t})" if _is_list(t) else _ident(n) for n, t in cols
        )
    try:
        con.execute(f"INSERT INTO {_ident(table)} ({names}) SELECT {select} FROM {source}").fetchall()
    except duckdb.Error as exc:
        raise UserError(Problem(f"cannot load the table: {exc}", file=str(file))) from None
    got = con.execute(f"SELECT count(*) FROM {_ident(table)}").fetchall()[0][0]
    if int(got) != int(entry["rows"]):
        raise UserError(
            Problem(f"{got} rows read, the manifest says {entry['rows']}", file=str(file), column="rows")
        )


def restore(folder: Path, directory: Path) -> dict[str, int]:
    """Rebuild a workspace in ``directory`` from an export folder; returns rows per table."""
    folder = Path(folder)
    directory = Path(directory)
    manifest = read_manifest(folder)
    if db_path(directory).exists():
        raise UserError(Problem("a workspace already exists here", file=str(directory)))
    fmt = str(manifest["format"])
    version = int(manifest["schema_version"])
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.restore-", dir=directory.parent))
    try:
        con = duckdb.connect(str(db_path(staging)))
        try:
            schema.migrate(con, target=version)  # the schema the export was made with
            expected = {t: columns(con, t) for t in tables(con)}
            got = {str(e["name"]): [(str(n), str(t)) for n, t in e["columns"]] for e in manifest["tables"]}
            problems = [
                Problem(f"table {t} missing from the export", file=str(folder / MANIFEST))
                for t in expected
                if t not in got
            ] + [
                Problem(
                    f"table {t} does not match schema version {version}",
                    file=str(folder / MANIFEST),
                    column=t,
                    value=", ".join(n for n, _ in cols),
                    expected=", ".join(n for n, _ in expected.get(t, [])) or "no such table",
                )
                for t, cols in got.items()
                if expected.get(t) != cols
            ]
            if problems:
                raise UserError(problems)
            with transaction(con):
                con.execute("DELETE FROM schema_version").fetchall()  # replaced by the exported rows
                for entry in manifest["tables"]:
                    _load_table(con, folder, entry, fmt)
            schema.migrate(con)  # newer migrations, if the export is older than this mfgindex
            counts = {t: int(con.execute(f"SELECT count(*) FROM {_ident(t)}").fetchall()[0][0]) for t in got}
        finally:
            con.close()
        directory.mkdir(parents=True, exist_ok=True)
        if db_path(directory).exists():  # made meanwhile by someone else
            raise UserError(Problem("a workspace already exists here", file=str(directory)))
        os.replace(db_path(staging), db_path(directory))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return counts
