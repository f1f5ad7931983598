"""Dashboard data behind the pages: the summary equals the report's analysis of the same run and
counts that anyone can redo from the ranking; the Excel export has numbers as numbers, Chinese headers with
the field ids, widths and a 说明 sheet; municipalities are explained; responses are compressed."""

from __future__ import annotations

import gzip
import io
import re
from collections import Counter

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from mfgindex.analysis.run import from_result
from mfgindex.analysis.runmode import analyze_run
from mfgindex.core.result import Result
from mfgindex.web.state import AppState


def test_summary_equals_the_report_analysis_and_the_ranking(client: TestClient, web_state: AppState) -> None:
    s = client.get("/api/summary").json()
    rows = client.get("/api/rankings").json()["rows"]
    n = s["top_n"]
    assert n == 50
    listed = [r for r in rows if r["rank"] is not None and r["rank"] <= n]
    # counts redone from the ranking rows
    by_region = Counter(r["region"] for r in listed)
    assert {r["region"]: r["topN"] for r in s["regions"]} == {
        k: by_region.get(k, 0) for k in ("东部", "中部", "西部", "东北")
    }
    by_province = Counter(r["province"] for r in listed)
    assert {p["province"]: p["count"] for p in s["provinces"]} == dict(by_province)
    yrd = next(c for c in s["clusters"] if c["cluster"] == "长江三角洲城市群")
    assert yrd["count"] == sum(1 for r in listed if "yrd_central" in r["clusters"])
    # the tiers: 1-10, 11-50, 51-100, the rest, partitioning the ranked cities
    ranked = [r for r in rows if r["rank"] is not None]
    assert [(t["first"], t["last"]) for t in s["tiers"]] == [(1, 10), (11, 50), (51, 100), (101, None)]
    assert [t["count"] for t in s["tiers"]] == [
        sum(1 for r in ranked if a <= r["rank"] <= (b or 10**9))
        for a, b in ((1, 10), (11, 50), (51, 100), (101, None))
    ]
    first = [r["index"] for r in ranked if r["rank"] <= 10]
    assert abs(s["tiers"][0]["index_mean"] - sum(first) / len(first)) < 1e-9
    # the report's analysis of the same evaluation (what report.build writes to analysis.json)
    result = web_state.results[web_state.main_year]
    report = analyze_run(from_result(result, web_state.config)).ranking
    assert report is not None
    assert [(r["region"], r["top10"], r["top20"], r["topN"]) for r in s["regions"]] == [
        (r.region, r.top10, r.top20, r.topN) for r in report.regions
    ]
    assert {p["province"]: p["count"] for p in s["provinces"]} == report.provinces.counts
    assert {c["cluster"]: c["count"] for c in s["clusters"]} == report.clusters.counts


def test_xlsx_export_numbers_headers_widths_and_about_sheet(
    client: TestClient, default_result: Result
) -> None:
    r = client.get("/api/export?format=xlsx&province=江苏")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb["2022"]
    head = [c.value for c in ws[1]]
    ids = [c.value for c in ws[2]]
    assert head[:4] == ["排名", "城市", "省份", "地区"] and "行政区划代码" in head
    assert ids[:4] == ["rank", "name", "province", "region"] and "index" in ids and "code" in ids
    assert head[ids.index("index")].endswith("指数") and head[ids.index("innovation")] == "创新发展"
    assert ws.freeze_panes == "C3"
    rows = {row[ids.index("code")].value: row for row in ws.iter_rows(min_row=3)}
    assert len(rows) == 13  # Jiangsu's 13 cities
    suzhou = rows["320500"]
    rank, index = suzhou[ids.index("rank")], suzhou[ids.index("index")]
    api = next(x for x in client.get("/api/rankings?province=江苏").json()["rows"] if x["code"] == "320500")
    assert rank.value == api["rank"] and rank.data_type == "n" and rank.number_format == "0"
    assert isinstance(index.value, float) and index.number_format == "0.00"
    assert abs(index.value - api["index"]) < 1e-4
    assert ws.column_dimensions["B"].width >= 8  # 城市 names (CJK counted double)
    about = {row[0].value: row[1].value for row in wb["说明"].iter_rows(min_row=2)}
    assert about["年份"] == "2022"
    assert about["权重"].startswith("名义权重：") and "创新发展 14.3%" in about["权重"]
    assert "省份=江苏" in about["筛选"]
    assert "各省市统计年鉴" in about["数据来源"] and "city_gdp_structure" in about["输入文件"]
    assert re.fullmatch(r"[0-9a-f]{16}", about["运行指纹"])
    # the dashboard's export and results.xlsx name a run by the same fingerprint
    assert about["运行指纹"] == default_result.run_hash()
    # what-if weights are recorded as such
    r = client.get("/api/export?format=xlsx&weights=innovation:0.5,scale:0.5&top=10")
    about = {
        row[0].value: row[1].value
        for row in load_workbook(io.BytesIO(r.content))["说明"].iter_rows(min_row=2)
    }
    assert about["权重"].startswith("权重模拟") and "创新发展 50.0%" in about["权重"]


