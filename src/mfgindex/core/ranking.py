"""The ranking table (``scores.csv``): identity, ranks, rank change, then each aggregate's score and rank;
built once from columns, in rank order."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from mfgindex.core import memo, rank
from mfgindex.core.dataset import Dataset, unit_rows
from mfgindex.core.frames import from_columns
from mfgindex.core.framework import Framework
from mfgindex.core.result import YearResult


def _take(column: Any, order: npt.NDArray[np.intp], index: pd.Index) -> Any:
    """A column (Series, NumPy or extension array) in ``order``, with its dtype (an object column as a NumPy
    object array: the table keeps it as objects, see :func:`from_columns`)."""
    if isinstance(column, pd.Series):
        column = column.to_numpy() if isinstance(column.dtype, np.dtype) else column.array
    return column.take(order)


def ranking_table(
    ds: Dataset, framework: Framework, cur: YearResult, prev: YearResult | None
) -> pd.DataFrame:
    """The ranking table (``scores.csv``): identity, ranks, change, then each aggregate's score and rank.

    The order (by rank, unranked last, then name) is found first; every column is then taken in that order
    once, the unit table's in one take of its rows.
    """
    root = framework.root.id
    scores = cur.scores
    codes = scores.index
    values = scores.to_numpy(dtype=np.float64)
    position = {c: k for k, c in enumerate(scores.columns)}
    aggs = memo.per_object(
        framework, "ranking.aggregates", lambda: [agg.id for agg in framework.aggregates()]
    )
    at = [position[a] for a in aggs]
    all_ranks = rank.ranks(values[:, at].T)  # one call: every aggregate's ranks (rows)
    missing = np.isnan(all_ranks)
    whole = np.where(missing, 0, all_ranks).astype(np.int64)
    k_root = aggs.index(root)
    root_rank = pd.arrays.IntegerArray(whole[k_root], missing[k_root])

    pos = unit_rows(ds, codes)
    wanted = tuple(dict.fromkeys(["name", "province", "region", "province_abbr", *framework.groups]))
    selected: dict[tuple[str, ...], pd.DataFrame] = ds.__dict__.setdefault("_unit_tables", {})
    if wanted not in selected:  # the unit table's columns used here, selected once per dataset
        selected[wanted] = ds.units[[c for c in wanted if c in ds.units.columns]]
    table_units = selected[wanted]
    series: dict[tuple[str, ...], dict[str, pd.Series]] = ds.__dict__.setdefault("_unit_series", {})
    if wanted not in series:  # and each of them as a Series, once
        series[wanted] = {c: table_units[c] for c in table_units.columns}
    by_name = series[wanted]
    has = set(by_name)

    def unit_column(col: str, rows: npt.NDArray[np.intp] | None, index: pd.Index) -> Any:
        if rows is None:
            return by_name[col].reindex(index)
        return _take(by_name[col], rows, index)

    # by rank (unranked last), then name; stable, as a mergesort of the two columns
    key = np.where(missing[k_root], np.inf, all_ranks[k_root])
    order = np.argsort(key, kind="stable")
    srt = key[order]
    if bool((srt[1:] == srt[:-1]).any()):  # ties (or unranked units): by name among them
        names = unit_column("name", pos, codes) if "name" in has else codes.to_series()
        name_key, _ = pd.factorize(pd.Series(names).astype(object), sort=True, use_na_sentinel=True)
        order = np.lexsort((np.where(name_key < 0, len(name_key), name_key), key))
    index = codes.take(order)
    rows = None if pos is None else pos[order]
    cols: dict[str, Any] = {"name": unit_column("name", rows, index) if "name" in has else index.to_series()}
    for col in ("province", "region"):
        if col in has:
            cols[col] = unit_column(col, rows, index)
    for group in framework.groups:
        if group in has:
            cols[group] = unit_column(group, rows, index)
    label = cur.stage_label if cur.stage_label.index is codes else cur.stage_label.reindex(codes)
    cols["stage"] = _take(label, order, index)
    cols["rank"] = root_rank.take(order)
    if "province" in has and "province_abbr" in has:
        unsorted = table_units.reindex(codes) if pos is None else table_units.take(pos).set_axis(codes)
        labels = rank.province_rank(scores[root], unsorted["province"], unsorted["province_abbr"])
        cols["province_rank"] = _take(labels, order, index)
    if prev is not None:
        prev_rank = rank.competition_rank(prev.scores[root]).reindex(codes)
        delta, change = rank.rank_change(pd.Series(root_rank, index=codes), prev_rank, framework.top_n)
        cols["prev_rank"] = _take(prev_rank, order, index)
        cols["rank_change"] = _take(delta, order, index)
        cols["change"] = _take(change, order, index)
    ordered = values[order]
    whole, missing = whole[:, order], missing[:, order]
    for k, a in enumerate(aggs):
        cols[a] = ordered[:, at[k]]
        cols[f"{a}_rank"] = pd.arrays.IntegerArray(whole[k], missing[k])
    objects = {c for c, v in cols.items() if isinstance(v, np.ndarray) and v.dtype == object}
    table = from_columns(cols, index, objects)
    table.index.name = "code"
    return table
