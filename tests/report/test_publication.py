"""The report as a reader sees it (the printed PDF, read back with pypdf): a TOC with true page numbers,
figures and tables numbered in order, no English method words, file paths, CLI flags or JSON in the Chinese
body, no nested brackets, no "0个"/"0家", no sentence printed more than twice; and the 前言, 发展现状 and
发展展望 sections, whose numbers are recomputed here from the run's scores and data with plain pandas."""

from __future__ import annotations

import html as htmllib
import re
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pypdf import PdfReader

from mfgindex.analysis.run import RunData, from_result
from mfgindex.core.result import Result
from mfgindex.report import run_figures
from mfgindex.report.build import ReportFiles, write_report
from mfgindex.report.printing import print_captions, print_footnotes
from mfgindex.report.table_cells import fmt_num, fmt_pct


@pytest.fixture(scope="module")
def checked() -> Result:
    """The default run as ``mfgindex report`` makes it, with the data appendix a real run has: the checks'
    findings and the corrections applied to the shipped data (``pipeline.evaluate`` alone records neither)."""
    from mfgindex.services import runner

    result, _, _ = runner.evaluate(runner.RunSpec())
    return result


@pytest.fixture(scope="module")
def run(checked: Result) -> RunData:
    return from_result(checked)


@pytest.fixture(scope="module")
def files(checked: Result, tmp_path_factory: pytest.TempPathFactory) -> ReportFiles:
    out = tmp_path_factory.mktemp("publication")
    return write_report(checked, out, "zh", replications=100)


@pytest.fixture(scope="module")
def html(files: ReportFiles) -> str:
    return files.html.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pages(files: ReportFiles) -> list[str]:
    assert files.pdf is not None
    return [p.extract_text() or "" for p in PdfReader(str(files.pdf)).pages]


def _text(fragment: str) -> str:
    """Visible text of an HTML fragment without the data-file footnotes."""
    fragment = re.sub(r'<span class="fn">.*?</span>', "", fragment, flags=re.S)
    fragment = re.sub(r"<(style|script)[^>]*>.*?</\1>", "", fragment, flags=re.S)
    return htmllib.unescape(re.sub(r"<[^>]+>", "", fragment))


def _section(html: str, sid: str) -> str:
    m = re.search(rf'<section id="{sid}"[^>]*>(.*?)</section>', html, re.S)
    assert m is not None, sid
    return _text(m.group(1))


def _body(html: str) -> str:
    """The Chinese body: everything but the appendix (which may name files and English terms)."""
    body = html.split('<section id="notes">')[0]
    return _text(body)


def test_toc_page_numbers_point_at_the_headings(pages: list[str]) -> None:
    toc = next(p for p in pages if p.lstrip().startswith("目录"))
    entries = re.findall(r"^(\S[^\n.]*?)\s*\.{3,}\s*(\d+)\s*$", toc, re.M)
    assert len(entries) >= 12, toc[:400]
    for title, page in entries:
        target = pages[int(page) - 1]
        assert title.strip()[:8] in target.replace(" ", ""), (title, page)
    numbers = [int(p) for _, p in entries]
    assert numbers == sorted(numbers)


def test_figures_and_tables_are_numbered_in_order_once(html: str, pages: list[str]) -> None:
    figs = [int(n) for n in re.findall(r"<figcaption>图(\d+) ", html)]
    tabs = [int(n) for n in re.findall(r"<caption>表(\d+) ", html)]
    assert figs == list(range(1, len(figs) + 1)) and len(figs) >= 10
    assert tabs == list(range(1, len(tabs) + 1)) and len(tabs) >= 15
    assert "<figcaption>图 " not in html and not re.search(r"<figcaption>[^图]", html)
    # every figure names its source once (the caption), the chart itself carries none
    for cap in re.findall(r"<figcaption>(.*?)</figcaption>", html, re.S):
        assert cap.count("来源：") <= 1
    text = "".join(pages)
    assert "⟦" not in html and "⟦" not in text  # every cross-reference was resolved


