"""The counts stated in the seed report's sections 二(一) and 二(二), reproduced from its 表3.

Source: CAICT,《城市制造业高质量发展评价研究报告（2023年）》,
../shared/seed/caict-city-manufacturing-hqd-2023.txt.
Every expected number below is typed from the sentence quoted next to it.
"""

from __future__ import annotations

import pandas as pd
import pytest

from mfgindex.analysis import (
    analyze_ranking,
    capitals,
    changes,
    cluster_distribution,
    primacy,
    province_distribution,
    region_distribution,
)
from mfgindex.cli.analyze import read_primacy
from mfgindex.core.geo import data_path


def _names(refs: object) -> list[str]:
    return [r.name for r in refs]  # type: ignore[attr-defined]


def _region(top50: pd.DataFrame, region: str):  # type: ignore[no-untyped-def]
    return {r.region: r for r in region_distribution(top50, 50)}[region]


def test_caict2023_top10(top50: pd.DataFrame) -> None:
    # 二: "全国十强城市分别是苏州市、深圳市、无锡市、宁波市、广州市、杭州市、长沙市、常州市、青岛市、武汉市"
    a = analyze_ranking(top50, 50)
    assert _names(a.top10) == [
        "苏州市",
        "深圳市",
        "无锡市",
        "宁波市",
        "广州市",
        "杭州市",
        "长沙市",
        "常州市",
        "青岛市",
        "武汉市",
    ]
    # 二: "盐城市、漳州市、太原市首次入围50强"
    assert _names(a.changes.new_entries) == ["盐城市", "漳州市", "太原市"]


def test_caict2023_east(top50: pd.DataFrame) -> None:
    # 二(一): "东部地区共计 33 个城市入围，……前 10 名中占据 8 个席位，前 20 名占 15 个席位"
    r = _region(top50, "东部")
    assert (r.topN, r.top10, r.top20) == (33, 8, 15)
    # "占东部 86 个地级行政区比重的近四成": the shipped 2023 divisions have 85 eastern prefecture-level units
    # (河北11 江苏13 浙江11 福建9 山东16 广东21 海南4); the report's 86 perhaps still counts 莱芜
    # (merged into 济南 in 2019).
    # Either way the share is "近四成" (a little under 40 %).
    assert r.units_in_region == 85
    assert 0.35 < r.share_of_units < 0.40


def test_caict2023_central_west_northeast(top50: pd.DataFrame) -> None:
    # 二(一): "中部地区有 12 个城市入围，较上年增加1个" — the one new central city is 太原 (新增).
    c = _region(top50, "中部")
    assert c.topN == 12
    assert c.new == 1
    # "西部地区有3个城市入围，成都市……排名第13位，西安市、贵阳市……分别排名16位和47位"
    w = _region(top50, "西部")
    assert w.topN == 3
    assert [(x.name, x.rank) for x in w.cities] == [("成都市", 13), ("西安市", 16), ("贵阳市", 47)]
    # "东北地区有2个城市入围，均位于辽宁省，大连市和沈阳市分别排名27位和37位"
    ne = _region(top50, "东北")
    assert ne.topN == 2
    assert [(x.name, x.rank) for x in ne.cities] == [("大连市", 27), ("沈阳市", 37)]
    provinces = {p.province: p for p in province_distribution(top50, 50).provinces}
    assert {p.province for p in provinces.values() if p.region == "东北"} == {"辽宁"}
    # "整体呈现'东-中-西-东北'梯次递减的态势"
    counts = [r.topN for r in region_distribution(top50, 50)]
    assert counts == sorted(counts, reverse=True)


