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
clusters (partial list, 44 of 45). See :func:`listed_structure` and :func:`cluster_structure` for what they
mean and what they do not.

References
----------
UNIDO (1979). *Structural Changes in Industry*. International Centre for Industrial Studies, UNIDO.
Krugman, P. (1991). *Geography and Trade*. MIT Press, Appendix D (index of regional divergence).
Midelfart-Knarvik, K. H., Overman, H. G., Redding, S. J., Venables, A. J. (2000). The Location of European
Industry. *European Economy, Economic Papers* 142 (Krugman specialisation index between pairs of countries).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd

from mfgindex.core import geo, ingest
from mfgindex.core.errors import Problem, UserError
from mfgindex.policy.records import read_table

CITY_COLUMNS = ("city", "城市", "地市", "adcode", "code", "行政区划代码")
YEAR_COLUMNS = ("year", "年份", "年度")
INDUSTRY_COLUMNS = ("industry", "行业", "产业", "field", "领域")
VALUE_COLUMNS = ("value", "数值", "值", "count", "数量")
PROVINCE_COLUMNS = ("province", "省份", "省")


@dataclass(frozen=True)
class Structure:
    """Cities × industries values (long: code, year, industry, value) with a description of what they are."""

    values: pd.DataFrame
    measure: str
    source: str
    notes: tuple[str, ...] = field(default=())

    def years(self) -> list[int]:
        return sorted(int(y) for y in self.values["year"].unique())

    def matrix(self, year: int | None = None) -> pd.DataFrame:
        """Units × industries for ``year`` (default: the latest), zeros where a city has no value."""
        y = max(self.years()) if year is None else year
        v = self.values[self.values["year"] == y]
        m = v.pivot_table(index="code", columns="industry", values="value", aggfunc="sum", fill_value=0.0)
        m.columns.name = None
        return m.astype(float)


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


# -- reading a user's table ------------------------------------------------------------------------
def _col(columns: Sequence[str], names: tuple[str, ...]) -> str | None:
    lower = {str(c).strip().lower(): str(c) for c in columns}
    for n in names:
        if n.lower() in lower:
            return lower[n.lower()]
    return None


def read_structure(path: Path, measure: str = "") -> Structure:
    """A user's cities × industries table (CSV/XLSX), validated.

    Layouts: *wide* — a city column (name or adcode), optional ``year`` and ``province``, one column per
    industry; *long* — columns city, industry, value (optional year). Values are numbers ≥ 0 (blank = 0).
    Every problem is reported with file/row/column; any problem rejects the file.
    """
    df, sheet = read_table(path)
    file = str(path)
    cols = list(df.columns)
    city = _col(cols, CITY_COLUMNS)
    if city is None:
        raise UserError(
            Problem("missing city column", file=file, sheet=sheet, row=1, expected="city or adcode")
        )
    year_c = _col(cols, YEAR_COLUMNS)
    prov_c = _col(cols, PROVINCE_COLUMNS)
    ind_c, val_c = _col(cols, INDUSTRY_COLUMNS), _col(cols, VALUE_COLUMNS)
    long = ind_c is not None and val_c is not None
    industries = [c for c in cols if c not in {city, year_c, prov_c}] if not long else []
    if not long and not industries:
        raise UserError(Problem("no industry columns", file=file, sheet=sheet, row=1))
    problems: list[Problem] = []
    rows: list[tuple[str, int, str, float]] = []
    for i, r in enumerate(df.to_dict("records")):
        row = i + 2
        if not any(str(v).strip() for v in r.values()):
            continue
        m = geo.resolve(str(r[city]), str(r[prov_c]) if prov_c and str(r[prov_c]).strip() else None)
        if m.code is None:
            problems.append(
                Problem(m.reason, file=file, sheet=sheet, row=row, column=city, value=str(r[city]))
            )
        year = 0
        if year_c is not None:
            ytext = str(r[year_c])
            got_year = ingest.parse_year(ytext)
            if got_year is None:
                problems.append(ingest.year_problem(ytext, file=file, sheet=sheet, row=row, column=year_c))
            else:
                year = got_year
        cells = (
            [(str(r[ind_c]).strip(), str(r[val_c]))]
            if long and ind_c and val_c
            else [(c, str(r[c])) for c in industries]
        )
        for industry, text in cells:
            column = val_c if long and val_c else industry
            if long and not industry:
                problems.append(
                    Problem("missing industry", file=file, sheet=sheet, row=row, column=str(ind_c))
                )
                continue
            # the reader's number syntax (1,234 · 12% · full-width · missing markers), blank = 0
            got = ingest.parse_number(text)
            if got is None:
                problems.append(ingest.number_problem(text, file=file, sheet=sheet, row=row, column=column))
                continue
            x = 0.0 if np.isnan(got) else got
            if x < 0:
                problems.append(
                    ingest.refused(ingest.NEGATIVE, text, file=file, sheet=sheet, row=row, column=column)
                )
                continue
            if m.code is not None:
                rows.append((m.code, year, industry, x))
    if problems:
        raise UserError(problems)
    values = pd.DataFrame(rows, columns=["code", "year", "industry", "value"])
    if values.empty:
        raise UserError(Problem("no values", file=file, sheet=sheet))
    dup = values.duplicated(["code", "year", "industry"], keep=False)
    if dup.any():
        names = geo.units()["name"]
        first = values[dup].drop_duplicates(["code", "year", "industry"]).head(10)
        raise UserError(
            [
                Problem(
                    f"duplicate city-year-industry: {names.get(str(r.code), r.code)!s} "
                    f"{r.year!s} {r.industry!s}",
                    file=file,
                    sheet=sheet,
                )
                for r in first.itertuples()
            ]
        )
    totals = values.groupby(["code", "year"])["value"].sum()
    zero = totals[totals <= 0]
    if len(zero):
        names = geo.units()["name"]
        raise UserError(
            [
                Problem(
                    f"all values are zero for {names.get(c, c)}: no industry structure",
                    file=file,
                    sheet=sheet,
                    column=city,
                )
                for c, _ in zero.index[:10]
            ]
        )
    return Structure(values, measure or "user values", file)


