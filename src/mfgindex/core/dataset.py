"""The immutable ``Dataset`` (a tidy panel plus lists) and the embedded default data.

The default data are the real public tables shipped in ``mfgindex/data`` (READMEs there give sources,
licences and known problems). Nothing is invented: a value missing in a source is missing here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from mfgindex.core import geo

VALUE_COLUMNS = ("code", "year", "variable", "value", "source")


@dataclass(frozen=True)
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
    kind
        ``cities`` (adcodes of the shipped division table) or ``generic`` (the data's own ``uCode``).
    """

    values: pd.DataFrame
    units: pd.DataFrame
    lists: Mapping[str, pd.DataFrame] = field(default_factory=lambda: MappingProxyType({}))
    inputs: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    kind: str = "cities"
    variable_sources: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def years(self) -> list[int]:
        return sorted(int(y) for y in self.values["year"].unique())

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


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def city_units() -> pd.DataFrame:
    """Unit attributes for Chinese prefecture-level units (name, province, region, capital flag …)."""
    return geo.units()


# -- the embedded default data ------------------------------------------------------------------------------
MANUFACTURING_SECTORS_FILE = ("enterprise_lists", "manufacturing_sectors.csv")


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
    src_gdp = "city_stats/city_gdp_structure (各省市统计年鉴、统计公报; third-party compilation)"
    src_idx = "city_stats/city_gdp_index (GDP指数, 上年=100)"
    src_pop = "city_stats/city_population (常住人口, reported values only)"
    src_co2 = "city_stats/city_co2_edgar (EDGAR v8.0 gridded CO2 aggregated to cities)"
    src_dfi = "innovation_digital/PKU-DFIIC (北京大学数字普惠金融指数; 郭峰等 2020)"
    parts = [
        _long(gdp, "gdp_100m_yuan", "gdp", src_gdp),
        _long(gdp, "va_secondary_100m_yuan", "va_secondary", src_gdp),
        _long(gdp, "va_tertiary_100m_yuan", "va_tertiary", src_gdp),
        _long(idx, "gdp_index_prev_year_100", "gdp_index", src_idx),
        _long(pop, "resident_pop_10k_reported", "population", src_pop),
        _long(pop, "land_area_km2", "land_area", src_pop),
        _long(co2, "co2_tonnes", "co2", src_co2),
        _long(dfi, "index_aggregate", "dfi_index", src_dfi),
        _long(dfi, "digitization_level", "dfi_digitization", src_dfi),
    ]
    values = pd.concat(parts, ignore_index=True)
    known = set(geo.units().index)
    values = values[values["code"].isin(known)].reset_index(drop=True)
    sources = {str(v): str(s) for v, s in values.groupby("variable")["source"].first().items()}

    lists: dict[str, pd.DataFrame] = {}
    for name in ("green_factories", "green_parks", "green_supply"):
        df = pd.read_csv(files[name], dtype=str, keep_default_na=False)
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
    clusters = clusters[clusters["member_adcode"].isin(known)]
    lists["advanced_clusters"] = pd.DataFrame(
        {
            "code": clusters["member_adcode"].to_numpy(),
            "year": clusters["batch"].str[:4].map(lambda s: int(s) if s.isdigit() else 0).to_numpy(),
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
    )
