"""Analyses of a ranking: distribution by region, province, 城市群 and capital; changes; gaps; city profiles.

Every function is pure and reads a *ranking table* (see :mod:`mfgindex.analysis.table`): a DataFrame indexed
by adcode with ``name, province, region, rank`` and optional ``province_rank, prev_rank, change`` and score
columns, as in a run's ``scores.csv`` or a published list read by :func:`read_published_ranking`.
"""

from __future__ import annotations

from mfgindex.analysis.capitals import capitals, primacy
from mfgindex.analysis.city import CityProfile, city_profile, nearest_peers
from mfgindex.analysis.distribution import (
    changes,
    cluster_distribution,
    province_distribution,
    region_distribution,
    subindex_top,
)
from mfgindex.analysis.gaps import coefficient_of_variation, regional_gap, theil, theil_decomposition
from mfgindex.analysis.potential import PotentialRule, potential_cities
from mfgindex.analysis.summary import RankingAnalysis, analyze_ranking
from mfgindex.analysis.table import from_scores, read_published_ranking

__all__ = [
    "CityProfile",
    "PotentialRule",
    "RankingAnalysis",
    "analyze_ranking",
    "capitals",
    "changes",
    "city_profile",
    "cluster_distribution",
    "coefficient_of_variation",
    "from_scores",
    "nearest_peers",
    "potential_cities",
    "primacy",
    "province_distribution",
    "read_published_ranking",
    "region_distribution",
    "regional_gap",
    "subindex_top",
    "theil",
    "theil_decomposition",
]
