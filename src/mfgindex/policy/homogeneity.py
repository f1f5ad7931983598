"""Industrial homogeneity (区域特色产业同质化): how alike cities' industry structures are.

Two classical measures over industry shares ``s_ik = x_ik / Σ_k x_ik`` of city *i* in industry *k*:

- **产业结构相似系数** (structural similarity coefficient, UNIDO International Centre for Industrial Studies,
  1979), the cosine of the two share vectors:
  ``S_ij = Σ_k s_ik s_jk / sqrt(Σ_k s_ik² · Σ_k s_jk²)``, in [0, 1]; 1 = the same structure (proportional
  vectors), 0 = no industry in common. Being a cosine, it is the same on shares or on levels.
- **Krugman dissimilarity index** (Krugman 1991): ``K_ij = Σ_k |s_ik − s_jk|``, in [0, 2]; 0 = identical
  shares, 2 = no industry in common. Unlike the cosine it weighs every industry's share
  difference alike, not mainly the large ones.

Any table of cities × industries works (values ≥ 0: counts of firms, value added, output, employment …).
Shipped structures: listed manufacturers by exchange-style industry (A-share companies listed as of 2022-03,
registered-office city; cumulative by listing year) and the fields of the national advanced manufacturing
clusters (partial list, 44 of 45). See ``listed_structure`` and ``cluster_structure`` in
:mod:`mfgindex.policy.structures` for what they mean and what they do not.

References
----------
UNIDO (1979). *Structural Changes in Industry*. International Centre for Industrial Studies, UNIDO.
Krugman, P. (1991). *Geography and Trade*. MIT Press, Appendix D (index of regional divergence).
Midelfart-Knarvik, K. H., Overman, H. G., Redding, S. J., Venables, A. J. (2000). The Location of European
Industry. *European Economy, Economic Papers* 142 (Krugman specialisation index between pairs of countries).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd

from mfgindex.core import geo
from mfgindex.core.errors import Problem, UserError
from mfgindex.policy.structures import (
    Structure,
)


# -- kernels ---------------------------------------------------------------------------------------
def shares(x: pd.DataFrame) -> pd.DataFrame:
    """Row shares ``s_ik = x_ik / Σ_k x_ik``; rows with a zero total are dropped (no structure)."""
    arr = x.to_numpy(dtype=float)
    total = arr.sum(axis=1)
    keep = total > 0
    return pd.DataFrame(arr[keep] / total[keep, None], index=x.index[keep], columns=x.columns)


def similarity_matrix(s: np.ndarray) -> np.ndarray:
    """产业结构相似系数 between all rows of ``s`` (units × industries, shares or levels).

    ``S_ij = Σ_k s_ik s_jk / sqrt(Σ_k s_ik² Σ_k s_jk²)`` (UNIDO 1979). Rows must not be all zero.

    References
    ----------
    UNIDO (1979). *Structural Changes in Industry*.
    """
    a = np.asarray(s, dtype=float)
    norm = np.sqrt((a * a).sum(axis=1))
    out = (a @ a.T) / np.outer(norm, norm)
    clipped: np.ndarray = np.clip(out, 0.0, 1.0)
    return clipped


def krugman_matrix(s: np.ndarray) -> np.ndarray:
    """Krugman dissimilarity ``K_ij = Σ_k |s_ik − s_jk|`` between all rows of ``s`` (shares; rows sum to 1).

    References
    ----------
    Krugman, P. (1991). *Geography and Trade*. MIT Press.
    """
    a = np.asarray(s, dtype=float)
    k: np.ndarray = np.abs(a[:, None, :] - a[None, :, :]).sum(axis=2)
    return k


# -- analysis --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Homogeneity:
    """Results of :func:`analyse`."""

    structure: Structure
    year: int
    shares: pd.DataFrame
    similarity: pd.DataFrame
    krugman: pd.DataFrame
    pairs: pd.DataFrame
    within_province: pd.DataFrame
    within_cluster: pd.DataFrame
    groups: pd.DataFrame
    over_years: pd.DataFrame
    excluded: tuple[str, ...]


def _pairs(sim: pd.DataFrame, kr: pd.DataFrame, totals: pd.Series) -> pd.DataFrame:
    units = geo.units()
    codes = list(sim.index)
    rows = []
    for a, b in combinations(range(len(codes)), 2):
        ca, cb = codes[a], codes[b]
        rows.append(
            {
                "code_a": ca,
                "name_a": units.at[ca, "name"],
                "province_a": units.at[ca, "province"],
                "code_b": cb,
                "name_b": units.at[cb, "name"],
                "province_b": units.at[cb, "province"],
                "similarity": float(sim.to_numpy()[a, b]),
                "krugman": float(kr.to_numpy()[a, b]),
                "total_a": float(totals[ca]),
                "total_b": float(totals[cb]),
            }
        )
    cols = ["code_a", "name_a", "province_a", "code_b", "name_b", "province_b", "similarity", "krugman"]
    out = pd.DataFrame(rows, columns=[*cols, "total_a", "total_b"])
    return out.sort_values(["similarity", "krugman"], ascending=[False, True], kind="mergesort").reset_index(
        drop=True
    )


def _groups_of(codes: Sequence[str], cluster_definition: str) -> dict[str, dict[str, list[str]]]:
    units = geo.units()
    prov: dict[str, list[str]] = {}
    for c in codes:
        prov.setdefault(str(units.at[c, "province"]), []).append(c)
    members = geo.cluster_membership(cluster_definition)
    members = members[members["code"].isin(set(codes))]
    clus: dict[str, list[str]] = {}
    for name, sub in members.groupby("cluster_zh", sort=True):
        clus[str(name)] = [c for c in codes if c in set(sub["code"])]
    return {"province": prov, "cluster": clus}


def _within(pairs: pd.DataFrame, groups: dict[str, list[str]], label: str, top: int) -> pd.DataFrame:
    frames = []
    for g, members in groups.items():
        if len(members) < 2:
            continue
        s = set(members)
        sub = pairs[pairs["code_a"].isin(s) & pairs["code_b"].isin(s)].head(top)
        frames.append(sub.assign(**{label: g}))
    if not frames:
        return pd.DataFrame(columns=[label, *pairs.columns])
    out = pd.concat(frames, ignore_index=True)
    return out[[label, *pairs.columns]]


def _group_means(
    sim: pd.DataFrame, kr: pd.DataFrame, groups: dict[str, dict[str, list[str]]]
) -> pd.DataFrame:
    rows = []
    iu = np.triu_indices(len(sim), k=1)
    if len(iu[0]):
        rows.append(
            {
                "kind": "all",
                "group": "全部城市",
                "cities": len(sim),
                "pairs": len(iu[0]),
                "mean_similarity": float(sim.to_numpy()[iu].mean()),
                "mean_krugman": float(kr.to_numpy()[iu].mean()),
            }
        )
    for kind, gs in groups.items():
        for g, members in gs.items():
            if len(members) < 2:
                continue
            s = sim.loc[members, members].to_numpy()
            k = kr.loc[members, members].to_numpy()
            ii = np.triu_indices(len(members), k=1)
            rows.append(
                {
                    "kind": kind,
                    "group": g,
                    "cities": len(members),
                    "pairs": len(ii[0]),
                    "mean_similarity": float(s[ii].mean()),
                    "mean_krugman": float(k[ii].mean()),
                }
            )
    return pd.DataFrame(rows, columns=["kind", "group", "cities", "pairs", "mean_similarity", "mean_krugman"])


def _matrices(x: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    s = shares(x)
    sim = pd.DataFrame(similarity_matrix(s.to_numpy()), index=s.index, columns=s.index)
    kr = pd.DataFrame(krugman_matrix(s.to_numpy()), index=s.index, columns=s.index)
    return s, sim, kr


def analyse(
    structure: Structure,
    year: int | None = None,
    min_total: float = 0.0,
    top: int = 5,
    cluster_definition: str = geo.DEFAULT_CLUSTER_DEFINITION,
    trend_min_total: float | None = None,
) -> Homogeneity:
    """Pairwise similarity of cities' structures, most similar pairs within provinces and 城市群, and change.

    Parameters
    ----------
    structure
        Cities × industries values.
    year
        Year to analyse (default: the latest in the structure).
    min_total
        Leave out cities whose total is below this (few firms give erratic shares); they are listed in
        ``excluded``.
    top
        Most similar pairs kept per province and per 城市群.
    cluster_definition
        城市群 definition (:func:`mfgindex.core.geo.cluster_membership`).
    trend_min_total
        Threshold of the balanced panel behind ``over_years`` (default ``min_total``).

    Returns
    -------
    Homogeneity
        ``over_years`` holds, per year of the structure, the mean pairwise coefficient over all cities and
        within each province and 城市群, on a *balanced panel*: the analysed cities whose total is at least
        ``trend_min_total`` in every year, so that a change is a change of structures, not of the city set.
    """
    y = max(structure.years()) if year is None else year
    if y not in structure.years():
        raise UserError(
            Problem(f"no data for year {y}", column="--year", value=str(y), expected=str(structure.years()))
        )
    x = structure.matrix(y)
    totals = x.sum(axis=1)
    known = x.index.isin(geo.units().index)
    keep = (totals >= min_total) & (totals > 0) & known
    excluded = tuple(str(c) for c in x.index[~keep])
    x = x[keep]
    if len(x) < 2:
        raise UserError(
            Problem(
                f"fewer than two cities with a total ≥ {min_total:g} in {y}",
                column="--min-total",
                expected="a lower threshold or more data",
            )
        )
    s, sim, kr = _matrices(x)
    pairs = _pairs(sim, kr, totals)
    groups = _groups_of(list(sim.index), cluster_definition)
    within_p = _within(pairs, groups["province"], "province", top)
    within_c = _within(pairs, groups["cluster"], "cluster", top)
    group_table = _group_means(sim, kr, groups)
    trend = []
    tmin = min_total if trend_min_total is None else trend_min_total
    panel = list(sim.index)
    for yy in structure.years():
        tt = structure.matrix(yy).sum(axis=1)
        panel = [c for c in panel if float(tt.get(c, 0.0)) >= max(tmin, 1e-300)]
    if len(panel) >= 2:
        for yy in structure.years():
            xx = structure.matrix(yy).reindex(panel).fillna(0.0)
            _, s2, k2 = _matrices(xx)
            g2 = _group_means(s2, k2, _groups_of(list(s2.index), cluster_definition))
            trend.append(g2.assign(year=yy))
    over_years = (
        pd.concat(trend, ignore_index=True)[
            ["year", "kind", "group", "cities", "mean_similarity", "mean_krugman"]
        ]
        if trend
        else pd.DataFrame(columns=["year", "kind", "group", "cities", "mean_similarity", "mean_krugman"])
    )
    return Homogeneity(structure, y, s, sim, kr, pairs, within_p, within_c, group_table, over_years, excluded)


# -- outputs ---------------------------------------------------------------------------------------
NOTES_ZH = (
    "产业结构相似系数 S_ij = Σ_k s_ik·s_jk / sqrt(Σ_k s_ik² · Σ_k s_jk²)（联合国工业发展组织 1979），"
    "取值 [0,1]，越大越相似。",
    "Krugman 差异指数 K_ij = Σ_k |s_ik − s_jk|（Krugman 1991），取值 [0,2]，越小越相似。",
    "s_ik 为城市 i 在行业 k 中的份额（该城市各行业合计为 1）。",
    "行业份额基于计数时，计数小的城市份额波动大，相似系数偏低；计数随时间增加本身会使系数上升，解读年度变化时需注意。",
)


def heatmap(result: Homogeneity, max_cities: int = 30, source: str | None = "") -> object:
    """Heatmap of the 产业结构相似系数 for the cities with the largest totals (grouped by province); with
    ``source=None`` no source line (a report's caption cites the source)."""
    from matplotlib.figure import Figure

    from mfgindex.core.figures import setup_cjk_font

    setup_cjk_font()
    totals = result.structure.matrix(result.year).sum(axis=1).reindex(result.similarity.index)
    chosen = list(totals.sort_values(ascending=False, kind="mergesort").index[:max_cities])
    units = geo.units()
    chosen.sort(key=lambda c: (str(units.at[c, "province"]), -float(totals[c]), c))
    m = result.similarity.loc[chosen, chosen].to_numpy()
    names = [str(units.at[c, "short_name"]) for c in chosen]
    n = len(chosen)
    # drawn at the printed size (the report's text column, 493 pt, at most 150 mm high), so the font sizes
    # below are the sizes on paper: labels 7.5 pt; more cities than ~36 would need a larger page
    fig = Figure(figsize=(493.0 / 72.0, 5.9), dpi=150, layout="constrained")
    ax = fig.add_subplot()
    im = ax.imshow(m, cmap="YlOrRd", vmin=0.0, vmax=1.0)
    ax.set_xticks(range(n), names, rotation=90, fontsize=7.5)
    ax.set_yticks(range(n), names, fontsize=7.5)
    if n <= 12:
        for i in range(n):
            for j in range(n):
                ax.text(
                    j,
                    i,
                    f"{m[i, j]:.2f}",
                    ha="center",
                    va="center",
                    fontsize=7.5,
                    color="white" if m[i, j] > 0.7 else "black",
                )
    bar = fig.colorbar(im, ax=ax, shrink=0.8)
    bar.set_label("产业结构相似系数", fontsize=8)
    bar.ax.tick_params(labelsize=7.5)
    ax.set_title(f"城市产业结构相似系数（{result.structure.measure}，{result.year}）", fontsize=10)
    if source is not None:
        engine = fig.get_layout_engine()
        if engine is not None:
            engine.set(rect=(0.0, 0.03, 1.0, 0.97))  # type: ignore[call-arg]
        fig.text(0.01, 0.005, f"来源：{source or result.structure.source}", fontsize=7.5, color="#555555")
    return fig


def _sheet_frames(r: Homogeneity) -> dict[str, pd.DataFrame]:
    units = geo.units()

    def named(df: pd.DataFrame) -> pd.DataFrame:
        out = df.copy()
        out.insert(0, "name", [units.at[c, "name"] for c in out.index])
        out.index.name = "code"
        return out.reset_index()

    def square(df: pd.DataFrame) -> pd.DataFrame:
        out = df.copy()
        out.columns = [str(units.at[c, "name"]) for c in out.columns]
        return named(out)

    notes = pd.DataFrame(
        {
            "说明": [
                f"指标：{r.structure.measure}；年份：{r.year}；城市数：{len(r.similarity)}",
                f"数据：{r.structure.source}",
                *r.structure.notes,
                *NOTES_ZH,
                "未纳入（合计低于阈值）："
                + ("、".join(str(units.at[c, "name"]) for c in r.excluded if c in units.index) or "无"),
            ]
        }
    )
    return {
        "说明": notes,
        "pairs": r.pairs,
        "within_province": r.within_province,
        "within_cluster": r.within_cluster,
        "groups": r.groups,
        "over_years": r.over_years,
        "similarity": square(r.similarity),
        "krugman": square(r.krugman),
        "shares": named(r.shares),
    }


def write_results(results: Sequence[tuple[str, Homogeneity]], out_dir: Path) -> list[Path]:
    """``results.xlsx`` (sheets prefixed by each structure's key) and a heatmap PNG/SVG per structure."""
    from mfgindex.core.figures import save
    from mfgindex.core.files import save_csv, save_xlsx
    from mfgindex.core.outdir import output_folder, output_paths

    final = Path(out_dir)
    with output_folder(final, "policy homogeneity") as out:
        sheets: dict[str, pd.DataFrame] = {}
        for key, r in results:
            for name, df in _sheet_frames(r).items():
                sheets[f"{key}_{name}"[:31] if len(results) > 1 or key else name] = df
        paths: list[Path] = [save_xlsx(sheets, out / "results.xlsx")]
        for key, r in results:
            fig = heatmap(r)
            paths += save(fig, out, f"heatmap_{key}" if key else "heatmap")  # type: ignore[arg-type]
            paths.append(save_csv(r.pairs, out / (f"pairs_{key}.csv" if key else "pairs.csv")))
    return output_paths(final, out, paths)
