"""Printing the report's HTML to PDF with WeasyPrint in the shipped CJK font: captions and footnotes as print
wants them; :class:`PdfUnavailable` where WeasyPrint's system libraries are missing."""

from __future__ import annotations

import logging
import re
import warnings
from pathlib import Path

from mfgindex.core import fonts


class PdfUnavailable(Exception):
    """WeasyPrint or the system libraries it loads (pango, harfbuzz) are not there: no PDF can be printed."""


def pdf_engine_problem() -> str | None:
    """None when WeasyPrint can print here, else one line saying what is missing."""
    try:
        with warnings.catch_warnings():  # no system font at all is fine here: the PDF's font ships with us
            warnings.filterwarnings("ignore", message=r".*FontConfig.*Expect ugly output")
            import weasyprint  # noqa: F401  (loads pango/harfbuzz at import time)
    except (ImportError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return (
            "未生成 report.pdf：WeasyPrint 无法加载所需系统库 pango/harfbuzz (PDF skipped: WeasyPrint cannot "
            f"load its libraries — {first[:120]}); 其余文件已写出 (all other files are written)"
        )
    return None


def pdf_font_css() -> str:
    """The CSS that makes the PDF use the shipped CJK font by file URL and nothing else."""
    return fonts.css_font_face() + f'\n* {{ font-family: "{fonts.FAMILY}" !important; }}\n'


_CAPTION = re.compile(r"(<table\b[^>]*>)\s*<caption>(.*?)</caption>", re.S)


def print_captions(html: str) -> str:
    """The HTML to print: every table's ``<caption>`` becomes a paragraph just before the table, which the
    print CSS keeps on the same page as the table's first rows (WeasyPrint may leave a caption alone at
    the foot of a page)."""
    return _CAPTION.sub(r'<p class="tcap">\2</p>\1', html)


_FOOTNOTE = re.compile(r'<span class="fn">(.*?)</span>', re.S)


_SAME_NOTE = {"数据文件：": "数据文件：同注{n}", "Data files: ": "Data files: as note {n}"}


def print_footnotes(html: str) -> str:
    """The printed footnotes with repeats shortened as Chinese reports do: a footnote identical to an earlier
    one becomes "数据文件：同注N", N being the first footnote with that text (the PDF numbers footnotes in
    document order, one per ``<span class="fn">``; the screen HTML keeps every file list in place)."""
    first: dict[str, int] = {}
    count = 0

    def shorten(m: re.Match[str]) -> str:
        nonlocal count
        count += 1
        text = m.group(1)
        if text not in first:
            first[text] = count
            return m.group(0)
        prefix = next((p for p in _SAME_NOTE if text.startswith(p)), "数据文件：")
        return f'<span class="fn">{_SAME_NOTE[prefix].format(n=first[text])}</span>'

    return _FOOTNOTE.sub(shorten, html)


def write_pdf(html: str, path: Path, base_url: Path) -> None:
    """Print the HTML with WeasyPrint in the shipped CJK font (quiet: CSS warnings go to the log).

    Raises :class:`PdfUnavailable` when WeasyPrint's system libraries are missing.
    """
    problem = pdf_engine_problem()
    if problem is not None:
        raise PdfUnavailable(problem)
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    font_config = FontConfiguration()
    css = weasyprint.CSS(string=pdf_font_css(), font_config=font_config)
    weasyprint.HTML(string=print_footnotes(print_captions(html)), base_url=str(base_url)).write_pdf(
        str(path), stylesheets=[css], font_config=font_config
    )
