"""The report: sections, the 表3 table, numbers in sentences = analysis results, PDF with a CJK font,
English version, ``run --report`` and the CLI's errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mfgindex.analysis.run import RunData, from_result
from mfgindex.analysis.runmode import RunAnalysis, analyze_run
from mfgindex.cli.main import app
from mfgindex.core.result import Result
from mfgindex.report.build import ReportFiles, write_report
from mfgindex.report.labels import SECTIONS
from mfgindex.report.table_cells import fmt_num, fmt_pct


@pytest.fixture(scope="module")
def run(default_result: Result) -> RunData:
    return from_result(default_result)


@pytest.fixture(scope="module")
def analysis(run: RunData) -> RunAnalysis:
    return analyze_run(run)


@pytest.fixture(scope="module")
def zh(default_result: Result, tmp_path_factory: pytest.TempPathFactory) -> ReportFiles:
    return write_report(default_result, tmp_path_factory.mktemp("zh"), "zh")


@pytest.fixture(scope="module")
def zh_html(zh: ReportFiles) -> str:
    return zh.html.read_text(encoding="utf-8")


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_every_section_is_there(zh_html: str) -> None:
    for _, title in SECTIONS["zh"]:
        assert title.format(n=50) in zh_html
    for caption in (
        "表3",
        "表4",
        "表5",
        "表10",
        "表11",
        "表12",
        "图1",
        "图2",
        "图3",
        "图4",
        "图5",
        "图6",
        "图7",
    ):
        assert caption in zh_html, caption


def test_html_is_self_contained(zh_html: str) -> None:
    assert "data:image/png;base64," in zh_html
    assert not re.search(r"""(src|href)=["']https?://""", zh_html)
    assert "<link" not in zh_html and "<script" not in zh_html
    assert 'font-family: "Noto Sans CJK SC"' in zh_html  # CSS inline and not escaped


def test_table3_lists_the_run_top50_in_two_halves(zh_html: str, run: RunData) -> None:
    table = re.search(r'<table class="t3">(.*?)</table>', zh_html, re.S)
    assert table is not None
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(1).split("</thead>")[1], re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", r) for r in rows]
    assert len(rows) == 25
    left = [c[1] for c in cells]
    right = [c[6] for c in cells]
    expected = list(run.table[run.table["rank"] <= 50]["name"])
    assert left + right == expected
    # 地区排名 as 苏1, 排名变化 as ↑ ↓ — 新增
    first = cells[0]
    assert first[2] == "1" and re.fullmatch(r"\D+1", first[3])
    assert {c[4] for c in cells} | {c[9] for c in cells} <= {"↑", "↓", "—", "新增"}


def test_numbers_in_sentences_equal_the_analysis(zh_html: str, analysis: RunAnalysis) -> None:
    text = _text(zh_html)
    names10 = "、".join(p.profile.name for p in analysis.profiles[:10])
    assert f"全国十强城市分别是{names10}" in text
    g = analysis.aggregates
    assert g is not None
    assert f"GDP合计占全国的比重分别为{fmt_pct(g.va_share_national)}和{fmt_pct(g.gdp_share_national)}" in text
    assert f"合计{fmt_num(g.va_total)}亿元，平均{fmt_num(g.va_mean)}亿元" in text
    assert f"有数据的{g.national_units_va}个地级及以上单位之和，含直辖市" in text
    risers = "、".join(f"{r.name}（提升{analysis.rise_by[r.code]}位）" for r in analysis.risers)
    assert f"排名提升至少3位的城市共{len(analysis.risers)}个：{risers}" in text
    assert analysis.potential is not None
    assert "、".join(c.name for c in analysis.potential.cities) + "为发展潜力城市" in text
    assert analysis.ranking is not None
    r = analysis.ranking.regions[0]
    lead = f"东部地区是50强城市最集中的区域，共有{r.topN}个城市入围"
    assert f"{lead}，占该区域{r.units_in_region}个地级行政区" in text
    c = analysis.ranking.capitals
    assert f"共有{c.capitals_in_list}个省会城市入围50强" in text
    gap = analysis.gaps[0]
    assert f"变异系数为{fmt_num(gap.current.cv, 3)}，泰尔指数为{fmt_num(gap.current.theil.total, 3)}" in text


def test_leaders_use_the_framework_names(zh_html: str, analysis: RunAnalysis) -> None:
    text = _text(zh_html)
    for ld in analysis.leaders:
        assert f"{ld.name_zh}指数前10强城市为" + "、".join(c.name for c in ld.cities) in text


