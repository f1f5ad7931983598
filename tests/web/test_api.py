"""JSON API through FastAPI's TestClient: every endpoint, every error path, the what-if invariants."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from mfgindex.analysis.city import city_profile
from mfgindex.core import pipeline
from mfgindex.web import export, whatif
from mfgindex.web.app import GZIP_MINIMUM, App
from mfgindex.web.state import AppState

DIMS = ["scale", "quality", "innovation", "green", "digital", "enterprise", "agglomeration"]


# -- rankings ---------------------------------------------------------------------------------------------
def test_rankings_default_year_has_every_city_and_column(client: TestClient, web_state: AppState) -> None:
    r = client.get("/api/rankings")
    assert r.status_code == 200
    body = r.json()
    # 331: 阿里地区 and 克孜勒苏 have data for 48 % < 50 % of the 21 indicators (no patent or S&T data)
    assert body["year"] == 2022 and body["count"] == body["total"] == 331
    rows = body["rows"]
    assert [row["rank"] for row in rows] == sorted(row["rank"] for row in rows)
    first = rows[0]
    for key in (
        "code",
        "name",
        "province",
        "region",
        "rank",
        "province_rank",
        "rank_change",
        "index",
        "index_rank",
    ):
        assert key in first
    for d in DIMS:
        assert isinstance(first[d], float) and isinstance(first[f"{d}_rank"], int)
    assert first["name"] == web_state.results[2022].table.iloc[0]["name"]


@pytest.mark.parametrize(
    ("query", "check"),
    [
        ("region=东部", lambda r: r["region"] == "东部"),
        ("region=West", lambda r: r["region"] == "西部"),
        ("province=江苏", lambda r: r["province"] == "江苏"),
        ("province=苏", lambda r: r["province"] == "江苏"),
        ("province=广东省", lambda r: r["province"] == "广东"),
        ("cluster=gba", lambda r: "gba" in r["clusters"]),
        ("top=10", lambda r: r["rank"] <= 10),
    ],
)
def test_rankings_filters(client: TestClient, query: str, check) -> None:  # type: ignore[no-untyped-def]
    r = client.get(f"/api/rankings?{query}")
    assert r.status_code == 200
    rows = r.json()["rows"]
    assert rows and all(check(row) for row in rows)


def test_rankings_filter_counts(client: TestClient) -> None:
    assert client.get("/api/rankings?province=江苏").json()["count"] == 13
    assert client.get("/api/rankings?cluster=gba").json()["count"] == 9
    assert client.get("/api/rankings?top=10").json()["count"] == 10


@pytest.mark.parametrize(
    ("q", "expected"), [("suzhou", "苏州市"), ("苏州", "苏州市"), ("sz", "深圳市"), ("320500", "苏州市")]
)
def test_rankings_search_chinese_pinyin_code(client: TestClient, q: str, expected: str) -> None:
    names = [row["name"] for row in client.get("/api/rankings", params={"q": q}).json()["rows"]]
    assert expected in names


def test_rankings_other_year(client: TestClient, web_state: AppState) -> None:
    assert 2021 in web_state.years
    body = client.get("/api/rankings?year=2021").json()
    assert body["year"] == 2021 and body["count"] > 300


@pytest.mark.parametrize(
    "query",
    [
        "year=1999",
        "year=abc",
        "region=火星",
        "province=火星",
        "cluster=nope",
        "top=0",
        "top=x",
        "q=" + "x" * 41,
    ],
)
def test_rankings_bad_query_is_422_with_message(client: TestClient, query: str) -> None:
    r = client.get(f"/api/rankings?{query}")
    assert r.status_code == 422
    assert r.json()["detail"]


# -- cities -------------------------------------------------------------------------------------------------
def test_city_profile(client: TestClient, web_state: AppState) -> None:
    r = client.get("/api/cities/320500")
    assert r.status_code == 200
    p = r.json()
    row = web_state.results[2022].table.loc["320500"]
    assert p["name"] == "苏州市" and p["rank"] == row["rank"] and p["province_rank"] == row["province_rank"]
    assert [d["id"] for d in p["dimensions"]] == DIMS
    inds = [i for d in p["dimensions"] for i in d["indicators"]]
    assert len(inds) == len(web_state.results[2022].framework.indicators()) == 21
    va = next(i for i in inds if i["id"] == "va_secondary")
    assert va["unit"] == "亿元" and va["source"] and va["raw"] > 0 and va["imputed"] is False
    assert va["proxy"]  # labelled as a proxy
    assert {"strengths", "weaknesses", "peers", "city_above", "history", "rank_interval"} <= set(p)
    assert p["strengths"]  # 苏州 (2nd) leads several dimensions: the top 20 % rule
    # the dashboard shows the one rule of mfgindex.analysis.strengths
    table = web_state.results[2022].table
    want = city_profile(table, "320500", dims=DIMS)
    assert [s["id"] for s in p["strengths"]] == list(want.strengths)
    assert [w["id"] for w in p["weaknesses"]] == list(want.weaknesses)
    for s in p["strengths"]:
        assert s["label_zh"].endswith(f"第{s['rank']}") or s["label_zh"].startswith("并列")
    for d in p["dimensions"]:
        assert d["score"] == pytest.approx(row[d["id"]]) and d["rank"] == row[f"{d['id']}_rank"]
    assert len(p["peers"]) == 5 and all(q["code"] != "320500" for q in p["peers"])
    years = [h["year"] for h in p["history"]]
    # years with coverage comparable to 2022: 2015-2023 (fiscal S&T spending starts in 2015)
    assert years == sorted(years) and len(years) >= 9 and 2022 in years
    assert p["rank_interval"] is None  # no uncertainty run served


def test_city_profile_year(client: TestClient) -> None:
    assert client.get("/api/cities/320500?year=2021").json()["year"] == 2021


@pytest.mark.parametrize("code", ["999999", "xyz", "<script>"])
def test_unknown_city_is_404_json(client: TestClient, code: str) -> None:
    r = client.get(f"/api/cities/{code}")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/json")
    assert "unknown city" in r.json()["detail"]


def test_unranked_city_is_404_with_reason(client: TestClient) -> None:
    r = client.get("/api/cities/110000")
    assert r.status_code == 404
    assert "北京市" in r.json()["detail"] and "municipality" in r.json()["detail"]


# -- what-if ------------------------------------------------------------------------------------------------
def _nominal(web_state: AppState) -> dict[str, float]:
    return {d.id: d.weight for d in web_state.dimensions}


def test_whatif_nominal_weights_reproduce_the_nominal_ranking(
    client: TestClient, web_state: AppState
) -> None:
    r = client.post("/api/whatif", json={"weights": _nominal(web_state)})
    assert r.status_code == 200
    body = r.json()
    assert body["changed"] == 0 and body["max_abs_change"] == 0
    published = {row["code"]: row for row in client.get("/api/rankings").json()["rows"]}
    assert len(body["rows"]) == len(published)
    for row in body["rows"]:
        assert row["rank"] == row["nominal_rank"] == published[row["code"]]["rank"]
        assert row["rank_change"] == 0
        assert row["index"] == pytest.approx(published[row["code"]]["index"], abs=1e-5)


def test_whatif_empty_body_is_the_nominal_ranking(client: TestClient) -> None:
    assert client.post("/api/whatif", json={}).json()["changed"] == 0


def test_whatif_more_innovation_changes_ranks(client: TestClient, web_state: AppState) -> None:
    w = _nominal(web_state)
    w["innovation"] = 0.6
    body = client.post("/api/whatif", json={"weights": w}).json()
    assert body["changed"] > 100
    assert body["weights"]["innovation"] == pytest.approx(0.6 / (0.6 + 6 / 7))
    rows = {r["code"]: r for r in body["rows"]}
    table = web_state.results[2022].table
    leader = table.index[table["innovation_rank"] == 1][0]
    assert rows[leader]["rank_change"] >= 0  # the innovation leader cannot fall when innovation weighs more
    movers = [r for r in body["rows"] if r["rank_change"] != 0]
    up = [r for r in movers if r["rank_change"] > 0]
    # cities moving up are, on average, stronger in innovation than those moving down (cities without a
    # 创新发展 score — missing, not 0 — say nothing either way)
    inno_up = np.nanmean([table.at[r["code"], "innovation"] for r in up])
    inno_down = np.nanmean([table.at[r["code"], "innovation"] for r in movers if r["rank_change"] < 0])
    assert inno_up > inno_down
    assert 0.8 < body["rank_correlation"] < 1


def test_whatif_without_stage_weights_differs(client: TestClient, web_state: AppState) -> None:
    body = client.post("/api/whatif", json={"weights": _nominal(web_state), "stages": False}).json()
    assert body["stages"] is False and body["changed"] > 0


def test_whatif_top_and_methods(client: TestClient) -> None:
    body = client.post("/api/whatif", json={"top": 5}).json()
    assert len(body["rows"]) == 5
    geo = client.post(
        "/api/whatif", json={"aggregate": "geometric", "normalise": "minmax", "range": [1, 100]}
    )
    assert geo.status_code == 200 and geo.json()["changed"] > 0


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"weights": {"nope": 1}}, "unknown id"),
        ({"weights": {"index": 1}}, "unknown id"),
        ({"weights": {"innovation": -1}}, "greater than or equal to 0"),
        ({"weights": dict.fromkeys(DIMS, 0)}, "all zero"),
        ({"weights": {"innovation": "0.5"}}, "valid number"),
        ({"weights": {"innovation": True}}, "valid number"),
        ({"weights": {"innovation": None}}, "valid number"),
        ({"weights": [1, 2]}, "valid dictionary"),
        ({"weights": {"innovation": 1e9}}, "less than or equal"),
        ({"weights": {}, "extra": 1}, "Extra inputs"),
        ({"year": 1999}, "no ranking for year"),
        ({"aggregate": "geometric"}, "positive"),
        ({"normalise": "nope"}, "Input should be"),
        ({"range": [5, 1], "normalise": "minmax"}, "low < high"),
        ({"top": 0}, "greater than or equal to 1"),
    ],
)
def test_whatif_invalid_is_422_with_message(client: TestClient, body: dict[str, object], needle: str) -> None:
    r = client.post("/api/whatif", json=body)
    assert r.status_code == 422, r.text
    assert needle in r.json()["detail"]


def test_whatif_rejects_non_finite_and_malformed_json(client: TestClient) -> None:
    for raw in ('{"weights": {"innovation": NaN}}', '{"weights": {"innovation": Infinity}}', "{not json", ""):
        r = client.post("/api/whatif", content=raw, headers={"content-type": "application/json"})
        assert r.status_code == 422, raw


def test_whatif_body_size_is_bounded(client: TestClient) -> None:
    big = {"weights": {f"k{i}": 1 for i in range(3000)}}
    r = client.post("/api/whatif", json=big)
    assert r.status_code == 413
    assert "too large" in r.json()["detail"]


def test_engine_matches_pipeline_aggregate_tree(web_state: AppState) -> None:
    result = web_state.results[2022]
    engine = whatif.Engine(result)
    rng = np.random.default_rng(0)
    for _ in range(5):
        w = dict(zip(DIMS, rng.uniform(0, 1, len(DIMS)).tolist(), strict=True))
        out = whatif.whatif(engine, w, stages=False)
        local = {k: v.copy() for k, v in result.nominal_weights.items()}
        local["index"] = local["index"].copy()
        for k, v in w.items():
            local["index"][k] = v
        local["index"] = local["index"] / local["index"].sum()
        ref = pipeline.aggregate_tree(result.framework, result.current.stages["normalised"], local, {})
        np.testing.assert_allclose(out.scores["index"], ref["index"].to_numpy(), rtol=0, atol=1e-10)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.recursive(
        st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers() | st.text(max_size=8),
        lambda kids: (
            st.lists(kids, max_size=4)
            | st.dictionaries(st.sampled_from([*DIMS, "weights", "x"]), kids, max_size=4)
        ),
        max_leaves=12,
    )
)
def test_whatif_fuzz_never_5xx(client: TestClient, body: object) -> None:
    payload = body if not isinstance(body, dict) else {"weights": body}
    r = client.post("/api/whatif", content=json.dumps(payload), headers={"content-type": "application/json"})
    assert r.status_code in (200, 413, 422), r.text


# -- framework, meta, openapi -------------------------------------------------------------------------------
def test_framework_tree(client: TestClient) -> None:
    tree = client.get("/api/framework").json()
    assert tree["id"] == "index" and tree["weight"] == 1.0
    assert [c["id"] for c in tree["children"]] == DIMS

    def check(node: dict[str, object], leaves: list[str]) -> None:
        kids = node.get("children")
        if kids:
            assert sum(k["weight"] for k in kids) == pytest.approx(1.0)  # type: ignore[index]
            for k in kids:  # type: ignore[union-attr]
                assert {"id", "name_zh", "name_en", "weight"} <= set(k)
                check(k, leaves)
        else:
            leaves.append(str(node["id"]))

    leaves: list[str] = []
    check(tree, leaves)
    assert len(leaves) == 21  # the caict2023 preset's indicators


def test_meta(client: TestClient) -> None:
    m = client.get("/api/meta").json()
    assert (
        m["year"] == 2022 and 2022 in m["years"] and 2024 not in m["years"]
    )  # 2024: half the series missing
    assert m["units"] == 331 and 0 < m["coverage"]["index"] <= 1
    assert m["version"] and m["data_sources"] and all(len(s["sha256"]) == 64 for s in m["data_sources"])
    assert {c["id"] for c in m["clusters"]} >= {"gba", "yrd_central"}
    assert m["map_caption"]["zh"] == "示意图，非标准地图"


def test_openapi_describes_every_endpoint(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in (
        "/api/rankings",
        "/api/cities/{code}",
        "/api/whatif",
        "/api/framework",
        "/api/meta",
        "/api/export",
    ):
        assert path in spec["paths"]
    assert "WhatIfRequest" in spec["components"]["schemas"]
    assert client.get("/docs").status_code == 404  # Swagger UI would need a CDN: not served


def test_geo_boundaries(client: TestClient) -> None:
    r = client.get("/api/geo/prefectures")
    assert r.status_code == 200 and len(r.json()["features"]) == 340
    assert client.get("/api/geo/nine_dash").json()["features"][0]["geometry"]["type"] == "MultiLineString"
    assert client.get("/api/geo/../../etc/passwd").status_code == 404
    assert client.get("/api/geo/secrets").status_code == 404


# -- export -------------------------------------------------------------------------------------------------
def test_export_csv_filtered(client: TestClient) -> None:
    r = client.get("/api/export?format=csv&province=江苏")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    text = r.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("排名,城市,省份")
    assert len(lines) == 14 and "苏州市" in lines[1]


def test_export_xlsx_whatif_english(client: TestClient) -> None:
    r = client.get("/api/export?format=xlsx&lang=en&top=10&weights=innovation:0.6,scale:0.1")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    header = [c.value for c in ws[1]]
    assert header[:2] == ["Rank", "City"] and "Nominal rank" in header
    assert [c.value for c in ws[2]][:2] == ["rank", "name"]  # the field ids under the headers
    assert ws.max_row == 12


@pytest.mark.parametrize("weights", ["innovation", "innovation:x", "nope:1", "innovation:-1"])
def test_export_bad_weights_422(client: TestClient, weights: str) -> None:
    assert client.get("/api/export", params={"weights": weights}).status_code == 422


def test_exported_cells_are_neutralised() -> None:
    rows = [{"rank": 1, "name": '=HYPERLINK("http://x")', "province": "+1", "region": "@a", "code": "-1"}]
    cols = [("rank", "排名"), ("name", "城市"), ("province", "省份"), ("region", "地区"), ("code", "代码")]
    csv_text = export.to_csv(rows, cols).decode("utf-8-sig")
    # formulas get a leading ' in CSV; numbers written as text (+1, -1) are not formulas
    assert "'=HYPERLINK" in csv_text and ",+1," in csv_text and "'@a" in csv_text and ",-1\r\n" in csv_text
    ws = load_workbook(io.BytesIO(export.to_xlsx(rows, cols, "t"))).active
    # XLSX (row 3: below the header and the id row): text as is, formulas protected by quotePrefix
    assert [c.value for c in ws[3]] == [1, '=HYPERLINK("http://x")', "+1", "@a", "-1"]
    assert [c.quotePrefix for c in ws[3]] == [False, True, False, True, False]
    assert ws["B3"].data_type == "s"


# -- pages and guards ---------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/", "/map", "/city/320500", "/compare?codes=320500,440300", "/about"])
def test_pages_render_in_chinese_with_offline_assets(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "城市制造业高质量发展评价" in r.text
    assert "http://" not in r.text and "https://" not in r.text  # nothing from a CDN
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and r.headers["x-content-type-options"] == "nosniff"


def test_language_switch_sets_cookie(client: TestClient) -> None:
    r = client.get("/?lang=en")
    assert "Ranking" in r.text and r.cookies.get("lang") == "en"
    client.cookies.set("lang", "en")
    assert "Ranking" in client.get("/").text
    client.cookies.clear()
    assert "榜单" in client.get("/").text


def test_static_assets_are_shipped(client: TestClient) -> None:
    r = client.get("/static/vendor/echarts/echarts.min.js")
    assert r.status_code == 200 and len(r.content) > 500_000
    assert client.get("/static/vendor/echarts/LICENSE").status_code == 200


def test_unknown_page_escapes_input(client: TestClient) -> None:
    r = client.get("/city/<script>alert(1)</script>")
    assert r.status_code == 404 and "<script>alert" not in r.text
    r = client.get("/no-such-page")
    assert r.status_code == 404 and "页面不存在" in r.text


def test_page_data_json_is_escaped(client: TestClient) -> None:
    r = client.get("/city/320500")
    start = r.text.index('id="page-data"')
    block = r.text[start : r.text.index("</script>", start)]
    assert "<" not in block.split(">", 1)[1]


# -- serving a run directory ------------------------------------------------------------------------------
def test_run_directory_with_uncertainty(tmp_path, web_state: AppState) -> None:  # type: ignore[no-untyped-def]
    from mfgindex.services import outputs
    from mfgindex.web.app import create_app
    from mfgindex.web.state import from_run_dir

    result = web_state.results[2022]
    outputs.write_run(result, tmp_path / "run", {"framework": "caict2023", "data": "embedded default"})
    (tmp_path / "run" / "uncertainty.csv").write_text(
        "code,name,nominal_rank,median_rank,mean_rank,p05_rank,p95_rank\n320500,苏州市,2,2,2.4,1,4\n",
        encoding="utf-8",
    )
    state = from_run_dir(tmp_path / "run", history=False)
    assert state.warnings == [] and state.years == [2022]
    with TestClient(create_app(state)) as c:
        p = c.get("/api/cities/320500").json()
        assert p["rank_interval"] == {
            "nominal_rank": 2.0,
            "median_rank": 2.0,
            "mean_rank": 2.4,
            "p05_rank": 1.0,
            "p95_rank": 4.0,
        }
        assert c.get("/api/meta").json()["uncertainty"] is True


def test_not_a_run_directory(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from mfgindex.core.errors import UserError
    from mfgindex.web.state import from_run_dir

    with pytest.raises(UserError, match=r"run\.json is missing"):
        from_run_dir(tmp_path)


def test_english_names_mark_pinyin_syllable_boundaries(client: TestClient) -> None:
    """西安 reads Xi'an (apostrophe before a/o/e syllables); search by plain pinyin still works."""
    rows = {r["code"]: r for r in client.get("/api/rankings").json()["rows"]}
    assert rows["610100"]["name_en"] == "Xi'an"
    assert rows["610600"]["name_en"] == "Yan'an"
    assert rows["320500"]["name_en"] == "Suzhou"
    assert rows["610100"]["province_en"] == "Shaanxi"
    hits = client.get("/api/rankings", params={"q": "xian"}).json()["rows"]
    assert "610100" in {r["code"] for r in hits}
    assert client.get("/api/cities/610100").json()["name_en"] == "Xi'an"


