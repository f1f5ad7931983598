"""The immutable ``Dataset`` (a tidy panel plus lists) and the embedded default data.

The default data are the real public tables shipped in ``mfgindex/data`` (READMEs there give sources,
licences and known problems). Nothing is invented: a value missing in a source is missing here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from mfgindex.core import geo

VALUE_COLUMNS = ("code", "year", "variable", "value", "source")


@dataclass(frozen=True, eq=False)
class Dataset:
    """A tidy panel of raw variables and the entries of lists, keyed by unit code.

    Attributes
    ----------
    values
        Long table with columns ``code, year, variable, value, source`` (and ``location`` when read from
        a user's file: ``file:sheet:row:column``).
    units
        Unit attributes indexed by code: ``name, province, region`` (cities) or the data's group columns.
    lists
        Named lists (green factories, innovation centres …): tables with ``code, year`` and optional
        numeric columns, one row per entry.
    inputs
        Input file → SHA-256 of its bytes, for ``run.json``.
    list_assignment
        List → how many of its entries were assigned to a unit, per region the list gives (province, or a
        city such as the 计划单列市 宁波): :func:`assignment_rates`. Unassigned entries count for no unit, so
        a list's counts are low where its rate is low. Empty when the lists carry no such record.
    kind
        ``cities`` (adcodes of the shipped division table) or ``generic`` (the data's own ``uCode``).
    reading
        What reading users' files found (skipped rows, ignored columns, converted units, the cells each file
        supplied, rows of units outside the universe); recorded in ``run.json``.
    """

    values: pd.DataFrame
    units: pd.DataFrame
    lists: Mapping[str, pd.DataFrame] = field(default_factory=lambda: MappingProxyType({}))
    inputs: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    kind: str = "cities"
    variable_sources: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    list_assignment: Mapping[str, pd.DataFrame] = field(default_factory=lambda: MappingProxyType({}))
    reading: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def years(self) -> list[int]:
        return list(self._years)

    @cached_property
    def _years(self) -> tuple[int, ...]:
        return tuple(sorted(int(y) for y in self.values["year"].unique()))

    def variables(self) -> list[str]:
        return sorted(str(v) for v in self.values["variable"].unique())

    @cached_property
    def panel(self) -> Mapping[str, pd.DataFrame]:
        """Variable → frame (codes × years), built once per dataset (cached on the instance)."""
        wide = self.values.pivot_table(
            index="code", columns=["variable", "year"], values="value", aggfunc="first"
        )
        out = {}
        for var in wide.columns.get_level_values(0).unique():
            frame = wide[var]
            frame.columns = frame.columns.astype(int)
            out[str(var)] = frame
        return MappingProxyType(out)


def unit_rows(ds: Dataset, codes: pd.Index) -> npt.NDArray[np.intp] | None:
    """Rows of ``codes`` in the dataset's unit table (kept for the last few code lists); None when some code
    is not a unit."""
    last = ds.__dict__.get("_unit_rows_last")
    if last is not None and last[0] is codes:  # the same (immutable) Index as last time
        same: npt.NDArray[np.intp] | None = last[1]
        return same
    kept: dict[tuple[str, ...], npt.NDArray[np.intp]] = ds.__dict__.setdefault("_unit_rows", {})
    key = tuple(map(str, codes))
    pos = kept.get(key)
    if pos is None:
        pos = np.asarray(ds.units.index.get_indexer(pd.Index(key, dtype=object)), dtype=np.intp)
        if len(kept) >= 8:
            kept.pop(next(iter(kept)))
        kept[key] = pos
    found = None if bool((pos < 0).any()) else pos
    ds.__dict__["_unit_rows_last"] = (codes, found)
    return found


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def city_units() -> pd.DataFrame:
    """Unit attributes for Chinese prefecture-level units (name, province, region, capital flag …)."""
    return geo.units()


# -- the embedded default data ------------------------------------------------------------------------------
MANUFACTURING_SECTORS_FILE = ("enterprise_lists", "manufacturing_sectors.csv")
CORRECTIONS_FILE = ("city_stats", "corrections_2026-12-01.csv")
# the corrections log's column → the variable of the default panel
CORRECTED_COLUMNS = {
    "gdp_100m_yuan": "gdp",
    "va_primary_100m_yuan": "va_primary",
    "va_secondary_100m_yuan": "va_secondary",
    "va_tertiary_100m_yuan": "va_tertiary",
    "resident_pop_10k_reported": "population",
}


def default_corrections() -> list[dict[str, object]]:
    """The corrections applied to the embedded city_stats files (one row per changed cell, README there).

    Each row: file, year, code, name, variable, old, new (None: now missing), reason and, where the log
    has the column (files from 2026-12-01 on), ``reason_zh``: the reason as the Chinese report prints it.
    """
    return [dict(row) for row in _default_corrections()]


@cache
def _default_corrections() -> tuple[dict[str, object], ...]:
    log = pd.read_csv(geo.data_path(*CORRECTIONS_FILE), dtype={"adcode": str})
    rows: list[dict[str, object]] = []
    for r in log.to_dict("records"):
        rows.append(
            {
                "file": str(r["file"]),
                "year": int(r["year"]),
                "code": str(r["adcode"]),
                "name": str(r["city"]),
                "variable": CORRECTED_COLUMNS.get(str(r["column"]), str(r["column"])),
                "old": None if pd.isna(r["old"]) else float(r["old"]),
                "new": None if pd.isna(r["new"]) else float(r["new"]),
                "reason": str(r["reason"]),
            }
        )
        zh = r.get("reason_zh")
        if isinstance(zh, str) and zh.strip():
            rows[-1]["reason_zh"] = zh.strip()
    return tuple(rows)


def _long(df: pd.DataFrame, column: str, variable: str, source: str, scale: float = 1.0) -> pd.DataFrame:
    sub = df[["adcode", "year", column]].dropna(subset=[column])
    return pd.DataFrame(
        {
            "code": sub["adcode"].astype(str).to_numpy(),
            "year": sub["year"].astype(int).to_numpy(),
            "variable": variable,
            "value": sub[column].astype(float).to_numpy() * scale,
            "source": source,
        }
    )


def _batch_year(batch: str) -> int:
    # MIIT green-manufacturing batches (README: batches 1-5 announced 2017-2020, then the "2021" batch).
    return {"1": 2017, "2": 2018, "3": 2018, "4": 2019, "5": 2020}.get(
        batch, int(batch) if batch.isdigit() else 0
    )


# A region whose entries are assigned below this share is named next to every count of the list.
LOW_ASSIGNMENT_RATE = 0.5
LOW_RATE_MIN_ENTRIES = 10  # … when it has at least this many entries


def list_region(text: str) -> str:
    """A list's region column as a short name: 江苏省 → 江苏, 内蒙 → 内蒙古, 新疆兵团 → 兵团, 宁波 → 宁波."""
    t = "".join(str(text).split())
    if "兵团" in t:
        return "兵团"
    found = geo.normalise_province(t)
    if found is None and len(t) >= 2:
        hits = [str(p) for p in geo.provinces().index if str(p).startswith(t)]
        found = hits[0] if len(hits) == 1 else None
    return found or t


def assignment_rates(region: Iterable[str], assigned: Iterable[bool]) -> pd.DataFrame:
    """Per region (as :func:`list_region` names it): ``entries, assigned, rate``; most entries first."""
    df = pd.DataFrame({"region": [list_region(r) for r in region], "assigned": list(assigned)})
    grouped = df.groupby("region", sort=False)["assigned"]
    out = pd.DataFrame({"entries": grouped.size(), "assigned": grouped.sum().astype(int)})
    out["rate"] = out["assigned"] / out["entries"]
    out = out.reset_index().sort_values(["entries", "region"], ascending=[False, True])
    return out.reset_index(drop=True)


def low_rate_regions(rates: pd.DataFrame) -> pd.DataFrame:
    """The regions of :func:`assignment_rates` with a low rate (below LOW_ASSIGNMENT_RATE, enough entries)."""
    if rates.empty:
        return rates
    # 兵团 entries belong to no prefecture-level unit: no city's count misses them
    low = (
        (rates["rate"] < LOW_ASSIGNMENT_RATE)
        & (rates["entries"] >= LOW_RATE_MIN_ENTRIES)
        & (rates["region"] != "兵团")
    )
    out: pd.DataFrame = rates[low].sort_values("rate").reset_index(drop=True)
    return out


def assignment_note(rates: pd.DataFrame | None, lang: str = "zh", most: int = 6) -> str:
    """A short note for a count of the list: overall rate, and the (``most``) regions whose rate stays low."""
    if rates is None or rates.empty:
        return ""
    total, done = int(rates["entries"].sum()), int(rates["assigned"].sum())
    low_all = low_rate_regions(rates)
    low = low_all.head(most)
    more = len(low_all) - len(low)
    en = lang == "en"
    if en:
        text = f"{done}/{total} entries ({done / total:.0%}) assigned to a city"
    else:
        text = f"已分配到城市的条目 {done}/{total}（{done / total:.0%}）"
    if len(low):
        form = "{} {}/{} ({:.0%})" if en else "{} {}/{}（{:.0%}）"
        rows = zip(low["region"], low["assigned"], low["entries"], strict=True)
        parts = [form.format(r, a, n, a / n) for r, a, n in rows]
        if en:
            text += "; low in " + ", ".join(parts) + (f" and {more} more" if more else "")
            text += ": counts there are understated"
        else:
            text += "；分配率偏低：" + "、".join(parts) + (f"等 {len(low_all)} 个地区" if more else "")
            text += "，这些地区的城市计数偏低"
    return text


@cache
def default() -> Dataset:
    """The embedded default dataset: GDP structure, real growth, population, CO2, digital finance, lists."""
    p = geo.data_path
    files = {
        "gdp": p("city_stats", "city_gdp_structure_2000_2023.csv"),
        "index": p("city_stats", "city_gdp_index_2000_2023.csv"),
        "pop": p("city_stats", "city_population_2010_2024.csv"),
        "co2": p("city_stats", "city_co2_edgar_2000_2023.csv"),
        "dfi": p("innovation_digital", "city_digital_financial_inclusion_pku_2011_2023.csv"),
        "patents": p("innovation_digital", "city_patents_2019_2024.csv"),
        "sci_tech": p("innovation_digital", "city_fiscal_sci_tech_expenditure_2015_2023.csv"),
        "green_factories": p("enterprise_lists", "green_factories_batches1-6_2017-2021.csv"),
        "green_parks": p("enterprise_lists", "green_industrial_parks_batches1-6_2017-2021.csv"),
        "green_supply": p("enterprise_lists", "green_supply_chain_enterprises_batches1-6_2017-2021.csv"),
        "listed": p("enterprise_lists", "listed_companies_cn_2022-03.csv"),
        "sectors": p(*MANUFACTURING_SECTORS_FILE),
        "centres": p("national_lists", "manufacturing_innovation_centers_2022.csv"),
        "clusters": p("national_lists", "advanced_mfg_clusters_partial.csv"),
    }
    dtype = {"adcode": str}
    gdp = pd.read_csv(files["gdp"], dtype=dtype)
    idx = pd.read_csv(files["index"], dtype=dtype)
    pop = pd.read_csv(files["pop"], dtype=dtype)
    co2 = pd.read_csv(files["co2"], dtype=dtype)
    dfi = pd.read_csv(files["dfi"], dtype=dtype)
    patents = pd.read_csv(files["patents"], dtype=dtype)
    # README: 儋州 is 0 in every year, i.e. not covered by the source: missing, not a count of zero
    covered = patents.groupby("adcode")["patent_grants"].transform("sum") > 0
    patents = patents[covered]
    sci_tech = pd.read_csv(files["sci_tech"], dtype=dtype)
    src_gdp = "city_stats/city_gdp_structure (各省市统计年鉴、统计公报; third-party compilation)"
    src_idx = "city_stats/city_gdp_index (GDP指数, 上年=100)"
    src_idx_gdp = "city_stats/city_gdp_index (名义GDP; second source of 地区生产总值)"
    src_pop = "city_stats/city_population (常住人口, reported values only)"
    src_co2 = "city_stats/city_co2_edgar (EDGAR v8.0 gridded CO2 aggregated to cities)"
    src_dfi = "innovation_digital/PKU-DFIIC (北京大学数字普惠金融指数; 郭峰等 2020)"
    src_pat = "innovation_digital/city_patents (专利申请、授权、发明专利授权; by applicant city)"
    src_st = "innovation_digital/city_fiscal_sci_tech_expenditure (地方一般公共预算科学技术支出, 全市)"
    parts = [
        _long(gdp, "gdp_100m_yuan", "gdp", src_gdp),
        _long(gdp, "va_primary_100m_yuan", "va_primary", src_gdp),
        _long(gdp, "va_secondary_100m_yuan", "va_secondary", src_gdp),
        _long(gdp, "va_tertiary_100m_yuan", "va_tertiary", src_gdp),
        _long(idx, "gdp_index_prev_year_100", "gdp_index", src_idx),
        # the same concept from a second table: the plausibility checks compare it with ``gdp``
        _long(idx, "gdp_nominal_100m_yuan", "gdp_alt", src_idx_gdp),
        _long(pop, "resident_pop_10k_reported", "population", src_pop),
        _long(pop, "land_area_km2", "land_area", src_pop),
        _long(co2, "co2_tonnes", "co2", src_co2),
        _long(dfi, "index_aggregate", "dfi_index", src_dfi),
        _long(dfi, "digitization_level", "dfi_digitization", src_dfi),
        _long(patents, "patent_applications", "patent_applications", src_pat),
        _long(patents, "patent_grants", "patent_grants", src_pat),
        _long(patents, "invention_patent_grants", "invention_patent_grants", src_pat),
        # 万元 → 亿元, the unit of GDP, so shares need no extra factor
        _long(sci_tech, "fiscal_sci_tech_expenditure_10k_yuan", "sci_tech_expenditure", src_st, 1e-4),
    ]
    values = pd.concat(parts, ignore_index=True)
    known = set(geo.units().index)
    values = values[values["code"].isin(known)].reset_index(drop=True)
    sources = {str(v): str(s) for v, s in values.groupby("variable")["source"].first().items()}

    lists: dict[str, pd.DataFrame] = {}
    assignment: dict[str, pd.DataFrame] = {}
    for name in ("green_factories", "green_parks", "green_supply"):
        df = pd.read_csv(files[name], dtype=str, keep_default_na=False)
        assignment[name] = assignment_rates(df["region_raw"], df["city_adcode_guess"].isin(known))
        df = df[df["city_adcode_guess"].isin(known)]
        lists[name] = pd.DataFrame(
            {"code": df["city_adcode_guess"].to_numpy(), "year": df["batch"].map(_batch_year).to_numpy()}
        )
    listed = pd.read_csv(files["listed"], dtype=str, keep_default_na=False)
    sectors = pd.read_csv(files["sectors"], dtype=str, keep_default_na=False)
    mfg = set(sectors.loc[sectors["manufacturing"] == "1", "industry"])
    listed = listed[listed["city_adcode"].isin(known)]
    listing_year = pd.to_datetime(listed["listingdate"], errors="coerce").dt.year.fillna(0).astype(int)
    revenue = pd.to_numeric(listed["revenue20"], errors="coerce") / 1e8
    is_mfg = listed["industry"].isin(mfg)
    lists["listed_manufacturers"] = pd.DataFrame(
        {
            "code": listed.loc[is_mfg, "city_adcode"].to_numpy(),
            "year": listing_year[is_mfg].to_numpy(),
            "revenue_2020": revenue[is_mfg].to_numpy(),
        }
    )
    star = listed["stockid"].str.startswith("688")
    lists["star_market_firms"] = pd.DataFrame(
        {"code": listed.loc[star, "city_adcode"].to_numpy(), "year": listing_year[star].to_numpy()}
    )
    centres = pd.read_csv(files["centres"], dtype=str, keep_default_na=False)
    centres = centres[centres["adcode"].isin(known)]
    approved = pd.to_numeric(centres["approved"].str[:4], errors="coerce").fillna(0).astype(int)
    lists["innovation_centres"] = pd.DataFrame(
        {
            "code": centres["adcode"].to_numpy(),
            "year": approved.to_numpy(),
            "weight": np.where(centres["role"] == "co-builder", 0.5, 1.0),
        }
    )
    clusters = pd.read_csv(files["clusters"], dtype=str, keep_default_na=False)
    # a cluster shared by n member cities counts 1/n for each (column ``share``); counted over all members,
    # including a member that is not a ranked unit (上海), before the unknown codes are dropped
    members = clusters[clusters["member_adcode"] != ""].groupby("cluster")["member_adcode"].transform("size")
    clusters = clusters.assign(share=1.0 / members.reindex(clusters.index))
    clusters = clusters[clusters["member_adcode"].isin(known)]
    lists["advanced_clusters"] = pd.DataFrame(
        {
            "code": clusters["member_adcode"].to_numpy(),
            "year": clusters["batch"].str[:4].map(lambda s: int(s) if s.isdigit() else 0).to_numpy(),
            "share": clusters["share"].to_numpy(dtype=np.float64),
        }
    )
    inputs = {f"mfgindex/data/{Path(f).parent.name}/{Path(f).name}": sha256(Path(f)) for f in files.values()}
    return Dataset(
        values=values,
        units=city_units(),
        lists=MappingProxyType(lists),
        inputs=MappingProxyType(inputs),
        kind="cities",
        variable_sources=MappingProxyType(sources),
        list_assignment=MappingProxyType(assignment),
    )
