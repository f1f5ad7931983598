"""Industry structures (cities × industries, values ≥ 0) for :mod:`mfgindex.policy.homogeneity`: a user's
table read with its columns found by name, or the shipped ones (listed manufacturers by industry, the fields
of the national advanced manufacturing clusters)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
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
