"""Administrative divisions, name → adcode matching, regions and 城市群 definitions (shipped data).

Everything here reads the tables shipped in ``mfgindex/data`` (see the READMEs there for sources and
licences). Nothing is fetched at run time.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

REGIONS_ZH: dict[str, str] = {"east": "东部", "central": "中部", "west": "西部", "northeast": "东北"}
REGION_ORDER: tuple[str, ...] = ("东部", "中部", "西部", "东北")

# 城市群 definitions shipped in data/urban_agglomerations; "yrd_central" is the 27-city 中心区 of the
# 2019 长三角一体化发展规划纲要, the definition whose count (19) matches the seed report's 长三角 figure.
DEFAULT_CLUSTER_DEFINITION = "caict2023"
CLUSTER_DEFINITIONS: dict[str, str] = {
    "caict2023": "国家级城市群规划，长三角采用2019年《长江三角洲区域一体化发展规划纲要》中心区27城",
    "plans2016": "国家级城市群规划，长三角采用2016年《长江三角洲城市群发展规划》26城",
}


def data_path(*parts: str) -> Path:
    """Path of a file shipped in the package's ``data`` folder."""
    return Path(str(resources.files("mfgindex").joinpath("data", *parts)))


def _read(*parts: str) -> pd.DataFrame:
    return pd.read_csv(data_path(*parts), dtype=str, keep_default_na=False)


@cache
def units() -> pd.DataFrame:
    """The 337 prefecture-level units (4 municipalities included), indexed by adcode (str).

    Columns: name, short_name, province, province_short, province_abbr, unit_type, admin_rank_zh,
    is_capital (bool), is_sub_provincial (bool), region (东部/中部/西部/东北), region_en.
    """
    df = _read("admin_divisions", "prefecture_level_units.csv")
    abbr = _read("admin_divisions", "province_abbreviations.csv").set_index("province_code")["abbreviation"]
    out = pd.DataFrame(
        {
            "name": df["name"],
            "short_name": df["short_name"],
            "province": df["province_short"],
            "province_full": df["province"],
            "province_abbr": df["province_code"].map(abbr),
            "unit_type": df["unit_type"],
            "admin_rank_zh": df["admin_rank_zh"],
            "is_capital": df["is_provincial_capital"] == "1",
            "is_sub_provincial": df["is_sub_provincial"] == "1",
            "region": df["region_zh"],
            "region_en": df["region"],
        }
    )
    out.index = pd.Index(df["adcode"], name="code")
    return out


@cache
def provinces() -> pd.DataFrame:
    """The 31 provincial units indexed by short name (江苏), with full name, region and 简称 (苏)."""
    df = _read("admin_divisions", "provinces.csv")
    abbr = _read("admin_divisions", "province_abbreviations.csv").set_index("province_code")["abbreviation"]
    out = pd.DataFrame(
        {
            "name": df["name"].to_numpy(),
            "code": df["province_code"].to_numpy(),
            "region": df["region_zh"].to_numpy(),
            "abbr": df["province_code"].map(abbr).to_numpy(),
        },
        index=pd.Index(df["short_name"], name="province"),
    )
    return out


@cache
def normalise_province(text: str) -> str | None:
    """Map 江苏 / 江苏省 / 苏 / 广西壮族自治区 to the short province name, or None."""
    t = text.strip()
    if not t:
        return None
    prov = provinces()
    if t in prov.index:
        return t
    for short, row in prov.iterrows():
        if t in (row["name"], row["abbr"]) or t.startswith(str(short)):
            return str(short)
    return None


@dataclass(frozen=True)
class Match:
    """Outcome of a name lookup: the adcode, or why there is none."""

    code: str | None
    reason: str = ""


_SUFFIXES = ("市", "地区", "盟", "自治州")


def _keys(name: str) -> set[str]:
    keys = {name}
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            keys.add(name[: -len(suffix)])
    return keys


@cache
def _name_index() -> dict[str, set[str]]:
    index: dict[str, set[str]] = {}
    u = units()
    for code, row in u.iterrows():
        keys = _keys(str(row["name"])) | {str(row["short_name"])}
        if str(row["name"]).endswith("自治州"):
            keys.add(f"{row['short_name']}州")  # 海南州, 延边州: the form yearbooks use
        for key in keys:
            index.setdefault(key, set()).add(str(code))
    former = _read("admin_divisions", "former_names.csv")
    for _, row in former[former["kind"] != "merged"].iterrows():
        for key in _keys(str(row["former_name"])):
            index.setdefault(key, set()).add(str(row["adcode"]))
    return index


