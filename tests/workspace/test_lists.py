"""List entries → prefecture-level units: hand-made matcher cases, imports, manual assignments, counts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mfgindex.core.errors import UserError
from mfgindex.workspace import list_files, lists, matcher, places, snapshots, store
from tests.workspace.conftest import write


@pytest.mark.parametrize(
    ("name", "province", "code", "basis"),
    [
        (
            "江苏南通中天科技有限公司",
            "江苏",
            "320600",
            "prefecture_in_name_strong",
        ),  # prefecture after province
        ("德尔福电子（苏州）有限公司", "江苏", "320500", "prefecture_in_name_in_brackets"),
        ("昆山国显光电有限公司", "江苏", "320500", "county_in_name_strong"),  # county-level city → 苏州
        (
            "安徽黄山胶囊股份有限公司",
            "安徽",
            "341800",
            "listed_company",
        ),  # listed (002817, 宣城), 黄山 a brand
        ("中国石化某某公司许村镇加油站", "浙江", "330400", "town_in_name"),  # 海宁市许村镇 → 嘉兴
        (
            "某某化工（南堡经济开发区）有限公司",
            "河北",
            "130200",
            "town_in_name_in_brackets",
        ),  # zone of 曹妃甸 → 唐山
        ("中国石油化工股份有限公司镇海炼化分公司", "浙江", "330200", "county_in_name"),  # district → 宁波
        ("唐县冀东水泥有限责任公司", "河北", "130600", "county_in_name_strong"),  # two-character county
        ("襄樊新兴机械有限公司", "湖北", "420600", "prefecture_in_name_strong"),  # former name → 襄阳
        ("峨边彝族自治县某某化工有限公司", "四川", "511100", "county_in_name_strong"),  # autonomous county
        ("农夫山泉四川峨眉山饮料有限公司", "四川", "511100", "county_in_name"),  # 峨眉山 (乐山), not 眉山
        (
            "青岛啤酒（日照）有限公司",
            "山东",
            "371100",
            "prefecture_in_name_in_brackets",
        ),  # bracket = location
        ("江西于都南方万年青水泥有限公司", "江西", "360700", "county_in_name_strong"),  # brand 万年青 ignored
        ("克州天山水泥有限责任公司", "新疆", "653000", "prefecture_in_name_strong"),  # 克州, brand 天山
        ("北京奔驰汽车有限公司", "北京", "110000", "municipality"),
        ("比亚迪汽车工业有限公司", "深圳", "440300", "province_column_is_city"),
        ("吉林化纤股份有限公司吉林市分公司", "吉林", "220200", "prefecture_in_name"),
    ],
)
def test_matcher_assigns(name: str, province: str, code: str, basis: str) -> None:
    got = matcher.assign(name, province)
    assert (got.code, got.basis) == (code, basis), got.reason


def test_name_rule_ignores_generic_district_words() -> None:
    # 新华 (a district short form that is an ordinary word) is no place; the firm is found by its brand
    assert matcher.assign_name("新华制药股份有限公司", "山东").basis == "no_match"
    got = matcher.assign("新华制药股份有限公司", "山东")
    assert (got.code, got.basis, got.describe()) == (
        "370300",
        "listed_company_family",
        "「新华制药」listed_company_family 000756",
    )  # 山东新华制药股份有限公司 (000756), 淄博


@pytest.mark.parametrize(
    ("name", "province", "code", "brand"),
    [
        ("华北制药集团先泰药业有限公司", "河北", "130100", "华北制药"),  # 600812 华北制药, 石家庄
        ("特变电工股份有限公司新疆变压器厂", "新疆", "652300", "特变电工"),  # 600089, 昌吉
        ("亚宝药业集团股份有限公司（风陵渡工业园）", "山西", "140800", "亚宝药业"),  # 风陵渡 (芮城) agrees
    ],
)
def test_matcher_assigns_listed_company_family(name: str, province: str, code: str, brand: str) -> None:
    got = matcher.assign(name, province)
    assert (got.code, got.basis) == (code, "listed_company_family")
    assert got.evidence[0].text == brand


@pytest.mark.parametrize(
    ("name", "province", "basis", "reason"),
    [
        ("南京某某徐州科技有限公司", "江苏", "ambiguous", "徐州"),  # two prefectures
        ("鼓楼区某某电子有限公司", "江苏", "ambiguous", "南京市、徐州市"),  # district in two prefectures
        ("陕西延长中煤榆林能源化工有限公司", "陕西", "ambiguous", "榆林"),  # county brand vs prefecture
        ("江苏中天某某钢铁有限公司", "江苏", "no_match", ""),  # 中天: a two-character brand is not used
        ("西部矿业股份有限公司锡铁山分公司", "青海", "ambiguous", "锡铁山"),  # brand 西宁, a town of 海西
        ("江苏恒力化纤股份有限公司", "江苏", "no_match", ""),
        ("潜江方圆钛白有限公司", "湖北", "province_administered", "潜江市"),
        ("阿拉尔市中泰纺织科技有限公司", "兵团", "province_administered", "兵团"),
        ("某某有限公司", "火星", "no_province", "火星"),
    ],
)
def test_matcher_leaves_unsure_entries_unresolved(name: str, province: str, basis: str, reason: str) -> None:
    got = matcher.assign(name, province)
    assert got.code is None and got.basis == basis
    assert reason in got.reason


def test_address_wins_over_name() -> None:
    got = matcher.assign("苏州某某科技有限公司", "江苏", "江苏省南京市鼓楼区中山北路1号")
    assert (got.code, got.basis) == ("320100", "address")
    # an address without a place of the province falls back to the name, saying so
    got = matcher.assign("苏州某某科技有限公司", "江苏", "某某路1号")
    assert got.code == "320500" and "地址未能确定" in got.reason


def test_parse_province_forms() -> None:
    assert [places.parse_province(t) for t in ("32", "江苏省", "苏", "内蒙", "广西壮族自治区")] == [
        "江苏",
        "江苏",
        "江苏",
        "内蒙古",
        "广西",
    ]


LIST = (
    "name,province,batch,year\n"
    "德尔福电子（苏州）有限公司,江苏,1,2017\n"
    "昆山龙腾光电股份有限公司,江苏,2,2018\n"
    "江苏恒力化纤股份有限公司,江苏,2,2018\n"
    "宁波拓普集团股份有限公司,浙江,2,2018\n"
)


def test_list_import_unresolved_manual_and_counts(ws: Path, tmp_path: Path) -> None:
    f = write(tmp_path / "list.csv", LIST)
    report = lists.import_list(ws, "smart_factories", f)
    assert (report.entries, report.resolved) == (4, 3)
    un = lists.unresolved(ws, "smart_factories")
    assert un["name"].tolist() == ["江苏恒力化纤股份有限公司"]
    assert un["reason"].iloc[0] and un["location"].iloc[0].endswith("list.csv:row 4")
    assert lists.import_list(ws, "smart_factories", f).import_id is None  # same file: no new version
    # a manual assignment resolves it now …
    a = lists.import_assignments(
        ws,
        "smart_factories",
        write(tmp_path / "assign.csv", "name,adcode\n江苏恒力化纤股份有限公司,320500\n"),
    )
    assert a.resolved == 4 and a.import_id is not None
    assert lists.unresolved(ws, "smart_factories").empty
    # … and on the next import, and it overrides the matcher
    over = write(tmp_path / "over.csv", "name,adcode\n宁波拓普集团股份有限公司,杭州\n")
    lists.import_assignments(ws, "smart_factories", over)
    report = lists.import_list(
        ws, "smart_factories", write(tmp_path / "list2.csv", LIST + "新昌某某有限公司,浙江,3,2019\n")
    )
    got = lists.entries(ws, "smart_factories").set_index("name")
    assert got.at["江苏恒力化纤股份有限公司", "unit"] == "320500"
    assert got.at["宁波拓普集团股份有限公司", "unit"] == "330100"
    assert got.at["宁波拓普集团股份有限公司", "basis"] == "manual"
    assert report.resolved == 5
    counts = lists.counts(ws, "smart_factories").set_index(["unit", "year"])
    assert counts.loc[("320500", 2017), "new"] == 1
    assert counts.loc[("320500", 2018), "cumulative"] == 3


def test_list_feeds_the_dataset(ws: Path, tmp_path: Path) -> None:
    store.import_values(ws, write(tmp_path / "v.csv", "city,year,gdp\n苏州,2022,1\n"))
    lists.import_list(ws, "smart_factories", write(tmp_path / "list.csv", LIST))
    frame = snapshots.load_dataset(ws).lists["smart_factories"]
    assert sorted(frame["code"]) == ["320500", "320500", "330200"]
    assert frame["year"].tolist() == [2017, 2018, 2018]


def test_lists_and_their_rates_read_the_same_version_at_a_snapshot(ws: Path, tmp_path: Path) -> None:
    """Both readers of a list (the entries and the assignment rates) take the version current at the
    snapshot: before the manual assignment 3 of 4 entries are assigned (江苏 2 of 3), after it 4 of 4."""
    first = lists.import_list(ws, "smart_factories", write(tmp_path / "list.csv", LIST)).import_id
    assert first is not None
    lists.import_assignments(
        ws, "smart_factories", write(tmp_path / "a.csv", "name,adcode\n江苏恒力化纤股份有限公司,320500\n")
    )
    with store.connect(ws) as con:
        versions = snapshots._list_versions(con, None)
        assert [v[0] for v in versions] == ["smart_factories"] and versions[0][1] > first
        assert snapshots._list_versions(con, first) == [("smart_factories", first)]
        for snapshot, n, jiangsu in ((first, 3, (2, 3)), (None, 4, (3, 3))):
            assert len(snapshots._lists(con, snapshot)["smart_factories"]) == n
            rates = snapshots._list_rates(con, snapshot)["smart_factories"]
            row = rates[rates["region"].str.startswith("江苏")].iloc[0]
            assert (int(row["assigned"]), int(row["entries"])) == jiangsu, rates


def test_batch_years_and_bad_rows(ws: Path, tmp_path: Path) -> None:
    f = write(
        tmp_path / "b.csv", "name,province,batch\n昆山某某有限公司,江苏,1\n常州某某有限公司,江苏,2021\n"
    )
    lists.import_list(ws, "lst", f, batch_years=list_files.parse_batch_years("1=2017"))
    assert lists.entries(ws, "lst")["year"].tolist() == [2017, 2021]
    bad = write(
        tmp_path / "bad.csv",
        "name,province,year\n昆山某某有限公司,江苏,2017\n,江苏,2018\n常州某某,江苏,今年\n",
    )
    with pytest.raises(UserError) as exc:
        lists.import_list(ws, "lst", bad)
    assert "bad.csv:row 3:column name" in str(exc.value) and "bad.csv:row 4:column year" in str(exc.value)
    assert lists.entries(ws, "lst")["year"].tolist() == [2017, 2021]  # unchanged
    with pytest.raises(UserError, match="snake_case"):
        lists.import_list(ws, "绿色工厂", f)
    with pytest.raises(UserError, match="row 2:column adcode"):
        lists.import_assignments(
            ws, "lst", write(tmp_path / "a.csv", "name,adcode\n昆山某某有限公司,999999\n")
        )


def test_gbk_list_and_assignment_csv_are_read_with_a_warning(ws: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from mfgindex.cli.main import app

    gbk = tmp_path / "l.csv"
    gbk.write_bytes("name,province\n苏州某工厂,江苏\n".encode("gbk"))
    r = CliRunner().invoke(app, ["lists", "import", str(gbk), "-w", str(ws), "-l", "gf", "--year", "2022"])
    assert r.exit_code == 0, r.output
    assert "not UTF-8: read as GB18030 (GBK)" in r.output and "1/1 entries assigned" in r.output
    got = lists.entries(ws, "gf")
    assert got[["name", "province", "unit"]].values.tolist() == [["苏州某工厂", "江苏", "320500"]]
    assign = tmp_path / "a.csv"
    assign.write_bytes("name,adcode\n苏州某工厂,320600\n".encode("gbk"))
    report = lists.import_assignments(ws, "gf", assign)
    assert report.warnings == (f"{assign}: not UTF-8: read as GB18030 (GBK)",)
    assert lists.entries(ws, "gf")["unit"].tolist() == ["320600"]
    utf8 = lists.import_list(ws, "other", write(tmp_path / "u.csv", "name,province\n苏州某工厂,江苏\n"), 2022)
    assert utf8.warnings == ()


def test_error_text_with_brackets_is_printed_as_is(ws: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from mfgindex.cli.main import app

    missing = tmp_path / "[b]x.csv"
    r = CliRunner().invoke(app, ["lists", "import", str(missing), "-w", str(ws), "-l", "gf"])
    assert r.exit_code == 2, r.output
    assert "[b]x.csv: file not found" in r.output


def test_shipped_green_lists_are_the_matchers_output() -> None:
    """The derived columns of the shipped list are the matcher's (scripts/assign_enterprise_lists.py)."""
    from mfgindex.core import geo

    df = pd.read_csv(
        geo.data_path("enterprise_lists", "green_factories_batches1-6_2017-2021.csv"),
        dtype=str,
        keep_default_na=False,
    )
    got = [matcher.assign(n, p) for n, p in zip(df["name"], df["region_raw"], strict=True)]
    assert [a.code or "" for a in got] == df["city_adcode_guess"].tolist()
    assert [a.basis for a in got] == df["city_match_basis"].tolist()
    assert [a.describe() or a.reason for a in got] == df["city_match_evidence"].tolist()
    # hand-checked disagreements with the guess shipped before this matcher: errors of that guess
    # (峨眉山 is in 乐山, 克州 ≠ 乌鲁木齐, 安徽黄山胶囊 is in 宣城 per the listed-company table)
    codes = df.set_index("name")["city_adcode_guess"]
    assert (codes["农夫山泉四川峨眉山饮料有限公司"], codes["克州天山水泥有限责任公司"]) == (
        "511100",
        "653000",
    )
    assert codes["安徽黄山胶囊股份有限公司"] == "341800"
