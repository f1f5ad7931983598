"""A city's profile as JSON: dimensions, indicators (raw values, units, sources), diagnosis, history."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mfgindex.analysis.city import CityProfile, city_profile
from mfgindex.analysis.strengths import rule_text
from mfgindex.core.framework import Indicator
from mfgindex.web.labels import source_label
from mfgindex.web.state import AppState, _int, _num, _str


class NotRanked(LookupError):
    """The code is a known unit that the evaluation left out (municipality, too little data)."""


def _dim_stats(table: pd.DataFrame, dim: str) -> dict[str, float | None]:
    s = table[dim].dropna()
    if s.empty:
        return {"median": None, "top10_mean": None, "max": None}
    return {
        "median": _num(s.median()),
        "top10_mean": _num(s.sort_values(ascending=False).head(10).mean()),
        "max": _num(s.max()),
    }


def _standing(diag: CityProfile, dim: str, names: dict[str, tuple[str, str]]) -> dict[str, Any]:
    st = diag.standing(dim)
    assert st is not None  # strengths and weaknesses are standings
    return {
        "id": dim,
        "name_zh": names[dim][0],
        "name_en": names[dim][1],
        "rank": st.rank,
        "tied": st.tied,
        "label_zh": st.label_zh,
        "label_en": st.label_en,
        "reason": st.reason,
    }


def build(state: AppState, code: str, year: int) -> dict[str, Any]:
    """Profile of ``code`` in ``year``; KeyError for an unknown code, NotRanked for an unranked one."""
    result = state.results[year]
    table = result.table
    if code not in state.row_index(year) or state.row_index(year)[code]["rank"] is None:
        units = state.dataset.units
        if code in units.index:
            unit = units.loc[code]
            reason = result.current.excluded.get(code)
            if reason is None and "unit_type" in units.columns:
                reason = f"unit type {unit.get('unit_type')!s} is not ranked by this framework"
            raise NotRanked(f"{unit.get('name', code)!s} is not ranked in {year}: {reason or 'no score'}")
        raise KeyError(code)
    cur = result.current
    row = state.row_index(year)[code]
    dims = [d.id for d in state.dimensions]
    diag = city_profile(table, code, dims=dims, index_id=state.root_id)
    positions = {p.dimension: p for p in diag.dimensions}
    raw = cur.stages["raw"]
    treated = cur.stages["treated"]
    norm = cur.stages["normalised"]
    ind_rank = state.indicator_ranks(year)
    stage_w = {node: w.loc[code] for node, w in cur.weights.items() if code in w.index}
    root_w = stage_w.get(state.root_id, result.nominal_weights[state.root_id])
    n_units = int(table["rank"].notna().sum())
    gw = result.global_weights
    dimensions = []
    for d in state.dimensions:
        p = positions.get(d.id)
        indicators = []
        for ind_id in d.indicators:
            node = state.nodes[ind_id]
            if not isinstance(node, Indicator):
                continue
            var_sources = state.dataset.variable_sources
            indicators.append(
                {
                    "id": ind_id,
                    "name_zh": node.name_zh or ind_id,
                    "name_en": node.name_en or ind_id,
                    "unit": node.unit,
                    "direction": node.direction,
                    "class": node.class_,
                    "proxy": node.proxy,
                    "source": node.source or var_sources.get(ind_id, ""),
                    "source_zh": source_label(node.source or var_sources.get(ind_id, ""), "zh"),
                    "source_en": source_label(node.source or var_sources.get(ind_id, ""), "en"),
                    "note": node.note,
                    "raw": _num(raw.at[code, ind_id]) if ind_id in raw.columns else None,
                    "imputed": bool(cur.imputed.at[code, ind_id]) if ind_id in cur.imputed.columns else False,
                    "treated_value": _num(treated.at[code, ind_id]) if ind_id in treated.columns else None,
                    "treated": bool(cur.treated.at[code, ind_id]) if ind_id in cur.treated.columns else False,
                    "normalised": _num(norm.at[code, ind_id]) if ind_id in norm.columns else None,
                    "rank": _int(ind_rank.at[code, ind_id]) if ind_id in ind_rank.columns else None,
                    "nominal_global_weight": _num(gw.get(ind_id)),
                }
            )
        dimensions.append(
            {
                "id": d.id,
                "name_zh": d.name_zh,
                "name_en": d.name_en,
                "score": row.get(d.id),
                "rank": row.get(f"{d.id}_rank"),
                "weight": _num(root_w.get(d.id)),
                "nominal_weight": d.weight,
                "rank_vs_overall": None if p is None else p.rank_vs_overall,
                "gap_to_above": None if p is None else _num(p.gap_to_above),
                "gap_to_top10": None if p is None else _num(p.gap_to_top10),
                **_dim_stats(table, d.id),
                "indicators": indicators,
            }
        )
    dim_names = {d.id: (d.name_zh, d.name_en) for d in state.dimensions}
    history = []
    for y in state.years:
        r = state.row_index(y).get(code)
        if r is not None and r["rank"] is not None:
            history.append(
                {"year": y, "rank": r["rank"], "index": r.get(state.root_id), "units": state.ranked_count(y)}
            )
    return {
        **row,
        "year": year,
        "units": n_units,
        "index": row.get(state.root_id),
        "stage_weights": {k: _num(v) for k, v in root_w.items()} if state.root_id in stage_w else None,
        "dimensions": dimensions,
        "strengths": [_standing(diag, s, dim_names) for s in diag.strengths],
        "weaknesses": [_standing(diag, s, dim_names) for s in diag.weaknesses],
        "strength_rule": {"zh": rule_text("zh"), "en": rule_text("en")},
        "peers": [
            {"code": p.code, "name": p.name, "rank": p.rank, "distance": _num(dist)}
            for p, dist in zip(diag.peers, diag.peer_distance, strict=True)
        ],
        "city_above": None
        if diag.city_above is None
        else {"code": diag.city_above.code, "name": diag.city_above.name, "rank": diag.city_above.rank},
        "index_gap_to_above": _num(diag.index_gap_to_above),
        "index_gap_to_top10": _num(diag.index_gap_to_top10),
        "history": history,
        "history_note": "each year is normalised on its own: ranks are comparable over years, scores less so",
        "rank_interval": state.rank_interval(code),
        "stage_label": _str(cur.stage_label.get(code)) if code in cur.stage_label.index else None,
        "imputed_count": int(np.asarray(cur.imputed.loc[code]).sum()) if code in cur.imputed.index else 0,
    }
