"""The dashboard in headless Chromium (Debian's /usr/bin/chromium via Playwright): ranking, search, filter,
profile, what-if slider, language switch, map. Screenshots go to ``test-artifacts/web/`` (or
``$MFGINDEX_ARTIFACTS/web``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def _ready(page: Page) -> None:
    # the page sets data-ready once its data are drawn (waiting on a JS expression would need eval, which
    # the Content-Security-Policy forbids)
    page.wait_for_selector("body[data-ready='1']", timeout=20_000)


@pytest.fixture
def errors(page: Page) -> list[str]:
    seen: list[str] = []
    page.on("pageerror", lambda e: seen.append(str(e)))
    page.on("console", lambda m: seen.append(m.text) if m.type == "error" else None)
    return seen


def test_ranking_search_filter_profile(
    page: Page, live_server: str, artifacts: Path, errors: list[str]
) -> None:
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_server + "/")
    _ready(page)
    rows = page.locator("#ranking-body tr")
    expect(rows).to_have_count(331)
    page.screenshot(path=str(artifacts / "ranking.png"))

    page.fill("#f-search", "suzhou")  # pinyin
    expect(rows.filter(has_text="苏州市")).to_have_count(1)
    expect(rows).to_have_count(2)  # 苏州 and 宿州 are both suzhou
    page.fill("#f-search", "无锡")
    expect(rows).to_have_count(1)
    page.fill("#f-search", "")
    page.select_option("#f-province", "江苏")
    expect(rows).to_have_count(13)
    for text in page.locator(
        "#ranking-body tr > :nth-child(5)"
    ).all_inner_texts():  # rank, city, index, 较上年, province
        assert text == "江苏"
    page.screenshot(path=str(artifacts / "ranking-jiangsu.png"))

    rows.filter(has_text="苏州市").locator("a").click()
    page.wait_for_url(re.compile(r"/city/320500$"))
    _ready(page)
    expect(page.locator("#city-name")).to_have_text("苏州市")
    expect(page.locator("#radar canvas")).to_have_count(1)
    expect(page.locator("#weaknesses li").first).to_be_visible()
    expect(page.locator("#indicators tbody tr")).to_have_count(21)
    page.screenshot(path=str(artifacts / "city-320500.png"), full_page=True)
    assert not errors


def test_whatif_slider_changes_the_ranking(
    page: Page, live_server: str, artifacts: Path, errors: list[str]
) -> None:
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_server + "/")
    _ready(page)
    links = page.locator("#ranking-body tr th a")
    before = links.all_inner_texts()[:20]
    page.click("#whatif summary")
    page.locator("#w-innovation").fill("50")  # innovation 14.3 → 50 (relative): share 37 %
    expect(page.locator("#whatif-summary")).to_contain_text("排名变化城市")
    expect(page.locator("#ranking-head")).to_contain_text("模拟变化")
    expect(page.locator("#ranking-body .up").first).to_be_visible()
    after = links.all_inner_texts()[:20]
    assert after != before
    page.screenshot(path=str(artifacts / "whatif.png"))
    href = page.get_attribute("#dl-xlsx", "href") or ""
    assert "weights=" in href and "format=xlsx" in href
    page.click("#reset-weights")
    expect(page.locator("#ranking-head")).not_to_contain_text("模拟变化")
    assert links.all_inner_texts()[:20] == before
    assert not errors


def test_language_switch(page: Page, live_server: str, artifacts: Path, errors: list[str]) -> None:
    page.goto(live_server + "/")
    _ready(page)
    expect(page.locator("h1")).to_have_text("城市制造业高质量发展指数榜单")
    page.click("#lang-switch")
    _ready(page)
    expect(page.locator("h1")).to_have_text("Ranking of cities")
    expect(page.locator("#ranking-body tr a", has_text="Suzhou 苏州市")).to_have_count(1)
    page.screenshot(path=str(artifacts / "ranking-en.png"))
    page.click("#lang-switch")  # back to Chinese (the cookie remembers the choice)
    _ready(page)
    expect(page.locator("h1")).to_have_text("城市制造业高质量发展指数榜单")
    assert not errors


def test_map_and_compare(page: Page, live_server: str, artifacts: Path, errors: list[str]) -> None:
    page.set_viewport_size({"width": 1366, "height": 1000})
    page.goto(live_server + "/map")
    _ready(page)
    expect(page.locator("#map canvas").first).to_be_visible()  # ECharts may add a hover layer canvas
    expect(page.locator("#map-caption")).to_have_text("示意图，非标准地图")
    page.select_option("#f-metric", "innovation")
    page.wait_for_timeout(500)
    page.screenshot(path=str(artifacts / "map.png"), full_page=True)
    page.goto(live_server + "/compare?codes=320500,440300,330100")
    _ready(page)
    expect(page.locator("#compare-chips li")).to_have_count(3)
    page.fill("#compare-search", "wuxi")
    page.click("#compare-add")
    expect(page.locator("#compare-chips li")).to_have_count(4)
    expect(page.locator("#compare-table thead th")).to_have_count(5)
    page.screenshot(path=str(artifacts / "compare.png"), full_page=True)
    assert not errors
