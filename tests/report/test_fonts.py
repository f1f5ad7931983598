"""The CJK font travels with the package: it covers every shipped character, and the charts and the PDF use
it and nothing else (read back from the files with pypdf and pypdfium2, not from our own settings)."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.text import Text

from mfgindex.analysis.run import RunData, from_result
from mfgindex.analysis.runmode import analyze_run
from mfgindex.core import fonts
from mfgindex.core.result import Result
from mfgindex.report import figures
from mfgindex.report.build import write_report
from mfgindex.report.report_figures import make_figures

PKG = Path(fonts.__file__).resolve().parents[1]
TEXT = {".csv", ".md", ".yaml", ".yml", ".json", ".geojson", ".txt", ".html", ".j2", ".css"}
EMBEDDED_PREFIX = fonts.FAMILY.replace(" ", "-")  # WeasyPrint names the embedded font after the family


def _shipped_files() -> list[Path]:
    """Data folders, presets and report templates: everything whose text can reach a chart or the PDF."""
    roots = [PKG / "data", PKG / "presets", PKG / "report" / "templates"]
    return sorted(p for r in roots for p in r.rglob("*") if p.is_file() and p.suffix.lower() in TEXT)


def test_font_files_licence_and_provenance_ship_together() -> None:
    d = fonts.font_dir()
    for weight in fonts.FILES:
        assert fonts.font_path(weight).stat().st_size > 1_000_000
    assert "SIL OPEN FONT LICENSE Version 1.1" in (d / "OFL.txt").read_text(encoding="utf-8")
    readme = (d / "README.md").read_text(encoding="utf-8")
    assert "scripts/make_cjk_font.py" in readme and "Noto Sans CJK SC" in readme


def test_every_shipped_character_is_covered() -> None:
    files = _shipped_files()
    assert len(files) > 30
    gaps = {}
    for p in files:
        text = p.read_text(encoding="utf-8", errors="ignore")
        if miss := fonts.missing(text):
            gaps[str(p.relative_to(PKG))] = miss
    assert gaps == {}, "regenerate the font: python scripts/make_cjk_font.py (see data/fonts/README.md)"


def test_gb2312_hanzi_are_covered() -> None:
    """GB 2312's level-1 (rows 16-55) and level-2 (rows 56-87) hanzi, decoded by Python's own codec."""
    hanzi = []
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                hanzi.append(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    assert len(hanzi) == 6763  # 3,755 + 3,008: the standard's count
    assert fonts.missing("".join(hanzi)) == ""


def _font_files_used(fig: Figure) -> set[str]:
    """The font file matplotlib resolves for every text of ``fig`` (no fallback to its default)."""
    used = set()
    for t in fig.findobj(Text):
        if t.get_text().strip():
            found = font_manager.findfont(t.get_fontproperties(), fallback_to_default=False)
            used.add(Path(found).name)
    return used


def _pdf_fonts(data: bytes) -> set[str]:
    """Base names of every font embedded in a PDF (subset tags such as ``ABCDEF+`` removed)."""
    from pypdf import PdfReader

    names: set[str] = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        resources = page.get("/Resources")
        if resources is None:
            continue
        for font in resources.get_object().get("/Font", {}).get_object().values():
            base = str(font.get_object().get("/BaseFont", ""))
            names.add(base.lstrip("/").split("+", 1)[-1])
    return names


@pytest.fixture(scope="module")
def run(default_result: Result) -> RunData:
    return from_result(default_result)


def test_report_charts_use_only_the_shipped_font(run: RunData) -> None:
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        figs = make_figures(run, analyze_run(run), "zh")
    assert [str(w.message) for w in rec if "missing from font" in str(w.message)] == []
    assert len(figs) >= 5
    shipped = set(fonts.FILES.values())
    for key, fig in figs.items():
        assert _font_files_used(fig) <= shipped, key
    # what the chart file embeds, read back from a PDF matplotlib writes of it
    buf = io.BytesIO()
    figs["ranking"].savefig(buf, format="pdf")
    embedded = _pdf_fonts(buf.getvalue())
    assert embedded and all(n.startswith("MfgIndexSansSC") for n in embedded), embedded


def test_toolbox_and_robustness_charts_use_the_shipped_font(tmp_path: Path) -> None:
    from mfgindex.robust import charts
    from mfgindex.toolbox import plots

    fig = plots.bar_h(pd.Series([3.0, 2.0]), ["苏州市", "儋州市"], "标题：城市", "得分")
    assert _font_files_used(fig) == {fonts.FILES["Regular"]}
    stats = pd.DataFrame(
        {
            "name": ["鄂尔多斯市", "儋州市"],
            "nominal_rank": [1, 2],
            "median_rank": [1.0, 2.0],
            "p05_rank": [1.0, 1.0],
            "p95_rank": [2.0, 2.0],
        },
        index=["150600", "460400"],
    )
    charts.rank_intervals(stats, tmp_path / "ri", title="排名区间")
    import matplotlib.pyplot as plt

    fig2 = plt.figure()
    fig2.text(0.5, 0.5, "排名区间")
    assert _font_files_used(fig2) == {fonts.FILES["Regular"]}
    plt.close(fig2)


def test_figures_module_reports_the_shipped_family() -> None:
    assert figures.setup_cjk_font() == fonts.FAMILY


@pytest.fixture(scope="module")
def pdf(default_result: Result, tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = write_report(default_result, tmp_path_factory.mktemp("pdf"), "zh", robustness=False)
    assert files.pdf is not None, files.note
    return files.pdf


@pytest.mark.pdf
def test_pdf_embeds_only_the_shipped_font(pdf: Path) -> None:
    names = _pdf_fonts(pdf.read_bytes())
    assert names, "no font in the PDF"
    assert all(n.startswith(EMBEDDED_PREFIX) for n in names), names
    assert any(n.endswith("Bold") for n in names), names  # headings and table heads in the bold face


@pytest.mark.pdf
def test_pdf_text_and_pixels(pdf: Path, run: RunData) -> None:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    for name in run.table["name"].head(50):
        assert name in text, name
    pixels = np.asarray(doc[0].render(scale=0.5).to_pil().convert("L"))
    assert int((pixels < 128).sum()) > 500  # the title page has drawn glyphs, not an empty page
    doc.close()


def test_without_weasyprint_libraries_everything_but_the_pdf_is_written(
    default_result: Result, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mfgindex.report import printing

    line = "未生成 report.pdf：WeasyPrint 无法加载所需系统库 pango/harfbuzz (PDF skipped)"
    monkeypatch.setattr(printing, "pdf_engine_problem", lambda: line)
    files = write_report(default_result, tmp_path, "zh", robustness=False)
    assert files.pdf is None and files.note == line
    assert files.html.is_file() and files.analysis.is_file() and files.figures
    assert not (tmp_path / "report.pdf").exists()
