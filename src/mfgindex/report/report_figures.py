"""The report's figures by key, drawn for the run's data (only those the data support), each named once,
in its numbered caption (the title drawn in the image is dropped), and their PNG bytes."""

from __future__ import annotations

import io

from matplotlib.figure import Figure

from mfgindex.analysis.run import RunData
from mfgindex.analysis.runmode import RunAnalysis
from mfgindex.report import figures as F
from mfgindex.report import map_figure, run_figures
from mfgindex.report import robustness as RB
from mfgindex.report.robustness import Robustness
from mfgindex.report.tables import dim_names


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, metadata={"Software": None})
    return buf.getvalue()


def _caption_only(fig: Figure) -> Figure:
    """The report names each figure once, in its numbered caption under it: the title drawn in the image
    (the figure's suptitle, or the one titled axes) goes. Panel titles of multi-panel figures (two
    titled axes, or the radar's city names under a suptitle) stay."""
    if fig.get_suptitle():
        fig.suptitle("")
        return fig
    titled = [ax for ax in fig.axes if ax.get_title()]
    if len(titled) == 1:
        titled[0].set_title("")
    return fig


def make_figures(
    run: RunData, a: RunAnalysis, lang: str, robust: Robustness | None = None
) -> dict[str, Figure]:
    """The report's figures by key (only those the run's data support)."""
    src = ""  # the caption under each figure names the source once
    t = run.table
    n = a.top_n
    out: dict[str, Figure] = {}
    labels = dim_names(run, lang)
    dims = [c.id for c in run.framework.root.children if c.id in t.columns]
    title = "Top {n}: index scores" if lang == "en" else "{n}强城市指数得分"
    out["ranking"] = F.ranking_bar(t, n, value=run.index_id, title=title.format(n=n), source=src, lang=lang)
    if run.is_cities:
        out["regions"] = F.region_distribution_chart(t, n, source=src, lang=lang)
        out["map"] = map_figure.cluster_map(t, n, source=src, lang=lang)
        out["provinces"] = F.province_distribution_chart(t, n, source=src, lang=lang)
        if "change" in t.columns:
            out["rank_change"] = F.rank_change_chart(t, n, source=src, lang=lang)
    ctx = a.context
    g = a.aggregates
    if run.is_cities and g is not None and ctx["va"].notna().any():
        label = g.va_label if lang == "zh" else "secondary-sector VA"
        out["va"] = run_figures.va_distribution_chart(t, ctx, n, a.year, a.previous_year, label, lang, src)
        for key, national in (("growth", g.growth_national), ("share", g.national_va_share_of_gdp)):
            if ctx[key].notna().any():
                out[key] = run_figures.context_chart(t, ctx, key, n, a.year, national, label, lang, src)
    if dims:
        out["subindex"] = run_figures.subindex_distribution_chart(t, dims, labels, n, lang, src)
    if len(dims) >= 3:
        out["radar"] = run_figures.radar_grid(t, list(t.index[:10]), dims, labels, 3, lang, src)
    if robust is not None and robust.uncertainty is not None:
        ua = robust.uncertainty
        out["rank_intervals"] = F.rank_interval_chart(ua.stats, n, ua.n or 0, lang, src)
    if robust is not None and robust.sobol is not None:
        names = RB.FACTOR_EN if lang == "en" else RB.FACTOR_ZH
        out["sobol"] = F.sobol_chart(robust.sobol, names, lang, src)
    return {key: _caption_only(fig) for key, fig in out.items()}
