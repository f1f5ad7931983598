"""The report: analyses + figures + Jinja2 templates → ``report.html`` (self-contained) and ``report.pdf``.

:func:`write_report` renders an evaluation (:class:`~mfgindex.core.result.Result`) in Chinese (``zh``)
or English (``en``). The HTML carries its CSS inline and its figures as base64 PNG, so it opens offline;
the PDF is the same HTML printed by WeasyPrint in the CJK font shipped with the package
(:mod:`mfgindex.core.fonts`; where WeasyPrint's system libraries are missing, everything but the PDF is
written and :attr:`ReportFiles.note` says so). Figures are also written as PNG and SVG
into ``figures/``, and the analysis as ``analysis.json``.

The pieces: :mod:`.labels` (the fixed words and section headings), :mod:`.tables` (the tables),
:mod:`.report_figures` (the figures), :mod:`.context` (what else the templates are given), :mod:`.printing`
(the PDF). This module renders the templates and writes the files.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from mfgindex import __version__
from mfgindex.analysis import narrative
from mfgindex.analysis.run import RunData, from_result
from mfgindex.analysis.runmode import RunAnalysis, analyze_run
from mfgindex.core.errors import Problem, UserError
from mfgindex.core.result import Result
from mfgindex.report import figures as F
from mfgindex.report import (
    numbering,
    printing,
    report_figures,
    sources,
)
from mfgindex.report import robustness as RB
from mfgindex.report.context import (
    _cellclass,
    _extras,
    _t3pairs,
    element_sources,
    numbered_sections,
    zero_counts,
)
from mfgindex.report.labels import (
    LABELS,
    POLICY_EN,
    SECTIONS,
    SOURCE,
    SUBSECTIONS,
)
from mfgindex.report.robustness import Robustness
from mfgindex.report.table_cells import ReportTable, fmt_num, fmt_pct, province_label
from mfgindex.report.tables import (
    agreement_tables,
    report_tables,
    robustness_tables,
    status_table,
)

LANGS: tuple[str, ...] = ("zh", "en")
TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class ReportFiles:
    """What :func:`write_report` wrote, and how long it took."""

    html: Path
    pdf: Path | None
    analysis: Path
    figures: tuple[Path, ...]
    seconds: float
    note: str | None = None  # one line when the PDF was asked for but could not be printed here


def check_lang(lang: str) -> str:
    """``lang`` if supported, else a :class:`UserError` naming the choices."""
    if lang not in LANGS:
        raise UserError(
            Problem(
                "不支持的报告语言 (unsupported report language)",
                column="--lang",
                value=lang,
                expected=" / ".join(LANGS),
            )
        )
    return lang


# ------------------------------------------------------------------------------------------- figures


# ------------------------------------------------------------------------------------------- context


_CJK_GAP = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])[ \t\r\n]+(?=[\u3000-\u9fff\uff00-\uffef])")


def _env(lang: str = "zh") -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )
    env.filters["pct"] = fmt_pct
    env.filters["num"] = fmt_num
    env.filters["cellclass"] = _cellclass
    env.filters["prov"] = lambda p: province_label(str(p), lang)
    return env


def render_html(
    run: RunData,
    a: RunAnalysis,
    lang: str,
    tables: Mapping[str, ReportTable],
    figs_b64: Mapping[str, str],
    robust: Robustness | None = None,
    policy: Mapping[str, Any] | None = None,
    toolbox: Mapping[str, Any] | None = None,  # 研究工具 section (None = left out)
    status: narrative.DevelopmentStatus | None = None,
    outlook: Sequence[narrative.Finding] = (),
) -> str:
    """The report as one self-contained HTML string.

    ``policy``: the context of ``policy_section.html`` (default :func:`policy_context`); ``robust``: the
    稳健性检验 section (left out when None).
    """
    n = a.top_n
    T = {k: v.format(n=n) for k, v in LABELS[lang].items()}
    sections = [(k, v.format(n=n)) for k, v in SECTIONS[lang]]
    if a.ranking is None:
        sections = [s for s in sections if s[0] not in ("regions", "capitals", "gaps")]
    elif not a.gaps:
        sections = [s for s in sections if s[0] != "gaps"]
    if robust is None:
        sections = [s for s in sections if s[0] != "robustness"]
    sections = numbered_sections(sections, lang)
    section_titles = dict(sections)
    pol = dict(policy) if policy is not None else policy_context(run, lang)
    pol["title"] = section_titles["policy"]
    pol["id"] = "policy"
    proxies = [i for i in run.framework.indicators() if i.proxy]
    html = (
        _env(lang)
        .get_template("report.html.j2")
        .render(
            lang=lang,
            a=a,
            run=run,
            x=_extras(run, a, lang),
            T=T,
            sections=sections,
            sections_map=dict(sections),
            subsections=SUBSECTIONS,
            srcs=element_sources({**tables, **figs_b64, "table3": None}, lang),
            tables=tables,
            t3pairs=_t3pairs(run, n, lang),
            figs=figs_b64,
            proxies=proxies,
            css=(TEMPLATES / "report.css").read_text(encoding="utf-8"),
            version=__version__,
            source=SOURCE[lang],
            toolbox=toolbox,
            policy=pol,
            R=robust,
            ref=numbering.ref,
            S=status,
            O=list(outlook),
        )
    )
    return numbering.number_html(html, lang)[0]


def benchmark_values(run: RunData, indicator: str = "pct_per_10k") -> pd.Series | None:
    """The run's raw values of the benchmark indicator (PCT applications per 10,000 people), if it has one."""
    if indicator not in run.raw.columns:
        return None
    v = run.raw[indicator].dropna().astype(float)
    return v if len(v) else None


