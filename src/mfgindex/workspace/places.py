"""The place names of a province — prefectures with their short and former names, counties and districts,
town-level units and development zones — and where a text names them (:func:`mentions`): the gazetteer
that :mod:`mfgindex.workspace.matcher`'s rules read."""

from __future__ import annotations

import re
from dataclasses import dataclass
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