def test_whatif_columns_format_equals_rows(client: TestClient) -> None:
    """The compact column-wise response carries the same numbers as the row-wise one, about 3× smaller."""
    weights = {"innovation": 0.4, "scale": 0.05}
    rows = client.post("/api/whatif", json={"weights": weights})
    cols = client.post("/api/whatif", json={"weights": weights, "format": "columns"})
    assert rows.status_code == cols.status_code == 200
    # 2.999× on the default run: the cities without a 创新发展 score serialise as a short null in the rows
    assert len(cols.content) * 2.9 < len(rows.content)
    body = cols.json()
    by_code = {r["code"]: r for r in rows.json()["rows"]}
    assert set(body["codes"]) == set(by_code) and body["changed"] == rows.json()["changed"]
    for f in ("rank", "nominal_rank", "rank_change", "index", *DIMS):
        assert len(body["columns"][f]) == len(body["codes"])
    for i, code in enumerate(body["codes"]):
        r = by_code[code]
        assert body["columns"]["rank"][i] == r["rank"]
        assert body["columns"]["rank_change"][i] == r["rank_change"]
        assert body["columns"]["index"][i] == pytest.approx(r["index"], abs=1e-6)
    few = client.post(
        "/api/whatif", json={"weights": weights, "format": "columns", "fields": ["rank"], "top": 10}
    ).json()
    assert list(few["columns"]) == ["rank"] and sorted(few["columns"]["rank"]) == list(range(1, 11))
    # repeated request: served from the response cache, byte-identical
    assert client.post("/api/whatif", json={"weights": weights, "format": "columns"}).content == cols.content


