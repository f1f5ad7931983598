"""A user's values over the embedded data, cell by cell (unit × year × variable).

A cell the user's file has replaces the embedded one; a cell it lacks (``…``, ``—``, empty) never erases
an embedded value; variables the embedded data lack are added. The record says, per input file, which
cells it supplied (variable → year → unit codes) and how many replaced embedded values.
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import Any

import pandas as pd

from mfgindex.core.dataset import Dataset

KEY = ["code", "year", "variable"]


def supplied(values: pd.DataFrame) -> dict[str, dict[str, dict[str, list[str]]]]:
    """Per file: variable → year → sorted unit codes of the cells it supplied."""
    out: dict[str, dict[str, dict[str, list[str]]]] = {}
    if "file" not in values.columns:
        return out
    frame = values[["file", "variable", "year", "code"]].astype(str)
    for (f, v, y), grp in frame.groupby(["file", "variable", "year"], sort=True):
        out.setdefault(str(f), {}).setdefault(str(v), {})[str(y)] = sorted(set(grp["code"]))
    return out


def overlay(base: Dataset, user: Dataset) -> Dataset:
    """``base`` with ``user``'s cells put over it (see the module docstring)."""
    ukeys = pd.MultiIndex.from_frame(user.values[KEY].astype({"code": str, "year": int, "variable": str}))
    bkeys = pd.MultiIndex.from_frame(base.values[KEY].astype({"code": str, "year": int, "variable": str}))
    replaced = bkeys.isin(ukeys)
    values = pd.concat([base.values[~replaced], user.values], ignore_index=True)
    for col in ("code", "variable", "source"):
        values[col] = values[col].astype(str)
    sources = dict(base.variable_sources)
    files = sorted(set(user.values["file"].astype(str))) if "file" in user.values.columns else []
    for var, src in user.variable_sources.items():
        sources[var] = f"{sources[var]}; cells replaced from {', '.join(files)}" if var in sources else src
    record: dict[str, Any] = dict(user.reading)
    record["overlay"] = {
        "base": "embedded default data",
        "cells_replaced": int(replaced.sum()),
        "cells_added": int(len(ukeys) - int(ukeys.isin(bkeys).sum())),
    }
    record["supplied"] = supplied(user.values)
    return replace(
        base,
        values=values,
        inputs=MappingProxyType({**base.inputs, **user.inputs}),
        variable_sources=MappingProxyType(sources),
        reading=MappingProxyType(record),
    )
