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


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


ETHNIC = _words(
    "蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 "
    "土家族 哈尼族 哈萨克族 傣族 黎族 傈僳族 佤族 畲族 拉祜族 水族 东乡族 纳西族 "
    "景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族 锡伯族 "
    "阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 "
    "京族 塔塔尔族 独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族"
)
# Short forms (suffix removed) that are ordinary words or shared by many places: not used on their own.
GENERIC = frozenset(
    _words(
        "城关 城中 城东 城西 城南 城北 市中 市南 市北 新华 新城 新区 新市 郊区 矿区 "
        "东区 西区 南区 北区 中区 河东 河西 江北 江南 江东 江西 长安 朝阳 和平 红旗 "
        "向阳 东风 前进 胜利 新兴 永安 东方 光明 平安 太平 安定 中原 华龙 青山 白云 "
        "金山 友好 团结 先锋 海港 港口 港南 港北 东湖 西湖 南湖 北湖 开发 高新 经开 "
        "工业 中心 城区 铁西 铁东 桥西 桥东 东城 西城 南城 北城 中山 宏伟 新北 立山 "
        "解放 人民 建华 兴安 华安 山城 龙华 金平 海城 鼓楼 河北 河南 山东 山西 湖北 "
        "湖南 广西 海南 吉林 黑龙 内蒙 西藏 宁夏 新疆 云南 四川 贵州 浙江 江苏 广东 "
        "福建 安徽 陕西 甘肃 青海 辽宁 天津 北京 上海 重庆 大通 永定 长城 东港 新津 "
        "普陀 龙湖 龙岗 龙泉 华容 兴业 大安 新华 宁河 德清 安吉 龙门 永和 清河 长乐 "
        "仁和 阳光 联合 海门 通用 三元 天元 顺德 友谊 和田 正定 平山 凤凰 高平 东丰 "
        "南华 天山 万年 祁连 城厢 江海 华侨 东兴 新建 海洋 金湾 五洲 新民 尖山 四方 "
        "七星 龙山 南山 北山 东山 西山 泰山"
    )
)
# Common abbreviations of autonomous prefectures not derivable from the name (克孜勒苏 → 克州).
ABBREVIATIONS = {"克州": "653000", "巴州": "652800", "博州": "652700"}
_PARENS = re.compile(r"[（(]([^）)]*)[）)]")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Place:
    """A place name of a province: the prefectures it may belong to."""

    key: str
    label: str  # the unit's full name
    level: str  # prefecture / county / town / province_county (no prefecture)
    prefectures: frozenset[str]
    short: bool  # a short form (suffix removed)
    common: bool = False  # an ordinary word too (德清, 新兴): used only where firm names put places
    codes: frozenset[str] = frozenset()  # the units named (6-digit prefecture/county, 9-digit town codes)


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


def _short_forms(name: str) -> set[str]:
    out: set[str] = set()
    stem = name
    for suffix in ("自治县", "自治旗"):
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            changed = True
            while changed:
                changed = False
                for e in ETHNIC:
                    if stem.endswith(e) and len(stem) > len(e) + 1:
                        stem = stem[: -len(e)]
                        changed = True
            out.add(stem)
            return {s for s in out if len(s) >= 2}
    for suffix in ("林区", "特区", "新区", "县", "区", "市", "旗"):
        if stem.endswith(suffix) and len(stem) - len(suffix) >= 2:
            out.add(stem[: -len(suffix)])
            break
    return out


@cache
def province_of_code() -> dict[str, str]:
    """2-digit province code → short province name."""
    p = geo.provinces()
    return {str(code): str(short) for short, code in zip(p.index, p["code"], strict=True)}


def parse_province(text: str) -> str | None:
    """Short province name from 江苏 / 江苏省 / 苏 / 32 / 内蒙 (a prefix of the short name)."""
    t = _SPACES.sub("", str(text))
    if re.fullmatch(r"\d{2}", t):
        return province_of_code().get(t)
    if re.fullmatch(r"\d{6}", t):
        return province_of_code().get(t[:2])
    found = geo.normalise_province(t)
    if found is not None:
        return found
    if len(t) >= 2:
        hits = [str(s) for s in geo.provinces().index if str(s).startswith(t)]
        if len(hits) == 1:
            return hits[0]
    return None


