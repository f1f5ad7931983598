"""How far a city ranking is from the published CAICT 2023 list, and why (measured, never fitted).

* Top-N overlap: published top-N cities that are in the run's top N.
* Spearman's ρ between the published rank and the run's national rank, over the published cities the run
  ranks (the "common cities").
* For each dimension whose name matches a published sub-index: overlap of the two top 10s.
* The largest misses: published top-N cities outside the run's top N, furthest first. For each, the index
  distance to the run's rank-N city is split exactly into dimension terms,
  ``I(N) − I(c) = Σ_d [w̃_d(N)·s_d(N) − w̃_d(c)·s_d(c)]`` with w̃ each city's own dimension weights
  (stage weights) renormalised over the dimensions it has a score on (the arithmetic aggregation of the
  index); the dimensions with the largest terms, and the indicator values behind them, are the data reason.

The weights of the framework are principled; this module only reports the distance.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mfgindex.core import geo
from mfgindex.core.framework import Framework, Indicator, walk
from mfgindex.core.result import Result


@dataclass(frozen=True)
class DimensionOverlap:
    dimension: str
    name_zh: str
    name_en: str
    overlap: int
    """Cities in both top 10s."""
    ours: tuple[str, ...]
    published: tuple[str, ...]


@dataclass(frozen=True)
class Reason:
    """One dimension's share of a city's distance to the rank-N city."""

    dimension: str
    name_zh: str
    name_en: str
    contribution: float
    """Index points of the distance due to this dimension."""
    score: float
    score_ref: float
    indicators: tuple[tuple[str, str, float, float, str], ...]
    """(name_zh, name_en, the city's raw value, the rank-N city's raw value, unit)."""


@dataclass(frozen=True)
class Miss:
    city: str
    code: str
    published_rank: int
    rank: int | None
    gap: float
    """Index of the rank-N city minus the city's own."""
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Agreement:
    year: int
    top_n: int
    n_published: int
    overlap: int
    common: int
    spearman: float
    reference_city: str
    dimensions: tuple[DimensionOverlap, ...]
    misses: tuple[Miss, ...]


def _f(v: Any) -> float:
    return float(v)


def _dimension_weights(
    framework: Framework, scores: pd.DataFrame, unit_weights: pd.DataFrame | None
) -> pd.DataFrame:
    """Each unit's index weights over the dimensions it has a score on (rows sum to 1)."""
    dims = [c.id for c in framework.root.children]
    if unit_weights is not None and len(unit_weights):
        w = unit_weights.reindex(index=scores.index, columns=dims).astype(float)
    else:
        from mfgindex.core.weights.classes import local_weights

        nominal = local_weights(framework)[framework.root.id].reindex(dims).astype(float)
        w = pd.DataFrame([nominal.to_numpy()] * len(scores), index=scores.index, columns=dims)
    w = w.where(scores[dims].notna(), 0.0)
    total = w.sum(axis=1)
    return w.div(total.where(total > 0), axis=0)