def test_caict2023_clusters(top50: pd.DataFrame) -> None:
    # 二(一): "主要分布在长三角城市群、山东半岛城市群、长江中游城市群以及粤港澳大湾区城市群，
    # 分别有 19 个、6 个、6 个和 5 个城市入围，累计达 36 个，占全部 50 强的比重达 72%"
    c = cluster_distribution(top50, 50, "caict2023")
    counts = c.counts
    assert counts["长江三角洲城市群"] == 19
    assert counts["山东半岛城市群"] == 6
    assert counts["长江中游城市群"] == 6
    assert counts["粤港澳大湾区（珠三角九市）"] == 5
    assert set(c.major) == {
        "长江三角洲城市群",
        "山东半岛城市群",
        "长江中游城市群",
        "粤港澳大湾区（珠三角九市）",
    }
    assert c.major_total == 36
    assert c.major_share == pytest.approx(0.72)
    by = {x.cluster: x for x in c.clusters}
    # "19 个入围城市中，前 10 强、前 20 强的比重均高达 50%"
    assert by["长江三角洲城市群"].share_of_top10 == pytest.approx(0.5)
    assert by["长江三角洲城市群"].share_of_top20 == pytest.approx(0.5)
    # "青岛市入围前 10、烟台市入围前 20"
    sd = by["山东半岛城市群"]
    assert [x.name for x in sd.cities if x.rank <= 10] == ["青岛市"]
    assert [x.name for x in sd.cities if 10 < x.rank <= 20] == ["烟台市"]
    # "长沙市、武汉市入围全国前十"
    assert [x.name for x in by["长江中游城市群"].cities if x.rank <= 10] == ["长沙市", "武汉市"]


def test_plans2016_yrd_excludes_wenzhou(top50: pd.DataFrame) -> None:
    # METHODS.md §4: the report's 19 matches the 27-city 2019 中心区; the 2016 plan (26 cities) has no 温州
    # (国函〔2016〕87号), so its count is 18.
    c = cluster_distribution(top50, 50, "plans2016")
    yrd = {x.cluster: x for x in c.clusters}["长江三角洲城市群"]
    assert yrd.count == 18
    assert "温州市" not in _names(yrd.cities)
    assert c.definition == "plans2016"


def test_caict2023_provinces(top50: pd.DataFrame) -> None:
    d = province_distribution(top50, 50)
    # 二(一): "50 强城市主要分布在全国 16 个省份，广西、云南等 11 个省份（不含直辖市）尚未有城市入围"
    assert len(d.provinces) == 16
    assert len(d.unlisted) == 11
    assert {"广西", "云南"} <= set(d.unlisted)
    # "江苏、浙江、山东、广东……分别有 10 个、7 个、6 个和 5 个城市入围"
    assert [(p.province, p.count) for p in d.provinces[:4]] == [
        ("江苏", 10),
        ("浙江", 7),
        ("山东", 6),
        ("广东", 5),
    ]
    # "福建、湖北、安徽各有 3-4 个城市入围"
    assert d.counts["福建"] == 4 and d.counts["湖北"] == 3 and d.counts["安徽"] == 3
    by = {p.province: p for p in d.provinces}
    # "辖内苏州市、无锡市、常州市占据前10强的3个席位，5个城市入围前20强"
    assert (by["江苏"].top10, by["江苏"].top20) == (3, 5)
    assert [c.name for c in by["江苏"].cities if c.rank <= 10] == ["苏州市", "无锡市", "常州市"]
    # "浙江宁波市、杭州市占据前10强的2个席位，4个城市进入前20强"
    assert (by["浙江"].top10, by["浙江"].top20) == (2, 4)
    # "山东青岛市进入10强，2个城市进入20强"
    assert (by["山东"].top10, by["山东"].top20) == (1, 2)
    # "广东深圳市、广州市入围前10强，3个城市进入20强"
    assert (by["广东"].top10, by["广东"].top20) == (2, 3)


def test_caict2023_two_year_by_province(top50: pd.DataFrame) -> None:
    d = province_distribution(top50, 50)
    by = {p.province: p for p in d.provinces}
    # 二(一): "江苏（盐城市）、福建（漳州市）、山西（太原市）均有 1 个城市新上榜"
    assert {p.province: p.new for p in d.provinces if p.new} == {"江苏": 1, "福建": 1, "山西": 1}
    # "辽宁、河北、贵州、江西、山西入围城市均实现位次提升" (山西's only city is new)
    assert {p.province for p in d.provinces if p.all_improved} == {"辽宁", "河北", "贵州", "江西", "山西"}
    # "江苏、湖北、福建超过半数的入围城市较上年名次有所进步": true for 江苏 (5 up + 盐城 new of 10) and
    # 福建 (厦门, 福州 up + 漳州 new of 4). 湖北 does not follow from 表3 (武汉 ↑, 宜昌 —, 襄阳 ↓: 1 of 3),
    # while 安徽 does (芜湖 ↑, 滁州 ↑, 合肥 —: 2 of 3): a known inconsistency of the source.
    assert by["江苏"].majority_improved and by["福建"].majority_improved
    assert not by["湖北"].majority_improved
    assert by["安徽"].majority_improved


