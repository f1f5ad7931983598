"""Assign a list entry (a firm, park or project with its province) to a prefecture-level unit.

Rules, in order (each assignment records its ``basis``; anything unsure is left unresolved with a reason):

1. The province column names a municipality (北京 …) → that unit; it names a city (the 计划单列市 深圳,
   宁波 … of MIIT lists) → that city.
2. An address → the first place in it (prefecture, or a county/district whose prefecture is unique), within
   the entry's province.
3. The entry's name is, exactly, the legal name of an A-share listed company of the same province
   (``enterprise_lists/listed_companies_cn_2022-03.csv``) → the city of its registered office. A brand that
   is a place name (安徽黄山胶囊 is in 宣城, not 黄山) does not override the company's own city.
4. Else the entry's name, with the province's name and 中国 removed: the place names of that province
   (prefectures with their short and former names, counties and districts with their short names, and the
   town-level units of ``admin_divisions/town_level_units.csv``: 街道/镇/乡 and development zones) found
   in it, by full name only (许村镇, 柯岩街道, 南堡经济开发区; a zone's name must name a place once its
   zone words are removed). A town's short form (许村) is not used: a firm name's administrative-division
   part is county level or above (企业名称登记管理规定), so a town word at its start is a brand (字号);
   measured on the shipped green factories, such brands point to the town in only about 60 % of cases
   (泉林纸业 is in 聊城, not at 济宁's 泉林镇). A town-level name shared by units of two prefectures is
   never used.
   Chinese firm names put the place first (南通中天…) or in brackets (德尔福电子（苏州）…); such *strong*
   mentions are used when present, else mentions anywhere. All mentions must point to one prefecture:
   two prefectures, or a county name shared by two prefectures (鼓楼区 in 南京 and 徐州), is ambiguous.
   Short forms of districts that are ordinary words (新华, 城关, 长安 …) are not used.

5. Only when rule 4 finds no place at all: the entry's brand (字号) is that of exactly one A-share listed
   manufacturer of the same province → its registered-office city (basis ``listed_company_family``).
   The name, with 中国, the province and places at its start removed, must start with the company's short
   name (证券简称, without ST and its own place prefix: 四川长虹 → 长虹) or that short name without an
   industry word (葵花药业 → 葵花药业; 华北制药 …), at least three characters, also the start of the company's
   legal name; the company must be a manufacturer (``manufacturing_sectors.csv``). Refused: a brand that is
   a place name; a brand two listed companies of the province share (then ``ambiguous``); a name that also
   holds another prefecture's name or a town (3+ characters, 锡铁山) of another prefecture. Two-character
   brands are never
   used: 中天钢铁 (常州) is not 中天科技 (南通), 安徽华菱汽车 (马鞍山) is not 华菱精工 (宣城). Measured on the
   shipped lists: 33 assignments, 29 correct, 1 wrong (a subsidiary away from its parent: 中联重科's tower
   cranes are in 常德), 3 unsure (``docs/lists/family_check.csv``); two-character brands would have added 60
   at about two in three right.

County-level units administered by the province (济源, 仙桃, Hainan's counties, 兵团 cities) belong to no
prefecture-level unit: entries there are unresolved with that reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

import pandas as pd

from mfgindex.core import geo
from mfgindex.workspace.places import (
    _SPACES,
    GENERIC,
    Mention,
    _municipality,
    _short_forms,
    _strip_province,
    _words,
    mentions,
    parse_province,
    town_units,
)


@dataclass(frozen=True)
class Evidence:
    """What an assignment rests on: ``kind`` (prefecture / county / town / listed_company /
    listed_company_family / address /
    municipality / province_column), the ``text`` found, and ``code`` — the unit(s) it names, ``|``-joined
    (adcode; a town's 9-digit code; the stock code of a listed company)."""

    kind: str
    text: str
    code: str


@dataclass(frozen=True)
class Assignment:
    """Where an entry goes: ``code`` (adcode) or None with ``reason``; ``basis`` says how."""

    code: str | None
    basis: str
    reason: str = ""
    evidence: tuple[Evidence, ...] = ()

    def describe(self) -> str:
        """The evidence as one line: 「许村镇」(town 330481102) …"""
        return "; ".join(f"「{e.text}」{e.kind} {e.code}" for e in self.evidence)


def _describe(ms: list[Mention]) -> str:
    return "、".join(dict.fromkeys(m.place.key for m in ms))


def _label(code: str) -> str:
    return str(geo.units().at[code, "name"])


def _evidence(ms: list[Mention]) -> tuple[Evidence, ...]:
    out: dict[str, Evidence] = {}
    for m in ms:
        kind = "county" if m.place.level == "province_county" else m.place.level
        out.setdefault(m.place.key, Evidence(kind, m.place.key, "|".join(sorted(m.place.codes))))
    return tuple(out.values())


def _resolve(ms: list[Mention]) -> Assignment:
    prefs = [m for m in ms if m.place.level == "prefecture"]
    counties = [m for m in ms if m.place.level in ("county", "town")]
    outside = [m for m in ms if m.place.level == "province_county"]
    p_codes = set().union(*(m.place.prefectures for m in prefs)) if prefs else set()
    if len(p_codes) > 1:
        names = "、".join(sorted(_label(c) for c in p_codes))
        return Assignment(None, "ambiguous", f"名称含多个地级单位（{names}）：{_describe(prefs)}")
    if len(p_codes) == 1:
        code = next(iter(p_codes))
        conflict = [m for m in counties if code not in m.place.prefectures]
        if conflict:
            return Assignment(
                None,
                "ambiguous",
                f"{_describe(prefs)}（{_label(code)}）与 {_describe(conflict)}"
                f"（{conflict[0].place.label}）不一致",
            )
        basis = "prefecture_in_name" if not counties else "prefecture_and_county_in_name"
        return Assignment(code, basis, evidence=_evidence(prefs + counties))
    if counties:
        common = set(counties[0].place.prefectures)
        for m in counties[1:]:
            common &= m.place.prefectures
        if len(common) == 1:
            town_only = all(m.place.level == "town" for m in counties)
            basis = "town_in_name" if town_only else "county_in_name"
            return Assignment(next(iter(common)), basis, evidence=_evidence(counties))
        union = set().union(*(m.place.prefectures for m in counties))
        names = "、".join(sorted(_label(c) for c in union))
        return Assignment(None, "ambiguous", f"县区名 {_describe(counties)} 可属于 {names}")
    if outside:
        return Assignment(
            None, "province_administered", f"{outside[0].place.label} 为省直辖县级单位，不属于任何地级单位"
        )
    return Assignment(None, "no_match", "名称中未找到本省的地名")


def assign_name(name: str, province: str) -> Assignment:
    """Assign by the place names in an entry's name (rule 4)."""
    text = _strip_province(name, province)
    ms = mentions(text, province)
    located = [m for m in ms if m.tier == 1]
    if located:
        got = _resolve(located)
        return replace(got, basis=got.basis + "_in_brackets") if got.code else got
    strong = [m for m in ms if m.tier == 2]
    if not strong:
        return _resolve(ms)
    got = _resolve(strong)
    if got.code is None:
        return got
    # a brand at the start (延长石油 …榆林…) must not hide another prefecture named later
    # (a prefecture named first outweighs a later county-like word: 成都安居天下 is in 成都, not 遂宁安居区)
    by_prefecture = any(m.place.level == "prefecture" for m in strong)
    others = [
        m
        for m in ms
        if m.tier == 3
        and m.place.prefectures
        and got.code not in m.place.prefectures
        and (m.place.level == "prefecture" or not by_prefecture)
    ]
    if others:
        return Assignment(None, "ambiguous", f"{_describe(strong)} 与 {_describe(others)} 指向不同地级单位")
    return replace(got, basis=got.basis + "_strong")


def assign_address(address: str, province: str) -> Assignment:
    """Assign by the first place of an address (rule 2)."""
    text = _strip_province(address, province)
    candidates: set[str] | None = None
    seen: list[Mention] = []
    for m in mentions(text, province):
        if m.place.level == "province_county" and candidates is None:
            return Assignment(
                None, "province_administered", f"{m.place.label} 为省直辖县级单位，不属于任何地级单位"
            )
        here = set(m.place.prefectures)
        if m.place.level == "prefecture":
            if candidates is None or here <= candidates:
                return Assignment(next(iter(here)), "address", evidence=_evidence([*seen, m]))
            return Assignment(None, "ambiguous", f"地址中 {m.place.key} 与前面的县区不一致")
        if not here:
            continue
        seen.append(m)
        candidates = here if candidates is None else (candidates & here or candidates)
        if len(candidates) == 1:
            return Assignment(next(iter(candidates)), "address", evidence=_evidence(seen))
    if candidates:
        names = "、".join(sorted(_label(c) for c in candidates))
        return Assignment(None, "ambiguous", f"地址中的县区可属于 {names}")
    return Assignment(None, "no_match", "地址中未找到本省的地名")


def _legal_name(name: str) -> str:
    return _SPACES.sub("", name).replace("(", "（").replace(")", "）")


@cache
def listed_companies() -> dict[str, tuple[str, str, str]]:
    """Legal name → (province short name, city adcode, stock code) of the shipped A-share table."""
    df = pd.read_csv(
        geo.data_path("enterprise_lists", "listed_companies_cn_2022-03.csv"), dtype=str, keep_default_na=False
    )
    known = set(geo.units().index.astype(str))
    out: dict[str, tuple[str, str, str]] = {}
    for stock, name, prov, code in zip(df["stockid"], df["name"], df["prov"], df["city_adcode"], strict=True):
        if code in known:
            out[_legal_name(name)] = (str(prov), str(code), str(stock))
    return out


def assign_listed(name: str, province: str) -> Assignment:
    """Assign by the listed-company table (rule 3): the exact legal name, in the same province."""
    hit = listed_companies().get(_legal_name(name))
    if hit is None or hit[0] != province:
        return Assignment(None, "no_match", "")
    return Assignment(hit[1], "listed_company", evidence=(Evidence("listed_company", name, hit[2]),))


# Words a listed company's short name (证券简称) may add to its brand (字号): the brand is the whole short
# name or the short name without one of these (葵花药业 → 葵花药业 or 葵花; only 3+ characters are used).
_SNAME_SUFFIXES = _words(
    "股份 集团 控股 科技 实业 发展 新材 材料 能源 智能 技术 高科 信息 电气 电子 电器 电工 机电 "
    "机械 精工 重工 装备 工业 汽车 化工 化学 制药 药业 医药 生物 食品 乳业 酒业 纺织 家居 环保 "
    "矿业 铝业 铜业 钢铁 特钢 水泥 纸业 轮胎 光电 光学 锂业 钛业"
)
FAMILY_MIN_BRAND = 3  # two-character brands (中天, 鲁泰, 华菱) are shared by unrelated firms of a province


def _brand_stem(name: str, province: str) -> str:
    """A name without 中国, the province and the places of the province at its start (四川长虹 → 长虹…)."""
    t = _strip_province(name, province).removeprefix("省")
    while True:
        first = [m for m in mentions(t, province) if m.start == 0]
        if not first:
            return t
        t = t[first[0].end :].lstrip("市县区省")


@cache
def _nationwide_places() -> frozenset[str]:
    """Prefecture and county names of every province, full and short (a brand that is a place is refused)."""
    units = geo.units()
    out = {str(n) for n in units["name"]} | {str(n) for n in units["short_name"]}
    counties = pd.read_csv(
        geo.data_path("admin_divisions", "county_level_units.csv"), dtype=str, keep_default_na=False
    )
    for full in counties["name"]:
        out.add(str(full))
        out |= _short_forms(str(full))
    return frozenset(out)


@cache
def _other_place_words(province: str) -> dict[str, frozenset[str]]:
    """Words naming a place, beyond what rule 4 uses, with the prefectures they may mean: prefecture names of
    every province (full and short) and the short forms (3+ characters) of the province's towns (锡铁山)."""
    out: dict[str, set[str]] = {}
    units = geo.units()
    for code, row in zip(units.index, units.to_dict("records"), strict=True):
        for key in (str(row["name"]), str(row["short_name"])):
            if len(key) >= 2 and key not in GENERIC:
                out.setdefault(key, set()).add(str(code))
    towns = town_units()
    towns = towns[
        (towns["province_code"] == str(geo.provinces().at[province, "code"])) & (towns["kind"] != "other")
    ]
    for full, pref in zip(towns["name"], towns["prefecture_adcode"], strict=True):
        key = re.sub(r"(街道|镇|乡|苏木)$", "", str(full))
        if len(key) >= 3:
            out.setdefault(key, set()).add(str(pref))
    return {k: frozenset(v) for k, v in out.items()}


@dataclass(frozen=True)
class ListedBrand:
    """A listed company as a brand family: ``stem`` of its legal name, ``brands`` from its short name."""

    stem: str
    brands: tuple[str, ...]
    code: str
    stock: str
    sname: str
    manufacturing: bool


@cache
def listed_brands(province: str) -> tuple[ListedBrand, ...]:
    """The A-share listed companies of a province with their brands (字号)."""
    df = pd.read_csv(
        geo.data_path("enterprise_lists", "listed_companies_cn_2022-03.csv"), dtype=str, keep_default_na=False
    )
    sectors = pd.read_csv(
        geo.data_path("enterprise_lists", "manufacturing_sectors.csv"), dtype=str, keep_default_na=False
    )
    mfg = set(sectors.loc[sectors["manufacturing"] == "1", "industry"])
    known = set(geo.units().index.astype(str))
    out = []
    rows = df[(df["prov"] == province) & df["city_adcode"].isin(known)]
    for r in rows.to_dict("records"):
        sname = re.sub(r"^\*?S?T|^S(?=\w)", "", str(r["sname"])).rstrip("AB")
        core = _brand_stem(sname, province) or sname
        brands = {core} | {
            core[: -len(w)] for w in _SNAME_SUFFIXES if core.endswith(w) and len(core) > len(w)
        }
        out.append(
            ListedBrand(
                _brand_stem(str(r["name"]), province),
                tuple(sorted(brands, key=len, reverse=True)),
                str(r["city_adcode"]),
                str(r["stockid"]),
                str(r["sname"]),
                str(r["industry"]) in mfg,
            )
        )
    return tuple(out)


def assign_family(name: str, province: str) -> Assignment:
    """Assign by the brand (字号) of a listed manufacturer of the same province (rule 5)."""
    stem = _brand_stem(name, province)
    hits = [
        (b, c)
        for c in listed_brands(province)
        if c.manufacturing
        for b in c.brands
        if len(b) >= FAMILY_MIN_BRAND and stem.startswith(b) and c.stem.startswith(b)
    ]
    if not hits:
        return Assignment(None, "no_match", "名称中未找到本省的地名")
    brand, company = max(hits, key=lambda h: len(h[0]))
    if brand in _nationwide_places():
        return Assignment(None, "no_match", f"字号「{brand}」也是地名")
    family = [c for c in listed_brands(province) if c.stem.startswith(brand) or brand in c.brands]
    if len(family) > 1:
        names = "、".join(f"{c.sname}（{c.stock}）" for c in family)
        return Assignment(None, "ambiguous", f"字号「{brand}」属于本省多家上市公司：{names}")
    elsewhere = [
        key
        for key, prefs in _other_place_words(province).items()
        if key in stem[len(brand) :] and company.code not in prefs
    ]
    if elsewhere:
        return Assignment(
            None,
            "ambiguous",
            f"字号「{brand}」属{company.sname}（{_label(company.code)}），"
            f"名称另含地名 {'、'.join(elsewhere)}",
        )
    return Assignment(
        company.code,
        "listed_company_family",
        evidence=(Evidence("listed_company_family", brand, company.stock),),
    )


def assign(name: str, province: str, address: str = "") -> Assignment:
    """Assign one entry (rules 1-4). ``province`` may be a province (any form) or a city."""
    ptext = _SPACES.sub("", str(province))
    if "兵团" in ptext:
        return Assignment(None, "province_administered", "新疆生产建设兵团的单位不属于任何地级单位")
    prov = parse_province(ptext)
    if prov is None and ptext:
        city = geo.resolve(ptext)
        if city.code is not None:
            found = (Evidence("province_column", ptext, city.code),)
            return Assignment(city.code, "province_column_is_city", evidence=found)
    if prov is None:
        return Assignment(None, "no_province", f"无法识别的省份 {province!r}")
    code = _municipality(prov)
    if code is not None:
        return Assignment(code, "municipality", evidence=(Evidence("municipality", ptext, code),))
    if address.strip():
        got = assign_address(address, prov)
        if got.code is not None:
            return got
        listed = assign_listed(name, prov)
        if listed.code is not None:
            return replace(listed, reason=f"地址未能确定：{got.reason}")
        by_name = assign_name(name, prov)
        if by_name.code is not None:
            return replace(by_name, reason=f"地址未能确定：{got.reason}")
        return Assignment(None, got.basis, got.reason)
    listed = assign_listed(name, prov)
    if listed.code is not None:
        return listed
    by_name = assign_name(name, prov)
    if by_name.basis != "no_match":
        return by_name
    family = assign_family(name, prov)
    return family if family.code is not None or family.basis == "ambiguous" else by_name
