"""Run-mode analyses: everything the report's section 二 states, computed from a run's results.

:func:`analyze_run` reads a :class:`~mfgindex.analysis.run.RunData` and returns a :class:`RunAnalysis`:
the list-level analyses of :func:`~mfgindex.analysis.summary.analyze_ranking` (regions, provinces, 城市群,
capitals with 首位度 on the value-added proxy), the top 10 of every sub-index with its Chinese name, risers
and new entries, 发展潜力城市, the economy of the top N (:mod:`mfgindex.analysis.economy`: shares of
national GDP and value added, value added by region 表11, regional gaps), the national lists they hold
(:mod:`mfgindex.analysis.listings`: 表12, 表5-10 analogues on the lists the data has), and a diagnosis of
every top-N city at dimension and indicator level. This module holds the sub-index leaders and the
diagnoses; it gathers the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from mfgindex.analysis import strengths as sw
from mfgindex.analysis.capitals import primacy
from mfgindex.analysis.city import CityProfile, city_profile
from mfgindex.analysis.distribution import CityRef, city_ref, city_refs, to_jsonable
from mfgindex.analysis.economy import (
    VA,
    Aggregates,
    GapSummary,
    RegionValueAdded,
    aggregates,
    context_frame,
    region_value_added,
    regional_gaps,
    year_values,
)
from mfgindex.analysis.listings import ListCount, ListTop, NamedEntries, list_counts, list_tops, named_entries
from mfgindex.analysis.panel import PanelChange, panel_change
from mfgindex.analysis.potential import PotentialCities, PotentialRule, potential_cities
from mfgindex.analysis.run import RunData
from mfgindex.analysis.summary import RankingAnalysis, analyze_ranking
from mfgindex.analysis.table import top
from mfgindex.core import geo
from mfgindex.core.framework import Aggregate, Indicator


@dataclass(frozen=True)
class SubIndexLeaders:
    """The top ``k`` of one sub-index over all ranked units."""

    id: str
    name_zh: str
    name_en: str
    cities: tuple[CityRef, ...]
    """``rank`` is the sub-index rank."""
    scores: tuple[float, ...]
    in_top_n: int
    """How many of the leaders are in the overall top N."""


@dataclass(frozen=True)
class IndicatorPosition:
    indicator: str
    name_zh: str
    name_en: str
    dimension: str
    rank: int
    rank_vs_overall: int
    normalised: float
    tied: int = 1
    """Cities sharing the rank (1: no tie)."""


@dataclass(frozen=True)
class CityDiagnosis:
    """A city's profile (dimensions, peers, gaps) plus its strongest and weakest indicators."""

    profile: CityProfile
    strong_indicators: tuple[IndicatorPosition, ...]
    weak_indicators: tuple[IndicatorPosition, ...]


@dataclass(frozen=True)
class RunAnalysis:
    """All run-mode analyses of one run (see the module docstring)."""

    year: int
    previous_year: int | None
    top_n: int
    n_ranked: int
    ranking: RankingAnalysis | None
    leaders: tuple[SubIndexLeaders, ...]
    risers: tuple[CityRef, ...]
    rise_by: dict[str, int]
    new_entries: tuple[CityRef, ...]
    potential: PotentialCities | None
    potential_rule: PotentialRule
    aggregates: Aggregates | None
    region_va: tuple[RegionValueAdded, ...] | None
    list_counts: tuple[ListCount, ...]
    list_tops: tuple[ListTop, ...]
    centres: tuple[NamedEntries, ...]
    clusters: tuple[NamedEntries, ...]
    gaps: tuple[GapSummary, ...]
    profiles: tuple[CityDiagnosis, ...]
    primacy: dict[str, float]
    min_gain: int
    strength_rule: str
    panel: PanelChange | None
    """Change of the panel-normalised index (the "index rose" statements; ranks use the yearly index)."""
    context: pd.DataFrame = field(repr=False, compare=False)
    """Ranked units × ``va, va_prev, gdp, gdp_prev, population, growth, share, share_prev`` (NaN: absent)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the context frame left out)."""
        out: dict[str, Any] = {}
        for k in self.__dataclass_fields__:
            if k == "context":
                continue
            v = getattr(self, k)
            out[k] = v.to_dict() if isinstance(v, RankingAnalysis) else to_jsonable(v)
        return out


# ------------------------------------------------------------------------------------------- helpers


def _int(x: Any) -> int:
    return int(x)


# ------------------------------------------------------------------------------------------- parts


def subindex_leaders(run: RunData, k: int = 10) -> tuple[SubIndexLeaders, ...]:
    """The top ``k`` of every dimension (children of the root), with the names from the framework."""
    t = run.table
    out: list[SubIndexLeaders] = []
    for child in run.framework.root.children:
        if f"{child.id}_rank" not in t.columns:
            continue
        r = t[f"{child.id}_rank"]
        # assign before filtering: assigning to an empty frame would take r's index (all NA rows)
        rows = t.assign(_r=r)[(r.notna() & (r <= k)).astype(bool)].sort_values(["_r", "rank"])
        out.append(
            SubIndexLeaders(
                id=child.id,
                name_zh=child.name_zh or child.id,
                name_en=child.name_en or child.id,
                cities=tuple(CityRef(str(c), str(x["name"]), int(x["_r"])) for c, x in rows.iterrows()),
                scores=tuple(float(x[child.id]) for _, x in rows.iterrows()),
                in_top_n=int((rows["rank"] <= run.top_n).sum()),
            )
        )
    return tuple(out)