def test_municipalities_listed_with_a_chinese_reason(client: TestClient) -> None:
    meta = client.get("/api/meta").json()
    unranked = {u["name"]: u for u in meta["unranked"]}
    for name in ("北京市", "天津市", "上海市", "重庆市"):
        assert "直辖市不参与排名" in unranked[name]["reason_zh"]
    page = client.get("/city/110000")
    assert page.status_code == 200
    assert "直辖市不参与排名" in page.text and "not ranked" not in page.text
    assert "<title>北京市 · 未参评 · 城市制造业高质量发展评价</title>" in page.text


def test_pages_have_distinct_titles(client: TestClient) -> None:
    titles = set()
    for path in ("/", "/map", "/summary", "/compare", "/about", "/city/320500", "/city/110000", "/nope"):
        m = re.search(r"<title>(.*?)</title>", client.get(path).text)
        assert m is not None
        titles.add(m.group(1))
    assert len(titles) == 8


def test_static_json_and_boundaries_are_compressed(client: TestClient) -> None:
    for path in (
        "/static/vendor/echarts/echarts.min.js",
        "/static/app.js",
        "/api/rankings",
        "/api/geo/prefectures",
    ):
        r = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert r.headers.get("content-encoding") == "gzip", path
    # province borders are lines only (nothing to hover), from the provinces file
    borders = client.get("/api/geo/province_borders").json()
    provinces = client.get("/api/geo/provinces").json()
    assert {f["geometry"]["type"] for f in borders["features"]} == {"MultiLineString"}
    assert [f["properties"]["adcode"] for f in borders["features"]] == [
        f["properties"]["adcode"] for f in provinces["features"]
    ]
    raw = client.get("/api/geo/prefectures", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers
    zipped = client.get("/api/geo/prefectures", headers={"Accept-Encoding": "gzip"})
    assert zipped.json() == raw.json()
    assert len(gzip.compress(raw.content)) < 0.3 * len(raw.content)


def test_indicator_sources_in_chinese(client: TestClient) -> None:
    p = client.get("/api/cities/320500").json()
    sources = {i["source_zh"] for d in p["dimensions"] for i in d["indicators"]}
    assert all(s and not re.search(r"[a-z_]+/[a-z_]+", s) for s in sources), sources
    assert "工业和信息化部公布的绿色制造名单（第1-6批；第三方整理，按城市匹配）" in sources


def test_panel_index_of_a_city_over_the_years_offered(client: TestClient) -> None:
    meta = client.get("/api/meta").json()
    p = client.get("/api/panel/320500").json()
    assert p["years"] == meta["years"] and p["label_zh"] == "面板归一化指数"
    assert len(p["index"]) == len(p["years"]) and all(v is not None and 0 <= v <= 100 for v in p["index"])
    assert client.get("/api/panel/999999").status_code == 404


def test_city_strengths_are_the_report_profiles(client: TestClient, web_state: AppState) -> None:
    """The dashboard's strengths and weaknesses of the top 10 equal the report's profiles for the same run
    (both from analysis.strengths)."""
    a = analyze_run(from_result(web_state.results[web_state.main_year]), panel=False)
    by_code = {d.profile.code: d.profile for d in a.profiles}
    top10 = [
        r["code"]
        for r in client.get("/api/rankings").json()["rows"]
        if r["rank"] is not None and r["rank"] <= 10
    ]
    assert len(top10) == 10
    for code in top10:
        p = client.get(f"/api/cities/{code}").json()
        assert [s["id"] for s in p["strengths"]] == list(by_code[code].strengths), code
        assert [s["id"] for s in p["weaknesses"]] == list(by_code[code].weaknesses), code
