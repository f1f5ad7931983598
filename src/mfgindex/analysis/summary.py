"""All the list-level analyses of a ranking in one result (what ``mfgindex analyze`` writes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from mfgindex.analysis.capitals import CapitalSummary, capitals
from mfgindex.analysis.distribution import (
    Changes,
    CityRef,
    ClusterDistribution,
    ProvinceDistribution,
    RegionCount,
    changes,
    cluster_distribution,
    province_distribution,
    region_distribution,
    score_columns,
    subindex_top,
    to_jsonable,
)
from mfgindex.analysis.table import top
from mfgindex.core import geo


@dataclass(frozen=True)
class RankingAnalysis:
    """The findings of the seed report's 二(一)-(二) for one ranking."""

    top_n: int
    n_listed: int
    top10: tuple[CityRef, ...]
    regions: tuple[RegionCount, ...]
    provinces: ProvinceDistribution
    clusters: ClusterDistribution
    capitals: CapitalSummary
    changes: Changes
    subindex_top10: dict[str, tuple[CityRef, ...]]

    def to_dict(self) -> dict[str, Any]:
        """The ``analysis.json`` document: the summary keys first, then every detail."""
        return {
            "top_n": self.top_n,
            "n_listed": self.n_listed,
            "region_counts": {
                r.region: {"top10": r.top10, "top20": r.top20, "topN": r.topN} for r in self.regions
            },
            "province_counts": self.provinces.counts,
            "cluster_definition": self.clusters.definition,
            "cluster_definition_zh": self.clusters.definition_zh,
            "cluster_counts": self.clusters.counts,
            "capitals_in_list": self.capitals.capitals_in_list,
            "capitals_first_in_province": self.capitals.capitals_first_in_province,
            "top10": to_jsonable(self.top10),
            "regions": to_jsonable(self.regions),
            "provinces": to_jsonable(self.provinces.provinces),
            "provinces_unlisted": list(self.provinces.unlisted),
            "clusters": to_jsonable(self.clusters),
            "capitals": to_jsonable(self.capitals),
            "changes": to_jsonable(self.changes),
            "subindex_top10": to_jsonable(self.subindex_top10),
        }


def analyze_ranking(
    table: pd.DataFrame,
    n: int = 50,
    clusters: str = geo.DEFAULT_CLUSTER_DEFINITION,
    primacy: pd.Series | None = None,
    min_gain: int = 3,
    major_cluster_min: int = 5,
    primacy_threshold: float = 0.20,
) -> RankingAnalysis:
    """Run every list-level analysis on a ranking table.

    Parameters
    ----------
    table
        Ranking table (:mod:`mfgindex.analysis.table`), published list or a run's scores.
    n
        Length of the list analysed (top N).
    clusters
        城市群 definition name (:data:`mfgindex.core.geo.CLUSTER_DEFINITIONS`).
    primacy
        Optional 首位度 of the capitals by adcode (fraction).
    min_gain
        Places gained for a "fastest riser".
    major_cluster_min
        Listed cities for a 城市群 to count among the main ones.
    primacy_threshold
        首位度 threshold reported (20 %).
    """
    t = top(table, n)
    return RankingAnalysis(
        top_n=n,
        n_listed=len(t),
        top10=tuple(CityRef(str(c), str(r["name"]), int(r["rank"])) for c, r in top(t, 10).iterrows()),
        regions=region_distribution(table, n),
        provinces=province_distribution(table, n),
        clusters=cluster_distribution(table, n, clusters, major_cluster_min),
        capitals=capitals(table, n, primacy, primacy_threshold),
        changes=changes(table, n, min_gain),
        subindex_top10=subindex_top(table, [c for c in score_columns(table) if c != "index"]),
    )