@pytest.mark.parametrize(
    "extra",
    [{"fields": ["rank"]}, {"format": "columns", "fields": ["nope"]}, {"format": "csv"}],
)
def test_whatif_bad_format_or_fields_422(client: TestClient, extra: dict[str, object]) -> None:
    r = client.post("/api/whatif", json={"weights": {"innovation": 0.3}, **extra})
    assert r.status_code == 422 and r.json()["detail"]


# -- the what-if encoders: the text of Python's round and repr, at numpy speed ---------------------------
def _awkward_floats() -> np.ndarray:
    """Values where a vectorised round to 6 decimals can go wrong: near ties in the 7th decimal (2.675 is
    stored as 2.67499999…), exact ties, tiny and huge magnitudes, NaN, −0.0 and integers."""
    rng = np.random.default_rng(7)
    ties = (np.arange(-2000, 2000) + 0.5) / 1e6  # k.5 millionths: most are not exactly representable
    near = np.concatenate([np.nextafter(ties, np.inf), np.nextafter(ties, -np.inf)])
    return np.concatenate(
        [
            ties,
            near,
            rng.uniform(0, 100, 20_000),
            10.0 ** rng.uniform(-12, 14, 5_000) * rng.choice([-1.0, 1.0], 5_000),
            [2.675, 1.0000005, 0.0000005, 0.0000015, 5e-7, 1e-7, 3e-5, 1e12, 1e13 + 0.5, 1e17, 1e300],
            [np.nan, 0.0, -0.0, 1.0, 100.0, -3.0, 0.1 + 0.2],
        ]
    )


