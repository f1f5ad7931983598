"""创新发展 on real data in the default run: the figures a user checks first."""

from __future__ import annotations

from mfgindex.core.result import Result


def test_patent_indicator_covers_most_ranked_cities(default_result: Result) -> None:
    t = default_result.table
    ranked = t[t["rank"].notna()].index
    raw = default_result.current.stages["raw"]
    assert raw.loc[ranked, "invention_patents_per_10k"].notna().mean() >= 0.85


def test_few_cities_score_exactly_zero_and_missing_is_not_zero(default_result: Result) -> None:
    t = default_result.table
    ranked = t[t["rank"].notna()]
    assert (ranked["innovation"] == 0).mean() < 0.10
    # a city without patents or S&T spending has no 创新发展 score (missing), yet an index
    raw = default_result.current.stages["raw"]
    none = raw[["invention_patents_per_10k", "sci_tech_share", "patent_grants"]].isna().all(axis=1)
    assert none.sum() > 0
    assert ranked.loc[ranked.index.intersection(none[none].index), "innovation"].isna().all()
    assert ranked.loc[ranked.index.intersection(none[none].index), "index"].notna().all()


def test_one_shared_cluster_counts_modestly(default_result: Result) -> None:
    """惠州 is one of three members of one cluster (超高清视频和智能家电): 1/3 on goalposts 0-3 → 11.1."""
    norm = default_result.current.stages["normalised"]
    raw = default_result.current.stages["raw"]
    assert raw.at["441300", "advanced_clusters"] == 1 / 3
    assert abs(norm.at["441300", "advanced_clusters"] - 100 / 9) < 1e-9
