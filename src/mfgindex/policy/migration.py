"""Workspace migration adding the policy and case library (appended to ``workspace.schema.MIGRATIONS``).

Kept free of imports from :mod:`mfgindex.workspace` so that the schema module can import it without a cycle.
"""

from __future__ import annotations

import duckdb


def policy_v3(con: duckdb.DuckDBPyConnection) -> None:
    """Policy and case library: government work report excerpts, policy documents, case studies."""
    con.execute(
        """
        CREATE TABLE policy_records (
            id BIGINT PRIMARY KEY, key TEXT NOT NULL, unit TEXT NOT NULL, year INTEGER NOT NULL,
            kind TEXT NOT NULL, department TEXT, title TEXT, text TEXT, tags VARCHAR[], source TEXT,
            source_url TEXT, seq INTEGER, search_text TEXT, import_id BIGINT NOT NULL, location TEXT,
            entered_by TEXT, entered_at TIMESTAMP, superseded_by BIGINT
        );
        CREATE INDEX policy_records_key ON policy_records (key);
        CREATE INDEX policy_records_unit_year ON policy_records (unit, year);
        """
    ).fetchall()