def test_no_english_method_words_paths_flags_or_json_in_the_chinese_body(html: str, pages: list[str]) -> None:
    body = _body(html)
    words = r"\b(none|arithmetic|geometric|harmonic|min-?max|zscore|winsori[sz]e|imputation|normalis)\w*"
    assert not re.findall(words, body, re.I)
    assert not re.findall(r"(?<![\w-])--[a-z][\w-]+", body), "CLI flag in the prose"
    assert "mfgindex " not in body.split("前言")[-1], "CLI command or tool name in the prose"
    assert not re.findall(r"\w+/\w+\.(csv|md|json|yaml|xlsx)|METHODS\.md|[a-z_]+/[a-z_]+_\w+", body)
    assert not re.search(r"\{\s*\"", body), "raw JSON"
    # the PDF: file names only in the footnotes at the foot of a page ("1. 数据文件：…")
    appendix = next(i for i, p in enumerate(pages) if "附：数据与计算说明" in p)
    for page in pages[:appendix]:
        body_part = re.split(r"^\s*\d+\.\s*数据文件：", page, maxsplit=1, flags=re.M)[0]
        assert not re.search(r"\w+/\w+\.csv", body_part), body_part[-300:]


def test_no_nested_brackets_no_zero_counts_no_repeated_sentences(html: str) -> None:
    body = _body(html)
    assert not re.search(r"（[^（）]*（", body), re.search(r".{20}（[^（）]*（.{20}", body)
    assert not re.search(r"(?<![\d.,])0\s*(个|家)", body), re.search(r".{20}(?<![\d.,])0\s*(个|家).{5}", body)
    sentences = [s.strip() for s in re.split(r"[。；]", body) if len(s.strip()) > 12]
    repeated = {s: c for s, c in Counter(sentences).items() if c > 2}
    assert not repeated, repeated


def _va(default_result: Result, run: RunData, year: int) -> pd.Series:
    from mfgindex.core import dataset

    v = dataset.default().values
    sel = v[(v["variable"] == "va_secondary") & (v["year"] == year)].set_index("code")["value"]
    return sel.reindex(run.table.index.astype(str)).dropna().astype(float)


def test_status_numbers_are_the_run_data(html: str, run: RunData, default_result: Result) -> None:
    text = _section(html, "status")
    year, prev = run.year, run.year - 1
    va, va_prev = _va(default_result, run, year), _va(default_result, run, prev)
    assert fmt_num(va.sum()) in text
    common = va.index.intersection(va_prev.index)
    assert fmt_pct(va[common].sum() / va_prev[common].sum() - 1) in text
    east = va[run.table["region"].reindex(va.index) == "东部"].sum() / va.sum()
    assert fmt_pct(east) in text
    assert "发展现状" in html and "（一）规模与增速" in text


def test_outlook_numbers_are_the_run_scores(html: str, run: RunData) -> None:
    text = _section(html, "outlook")
    t = run.table
    dims = {c.id: c.name_zh for c in run.framework.root.children}
    national = t[list(dims)].mean()
    for region in ("西部", "东北"):
        gap = t[t["region"] == region][list(dims)].mean() - national
        worst = gap.idxmin()
        assert f"{region}地区" in text and dims[worst] in text
        assert fmt_num(t[t["region"] == region][worst].mean(), 1) in text
    top, rest = t[t["rank"] <= 10], t[(t["rank"] > 10) & (t["rank"] <= 50)]
    lead = (top[list(dims)].mean() - rest[list(dims)].mean()).idxmax()
    assert f"差距最大的维度是{dims[lead]}" in text
    assert fmt_num(top[lead].mean() - rest[lead].mean(), 1) in text


def test_preface_names_the_top_three_and_region_counts(html: str, run: RunData) -> None:
    text = _section(html, "preface")
    top3 = run.table.sort_values("rank")["name"].head(3).tolist()
    assert "、".join(top3) + "位居前三" in text
    top50 = run.table[run.table["rank"] <= 50]
    for region, n in top50["region"].value_counts().items():
        assert f"{region}地区{n}个" in text


def test_pdf_pages_render(files: ReportFiles, tmp_path: Path) -> None:
    pdfium = pytest.importorskip("pypdfium2")
    assert files.pdf is not None
    doc = pdfium.PdfDocument(str(files.pdf))
    img = doc[0].render(scale=0.5).to_pil()
    assert img.width > 200 and img.height > 200