def test_proxies_are_listed(zh_html: str, run: RunData) -> None:
    proxies = [i for i in run.framework.indicators() if i.proxy]
    assert proxies
    for ind in proxies:
        assert ind.proxy is not None and ind.proxy in zh_html


@pytest.mark.pdf
def test_pdf_has_cjk_font_and_city_names(zh: ReportFiles, run: RunData) -> None:
    import pypdfium2 as pdfium
    from pypdf import PdfReader

    assert zh.pdf is not None and zh.pdf.read_bytes()[:5] == b"%PDF-"
    fonts = {
        str(f.get_object()["/BaseFont"])
        for page in PdfReader(str(zh.pdf)).pages
        for f in page["/Resources"].get_object().get("/Font", {}).get_object().values()
    }
    assert fonts and all("MfgIndex-Sans-SC" in f for f in fonts), fonts  # the shipped font, no fallback
    doc = pdfium.PdfDocument(str(zh.pdf))
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    doc.close()
    for name in run.table["name"].head(50):
        assert name in text, name


def test_english_version_renders(default_result: Result, tmp_path: Path) -> None:
    files = write_report(default_result, tmp_path, "en", pdf=False)
    html = files.html.read_text(encoding="utf-8")
    assert '<html lang="en">' in html
    for _, title in SECTIONS["en"]:
        assert title.format(n=50) in html
    assert "The top ten are" in html and "Table 3" in html
    assert files.pdf is None


runner = CliRunner()


@pytest.mark.pdf
def test_run_with_report(tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = runner.invoke(app, ["run", "--out", str(out), "--quiet", "--report"])
    assert res.exit_code == 0, res.output
    for name in ("scores.csv", "results.xlsx", "run.json", "report.html", "report.pdf"):
        assert (out / name).is_file(), name
    from openpyxl import load_workbook

    wb = load_workbook(out / "results.xlsx", read_only=True)
    assert "报告-榜单" in wb.sheetnames and "报告-区域企业" in wb.sheetnames
    # the report from the run folder has the same 表3
    res = runner.invoke(app, ["report", "--run", str(out), "--out", str(tmp_path / "r"), "--no-pdf"])
    assert res.exit_code == 0, res.output
    t3 = re.compile(r'<table class="t3">.*?</table>', re.S)
    a = t3.search((out / "report.html").read_text(encoding="utf-8"))
    b = t3.search((tmp_path / "r" / "report.html").read_text(encoding="utf-8"))
    assert a is not None and b is not None and a.group(0) == b.group(0)


def test_unknown_language_exits_2(tmp_path: Path) -> None:
    res = runner.invoke(app, ["report", "--out", str(tmp_path), "--lang", "xx"])
    assert res.exit_code == 2
    assert "--lang" in res.output and "xx" in res.output and "Traceback" not in res.output


def test_missing_run_folder_exits_2(tmp_path: Path) -> None:
    res = runner.invoke(app, ["report", "--run", str(tmp_path / "nope"), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "nope" in res.output and "Traceback" not in res.output


def test_report_states_the_new_method_parts(zh_html: str, analysis: RunAnalysis) -> None:
    """The one strengths rule, the panel index statement, the per-indicator overrides, the agreement with the
    published list and the count-indicator audit are in the report."""
    from mfgindex.analysis.strengths import rule_text

    text = _text(zh_html)
    assert rule_text("zh") in text
    assert analysis.panel is not None
    assert f"{analysis.panel.rose_top}/{analysis.panel.n_top}）制造业高质量发展指数实现提升" in text
    assert "面板指数" in text and "当年指数" in text
    assert "固定目标值0—3个，达到3个及以上记满分" in text  # 国家先进制造业集群数: goalposts 0-3 (unit 个)
    assert "与已发布榜单的差距及原因" in text and "Spearman" in text
    assert "计数类指标对前50名的影响" in text


def test_results_xlsx_lists_strengths_of_every_ranked_city(default_result: Result, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from mfgindex.services import outputs

    outputs.write_run(default_result, tmp_path / "run", {"data": "embedded default"})
    ws = load_workbook(tmp_path / "run" / "results.xlsx", read_only=True)["优势短板"]
    rows = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r[:5] == ("代码", "城市", "排名", "优势维度", "短板维度"))
    by_name = {r[1]: r for r in rows[head + 1 :] if isinstance(r[2], int | float)}
    assert len(by_name) == int(default_result.table["rank"].notna().sum())
    assert "创新发展第1" in by_name["深圳市"][3]  # the top city has strengths