def policy_context(run: RunData, lang: str = "zh") -> dict[str, Any]:
    """``policy_section.html``'s context for the report: the shipped policy sample, the homogeneity of listed
    manufacturers, the benchmark block with the run's ``pct_per_10k`` values when the framework has that
    indicator, headings in the report's language (captions are numbered with the rest of the report)."""
    from dataclasses import replace

    from mfgindex.policy import render

    ctx = render.context(benchmark_values=benchmark_values(run))
    hom = ctx.get("homogeneity")
    if hom and hom.get("table") is not None:
        ht = hom["table"]
        src = sources.cite(["enterprise_lists/listed_companies"]) if lang == "zh" else ht.source
        hom["table"] = replace(ht, caption=re.sub(r"^表\s*", "", ht.caption), source=src)
        hom["source"] = src
    if lang == "en":
        ctx.update(POLICY_EN)
        ctx["intro"] = f"{LABELS['en']['policy_en_note']} {ctx['intro']}"
    return ctx


def write_report(
    result: Result,
    out_dir: str | Path,
    lang: str = "zh",
    top: int | None = None,
    pdf: bool = True,
    svg: bool = False,
    progress: Callable[[str], None] | None = None,
    toolbox: tuple[str, ...] = (),  # 研究工具 section: methods of mfgindex.toolbox.report
    *,
    config: Mapping[str, Any] | None = None,
    source: str = "evaluated",
    robustness: bool = True,
    uncertainty_dir: str | Path | None = None,
    sensitivity_dir: str | Path | None = None,
    replications: int = RB.DEFAULT_N,
    seed: int = RB.DEFAULT_SEED,
) -> ReportFiles:
    """Analyse the evaluation ``result`` and write ``report.html``, ``report.pdf``, ``analysis.json`` and
    ``figures/``.

    Parameters
    ----------
    result
        The evaluation (``mfgindex.evaluate(spec)``, or ``mfgindex.rerun(folder)`` for a run folder); its
        data (``result.dataset``) give the non-indicator figures (value added, GDP, lists).
    out_dir
        Output folder (created).
    lang
        ``zh`` (default) or ``en``.
    top
        List length N (default: the framework's ``top_n``).
    pdf
        Also print the PDF.
    svg
        Also write every figure as SVG (slower; the report embeds PNG).
    progress
        Called with a short message before each step.
    config
        The run's settings as printed in the appendix (default: ``result.spec.record()``).
    source
        Where the run came from (named in errors), e.g. the run folder.
    robustness
        Include the 稳健性检验 section (audit + uncertainty analysis).
    uncertainty_dir
        Folder of ``mfgindex uncertainty`` (``uncertainty.csv``) used instead of computing one.
    sensitivity_dir
        Folder of ``mfgindex sensitivity`` (``sobol.csv``): adds the Sobol chart.
    replications, seed
        N and seed of the uncertainty analysis computed for the report (COINr's default assumptions).
    """
    check_lang(lang)
    run = from_result(result, config, source)
    if not run.is_cities:
        raise UserError(
            Problem(
                "报告针对城市评价：该运行的单位不是中国城市 (the report needs a run over Chinese cities)",
                file=run.source,
            )
        )
    t0 = time.perf_counter()
    say = progress or (lambda _m: None)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(Problem(f"无法创建输出目录: {exc}", file=str(out))) from None
    say("analysis")
    a = analyze_run(run, n=top)
    tables = dict(report_tables(run, a, lang))
    tables.update(agreement_tables(run, result, lang))
    robust: Robustness | None = None
    if robustness:
        say("robustness")
        robust = RB.compute(
            result,
            run.dataset,
            a.top_n,
            n=replications,
            seed=seed,
            uncertainty_dir=uncertainty_dir,
            sensitivity_dir=sensitivity_dir,
        )
        tables.update(robustness_tables(run, robust, a.top_n, lang))
    say("findings")
    status = narrative.development_status(run)
    if status is not None:
        tables["status"] = status_table(status, lang)
    from mfgindex.toolbox.obstacle import obstacle_from_result

    obstacles = obstacle_from_result(result).by_dimension
    findings = narrative.outlook_findings(run, obstacles)
    say("figures")
    figs = report_figures.make_figures(run, a, lang, robust)
    fig_dir = out / "figures"
    fig_dir.mkdir(exist_ok=True)
    b64: dict[str, str] = {}
    paths: list[Path] = []
    for key, fig in figs.items():
        png = report_figures._png(fig)
        b64[key] = base64.b64encode(png).decode("ascii")
        p = fig_dir / f"fig_{key}.png"
        p.write_bytes(png)
        paths.append(p)
        if svg:
            paths += F.save(fig, fig_dir, f"fig_{key}", formats=("svg",))
    say("html")
    from mfgindex.toolbox.report import toolbox_section  # 研究工具 (toolbox) section

    toolbox_ctx = toolbox_section(result, toolbox, lang)
    html = render_html(
        run, a, lang, tables, b64, robust, toolbox=toolbox_ctx, status=status, outlook=findings
    )
    if lang == "zh":  # line breaks of the templates must not become spaces between Chinese sentences
        html = zero_counts(_CJK_GAP.sub("", html))
    name = "report"
    html_path = out / f"{name}.html"
    html_path.write_text(html, encoding="utf-8")
    analysis_path = out / "analysis.json"
    analysis_path.write_text(
        json.dumps(a.to_dict(), ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
    )
    pdf_path: Path | None = None
    note: str | None = None
    if pdf:
        say("pdf")
        pdf_path = out / f"{name}.pdf"
        try:
            printing.write_pdf(html, pdf_path, out)
        except printing.PdfUnavailable as exc:
            pdf_path, note = None, str(exc)
    return ReportFiles(html_path, pdf_path, analysis_path, tuple(paths), time.perf_counter() - t0, note)


__all__ = [
    "LANGS",
    "ReportFiles",
    "check_lang",
    "render_html",
    "write_report",
]