# Words of development-zone and farm names that name no place (经济技术开发区 …); a town-level unit whose name
# is only such words (开发区, 工业园区) is not a place name.
ZONE_WORDS = _words(
    "国家级 省级 经济技术开发区 高新技术产业开发区 高新技术产业园区 高新技术开发区 高新技术产业园 "
    "高新技术园区 经济开发区 工业开发区 产业开发区 技术开发区 开发区 工业园区 产业园区 科技园区 工业园 "
    "产业园 科技园 园区 工业区 产业区 新区 高新区 经开区 综合保税区 保税区 物流园 管理委员会 管委会 "
    "管理处 管理区 办事处 街道 农场 林场 牧场 林业局 良种场 示范区 集聚区 基地 中心"
)


def _names_a_place(name: str) -> bool:
    """A development zone's name with its zone words removed still names something (南堡经济开发区 → 南堡)."""
    rest = name
    for w in sorted(ZONE_WORDS, key=len, reverse=True):
        rest = rest.replace(w, "")
    return len(rest) >= 2


@cache
def town_units() -> pd.DataFrame:
    """Town-level units (街道/镇/乡, development zones …) with their county and prefecture."""
    towns = pd.read_csv(
        geo.data_path("admin_divisions", "town_level_units.csv"), dtype=str, keep_default_na=False
    )
    counties = pd.read_csv(
        geo.data_path("admin_divisions", "county_level_units.csv"), dtype=str, keep_default_na=False
    ).set_index("adcode")
    towns["prefecture_adcode"] = towns["county_adcode"].map(counties["prefecture_adcode"]).fillna("")
    towns["province_code"] = towns["county_adcode"].str[:2]
    return towns


@cache
def places(province: str) -> tuple[Place, ...]:
    """Every place name of a province, longest first."""
    units = geo.units()
    prov = geo.provinces().loc[province]
    in_prov = units[units["province"] == province]
    entries: dict[str, list[Place]] = {}

    def add(p: Place) -> None:
        entries.setdefault(p.key, []).append(p)

    for code, row in zip(in_prov.index, in_prov.to_dict("records"), strict=True):
        full = str(row["name"])
        pref = frozenset({str(code)})
        add(Place(full, full, "prefecture", pref, False, codes=pref))
        for key in {str(row["short_name"]), *_short_forms(full)} - {full}:
            if len(key) >= 2 and key != province:
                add(Place(key, full, "prefecture", pref, True, codes=pref))
        if str(row["unit_type"]) == "autonomous_prefecture":
            key = str(row["short_name"]) + "州"  # 恩施州, 延边州
            add(Place(key, full, "prefecture", pref, True, codes=pref))
    for key, code in ABBREVIATIONS.items():
        if code in in_prov.index:
            pref = frozenset({code})
            add(Place(key, str(in_prov.at[code, "name"]), "prefecture", pref, True, codes=pref))
    former = pd.read_csv(
        geo.data_path("admin_divisions", "former_names.csv"), dtype=str, keep_default_na=False
    )
    former = former[(former["province_short"] == province) & (former["kind"] != "merged")]
    for row in former.to_dict("records"):
        pref = frozenset({str(row["adcode"])})
        add(Place(str(row["former_name"]), str(row["current_name"]), "prefecture", pref, False, codes=pref))
    counties = pd.read_csv(
        geo.data_path("admin_divisions", "county_level_units.csv"), dtype=str, keep_default_na=False
    )
    counties = counties[counties["province_code"] == str(prov["code"])]
    for row in counties.to_dict("records"):
        full = str(row["name"])
        parent = str(row["prefecture_adcode"])
        if full.startswith(("市辖区",)) or full in ("城区", "郊区", "矿区"):
            continue
        level = "county" if parent else "province_county"
        pref = frozenset({parent}) if parent else frozenset()
        own = frozenset({str(row["adcode"])})
        add(Place(full, full, level, pref, False, codes=own))
        for key in _short_forms(full):
            if key == province or (key in GENERIC and full.endswith("区")):
                continue  # a district's short form that is an ordinary word (新华, 长安) is never used
            add(Place(key, full, level, pref, True, key in GENERIC, codes=own))
    towns = town_units()
    county_name = dict(zip(counties["adcode"], counties["name"], strict=True))
    for row in towns[towns["province_code"] == str(prov["code"])].to_dict("records"):
        full = str(row["name"])
        parent = str(row["prefecture_adcode"])
        pref = frozenset({parent}) if parent else frozenset()
        label = f"{county_name.get(str(row['county_adcode']), '')}{full}"
        own = frozenset({str(row["adcode"])})
        if row["kind"] == "other" and not _names_a_place(full):
            continue  # 经济开发区, 工业园区: no place named
        if len(full) >= 3:
            add(Place(full, label, "town", pref, False, codes=own))
    merged: list[Place] = []
    rank = {"prefecture": 0, "county": 1, "province_county": 1, "town": 2}
    for key, group in entries.items():
        # a prefecture's own name wins over a county sharing it (吉林市 vs 吉林 as county short form),
        # a county's over a town's
        top = min(rank[g.level] for g in group)
        best = [g for g in group if rank[g.level] == top]
        prefs = frozenset().union(*(g.prefectures for g in best))
        if top == 2 and (len(prefs) != 1 or any(not g.prefectures for g in best)):
            continue  # a town-level name of two prefectures (or outside any) is never used
        labels = "、".join(sorted({g.label for g in best}))
        level = (
            best[0].level
            if top != 1
            else ("county" if any(g.level == "county" for g in best) else "province_county")
        )
        merged.append(
            Place(
                key,
                labels,
                level,
                prefs,
                all(g.short for g in best),
                all(g.common for g in best),
                frozenset().union(*(g.codes for g in best)),
            )
        )
    return tuple(sorted(merged, key=lambda p: (-len(p.key), p.key)))