def test_round6_equals_python_round_value_for_value() -> None:
    x = _awkward_floats()
    got = whatif.round6(x)
    want = [round(v, 6) for v in x.tolist()]
    assert [repr(g) for g in got.tolist()] == [repr(w) for w in want]  # NaN compares by its text


def test_encoded_floats_and_ints_are_the_text_of_repr() -> None:
    x = np.array([round(v, 6) for v in _awkward_floats().tolist()])
    assert whatif.encode_floats(x) == [b"null" if v != v else repr(v).encode() for v in x.tolist()]
    ranks = np.array([1.0, 2.0, np.nan, 331.0, -4.0, 0.0])
    assert whatif.encode_ints(ranks) == [b"1", b"2", b"null", b"331", b"-4", b"0"]


def test_whatif_rows_are_json_dumps_of_the_outcome(client: TestClient, web_state: AppState) -> None:
    """The hand-assembled rows equal ``json.dumps`` of the row dicts built from the outcome in plain Python
    (labels from /api/rankings, Python's round), byte for byte, including a top-N cut and changed methods."""
    labels = {r["code"]: r for r in client.get("/api/rankings").json()["rows"]}
    engine = whatif.Engine(web_state.results[web_state.main_year])
    for body in (
        {"weights": {"innovation": 0.4, "scale": 0.05}},
        {"weights": {"innovation": 0.4}, "stages": False, "top": 25},
        {"weights": {"scale": 0.3}, "normalise": "zscore"},
    ):
        got = client.post("/api/whatif", json=body).json()["rows"]
        out = whatif.whatif(engine, body["weights"], body.get("stages", True), body.get("normalise"))
        rows = []
        for i, code in enumerate(out.codes):
            r, n = out.rank[i], out.nominal_rank[i]
            row = {k: labels.get(code, {}).get(k) for k in ("code", "name", "province", "region")}
            row["code"] = code
            row["rank"] = None if r != r else int(r)
            row["nominal_rank"] = None if n != n else int(n)
            row["rank_change"] = None if r != r or n != n else int(n - r)
            for c in (engine.root, *DIMS):
                v = float(out.scores[c][i])
                row[c] = None if v != v else round(v, 6)
            rows.append((r if r == r else np.inf, n, row))
        want = [row for *_, row in sorted(rows, key=lambda t: (t[0], t[1]))][: body.get("top")]
        assert json.dumps(got, ensure_ascii=False) == json.dumps(want, ensure_ascii=False)


