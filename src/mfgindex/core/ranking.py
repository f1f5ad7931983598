"""The ranking table (``scores.csv``): identity, ranks, rank change, then each aggregate's score and rank;
built once from columns, in rank order."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from mfgindex.core import rank
from mfgindex.core.dataset import Dataset, unit_rows
from mfgindex.core.framework import Framework
from mfgindex.core.result import YearResult


def _take(column: Any, order: npt.NDArray[np.intp], index: pd.Index) -> Any:
    """A column (Series, NumPy or extension array) in ``order``, with its dtype (object stays object)."""
    if isinstance(column, pd.Series):
        if column.dtype == object:
            return pd.Series(column.to_numpy()[order], index=index, dtype=object)
        column = column.to_numpy() if isinstance(column.dtype, np.dtype) else column.array
    return column.take(order)


def ranking_table(
    ds: Dataset, framework: Framework, cur: YearResult, prev: YearResult | None
) -> pd.DataFrame:
    """The ranking table (``scores.csv``): identity, ranks, change, then each aggregate's score and rank."""
    root = framework.root.id
    scores = cur.scores
    pos = unit_rows(ds, scores.index)
    wanted = tuple(dict.fromkeys(["name", "province", "region", "province_abbr", *framework.groups]))
    selected: dict[tuple[str, ...], pd.DataFrame] = ds.__dict__.setdefault("_unit_tables", {})
    if wanted not in selected:  # the unit table's columns used here, selected once per dataset
        selected[wanted] = ds.units[[c for c in wanted if c in ds.units.columns]]
    table_units = selected[wanted]
    units = table_units.reindex(scores.index) if pos is None else table_units.take(pos).set_axis(scores.index)
    cols: dict[str, Any] = {"name": units["name"] if "name" in units.columns else scores.index.to_series()}
    for col in ("province", "region"):
        if col in units.columns:
            cols[col] = units[col]
    for group in framework.groups:
        if group in units.columns:
            cols[group] = units[group]
    cols["stage"] = cur.stage_label.reindex(scores.index)
    values = scores.to_numpy(dtype=np.float64)
    position = {c: k for k, c in enumerate(scores.columns)}
    root_rank = rank.competition_rank(scores[root])
    cols["rank"] = root_rank
    if "province" in units.columns and "province_abbr" in units.columns:
        cols["province_rank"] = rank.province_rank(scores[root], units["province"], units["province_abbr"])
    if prev is not None:
        prev_rank = rank.competition_rank(prev.scores[root]).reindex(scores.index)
        delta, label = rank.rank_change(root_rank, prev_rank, framework.top_n)
        cols["prev_rank"] = prev_rank
        cols["rank_change"] = delta
        cols["change"] = label
    aggs = [agg.id for agg in framework.aggregates()]
    at = [position[a] for a in aggs]
    all_ranks = rank.ranks(values[:, at].T)  # one call: every aggregate's ranks (rows)
    missing = np.isnan(all_ranks)
    whole = np.where(missing, 0, all_ranks).astype(np.int64)
    for k, a in enumerate(aggs):
        cols[a] = values[:, at[k]]
        cols[f"{a}_rank"] = pd.arrays.IntegerArray(whole[k], missing[k])
    # by rank (unranked last), then name; stable, as a mergesort of the two columns
    key = root_rank.to_numpy(dtype=np.float64, na_value=np.inf)
    order = np.argsort(key, kind="stable")
    srt = key[order]
    if bool((srt[1:] == srt[:-1]).any()):  # ties (or unranked units): by name among them
        name_key, _ = pd.factorize(pd.Series(cols["name"]).astype(object), sort=True, use_na_sentinel=True)
        order = np.lexsort((np.where(name_key < 0, len(name_key), name_key), key))
    index = scores.index.take(order)
    table = pd.DataFrame({k: _take(v, order, index) for k, v in cols.items()}, index=index)
    table.index.name = "code"
    return table
