"""Chinese prose whose wording follows the numbers, for passages that would otherwise repeat one template.

三（一）'s four regional passages used to be one sentence pattern filled four times
("东部地区共计34个城市入围，占东部85个地级行政区的40.0%，前10名中占据9席……" and the same for 中部, 西部,
东北). Here each passage is built from clauses whose *content* is chosen by what the numbers say (whether
the region has cities in the top 10 or top 20, whether its count rose, fell or held, whether it leads the
list, whether its value-added share is small) and whose *wording* differs from one region to the next
(the i-th region uses the i-th phrasing of each clause and the i-th clause order), so no two passages share
a sentence skeleton.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def _pct(v: float) -> str:
    return f"{v * 100:.1f}%"


def _count(i: int, r: Any, n: int) -> str:
    region, k, units, share = r.region, r.topN, r.units_in_region, _pct(r.share_of_units)
    only = "仅" if k * 10 < n else ""  # fewer than a tenth of the list
    forms = (
        f"{region}地区共有{k}个城市入围，占该区域{units}个地级行政区的{share}",
        f"{region}地区{only}入围{k}个城市，相当于本区域地级行政区（{units}个）的{share}",
        f"{region}地区{only}有{k}个城市进入{n}强，在区域内{units}个地级行政区中占比为{share}",
        f"{region}地区上榜城市{only}{k}个，覆盖其{units}个地级行政区里的{share}",
    )
    return forms[i % len(forms)]


def _standing(i: int, r: Any) -> str:
    t10, t20 = r.top10, r.top20
    if t10:
        forms = (
            f"前10名中占{t10}席、前20名中占{t20}席",
            f"其中{t10}个位列前10，{t20}个位列前20",
            f"在前10名和前20名中分别拥有{t10}席和{t20}席",
            f"十强里有其{t10}席，二十强里有其{t20}席",
        )
    elif t20:
        forms = (
            f"虽无城市进入前10，但在前20名中占{t20}席",
            f"尚未有城市跻身前10，前20名中有{t20}个",
            f"前10名中没有该区域城市，第11至20名中有{t20}个",
            f"十强空缺，二十强中占{t20}席",
        )
    else:
        forms = (
            "前20名中没有该区域城市",
            "尚无城市进入前20名",
            "在前20名中未占席位",
            "无一进入二十强",
        )
    return forms[i % len(forms)]


def _change(i: int, r: Any) -> str:
    if r.previous_topN is None:
        return ""
    d = r.topN - r.previous_topN
    if d == 0:
        forms = ("入围数与上年持平", "入围城市数与上年相同", "入围数较上年没有变化", "入围数量同上年一致")
    elif d > 0:
        forms = (
            f"入围数比上年多{d}个",
            f"入围城市较上年增加{d}个",
            f"入围数增加了{d}个",
            f"比上年新增{d}个入围城市",
        )
    else:
        d = -d
        forms = (
            f"入围数比上年少{d}个",
            f"入围城市较上年减少{d}个",
            f"入围数减少了{d}个",
            f"比上年少了{d}个入围城市",
        )
    return forms[i % len(forms)]


def _best(i: int, r: Any) -> str:
    if r.best is None:
        return ""
    name, rank = r.best.name, r.best.rank
    forms = (
        f"{name}排名最高（第{rank}位）",
        f"区域内排名最高的是{name}（第{rank}位）",
        f"{name}居区域之首，全国第{rank}位",
        f"领头的{name}位列全国第{rank}位",
    )
    return forms[i % len(forms)]


def _value_added(i: int, share: float | None, n: int) -> str:
    if share is None:
        return ""
    v = _pct(share)
    if share >= 0.5:
        return (
            f"入围城市增加值占全部{n}强的{v}，超过一半",
            f"这些城市贡献了{n}强增加值的{v}，占半数以上",
            f"该区域入围城市的增加值合计占{n}强的{v}，过半",
            f"增加值在{n}强中的比重达{v}",
        )[i % 4]
    small = "仅" if share < 0.1 else ""
    return (
        f"入围城市增加值占全部{n}强的{small}{v}",
        f"这些城市的增加值合计{small}占{n}强的{v}",
        f"该区域入围城市{small}贡献了{n}强增加值的{v}",
        f"其增加值在{n}强中{small}占{v}",
    )[i % 4]


def regions_zh(regions: Sequence[Any], region_va: Mapping[str, float], n: int) -> str:
    """三（一）'s passage on the four regions (``RegionCount`` records in 东-中-西-东北 order), one
    passage per region; a region without cities in the top ``n`` gets one short sentence."""
    listed = [r for r in regions if r.topN > 0]
    leader: Any = max(listed, key=lambda r: r.topN) if listed else None
    out = []
    i = 0
    for r in regions:
        if r.topN == 0:
            out.append(f"{r.region}地区暂无城市入围。")
            continue
        count, standing, change = _count(i, r, n), _standing(i, r), _change(i, r)
        best, va = _best(i, r), _value_added(i, region_va.get(r.region), n)
        if r is leader and r.topN * 2 > n:
            count = f"{r.region}地区是{n}强城市最集中的区域，" + count.removeprefix(f"{r.region}地区")

        def join(sep: str, *parts: str) -> str:
            return sep.join(p for p in parts if p)

        passages = (  # the i-th region's clause order and punctuation
            join("。", join("，", count, change, standing), join("；", best, va)),
            join("；", join("，", count, change), join("，", standing, best), va),
            join("。", join("，", count, standing, change), best, va),
            join("；", join("，", count, change, standing), join("，", va, best)),
        )
        out.append(passages[i % len(passages)] + "。")
        i += 1
    return "".join(out)


def provinces_zh(provinces: Sequence[Any]) -> str:
    """三（一）'s passage on the leading provinces (``ProvinceCount`` records, most cities first): what each
    has in the top 10 and top 20 and its first city, in a different wording for each province (it was
    "…占据前10强的N个席位，N个城市进入前20强，省内排名第一的是…" four times)."""
    out = []
    for i, p in enumerate(provinces):
        prov, t10, t20 = p.province, p.top10, p.top20
        first, rank = p.first_city.name, p.first_city.rank
        top = "、".join(c.name for c in p.cities if c.rank <= 10)
        if t10:
            forms = (
                f"{prov}的{top}占据前10强中的{t10}席，进入前20强的共{t20}个城市，省内居首的{first}列全国第{rank}位",
                f"{prov}有{t10}个城市跻身前10（{top}），前20名中占{t20}席，其中{first}排名全省第一（全国第{rank}位）",
                f"{prov}位列前10的是{top}，该省在二十强中共有{t20}席，领头的{first}居第{rank}位",
                f"{prov}以{first}（第{rank}位）领衔，{top}进入十强，二十强中该省有{t20}个城市",
            )
        elif t20:
            forms = (
                f"{prov}虽无城市进入前10，但有{t20}个城市进入前20强，省内居首的{first}列全国第{rank}位",
                f"{prov}未有城市跻身前10，前20名中占{t20}席，{first}排名全省第一（全国第{rank}位）",
                f"{prov}十强空缺，二十强中有{t20}个城市，领头的{first}居第{rank}位",
                f"{prov}以{first}（第{rank}位）领衔，二十强中该省有{t20}个城市",
            )
        else:
            forms = (
                f"{prov}尚无城市进入前20强，省内居首的{first}列全国第{rank}位",
                f"{prov}没有城市进入前20名，{first}排名全省第一（全国第{rank}位）",
                f"{prov}在二十强中暂无席位，领头的{first}居第{rank}位",
                f"{prov}以{first}（第{rank}位）领衔，但未有城市进入二十强",
            )
        out.append(forms[i % len(forms)] + "。")
    return "".join(out)


def _yuan(v: float) -> str:
    return f"{v / 10000:g}万元" if v >= 10000 and v % 1000 == 0 else f"{v:,.0f}元"


def stages_zh(rule: Any, counts: Mapping[str, int], variable: str, unclassified: str = "未分类") -> str:
    """方法 section's sentence on development stages, from the framework's rule and the run's counts: each
    stage's range, the transition bands, what an unclassified city gets, and the count of each group in
    stage order (it printed the YAML's own note, "人均GDP（元）划分发展阶段；70,000-90,000 …", then said
    the interpolation a second time, with the counts in dictionary order)."""
    names = [s.name_zh or s.id for s in rule.stages]
    bounds = [(float(lo), float(hi)) for lo, hi in rule.boundaries]
    ranges = []
    for k, name in enumerate(names):
        if k == 0:
            ranges.append(f"低于{_yuan(bounds[0][0])}为{name}")
        elif k == len(names) - 1:
            ranges.append(f"{_yuan(bounds[-1][1])}及以上为{name}")
        else:
            ranges.append(f"{_yuan(bounds[k - 1][1])}至{_yuan(bounds[k][0])}为{name}")
    text = f"发展阶段按{variable}划分：" + "，".join(ranges)
    bands = [(k, lo, hi) for k, (lo, hi) in enumerate(bounds) if hi > lo]
    if bands:
        text += "；" + "与".join(f"{_yuan(lo)}至{_yuan(hi)}" for _, lo, hi in bands)
        text += "为过渡带，维度权重在相邻两个阶段之间线性插值"
    fallback = next((s.name_zh or s.id for s in rule.stages if s.id == rule.fallback), None)
    if counts.get(unclassified) and fallback:
        text += f"；缺少{variable}数据的城市记为“{unclassified}”，采用{fallback}的权重"
    order = []
    for k, name in enumerate(names):
        order.append((name, name))
        if k < len(names) - 1:
            order.append((f"{name}→{names[k + 1]}", f"{name}至{names[k + 1]}过渡带"))
    order.append((unclassified, unclassified))
    listed = [f"{label}{counts[key]}个" for key, label in order if counts.get(key)]
    known = {key for key, _ in order}
    listed += [f"{key}{v}个" for key, v in counts.items() if key not in known and v]
    if listed:
        text += "。本年各组城市数为" + "、".join(listed)
    return text + "。"