@pytest.mark.parametrize(
    "body",
    [
        {"weights": {"innovation": 0.4, "scale": 0.05}},
        {"weights": {"innovation": 0.4}, "format": "columns", "top": 5},
        {"weights": {"scale": -1}},
        {"weights": {"nope": 1}},
        {"weights": {"scale": 1}, "fields": ["rank"]},
        {
            "weights": {
                "scale": 0,
                "quality": 0,
                "innovation": 0,
                "green": 0,
                "digital": 0,
                "enterprise": 0,
                "agglomeration": 0,
            }
        },  # every weight zero
        "not json",
    ],
)
def test_whatif_fast_path_answers_like_the_route(client: TestClient, body: object) -> None:
    """``application/json`` takes the fast path, ``application/json; charset=utf-8`` FastAPI's route: the
    same status, headers and bytes, answers and errors alike."""
    raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    fast = client.post("/api/whatif", content=raw, headers={"content-type": "application/json"})
    route = client.post(
        "/api/whatif", content=raw, headers={"content-type": "application/json; charset=utf-8"}
    )
    assert fast.status_code == route.status_code
    assert fast.content == route.content
    assert list(fast.headers.items()) == list(route.headers.items())


@pytest.mark.parametrize(
    "body",
    [
        {"weights": {"innovation": 0.4, "scale": 0.05}},
        {"weights": {"innovation": 0.4}, "format": "columns", "top": 5},
        {"weights": {"innovation": 0.4}, "format": "columns", "top": 1, "fields": ["rank"]},  # < 1 KB
        {"weights": {"scale": -1}},
        "not json",
        "x" * 20_000,  # over the body limit: the guard's 413
    ],
)
def test_whatif_front_answers_like_the_whole_stack(client: TestClient, body: object) -> None:
    """Without gzip, ``application/json`` is answered in front of every layer (``App.front``), the other
    content type by the route through the guard, gzip's pass-through and FastAPI: the same status,
    headers (``vary`` from 1 KB, the security headers) and bytes."""
    app = client.app
    assert isinstance(app, App) and app.front is not None
    raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    seen: list[object] = []
    answer = app.front.answers.answer

    def counted(request: object, raw: bytes | None = None) -> bytes:
        seen.append(request)
        return answer(request, raw)  # type: ignore[arg-type]

    identity = {"accept-encoding": "identity"}
    app.front.answers.cache.clear()  # (an earlier test may have asked the same)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(app.front.answers, "answer", counted)
        front = client.post(
            "/api/whatif", content=raw, headers={**identity, "content-type": "application/json"}
        )
    route = client.post(
        "/api/whatif", content=raw, headers={**identity, "content-type": "application/json; charset=utf-8"}
    )
    assert front.status_code == route.status_code
    assert front.content == route.content
    assert list(front.headers.items()) == list(route.headers.items())
    assert len(seen) == (front.status_code == 200)  # the front parsed and answered it
    if front.status_code == 200:
        assert ("vary" in front.headers) == (len(front.content) >= GZIP_MINIMUM)