def diagnose(run: RunData, code: str, k: int = 3) -> CityDiagnosis:
    """Dimension profile plus the ``k`` strongest and weakest indicators, by the one strengths/weaknesses
    rule (:mod:`mfgindex.analysis.strengths`) applied to the normalised indicators."""
    t = run.table
    dims = [c.id for c in run.framework.root.children if c.id in t.columns and f"{c.id}_rank" in t.columns]
    profile = city_profile(t, code, dims=dims, index_id=run.index_id)
    norm = run.normalised.reindex(t.index)
    overall = _int(t.at[code, "rank"])
    parent: dict[str, str] = {}
    for child in run.framework.root.children:
        if isinstance(child, Aggregate):
            for ind in run.framework.indicators():
                if any(n.id == ind.id for n in _walk(child)):
                    parent[ind.id] = child.id
    inds = {i.id: i for i in run.framework.indicators() if i.id in norm.columns}
    items = sw.standings(norm[list(inds)], t["rank"], code)

    def position(s: sw.Standing) -> IndicatorPosition:
        ind = inds[s.item]
        return IndicatorPosition(
            indicator=ind.id,
            name_zh=ind.name_zh or ind.id,
            name_en=ind.name_en or ind.id,
            dimension=parent.get(ind.id, ""),
            rank=s.rank,
            rank_vs_overall=overall - s.rank,
            normalised=s.score,
            tied=s.tied,
        )

    strong = [position(s) for s in sw.strengths(items)]
    weak = [position(s) for s in sw.weaknesses(items)]
    return CityDiagnosis(profile, tuple(strong[:k]), tuple(weak[:k]))


def _walk(node: Aggregate | Indicator) -> list[Aggregate | Indicator]:
    out: list[Aggregate | Indicator] = [node]
    if isinstance(node, Aggregate):
        for c in node.children:
            out.extend(_walk(c))
    return out


# ------------------------------------------------------------------------------------------- entry point


def analyze_run(
    run: RunData,
    n: int | None = None,
    min_gain: int = 3,
    potential_rule: PotentialRule | None = None,
    clusters: str = geo.DEFAULT_CLUSTER_DEFINITION,
    panel: bool = True,
) -> RunAnalysis:
    """Every run-mode analysis of ``run``.

    Parameters
    ----------
    run
        The run (:func:`~mfgindex.analysis.run.from_result` or :func:`~mfgindex.analysis.run.load_run_dir`).
    n
        Length of the list (default: the framework's ``top_n``, 50).
    min_gain
        Places gained for a "fastest riser" (METHODS.md §4: Δrank = rank_{t−1} − rank_t ≥ 3).
    potential_rule
        Rule for 发展潜力城市 (default: places N+1…2N, the 10 with the largest rank gain).
    clusters
        城市群 definition.
    panel
        Compute the panel-normalised index change (one more evaluation of both years; the report's
        "index rose" statement needs it, the Excel report sheets do not).
    """
    if n is not None and n != run.top_n:
        run = replace(run, framework=run.framework.model_copy(update={"top_n": n}))
    n = run.top_n
    t = run.table
    ctx = context_frame(run)
    rule = potential_rule or PotentialRule(first=n + 1, last=2 * n, index_id=run.index_id)
    prim: pd.Series | None = None
    va_all = year_values(run, VA, run.year)
    if run.is_cities and va_all is not None:
        prim = primacy(va_all)
    ranking = (
        analyze_ranking(t, n=n, clusters=clusters, primacy=prim, min_gain=min_gain) if run.is_cities else None
    )
    tn = top(t, n)
    rise_by: dict[str, int] = {}
    risers: tuple[CityRef, ...] = ()
    if "prev_rank" in tn.columns:
        gain = (tn["prev_rank"] - tn["rank"]).dropna()
        sel = gain[gain >= min_gain]
        order = sorted(sel.index, key=lambda c: (-int(sel[c]), _int(tn.at[c, "rank"])))
        risers = tuple(city_ref(tn, str(c)) for c in order)
        rise_by = {str(c): int(sel[c]) for c in order}
    change = tn["change"] if "change" in tn.columns else pd.Series("", index=tn.index)
    new_entries = city_refs(tn, tn.index[change == "new"])
    try:
        potential: PotentialCities | None = potential_cities(t, rule)
    except ValueError:
        potential = None
    agg = aggregates(run, ctx) if run.is_cities else None
    return RunAnalysis(
        year=run.year,
        previous_year=run.previous_year,
        top_n=n,
        n_ranked=len(t),
        ranking=ranking,
        leaders=subindex_leaders(run),
        risers=risers,
        rise_by=rise_by,
        new_entries=new_entries,
        potential=potential,
        potential_rule=rule,
        aggregates=agg,
        region_va=region_value_added(run, ctx) if run.is_cities else None,
        list_counts=list_counts(run) if run.is_cities else (),
        list_tops=list_tops(run),
        centres=named_entries(run, "centres"),
        clusters=named_entries(run, "clusters"),
        gaps=regional_gaps(run, ctx) if run.is_cities else (),
        profiles=tuple(diagnose(run, str(c)) for c in tn.index),
        primacy={} if prim is None else {str(k): float(v) for k, v in prim.dropna().items() if k in tn.index},
        min_gain=min_gain,
        strength_rule=sw.rule_text(),
        panel=panel_change(run) if panel and run.previous_year is not None else None,
        context=ctx,
    )