@cache
def merged_units() -> dict[str, str]:
    """Former units merged into another (莱芜 → 济南): name → explanation."""
    former = _read("admin_divisions", "former_names.csv")
    merged = former[former["kind"] == "merged"]
    out: dict[str, str] = {}
    for _, row in merged.iterrows():
        for key in _keys(str(row["former_name"])):
            out[key] = (
                f"{row['former_name']}已于{row['year_changed']}年并入{row['current_name']}，请先合并数据"
            )
    return out


_CODE = re.compile(r"^\d{6}$")
_SPACE = re.compile(r"\s+")


def clean_name(name: str) -> str:
    """A name as written in a table, normalised: NFKC, every space removed (U+3000 and indentation too)."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", str(name)))


def shown(text: str, limit: int = 40) -> str:
    """``text`` for a message: at most ``limit`` characters, then how many more there were."""
    return text if len(text) <= limit else f"{text[:limit]}…（共{len(text):,}字）"


@cache
def _municipal_districts() -> dict[str, list[str]]:
    """Short names of the districts/counties of the four municipalities (朝阳 → 北京市朝阳区)."""
    counties = _read("admin_divisions", "county_level_units.csv")
    u = units()
    muni = set(u.index[u["unit_type"] == "municipality"])
    out: dict[str, list[str]] = {}
    for _, row in counties[counties["prefecture_adcode"].isin(muni)].iterrows():
        name = str(row["name"])
        for suffix in ("区", "县"):
            if name.endswith(suffix) and len(name) > len(suffix) + 1:
                full = str(u.at[str(row["prefecture_adcode"]), "name"]) + name
                out.setdefault(name[: -len(suffix)], []).append(full)
    return out


@cache
def _province_names() -> dict[str, str]:
    out: dict[str, str] = {}
    for short, name in zip(provinces().index, provinces()["name"], strict=True):
        if not str(name).endswith("市"):  # 北京市 … are units of the division table
            out[str(short)] = out[str(name)] = str(short)
    return out


@cache
def province_unit(text: str) -> str | None:
    """Short name of the province ``text`` names (江苏, 江苏省, 广西壮族自治区); not municipalities."""
    return _province_names().get(clean_name(text))


def _province_name(short: str) -> str:
    return str(provinces().at[short, "name"])


def _unit_name(code: str) -> str:
    return str(units().at[code, "name"])


def resolve(name: str, province: str | None = None) -> Match:
    """Resolve a city name (苏州, 苏州市, 320500, 襄樊) to its 6-digit adcode.

    ``province`` (any form: 江苏, 江苏省, 苏) disambiguates. A name that also names a unit of another level
    is ambiguous without it: 海南 (海南省 or 青海's 海南藏族自治州), 吉林 (吉林省 or 吉林市), 朝阳 (辽宁's
    朝阳市 or 北京市朝阳区); the reason lists the candidates.
    """
    text = clean_name(name)
    if text.endswith(".0") and _CODE.match(text[:-2]):
        text = text[:-2]
    if _CODE.match(text):
        return (
            Match(text)
            if text in units().index
            else Match(None, f"行政区划代码 {shown(text)} 不在地级单位表中")
        )
    if text in merged_units():
        return Match(None, merged_units()[text])
    candidates = _name_index().get(text, set())
    districts = [] if text.endswith("市") else _municipal_districts().get(text, [])
    if province:
        prov = normalise_province(province)
        if prov is None:
            return Match(None, f"无法识别的省份 {shown(province)!r}")
        candidates = {c for c in candidates if units().at[c, "province"] == prov}
        districts = [d for d in districts if d.startswith(prov)]
        if len(candidates) == 1:
            return Match(next(iter(candidates)))
        if not candidates and districts:
            return Match(None, f"{shown(text)!r} 是县级单位（{'、'.join(districts)}），不是地级城市")
        if not candidates and province_unit(text) == prov:
            return Match(None, f"{shown(text)!r} 是省级单位（{_province_name(prov)}），不是地级城市")
    others = [f"{d}（县级）" for d in districts]
    level = province_unit(text)
    if level is not None and not province:
        others.append(f"{_province_name(level)}（省级）")
    if len(candidates) == 1 and not others:
        return Match(next(iter(candidates)))
    if not candidates and not others:
        where = f"（{shown(province)}）" if province else ""
        return Match(None, f"未知城市 {shown(str(name).strip())!r}{where}")
    if not candidates and level is not None:
        return Match(None, f"{shown(text)!r} 是省级单位（{_province_name(level)}），不是地级城市")
    names = sorted(f"{_unit_name(c)}（{units().at[c, 'province']!s}）" for c in candidates)
    listed = "、".join([*names, *others])
    return Match(None, f"城市名 {shown(text)!r} 有歧义：{listed}；请写全称、加省份列或写代码")


@cache
def cluster_membership(definition: str = DEFAULT_CLUSTER_DEFINITION) -> pd.DataFrame:
    """城市群 membership as rows (cluster_id, cluster_zh, code) for a named definition.

    ``caict2023`` uses the 27-city 长三角 中心区 (2019) in place of the 26-city 2016 plan; ``plans2016``
    uses the 2016 plan. The other 11 clusters are the same in both.
    """
    if definition not in CLUSTER_DEFINITIONS:
        raise KeyError(f"unknown 城市群 definition {definition!r}; choose from {sorted(CLUSTER_DEFINITIONS)}")
    df = _read("urban_agglomerations", "city_cluster_membership.csv")
    drop = "yrd" if definition == "caict2023" else "yrd_central"
    df = df[df["cluster_id"] != drop]
    if definition == "caict2023":
        df = df.assign(
            cluster_zh=df["cluster_zh"].where(df["cluster_id"] != "yrd_central", "长江三角洲城市群"),
        )
    # Chinese names in Chinese brackets: 粤港澳大湾区（珠三角九市）, as every other bracket of the outputs
    zh = df["cluster_zh"].astype(str).str.replace("(", "（", regex=False).str.replace(")", "）", regex=False)
    return pd.DataFrame(
        {
            "cluster_id": df["cluster_id"].to_numpy(),
            "cluster_zh": zh.to_numpy(),
            "code": df["member_adcode"].to_numpy(),
        }
    )


@cache
def geojson_path(kind: str) -> Path:
    """Shipped boundary file: ``provinces``, ``prefectures``, ``outline`` or ``nine_dash``."""
    files = {
        "provinces": "china_provinces_simplified.geojson",
        "prefectures": "china_prefectures_simplified.geojson",
        "outline": "china_outline_simplified.geojson",
        "nine_dash": "china_south_china_sea_line.geojson",
    }
    return data_path("geo", files[kind])


@cache
def geojson(kind: str) -> dict[str, Any]:
    """The shipped boundary file ``kind`` (:func:`geojson_path`), parsed once: read it, do not change it."""
    with open(geojson_path(kind), encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def geometry_parts(geometry: Mapping[str, Any]) -> list[npt.NDArray[np.float64]]:
    """A GeoJSON (multi-)polygon's outer rings or (multi-)line's lines, each as an array of points."""
    kind, coords = geometry["type"], geometry["coordinates"]
    many = coords if kind.startswith("Multi") else [coords]
    return [np.asarray(p[0] if kind.endswith("Polygon") else p, dtype=float) for p in many]


@cache
def boundary(kind: str) -> tuple[npt.NDArray[np.float64], ...]:
    """The parts (:func:`geometry_parts`) of every feature of the boundary file ``kind``, built once."""
    return tuple(p for f in geojson(kind)["features"] for p in geometry_parts(f["geometry"]))


@cache
def centroids() -> pd.DataFrame:
    """Government-seat and centroid coordinates per adcode (float columns)."""
    df = pd.read_csv(data_path("geo", "prefecture_centroids.csv"), dtype={"adcode": str})
    return df.set_index("adcode")


MUNICIPALITY_NOTE = (
    "{name}是直辖市，在报告中作为省级单位，不参与城市排名 "
    "(municipalities are provincial-level units in the report and are not ranked)"
)


def municipality_note(text: str) -> str | None:
    """Why a municipality is not ranked, when ``text`` (北京, 北京市, 110000 …) names one; else None."""
    code = resolve(str(text)).code
    if code is None or units().at[code, "unit_type"] != "municipality":
        return None
    return MUNICIPALITY_NOTE.format(name=units().at[code, "name"])
