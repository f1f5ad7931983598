"""Run-mode analyses: same results from a Result and from its run directory; invariants of the parts."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from mfgindex.analysis.run import from_result
from mfgindex.analysis.runmode import RunAnalysis, analyze_run
from mfgindex.core.errors import UserError
from mfgindex.core.result import Result
from mfgindex.services import outputs
from mfgindex.services.api import rerun


@pytest.fixture(scope="module")
def analysis(default_result: Result) -> RunAnalysis:
    return analyze_run(from_result(default_result))


def test_run_directory_gives_the_same_analysis(
    default_result: Result, analysis: RunAnalysis, tmp_path: Path
) -> None:
    outputs.write_run(default_result, tmp_path / "run", {"data": "embedded default"})
    again = analyze_run(from_result(rerun(tmp_path / "run"), source=str(tmp_path / "run")))
    assert again.risers == analysis.risers and again.new_entries == analysis.new_entries
    assert again.aggregates == analysis.aggregates
    assert again.region_va == analysis.region_va and again.list_counts == analysis.list_counts
    assert [ld.cities for ld in again.leaders] == [ld.cities for ld in analysis.leaders]
    assert analysis.ranking is not None and again.ranking is not None
    assert again.ranking.to_dict() == analysis.ranking.to_dict()


def test_risers_and_leaders(analysis: RunAnalysis, default_result: Result) -> None:
    t = default_result.table
    for r in analysis.risers:
        assert t.at[r.code, "prev_rank"] - t.at[r.code, "rank"] >= 3 == analysis.min_gain
    assert [ld.name_zh for ld in analysis.leaders] == [
        c.name_zh for c in default_result.framework.root.children
    ]
    assert all(len(ld.cities) >= 10 for ld in analysis.leaders)


def test_aggregates_are_shares_of_all_units(analysis: RunAnalysis) -> None:
    g = analysis.aggregates
    assert g is not None
    assert 0 < g.va_share_national < 1 and 0 < g.gdp_share_national < 1
    # 337 units incl. municipalities, 330 with 2022 data (data README), less 鄂尔多斯 and 淮南 whose
    # 2022 sector VA the corrections log sets missing (city_stats/corrections_2026-12-01.csv)
    assert g.national_units_va == 328
    assert g.va_share_national == pytest.approx(g.va_total / g.va_national)
    assert analysis.region_va is not None
    assert sum(r.share_cur for r in analysis.region_va) == pytest.approx(1.0)
    assert sum(r.n_cur for r in analysis.region_va) == 50
    for lc in analysis.list_counts:
        assert sum(lc.counts.values()) == lc.total <= lc.national_total


def test_gaps_change_and_profiles(analysis: RunAnalysis, default_result: Result) -> None:
    va = analysis.gaps[0]
    assert va.previous is not None and va.change is not None
    assert va.change["theil_total"] == pytest.approx(va.current.theil.total - va.previous.theil.total)
    th = va.current.theil
    assert th.between + th.within == pytest.approx(th.total)
    assert len(analysis.profiles) == 50
    n = analysis.n_ranked
    t = default_result.table
    norm = default_result.current.stages["normalised"].loc[t[t["rank"].notna()].index]
    for d in analysis.profiles:  # the strengths rule: top 20 %, or ±10 % of the ranked cities vs overall
        for i in d.strong_indicators:  # n_i: the ranked cities with a value on the indicator
            n_i = int(norm[i.indicator].notna().sum())
            assert (
                i.rank <= math.ceil(0.2 * n_i) or (d.profile.rank - 1) / n - (i.rank - 1) / n_i >= 0.1 - 1e-9
            )
        for i in d.weak_indicators:
            n_i = int(norm[i.indicator].notna().sum())
            assert (
                i.rank > math.ceil(0.2 * n_i) and (i.rank - 1) / n_i - (d.profile.rank - 1) / n >= 0.1 - 1e-9
            )
    shenzhen = next(d.profile for d in analysis.profiles if d.profile.name == "深圳市")
    assert shenzhen.strengths  # the top city has strengths too


def test_missing_run_directory_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError):
        rerun(tmp_path)
