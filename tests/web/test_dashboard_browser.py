"""The dashboard in a real browser (Debian's Chromium via Playwright): every page at 1440 px and
390 px without horizontal overflow or console errors and with no serious or critical axe-core violations;
a hover inside every ranked city's polygon on the map shows that city; URL state round-trips; 较上年
and 新进50强; municipalities explained; keyboard and numeric sorting; one printed A4 page per city profile;
the map page's transfer size; save-as-image on every chart.

Expected values come from outside the page: the boundary polygons (shapely), the ranking API's rows, the
analysis functions the report uses.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pypdf import PdfReader
from shapely.geometry import shape
from shapely.ops import polylabel

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
PAGES = {
    "ranking": "/",
    "map": "/map",
    "summary": "/summary",
    "city": "/city/320500",
    "unranked": "/city/110000",
    "compare": "/compare?codes=320500,440300,330100",
    "about": "/about",
}
WIDTHS = (1440, 390)
SANSHA = "460300"  # 三沙市: its islands are drawn in the South China Sea inset (geo 1)


def _ready(page: Page) -> None:
    page.wait_for_selector("body[data-ready='1']", timeout=30_000)


@pytest.fixture(scope="module")
def context(browser: Browser) -> Iterator[BrowserContext]:
    # bypass_csp lets the test inject axe-core; the pages themselves run under their normal CSP otherwise
    ctx = browser.new_context(bypass_csp=True, locale="zh-CN")
    yield ctx
    ctx.close()


@pytest.fixture
def tab(context: BrowserContext) -> Iterator[tuple[Page, list[str]]]:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield page, errors
    page.close()


@pytest.fixture(scope="module")
def rows(live_server: str, context: BrowserContext) -> list[dict[str, Any]]:
    data: dict[str, Any] = context.request.get(live_server + "/api/rankings").json()
    return list(data["rows"])


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(PAGES))
def test_page_fits_has_no_errors_and_passes_axe(
    tab: tuple[Page, list[str]], live_server: str, artifacts: Path, name: str, width: int
) -> None:
    page, errors = tab
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server + PAGES[name])
    _ready(page)
    page.wait_for_timeout(300)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{name} at {width} px is {overflow} px wider than the window"
    page.screenshot(path=str(artifacts / f"page-{name}-{width}.png"), full_page=True)
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => { const r = await axe.run(document, { resultTypes: ['violations'] });"
        " return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length,"
        " target: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })); }"
    )
    bad = [v for v in result if v["impact"] in ("serious", "critical")]
    assert not bad, json.dumps(bad, ensure_ascii=False)
    assert not errors, errors


def test_every_ranked_city_on_the_map_answers_hover_with_its_own_tooltip(
    tab: tuple[Page, list[str]], live_server: str, rows: list[dict[str, Any]], context: BrowserContext
) -> None:
    page, errors = tab
    ranked = {r["code"]: r["name"] for r in rows if r["rank"] is not None}
    geo = context.request.get(live_server + "/api/geo/prefectures").json()
    inside: dict[str, tuple[float, float]] = {}
    for f in geo["features"]:
        code = f["properties"]["adcode"]
        if code in ranked:
            g = shape(f["geometry"])
            largest = max(getattr(g, "geoms", [g]), key=lambda p: p.area)
            point = polylabel(largest, tolerance=0.001)  # the interior point farthest from the boundary
            assert largest.contains(point)
            inside[code] = (point.x, point.y)
    assert set(inside) == set(ranked)  # every ranked city has a polygon
    page.set_viewport_size({"width": 1440, "height": 1200})  # the default view, the whole map on screen
    page.goto(live_server + "/map")
    _ready(page)
    pixels = page.evaluate(
        "([pts, inset]) => { const c = echarts.getInstanceByDom(document.getElementById('map'));"
        " const out = {}; for (const [k, v] of Object.entries(pts))"
        " out[k] = c.convertToPixel({ geoIndex: k === inset ? 1 : 0 }, v); return out; }",
        [inside, SANSHA],
    )
    box = page.locator("#map").bounding_box()
    assert box is not None
    missed = []
    for code, (x, y) in pixels.items():
        page.mouse.move(box["x"] + x, box["y"] + y)
        tip = page.evaluate("() => (document.querySelector('.map-tip') || {}).innerText || ''")
        if not tip.startswith(ranked[code]):
            missed.append((code, ranked[code], tip[:30]))
    assert not missed, f"{len(missed)} of {len(pixels)} cities do not answer a hover: {missed[:10]}"
    # a click opens the city's profile
    x, y = pixels["320500"]
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url(re.compile(r"/city/320500$"))
    assert not errors


def test_map_legend_comes_from_the_data_and_the_year_slider_spans_the_offered_years(
    tab: tuple[Page, list[str]], live_server: str, rows: list[dict[str, Any]], context: BrowserContext
) -> None:
    page, errors = tab
    meta = context.request.get(live_server + "/api/meta").json()
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.goto(live_server + "/map")
    _ready(page)
    option = page.evaluate(
        "() => { const o = echarts.getInstanceByDom(document.getElementById('map')).getOption();"
        " return { title: o.title[0].text, pieces: o.visualMap[0].pieces, geo: o.geo.length,"
        " save: !!o.toolbox[0].feature.saveAsImage }; }"
    )
    assert option["title"] == f"{meta['year']}年 指数"
    assert option["geo"] == 2 and option["save"]  # the main map and the South China Sea inset
    index = sorted(r["index"] for r in rows if r["rank"] is not None)
    # quintile breaks of the scores (not a fixed 0-100 scale): each class holds about a fifth of the cities
    bounds = sorted(p["gte"] for p in option["pieces"] if "gte" in p)
    assert len(bounds) == 4 and min(index) < bounds[0] and bounds[-1] < max(index)
    for lo in bounds:
        share = sum(v >= lo for v in index) / len(index)
        assert 0.1 < share < 0.9
    slider = page.locator("#f-year-range")
    assert int(slider.get_attribute("max") or 0) == len(meta["years"]) - 1
    slider.focus()
    page.keyboard.press("Home")
    expect(page.locator("#f-year-value")).to_have_text(str(meta["years"][0]))
    expect(page).to_have_url(re.compile(rf"year={meta['years'][0]}"))
    assert not errors


def test_change_column_shows_movement_for_all_and_new_top50_only_for_new_entries(
    tab: tuple[Page, list[str]], live_server: str, rows: list[dict[str, Any]]
) -> None:
    page, errors = tab
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(live_server + "/")
    _ready(page)
    # from the API: cities in the top 50 now that were outside it (or unranked) last year
    expected_new = {
        r["name"]
        for r in rows
        if r["rank"] is not None and r["rank"] <= 50 and (r["prev_rank"] is None or r["prev_rank"] > 50)
    }
    shown_new = set(page.locator("#ranking-body tr:has(.new) th a").all_inner_texts())
    assert shown_new == expected_new
    # the new entry that rose most (连云港 before the innovation series; read from the data, not hard-coded)
    # shows its move and the badge, in the table and on its city page
    entries = [r for r in rows if r["name"] in expected_new and r["prev_rank"] is not None]
    assert entries, "the default data has a new entry to the top 50"
    new = max(entries, key=lambda r: (r["prev_rank"] - r["rank"], r["code"]))
    move = f"↑{new['prev_rank'] - new['rank']}"
    row = page.locator(f"#ranking-body tr[data-code='{new['code']}']")
    expect(row).to_contain_text(move)
    expect(row).to_contain_text("新进50强")
    moved = [r for r in rows if r["rank_change"]]
    assert page.locator("#ranking-body .up, #ranking-body .down").count() == len(moved)
    page.goto(live_server + "/city/" + new["code"])
    _ready(page)
    expect(page.locator("#city-badges")).to_contain_text(move)
    expect(page.locator("#city-badges")).to_contain_text("新进50强")
    assert not errors


def test_municipalities_are_explained_in_chinese(tab: tuple[Page, list[str]], live_server: str) -> None:
    page, errors = tab
    page.goto(live_server + "/")
    _ready(page)
    for name in ("北京", "上海", "重庆"):
        page.fill("#f-search", name)
        expect(page.locator("#ranking-body tr")).to_have_count(0)
        expect(page.locator("#search-note")).to_contain_text(f"{name}市是直辖市")
    page.goto(live_server + "/city/110000")
    _ready(page)
    expect(page.locator("h1")).to_have_text("北京市")
    expect(page.locator("#unranked-reason")).to_contain_text("直辖市不参与排名")
    assert page.locator(".card").count() == 0  # no empty cards
    assert not re.search(r"[A-Za-z]{3,}", page.locator("#unranked").inner_text())
    assert not errors


def test_sorting_by_keyboard_and_province_rank_numerically(
    tab: tuple[Page, list[str]], live_server: str
) -> None:
    page, errors = tab
    page.goto(live_server + "/?province=江苏")
    _ready(page)
    button = page.locator("#ranking-head button[data-key='province_rank']")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#ranking-head th[data-key='province_rank']")).to_have_attribute(
        "aria-sort", "ascending"
    )
    keys = page.locator("#ranking-head th").evaluate_all("(ths) => ths.map((t) => t.dataset.key)")
    col = keys.index("province_rank") + 1
    labels = page.locator(f"#ranking-body tr > :nth-child({col})").all_inner_texts()
    assert labels[:12] == [f"苏{i}" for i in range(1, 13)]  # 苏1, 苏2, … 苏10, not 苏1, 苏10, 苏11, 苏2
    page.keyboard.press("Space")
    expect(page.locator("#ranking-head th[data-key='province_rank']")).to_have_attribute(
        "aria-sort", "descending"
    )
    assert not errors


def test_url_state_round_trips(
    tab: tuple[Page, list[str]], live_server: str, context: BrowserContext
) -> None:
    page, errors = tab
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(live_server + "/")
    _ready(page)
    page.select_option("#f-region", "东部")
    page.select_option("#f-top", "100")
    page.fill("#f-search", "zh")
    page.locator("#ranking-head button[data-key='innovation']").click()
    page.click("#whatif summary")
    page.locator("#w-green").fill("40")
    expect(page.locator("#whatif-summary")).to_contain_text("排名变化城市")
    url = page.url
    for part in ("region=", "top=100", "q=zh", "sort=innovation", "dir=desc", "w=", "green%3A40"):
        assert part in url, (part, url)
    first = page.locator("#ranking-body tr th a").all_inner_texts()
    other = context.new_page()
    other.goto(url)
    _ready(other)
    expect(other.locator("#whatif-summary")).to_contain_text("排名变化城市")
    assert other.input_value("#f-region") == "东部"
    assert other.input_value("#f-top") == "100"
    assert other.input_value("#f-search") == "zh"
    assert other.input_value("#w-green") == "40"
    expect(other.locator("#ranking-head th[data-key='innovation']")).to_have_attribute(
        "aria-sort", "descending"
    )
    assert other.locator("#ranking-body tr th a").all_inner_texts() == first
    assert other.url == url
    # the map: year, metric and view
    other.goto(live_server + "/map?year=2020&metric=green&zoom=2.00&center=115.00,30.00")
    _ready(other)
    expect(other.locator("#f-year-value")).to_have_text("2020")
    assert other.input_value("#f-metric") == "green"
    geo = other.evaluate(
        "() => { const g = echarts.getInstanceByDom(document.getElementById('map')).getOption().geo[0];"
        " return [g.zoom, g.center]; }"
    )
    assert geo == [2, [115, 30]]
    assert other.url.endswith("/map?year=2020&metric=green&zoom=2.00&center=115.00%2C30.00")
    other.close()
    assert not errors


def test_city_profile_prints_on_one_a4_page(
    tab: tuple[Page, list[str]], live_server: str, artifacts: Path
) -> None:
    page, errors = tab
    for code in ("320500", "440300", "652900"):
        page.set_viewport_size({"width": 1440, "height": 900})
        page.goto(live_server + "/city/" + code)
        _ready(page)
        page.emulate_media(media="print")
        pdf = page.pdf(format="A4", print_background=True)
        (artifacts / f"profile-{code}.pdf").write_bytes(pdf)
        reader = PdfReader(io.BytesIO(pdf))
        assert len(reader.pages) == 1, f"{code}: {len(reader.pages)} pages"
        text = reader.pages[0].extract_text()
        assert "指标明细" in text and "维度得分" in text  # the charts and the table are on the page
        page.emulate_media(media="screen")
    assert not errors


def test_map_page_transfers_at_most_1_2_mb(tab: tuple[Page, list[str]], live_server: str) -> None:
    page, _ = tab
    sizes: list[tuple[str, int]] = []
    page.on("requestfinished", lambda r: sizes.append((r.url, r.sizes()["responseBodySize"])))
    page.goto(live_server + "/map")
    _ready(page)
    page.wait_for_timeout(300)
    total = sum(n for _, n in sizes)
    assert total <= 1.2e6, sorted(sizes, key=lambda s: -s[1])[:5]
    assert len(sizes) >= 8  # html, css, 2 scripts, meta, 3 boundary files, rankings


def test_every_chart_has_save_as_image(tab: tuple[Page, list[str]], live_server: str) -> None:
    page, errors = tab
    for path in ("/map", "/city/320500", "/compare?codes=320500,440300", "/summary"):
        page.goto(live_server + path)
        _ready(page)
        page.wait_for_timeout(300)
        tools = page.evaluate(
            "() => [...document.querySelectorAll('.chart')].map((d) => {"
            " const c = echarts.getInstanceByDom(d); const o = c && c.getOption();"
            " return !!(o && o.toolbox && o.toolbox[0].feature.saveAsImage); })"
        )
        assert tools and all(tools), (path, tools)
    assert not errors


def test_compare_shows_the_strengths_rule_and_the_panel_index_trend(
    tab: tuple[Page, list[str]], live_server: str, context: BrowserContext
) -> None:
    page, errors = tab
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(live_server + "/compare?codes=320500,440300")
    _ready(page)
    # strengths and weaknesses: the profile's (analysis.strengths, the city page's rule), one cell per city
    for code, col in (("320500", 2), ("440300", 3)):
        prof = context.request.get(f"{live_server}/api/cities/{code}").json()
        for label, key in (("优势维度", "strengths"), ("短板维度", "weaknesses")):
            cell = page.locator(f"#compare-table tr.standing:has(th:text-is('{label}')) > :nth-child({col})")
            expected = "、".join(f"{x['name_zh']} {x['label_zh']}" for x in prof[key]) or "无"
            expect(cell).to_have_text(expected)
    # the trend over the years on the panel-normalised index, labelled as such
    expect(page.locator("#compare-panel[data-drawn='320500,440300'] canvas")).to_have_count(1, timeout=60_000)
    expect(page.locator("#compare-panel").locator("xpath=..")).to_contain_text("面板归一化指数")
    expect(page.locator("#panel-note")).to_contain_text("可跨年比较")
    assert not errors


def test_city_dimension_bars_name_the_diamond_and_print_ranks_in_chinese(
    tab: tuple[Page, list[str]], live_server: str
) -> None:
    """各维度得分与排名 on a city page: the red diamond is named in a legend (全国中位数), and the rank next
    to each bar reads 第10 in Chinese, not #10 (it was "57.8  #10" with an unexplained diamond)."""
    page, errors = tab
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_server + "/city/320500")
    _ready(page)
    got = page.evaluate(
        "() => { const o = echarts.getInstanceByDom(document.getElementById('bars')).getOption();"
        " const f = o.series[0].label.formatter;"
        " return [o.legend.length ? o.legend[0].data : [], o.series.map((s) => s.name),"
        " f({value: 57.8, dataIndex: 0})]; }"
    )
    legend, series, label = got
    assert legend == series == ["得分", "全国中位数"], got
    assert re.fullmatch(r"57\.8\s+第\d+", label), label
    assert not errors


def test_summary_city_names_never_break_across_lines(tab: tuple[Page, list[str]], live_server: str) -> None:
    """梯队 lists twelve cities a row; a name broke at the cell edge ("绍" | "兴市"). Every city link is one
    line box at 1366 and 390 px."""
    page, errors = tab
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server + "/summary")
        _ready(page)
        broken = page.evaluate(
            "() => [...document.querySelectorAll('.city-list a')]"
            ".filter((a) => a.getClientRects().length > 1).map((a) => a.textContent)"
        )
        assert page.locator(".city-list a").count() > 40
        assert broken == [], (width, broken)
    assert not errors