def measure(
    framework: Framework,
    table: pd.DataFrame,
    raw: pd.DataFrame,
    year: int,
    unit_weights: pd.DataFrame | None = None,
    published: pd.DataFrame | None = None,
    published_subindex: pd.DataFrame | None = None,
    k_misses: int = 8,
    k_reasons: int = 2,
) -> Agreement:
    """Compare a ranking table (``name``, ``rank``, dimension score columns) with the published list."""
    from scipy.stats import spearmanr  # deferred: scipy.stats is slow to import

    if published is None:
        published = pd.read_csv(geo.data_path("caict2023", "top50_2023.csv"))
    if published_subindex is None:
        published_subindex = pd.read_csv(geo.data_path("caict2023", "subindex_top10_2023.csv"))
    n = int(framework.top_n)
    root = framework.root.id
    ranked = table[table["rank"].notna()].sort_values("rank", kind="mergesort")
    code_of = {str(name): str(code) for code, name in ranked["name"].items()}
    rank_of = {str(c): int(r) for c, r in ranked["rank"].items()}
    pub = published.sort_values("national_rank").head(n)
    pub_cities = [str(c) for c in pub["city"]]
    ours_top = {str(ranked.at[c, "name"]) for c in ranked.index if rank_of[str(c)] <= n}
    overlap = sum(c in ours_top for c in pub_cities)
    common = [
        (int(r), rank_of[code_of[c]])
        for c, r in zip(pub_cities, pub["national_rank"], strict=True)
        if c in code_of
    ]
    rho = (
        float(spearmanr([a for a, _ in common], [b for _, b in common]).statistic)
        if len(common) > 2
        else math.nan
    )

    dims_out = []
    for child in framework.root.children:
        sub = published_subindex[published_subindex["subindex"] == child.name_zh]
        if sub.empty or child.id not in ranked.columns:
            continue
        theirs = tuple(str(c) for c in sub.sort_values("rank")["city"].head(10))
        mine = tuple(
            str(ranked.at[c, "name"])
            for c in ranked[child.id].dropna().sort_values(ascending=False, kind="mergesort").index[:10]
        )
        dims_out.append(
            DimensionOverlap(
                child.id, child.name_zh, child.name_en, len(set(mine) & set(theirs)), mine, theirs
            )
        )

    dims = [c.id for c in framework.root.children]
    ref_code = str(ranked.index[min(n, len(ranked)) - 1])
    weights = _dimension_weights(framework, ranked, unit_weights)
    terms = (weights * ranked[dims]).fillna(0.0)
    by_id = {c.id: c for c in framework.root.children}
    missing = [
        (c, int(r)) for c, r in zip(pub_cities, pub["national_rank"], strict=True) if c not in ours_top
    ]
    missing.sort(key=lambda cr: -(rank_of.get(code_of.get(cr[0], ""), 10**6)))
    misses = []
    for city, prank in missing[:k_misses]:
        code = code_of.get(city)
        if code is None:
            misses.append(Miss(city, "", prank, None, math.nan, ()))
            continue
        contrib = {d: _f(terms.at[ref_code, d]) - _f(terms.at[code, d]) for d in dims}
        reasons = []
        for dim in sorted(dims, key=lambda d: -contrib[d])[:k_reasons]:
            if contrib[dim] <= 0:
                break
            node = by_id[dim]
            inds = tuple(
                (
                    leaf.name_zh or leaf.id,
                    leaf.name_en or leaf.id,
                    _f(raw.at[code, leaf.id]) if code in raw.index else math.nan,
                    _f(raw.at[ref_code, leaf.id]) if ref_code in raw.index else math.nan,
                    leaf.unit,
                )
                for leaf in walk(node)
                if isinstance(leaf, Indicator) and leaf.id in raw.columns
            )
            # indicators where the two cities do not differ (e.g. both 0 on a list) explain nothing
            inds = tuple(i for i in inds if not (i[2] == i[3] or (math.isnan(i[2]) and math.isnan(i[3]))))
            reasons.append(
                Reason(
                    dim,
                    node.name_zh,
                    node.name_en,
                    float(contrib[dim]),
                    _f(ranked.at[code, dim]),
                    _f(ranked.at[ref_code, dim]),
                    inds,
                )
            )
        gap = _f(ranked.at[ref_code, root]) - _f(ranked.at[code, root])
        misses.append(Miss(city, code, prank, rank_of[code], gap, tuple(reasons)))
    return Agreement(
        year=year,
        top_n=n,
        n_published=len(pub_cities),
        overlap=overlap,
        common=len(common),
        spearman=rho,
        reference_city=str(ranked.at[ref_code, "name"]),
        dimensions=tuple(dims_out),
        misses=tuple(misses),
    )


def _num(v: float) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def reason_text(r: Reason, ref: str, lang: str = "zh") -> str:
    """“创新发展低6.1分：31.2对47.9，每万人发明专利授权量3.12对9.80件/万人，…” (English: “innovation −6.1
    (31.2 vs 47.9: patents 3.12 vs 9.80 per 10k; …)”). The Chinese text has no brackets of its own, as
    indicator names carry theirs (增速（名义）)."""
    if lang != "en":
        vals = "，".join(f"{nz}{_num(a)}对{_num(b)}{u or ''}" for nz, _, a, b, u in r.indicators)
        head = f"{r.name_zh}低{r.contribution:.1f}分：{_num(r.score)}对{ref}{_num(r.score_ref)}"
        return f"{head}，{vals}" if vals else head
    vals = "; ".join(
        f"{ne} {_num(a)} vs {_num(b)}{(' ' + u) if u else ''}" for _, ne, a, b, u in r.indicators
    )
    name = r.name_en or r.name_zh
    return f"{name} −{r.contribution:.1f} ({_num(r.score)} vs {ref} {_num(r.score_ref)}: {vals})"