# -- defects found by looking at the rendered pages ---------------------------------------------------------
def _table_text(html: str, tid: str) -> str:
    m = re.search(rf'<div class="tablewrap[^"]*" id="{tid}">(.*?)</div>', html, re.S)
    assert m is not None, tid
    return _text(m.group(1))


def test_data_corrections_and_accepted_findings_give_their_reasons_in_chinese(html: str) -> None:
    """表 数据更正 and 表 数据校核 print the files' reason_zh: no English sentence (two English words in a
    row, as in "the 2022 row holds …"), and the numbers each reason cites are still there."""
    corrections, checks = _table_text(html, "tab-corrections"), _table_text(html, "tab-checks")
    for text in (corrections, checks):
        assert not re.search(r"[A-Za-z]{2,}\s+[A-Za-z]{2,}", text), re.search(
            r".{20}[A-Za-z]{2,}\s+[A-Za-z]{2,}", text
        )
    assert "内蒙古自治区全区合计" in corrections and "23,158.7" in corrections and "11,241.8" in corrections
    assert "户籍人口口径" in corrections
    # every accepted finding's reason: 河池 ×8.7 with the three numbers of the English note
    assert "48,461" in checks and "5,590" in checks and "8.7倍" in checks and "49,977" in checks


def test_a_repeated_footnote_refers_to_the_first_one(files: ReportFiles, html: str, pages: list[str]) -> None:
    """Identical data-file footnotes are printed once; each later one reads "数据文件：同注N", N being
    the footnote with those files (the screen HTML keeps the lists)."""
    printed = print_footnotes(html)
    notes = re.findall(r'<span class="fn">(.*?)</span>', printed, re.S)
    assert len(notes) == len(re.findall(r'<span class="fn">', html)) >= 10
    full = [n for n in notes if "同注" not in n]
    assert len(full) == len(set(full)), "a footnote printed twice in full"
    for i, n in enumerate(notes, start=1):
        m = re.fullmatch(r"数据文件：同注(\d+)", n)
        if m:
            j = int(m.group(1))
            assert j < i and re.findall(r'<span class="fn">(.*?)</span>', html, re.S)[i - 1] == notes[j - 1]
    assert any("同注" in n for n in notes)
    # in the PDF: "2. 数据文件：同注1" at a page foot, the numbers in order
    text = "\n".join(pages)
    numbers = [int(n) for n in re.findall(r"^\s*(\d+)\.\s*数据文件：", text, re.M)]
    assert numbers == list(range(1, len(notes) + 1)), numbers
    assert re.search(r"^\s*\d+\.\s*数据文件：同注1\s*$", text, re.M)


def test_no_ids_latin_agency_names_or_ascii_brackets_in_the_chinese_body(html: str) -> None:
    body = _body(html)
    # list ids in notes (green_factories: …) and variable ids in the data tables (va_secondary)
    assert not re.findall(r"\b[a-z]+_[a-z_]+\b", body)
    assert "CAICT" not in _body(html), "中国信通院, not CAICT, in the Chinese text"
    # 粤港澳大湾区(珠三角九市): Chinese text in Chinese brackets
    assert not re.search(r"\([^()]*[\u4e00-\u9fff][^()]*\)", body), re.search(
        r".{10}\([^()]*[\u4e00-\u9fff]", body
    )
    # a citation names each publication once (not the yearbooks twice with two spellings)
    for cell in re.findall(r"<td[^>]*>([^<]*统计年鉴[^<]*)</td>", html):
        parts = cell.split("；")
        assert len(parts) == len(set(parts)) and sum(p.startswith("各省市统计年鉴") for p in parts) <= 1, cell


def test_no_change_between_equal_printed_values(html: str) -> None:
    """ "东部地区所占份额由50.4%降至50.4%": a rise or fall is only written when the printed values differ."""
    body = _body(html)
    same = re.search(r"[由从](\d{4}年的)?([\d.,]+%?)[升降增]至(\d{4}年的)?\2(?![\d.])", body)
    assert same is None, same.group(0) if same else ""