@cache
def _place_index(province: str) -> tuple[dict[str, Place], tuple[int, ...]]:
    index = {p.key: p for p in places(province)}
    return index, tuple(sorted({len(k) for k in index}, reverse=True))


@dataclass(frozen=True)
class Mention:
    """A place name found in a text; ``tier`` 1 = a bracket holding only the place (…（日照）有限公司),
    2 = the start of the name or inside other brackets, 3 = elsewhere."""

    start: int
    end: int
    place: Place
    tier: int


def mentions(text: str, province: str) -> list[Mention]:
    """Place names of ``province`` in ``text``; mentions inside a longer mention are dropped."""
    spans = [(m.start(1), m.end(1)) for m in _PARENS.finditer(text)]
    index, lengths = _place_index(province)
    found: list[Mention] = []
    for start in range(len(text)):
        for n in lengths:
            p = index.get(text[start : start + n]) if start + n <= len(text) else None
            if p is None:
                continue
            end = start + n
            tier = 3
            for a, b in spans:
                if a <= start and end <= b:
                    tier = 1 if (start, end) == (a, b) else 2
            if start == 0:
                tier = min(tier, 2)
            if tier < 3 or not p.common:
                found.append(Mention(start, end, p, tier))
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[Mention] = []
    for m in found:
        if any(k.start <= m.start and m.end <= k.end for k in kept):
            continue
        kept.append(m)
    return kept


@cache
def _province_names(province: str) -> tuple[str, str]:
    return str(geo.provinces().loc[province, "name"]), province


@cache
def _municipality(province: str) -> str | None:
    units = geo.units()
    muni = units[(units["province"] == province) & (units["unit_type"] == "municipality")]
    return str(muni.index[0]) if len(muni) else None


def _strip_province(text: str, province: str) -> str:
    t = _SPACES.sub("", text)
    for prefix in ("中华人民共和国", "中国"):
        if t.startswith(prefix):
            t = t[len(prefix) :]
    for name in _province_names(province):
        # 吉林市… is the city, not the province
        t = re.sub(re.escape(name) + r"(?![市州盟])", "", t)
    return t


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
