"""A new workspace: the schema, the units (prefecture-level cities) and the preset's variables; optionally
the embedded default data (values and national lists) as one import."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from mfgindex.core import dataset as dataset_mod
from mfgindex.core import framework as fw_mod
from mfgindex.core import geo
from mfgindex.core.errors import Problem, UserError
from mfgindex.core.files import check_out_dir
from mfgindex.workspace.schema import Connection, connect, db_path, run, transaction
from mfgindex.workspace.store import (
    DEFAULT_SOURCE,
    _ensure_variables,
    _hash_text,
    _insert_observations,
    _new_import,
    insert_entries,
    json_attrs,
    now,
    whoami,
)


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
        with transaction(con):
            units = _units_frame()
            con.register("units_df", units)
            run(con, "INSERT INTO units SELECT * FROM units_df")
            con.unregister("units_df")
            variables = _framework_variables()
            con.register("vars_df", variables)
            run(con, "INSERT INTO variables SELECT id, name_zh, unit, kind, definition, source FROM vars_df")
            con.unregister("vars_df")
        counts = {"units": len(units), "variables": len(variables), "observations": 0, "list_entries": 0}
        if with_default:
            counts.update(load_default(con, whoami(entered_by)))
    return counts


def load_default(con: Connection, entered_by: str) -> dict[str, int]:
    """Load ``mfgindex.core.dataset.default()`` (values and lists) as one import."""
    ds = dataset_mod.default()
    with transaction(con):
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