def test_findings_sections_do_not_repeat_a_sentence_for_another_region(html: str) -> None:
    """前言 and 发展展望 are bound to findings; two regions with the same weakest dimension share one
    sentence or the second says so, instead of the same sentence twice with another region's name."""
    for sid in ("preface", "outlook"):
        text = _section(html, sid)
        skeletons = [
            re.sub(r"[\d.,%]+", "0", re.sub(r"东部|中部|西部|东北", "R", s)).strip()
            for s in re.split(r"[。；]", text)
            if len(s.strip()) > 8
        ]
        repeated = {k: c for k, c in Counter(skeletons).items() if c > 1}
        assert not repeated, (sid, repeated)


def test_no_table_title_alone_at_a_page_foot(files: ReportFiles, pages: list[str], html: str) -> None:
    assert '<p class="tcap">' not in html  # the HTML keeps its <caption>s; only the printed copy moves them
    assert print_captions('<table class="x"><caption>表1 标题</caption><tr>') == (
        '<p class="tcap">表1 标题</p><table class="x"><tr>'
    )
    for i, page in enumerate(pages):
        lines = [ln.strip() for ln in page.splitlines() if ln.strip()]
        lines = lines[:-2]  # running header and page number
        foot = next((k for k, ln in enumerate(lines) if re.match(r"^\d+\.\s*数据文件：", ln)), len(lines))
        body = lines[:foot]
        assert not (body and re.match(r"^表\d+ ", body[-1])), (i + 1, body[-1])
        # footnotes are set flush left, not justified ("8.          数据文件：…")
        assert not re.search(r"^\d+\.\s{2,}数据文件", page, re.M), (i + 1, page[-300:])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_radar_labels_clear_the_ring_and_each_other(run: RunData, lang: str) -> None:
    """Also in English, whose dimension names are three times as long ("Industrial agglomeration"): on
    one line they ran into the next panel and past the page edge, and matplotlib gave up the layout."""
    import itertools
    import math

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    t = run.table.sort_values("rank")
    dims = [c.id for c in run.framework.root.children if c.id in t.columns]
    labels = {c.id: str(c.name_zh if lang == "zh" else c.name_en) for c in run.framework.root.children}
    fig = run_figures.radar_grid(t, list(t.index[:10]), dims, labels, 3, lang)
    canvas = FigureCanvasAgg(fig)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "constrained_layout not applied": the layout gave up
        canvas.draw()
    r = canvas.get_renderer()
    boxes = [
        (ax, x.get_text(), x.get_window_extent(r))
        for ax in fig.axes
        for x in [*ax.texts, *ax.get_xticklabels(), ax.title]
        if x.get_text()
    ]
    assert len(boxes) == 10 * (len(dims) + 1)
    for (_, t1, b1), (_, t2, b2) in itertools.combinations(boxes, 2):
        assert not b1.overlaps(b2), (t1, t2)
    page = fig.bbox
    for ax, text, b in boxes:
        cx, cy = ax.transAxes.transform((0.5, 0.5))
        radius = ax.bbox.width / 2
        nx, ny = min(max(cx, b.x0), b.x1), min(max(cy, b.y0), b.y1)
        assert math.hypot(nx - cx, ny - cy) >= radius, f"{text} crosses the ring"
        assert b.x0 >= page.x0 and b.x1 <= page.x1 and b.y0 >= page.y0 and b.y1 <= page.y1, text


def test_the_homogeneity_figure_cites_in_its_caption_not_in_the_chart(html: str) -> None:
    m = re.search(r'<figure id="fig-homogeneity">.*?<figcaption>(.*?)</figcaption>', html, re.S)
    assert m is not None
    assert "来源：本报告根据沪深交易所A股上市公司名录" in m.group(1)


def _printed_images(pdf: Path) -> list[tuple[int, int, float]]:
    """Every image the PDF draws: its pixel width and height and its printed width in points."""
    pdfium = pytest.importorskip("pypdfium2")
    raw = pytest.importorskip("pypdfium2.raw")
    out = []
    doc = pdfium.PdfDocument(str(pdf))
    for page in doc:
        for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=5):
            left, _, right, _ = obj.get_bounds()
            w, h = obj.get_px_size()
            out.append((int(w), int(h), float(right - left)))
    return out