def test_whatif_fast_path_hands_what_it_does_not_answer_to_the_app(client: TestClient) -> None:
    import asyncio

    from mfgindex.web.whatif_api import WhatIfFast

    seen: list[bytes] = []

    async def inner(scope: object, receive: object, send: object) -> None:
        message = await receive()  # type: ignore[operator]
        seen.append(message["body"])

    fast = WhatIfFast(inner, client.app.state.whatif)  # type: ignore[attr-defined]

    def call(body: bytes, ctype: bytes = b"application/json") -> list[dict[str, object]]:
        scope = {
            "type": "http",
            "path": "/api/whatif",
            "method": "POST",
            "headers": [(b"content-type", ctype)],
        }
        chunks = [body[:5], body[5:]]
        sent: list[dict[str, object]] = []

        async def receive() -> dict[str, object]:
            return {"type": "http.request", "body": chunks.pop(0), "more_body": bool(chunks)}

        async def send(message: dict[str, object]) -> None:
            sent.append(message)

        asyncio.run(fast(scope, receive, send))
        return sent

    answered = call(b'{"weights": {"green": 0.7}}')
    assert answered[0]["status"] == 200 and json.loads(answered[1]["body"])["weights"]  # type: ignore[arg-type]
    assert seen == []  # answered without the app
    assert call(b'{"weights": {"green": -1}}') == [] and seen == [b'{"wei']  # replayed, chunk by chunk
    assert call(b'{"weights": {}}', b"text/plain") == [] and seen[-1] == b'{"wei'


def test_whatif_gzip_decodes_to_the_plain_answer(client: TestClient) -> None:
    """What-if answers are compressed faster (level 1) than the rest: still gzip, the same bytes inside."""
    import gzip

    body = {"weights": {"green": 0.61}, "format": "columns"}
    plain = client.post("/api/whatif", json=body, headers={"Accept-Encoding": "identity"})
    zipped = client.post("/api/whatif", json=body, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers and zipped.headers["content-encoding"] == "gzip"
    assert zipped.content == plain.content  # httpx decodes
    assert len(gzip.compress(plain.content, 1)) < len(plain.content) / 1.8