def frames(a: Agreement, lang: str = "zh") -> Mapping[str, pd.DataFrame]:
    """``summary`` (one row per measure), ``dimensions`` and ``misses`` tables."""
    zh = lang != "en"
    summary = pd.DataFrame(
        [
            {
                ("指标" if zh else "Measure"): (f"前{a.top_n}重合" if zh else f"Top-{a.top_n} overlap"),
                ("数值" if zh else "Value"): f"{a.overlap}/{a.n_published}",
            },
            {
                ("指标" if zh else "Measure"): (
                    f"Spearman ρ（共同城市{a.common}个）" if zh else f"Spearman ρ ({a.common} common cities)"
                ),
                ("数值" if zh else "Value"): f"{a.spearman:.3f}",
            },
        ]
        + [
            {
                ("指标" if zh else "Measure"): (
                    f"{d.name_zh}前10重合" if zh else f"{d.name_en or d.name_zh} top-10 overlap"
                ),
                ("数值" if zh else "Value"): f"{d.overlap}/10",
            }
            for d in a.dimensions
        ]
    )
    misses = pd.DataFrame(
        [
            {
                ("城市" if zh else "City"): m.city,
                ("发布排名" if zh else "Published rank"): m.published_rank,
                ("本次排名" if zh else "Our rank"): "—" if m.rank is None else m.rank,
                (f"与第{a.top_n}名指数差" if zh else f"Index gap to #{a.top_n}"): _num(m.gap),
                (
                    "主要差距维度（得分差与指标值）" if zh else "Main gaps (index points, indicator values)"
                ): " | ".join(reason_text(r, a.reference_city, lang) for r in m.reasons) or "—",
            }
            for m in a.misses
        ]
    )
    return {"summary": summary, "misses": misses}


def markdown(a: Agreement) -> str:
    """The README block: the measures and the largest misses (English text, Chinese names)."""
    lines = [
        f"Measured on the default run (data year {a.year}) against the published CAICT 2023 list: "
        f"**top-{a.top_n} overlap {a.overlap}/{a.n_published}**, **Spearman ρ = {a.spearman:.3f}** "
        f"between the published rank and ours over the {a.common} published cities we rank; top-10 "
        "overlap per sub-index: " + ", ".join(f"{d.name_zh} {d.overlap}/10" for d in a.dimensions) + ".",
        "",
        f"Largest misses (published top {a.top_n}, outside ours) and the data reason: the dimensions whose "
        f"score gaps to our #{a.top_n} ({a.reference_city}) explain most of the index distance (index "
        "points of the distance; dimension score vs the reference city's; the indicator values behind it, "
        "city vs reference, where they differ):",
        "",
        f"| city | published | ours | gap to #{a.top_n} | main gaps |",
        "|---|---|---|---|---|",
    ]
    for m in a.misses:
        reasons = "<br>".join(reason_text(r, a.reference_city, "en") for r in m.reasons) or "—"
        ours = "—" if m.rank is None else m.rank
        lines.append(f"| {m.city} | {m.published_rank} | {ours} | {_num(m.gap)} | {reasons} |")
    lines.append("")
    lines.append("Weights are set by the stated principle in the preset, never fitted to the published list.")
    return "\n".join(lines) + "\n"


def from_result(result: Result) -> Agreement:
    """:func:`measure` on a :class:`~mfgindex.core.result.Result` (its own stage weights)."""
    root = result.framework.root.id
    return measure(
        result.framework,
        result.table,
        result.current.stages["raw"],
        result.year,
        result.current.weights.get(root),
    )


__all__ = ["Agreement", "DimensionOverlap", "Miss", "Reason", "frames", "from_result", "markdown", "measure"]