# -- shipped structures ----------------------------------------------------------------------------
def listed_structure(years: Sequence[int] = (2010, 2015, 2020, 2021)) -> Structure:
    """Listed manufacturers per city × exchange-style industry, cumulative by listing year.

    ``year`` Y counts the firms listed on or before 31 December Y *that were still listed in 2022-03* (the
    snapshot): the cumulative structure is the structure of today's listed firms by the date they reached
    the market, not the structure of the market as it was in Y (delisted firms are missing, firms' city and
    industry are those of 2022). The last year is the whole snapshot (firms listed up to 2022-03).
    """
    firms = pd.read_csv(
        geo.data_path("enterprise_lists", "listed_companies_cn_2022-03.csv"),
        dtype=str,
        keep_default_na=False,
        usecols=["city_adcode", "industry", "listingdate"],
    )
    sectors = pd.read_csv(geo.data_path("enterprise_lists", "manufacturing_sectors.csv"), dtype=str)
    mfg = set(sectors.loc[sectors["manufacturing"] == "1", "industry"])
    firms = firms[firms["industry"].isin(mfg) & (firms["city_adcode"] != "")]
    listed_year = pd.to_numeric(firms["listingdate"].str[:4], errors="coerce")
    firms = firms.assign(listed=listed_year)
    frames = []
    for y in [*sorted(years), 2022]:
        sub = firms if y == 2022 else firms[firms["listed"] <= y]
        c = sub.groupby(["city_adcode", "industry"]).size().rename("value").reset_index()
        frames.append(c.rename(columns={"city_adcode": "code"}).assign(year=y))
    values = pd.concat(frames, ignore_index=True)[["code", "year", "industry", "value"]]
    values["value"] = values["value"].astype(float)
    return Structure(
        values,
        "按行业分的上市制造业企业数",
        "listed_companies_cn_2022-03.csv + manufacturing_sectors.csv (enterprise_lists/README.md)",
        (
            "年份为累计口径：截至该年末已上市、且2022年3月仍在上市的制造业企业，不含已退市企业；"
            "2022 = 全部（截至2022年3月）。",
            "行业为交易所式行业分类（如电气设备、元器件、化工原料），城市为注册地。",
            "上市企业只覆盖各城市制造业的一小部分，结构相似反映的是上市企业的行业分布。",
        ),
    )


def cluster_structure() -> Structure:
    """National advanced manufacturing clusters per city × field (6 MIIT fields), 2022 list, partial.

    A cross-city cluster counts once for each member city. 44 of the 45 clusters are in the shipped list
    (national_lists/README.md); a cluster of unknown field (宁德动力电池: 新材料 or 新能源汽车) and the
    two cross-province clusters without member cities are left out. Most cities have one or two clusters,
    so the coefficient here says whether two cities chose the same fields, with little gradation.
    """
    df = pd.read_csv(
        geo.data_path("national_lists", "advanced_mfg_clusters_partial.csv"), dtype=str, keep_default_na=False
    )
    df = df[(df["member_adcode"] != "") & (df["field"] != "")]
    c = df.groupby(["member_adcode", "field"]).size().rename("value").reset_index()
    values = pd.DataFrame(
        {
            "code": c["member_adcode"],
            "year": 2022,
            "industry": c["field"],
            "value": c["value"].astype(float),
        }
    )
    return Structure(
        values,
        "国家先进制造业集群数（按领域）",
        "advanced_mfg_clusters_partial.csv (national_lists/README.md)",
        (
            "国家先进制造业集群名单（2022年，45个）中已收录的44个（领域不明的宁德动力电池集群与无成员城市的跨省集群"
            "未计入）；跨城市集群对每个成员城市各计一次。",
        ),
    )


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