def test_caict2023_capitals(top50: pd.DataFrame) -> None:
    c = capitals(top50, 50)
    # 二(二): "16个省份中共有15个省会城市入围2022年50强城市" — 河北's capital 石家庄 is the one missing.
    assert c.provinces_in_list == 16
    assert c.capitals_in_list == 15
    assert c.missing == ("石家庄市",)
    # "其中，武汉市、长沙市、合肥市、郑州市等9个城市均排名本省第一"
    assert c.capitals_first_in_province == 9
    firsts = {e.name for e in c.capitals if e.first_in_province}
    assert {"武汉市", "长沙市", "合肥市", "郑州市"} <= firsts


def test_caict2023_primacy_above_20pct(top50: pd.DataFrame) -> None:
    # 二(二): "武汉市、长沙市、沈阳市、成都市、南昌市5个城市工业经济首位度……超20%" (values from 表4)
    prim = read_primacy(data_path("caict2023", "capital_primacy_2022.csv"))
    c = capitals(top50, 50, prim, 0.20)
    assert set(c.above_threshold) == {"武汉市", "长沙市", "沈阳市", "成都市", "南昌市"}


def test_primacy_from_value_added() -> None:
    # 首位度 = capital VA / province VA: 30 / 120 = 0.25; province total from the cities when not given.
    va = pd.Series({"320100": 30.0, "320500": 60.0, "320200": 30.0})
    assert primacy(va, pd.Series({"江苏": 120.0}))["320100"] == pytest.approx(0.25)
    assert primacy(va)["320500"] == pytest.approx(0.5)


def test_caict2023_changes_without_previous_ranks(top50: pd.DataFrame) -> None:
    # 表3 gives only ↑ ↓ — 新增; the 12 "进步最快" cities need previous ranks, so risers are None here.
    ch = changes(top50, 50)
    assert ch.risers is None
    # Counted from the arrows of 表3 (hand count): 19 ↑, 7 —, 21 ↓, 3 新增.
    assert (len(ch.up), len(ch.same), len(ch.down), len(ch.new_entries)) == (19, 7, 21, 3)
    # Every one of the report's 12 fastest risers is ↑ or 新增 in 表3.
    risers = pd.read_csv(data_path("caict2023", "special_lists_2023.csv"))
    named = set(risers.loc[risers["list"].str.startswith("进步最快"), "city"])
    assert len(named) == 12
    assert named <= set(_names(ch.up)) | set(_names(ch.new_entries))


def test_risers_with_previous_ranks() -> None:
    # Hand-made: A 1 (prev 4, +3), B 2 (prev 1, -1), C 3 (prev 5, +2), D 4 (new).
    t = pd.DataFrame(
        {
            "name": ["A市", "B市", "C市", "D市"],
            "province": ["江苏"] * 4,
            "region": ["东部"] * 4,
            "rank": [1, 2, 3, 4],
            "prev_rank": [4.0, 1.0, 5.0, float("nan")],
            "change": ["up", "down", "up", "new"],
            "is_capital": [False] * 4,
        },
        index=pd.Index(["1", "2", "3", "4"], name="code"),
    )
    ch = changes(t, 4, min_gain=3)
    assert ch.risers is not None
    assert [r.name for r in ch.risers] == ["A市", "D市"]
    assert ch.rise_by == {"1": 3}
    ch2 = changes(t, 4, min_gain=2, include_new=False)
    assert ch2.risers is not None
    assert [r.name for r in ch2.risers] == ["A市", "C市"]
