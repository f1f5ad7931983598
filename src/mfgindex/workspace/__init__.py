"""The data workspace: a multi-year panel store (embedded DuckDB) with provenance, list ingestion,
data-entry templates and recorded runs.

Public entry points: :func:`init`, :func:`import_values`, :func:`load_dataset`, :func:`history`,
:func:`mfgindex.workspace.lists.import_list`, :func:`mfgindex.workspace.runs.record_run`.
"""

from __future__ import annotations

from mfgindex.workspace.create import init
from mfgindex.workspace.snapshots import history, load_dataset
from mfgindex.workspace.store import ImportReport, import_values, read_map

__all__ = ["ImportReport", "history", "import_values", "init", "load_dataset", "read_map"]