def _smallest_printed_text(fig: Any, images: list[tuple[int, int, float]]) -> tuple[float, str]:
    """(size in points on paper, text) of the smallest text drawn in ``fig``: its matplotlib font size times
    the scale at which the PDF prints the figure's PNG (found by its pixel size; 150 dpi as the report)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    FigureCanvasAgg(fig).draw()
    w_px, h_px = round(fig.get_figwidth() * 150), round(fig.get_figheight() * 150)
    printed = [pt for w, h, pt in images if abs(w - w_px) <= 1 and abs(h - h_px) <= 1]
    assert printed, ("figure not found in the PDF", w_px, h_px)
    scale = printed[0] / (fig.get_figwidth() * 72)
    page = fig.bbox
    drawn = [
        t
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip() and t.get_window_extent().overlaps(page)
    ]
    smallest = min(drawn, key=lambda t: t.get_fontsize())
    return smallest.get_fontsize() * scale, smallest.get_text()


def test_figure_labels_print_at_7pt_or_more(files: ReportFiles, run: RunData) -> None:
    """Every text of the report's charts and of the similarity heatmap, measured on paper: its font size ×
    the scale the PDF prints the figure at (city labels of 图6-7 and the heatmap printed at 4-5 pt, the
    per-city panel of the rank-move figure at 4 pt, the radar labels at 6.8 pt, the map's city names at
    6.4 pt and its 南海诸岛 at 5.1 pt)."""
    from mfgindex.analysis.runmode import analyze_run
    from mfgindex.policy import homogeneity as hom
    from mfgindex.policy import structures
    from mfgindex.report.report_figures import make_figures

    assert files.pdf is not None
    images = _printed_images(files.pdf)
    figs = make_figures(run, analyze_run(run), "zh")
    result = hom.analyse(structures.listed_structure(), min_total=20, trend_min_total=10)
    checked = dict(figs)
    expected = {"ranking", "map", "va", "growth", "share", "rank_change", "provinces", "subindex", "radar"}
    assert expected <= set(checked)
    checked["homogeneity"] = hom.heatmap(result, source=None)
    sizes = {key: _smallest_printed_text(fig, images) for key, fig in checked.items()}
    small = {k: v for k, v in sizes.items() if v[0] < 7.0}
    assert not small, small


def _regional_passages(html: str) -> list[str]:
    """三（一）'s passages on the four regions (each starts with the region's name)."""
    m = re.search(r"从四大区域来看.*?格局。(.*?)</p>", html, re.S)
    assert m is not None
    text = _text(m.group(1))
    return [p for p in re.split(r"(?=(?:东部|中部|西部|东北)地区)", text) if p.strip()]


def _skeleton(text: str, names: list[str]) -> str:
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, "C")
    text = re.sub(r"东部|中部|西部|东北", "R", text)
    return re.sub(r"[\d.,]+%?", "0", text)


def _longest_common(a: str, b: str) -> str:
    best = ""
    for i in range(len(a)):
        for j in range(i + len(best) + 1, len(a) + 1):
            if a[i:j] in b:
                best = a[i:j]
            else:
                break
    return best


def test_regional_passages_do_not_share_a_sentence_skeleton(html: str, run: RunData) -> None:
    """The four regions of 三（一） are not one template filled four times ("东部地区共计34个城市入围，占东部
    85个地级行政区的40.0%，前10名中占据9席……" ×4): with numbers, regions and cities masked, no two passages
    share a run of 13 characters or more."""
    passages = _regional_passages(html)
    assert len(passages) == 4, passages
    names = [str(n) for n in run.table["name"]]
    skeletons = [_skeleton(p, names) for p in passages]
    for i in range(4):
        for j in range(i + 1, 4):
            common = _longest_common(skeletons[i], skeletons[j])
            assert len(common) < 13, (common, passages[i], passages[j])
    # the numbers are still those of the ranking: each region's count of cities in the top 50
    top = run.table[run.table["rank"] <= 50]["region"].value_counts()
    for p in passages:
        region = p[:2]
        assert str(top.get(region, 0)) in re.findall(r"\d+", p), p


def test_leading_province_passages_do_not_share_a_sentence_skeleton(html: str, run: RunData) -> None:
    """The same for the four leading provinces ("…占据前10强的N个席位，N个城市进入前20强，省内排名第一的是…"
    four times): masked, no two passages share 13 characters; each names its first city and rank."""
    m = re.search(r"从省份分布看.*?个城市入围。(.*?)</p>", html, re.S)
    assert m is not None
    text = _text(m.group(1))
    provinces = sorted({str(p) for p in run.table["province"]}, key=len, reverse=True)
    passages = [p for p in re.split(r"(?<=。)", text) if p.strip()]
    assert len(passages) == 4, passages
    names = [str(n) for n in run.table["name"]]
    skeletons = []
    for p in passages:
        s = _skeleton(p, names)
        for prov in provinces:
            s = s.replace(prov, "P")
        skeletons.append(s)
    for i in range(4):
        for j in range(i + 1, 4):
            common = _longest_common(skeletons[i], skeletons[j])
            assert len(common) < 13, (common, passages[i], passages[j])
    top = run.table[run.table["rank"] <= 50]
    for p in passages:
        prov = next(x for x in provinces if p.startswith(x))
        first = top[top["province"] == prov].sort_values("rank").iloc[0]
        assert str(first["name"]) in p and f"第{int(first['rank'])}位" in p, p


def test_stage_rule_is_said_once_in_chinese_with_counts_in_stage_order(html: str, run: RunData) -> None:
    """方法: the stage sentence gives each range from the framework's boundaries (not the YAML's own note
    "70,000-90,000 与 …" followed by the same interpolation sentence again), what 未分类 means, and the
    counts in stage order."""
    m = re.search(r"<p>(发展阶段按.*?)</p>", html, re.S)
    assert m is not None
    text = _text(m.group(1))
    rule = run.framework.stages
    assert rule is not None
    lo, hi = rule.boundaries[0]
    assert f"低于{lo / 10000:g}万元为追赶期" in text and f"{lo / 10000:g}万元至{hi / 10000:g}万元" in text
    assert "70,000-90,000" not in text and text.count("线性插值") == 1
    counts = run.stage_counts
    order = ["追赶期", "追赶期至转型期过渡带", "转型期", "转型期至引领期过渡带", "引领期", "未分类"]
    keys = ["追赶期", "追赶期→转型期", "转型期", "转型期→引领期", "引领期", "未分类"]
    printed = [f"{label}{counts[k]}个" for label, k in zip(order, keys, strict=True) if counts.get(k)]
    assert "、".join(printed) in text, text
    if counts.get("未分类"):
        assert "采用转型期的权重" in text


def test_short_first_columns_do_not_wrap_a_character_a_line(pages: list[str]) -> None:
    """表 数据更正's header 单元格数 printed one character a line; 表 数据校核's "警告40条" broke before
    条."""
    page = next(p for p in pages if "数据更正（内置数据的更正记录）" in p)
    assert "单元格数" in page.replace(" ", ""), page[:400]
    checks = next(p for p in pages if "数据校核：已认可的错误与警告" in p)
    warned = re.findall(r"警告\s*\d+\s*条?", checks)
    assert warned and all(w.replace(" ", "").endswith("条") for w in warned), warned


def test_a_figure_is_named_once_in_its_caption_not_again_in_the_image(html: str, run: RunData) -> None:
    """Each chart printed its title twice: drawn in the image ("50强城市城市群分布图") and again in the
    numbered caption under it ("图3 50强城市城市群分布图（示意图）"). No text drawn in a report figure
    repeats a caption's title."""
    from matplotlib.text import Text

    from mfgindex.analysis.runmode import analyze_run
    from mfgindex.report.report_figures import make_figures

    captions = [
        re.sub(r"（[^）]*）$", "", re.sub(r"^图\s*\d+\s*", "", _text(c).strip()))
        for c in re.findall(r"<figcaption>(.*?)<br>", html, re.S)
    ]
    titles = [c for c in captions if len(c) >= 6]
    assert len(titles) >= 8, captions
    figs = make_figures(run, analyze_run(run), "zh")
    for key, fig in figs.items():
        drawn = [t.get_text().strip() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
        repeated = [d for d in drawn for c in titles if len(d) >= 6 and (c in d or d in c)]
        assert not repeated, (key, repeated)
