"""A user's values over the embedded data, cell by cell (unit × year × variable).

A cell the user's file has replaces the embedded one; a cell it lacks (``…``, ``—``, empty) never erases
an embedded value; variables the embedded data lack are added. The record says, per input file, which
cells it supplied (variable → year → unit codes) and how many replaced embedded values.
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from mfgindex.core.dataset import Dataset

KEY = ["code", "year", "variable"]


Key = tuple[np.ndarray, np.ndarray, list[str]]  # codes, the rank of each code's text, the texts in order
DENSE_CELLS = 64_000_000  # files × variables × years × units below which one bit array marks the cells


def supplied(values: pd.DataFrame) -> dict[str, dict[str, dict[str, list[str]]]]:
    """Per file: variable → year → sorted unit codes of the cells it supplied."""
    if "file" not in values.columns or values.empty:
        return {}
    keys = []
    for k in ("file", "variable", "year", "code"):
        cat = pd.Categorical(values[k])
        keys.append((np.asarray(cat.codes), *text_order([str(x) for x in cat.categories])))
    return supplied_from_codes(*keys)


def supplied_from_codes(*keys: Key) -> dict[str, dict[str, dict[str, list[str]]]]:
    """:func:`supplied` from integer codes of (file, variable, year, unit), each with the rank of its text
    (:func:`text_order`). Each list holds the one string of each unit, so a large file's record costs a
    pointer per value and no string; the cells are marked in one bit array (one byte per possible cell)."""
    sizes = [max(len(texts), 1) for _, _, texts in keys]
    combined = np.zeros(len(keys[0][0]), dtype=np.int64)
    for (codes, rank, _), size in zip(keys, sizes, strict=True):
        combined *= size
        combined += rank[codes]
    total = int(np.prod(sizes, dtype=np.int64))
    if total <= DENSE_CELLS:
        present = np.zeros(total, dtype=bool)
        present[combined] = True
        del combined
        cells = np.flatnonzero(present)  # sorted: by file, variable, year, unit, each in text order
    else:
        cells = np.unique(combined)
        del combined
    units = sizes[3]
    group, unit = np.divmod(cells, units)
    del cells
    (_, _, files), (_, _, variables), (_, _, years), (_, _, names) = keys
    out: dict[str, dict[str, dict[str, list[str]]]] = {}
    starts = np.flatnonzero(np.r_[True, np.diff(group) != 0])
    ends = np.r_[starts[1:], len(group)]
    for i, j in zip(starts.tolist(), ends.tolist(), strict=True):
        rest, y = divmod(int(group[i]), sizes[2])
        f, v = divmod(rest, sizes[1])
        entry = out.setdefault(files[f], {}).setdefault(variables[v], {})
        entry[years[y]] = [names[k] for k in unit[i:j].tolist()]
    return out


def text_order(texts: list[str]) -> tuple[np.ndarray, list[str]]:
    """The rank of each text in text order, and the texts in that order."""
    order = np.argsort(np.array(texts, dtype=object), kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank, [texts[i] for i in order]


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
    record["supplied"] = user.reading.get("supplied") or supplied(user.values)
    return replace(
        base,
        values=values,
        inputs=MappingProxyType({**base.inputs, **user.inputs}),
        variable_sources=MappingProxyType(sources),
        reading=MappingProxyType(record),
    )
