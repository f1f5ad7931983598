"""Chinese text of the findings (templated sentences in the style of the seed report's 二(一)-(二))."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from mfgindex.analysis.distribution import CityRef
from mfgindex.analysis.summary import RankingAnalysis
from mfgindex.core import geo

_CN_DIGITS = "零一二三四五六七八九十"


def names(refs: Iterable[CityRef], sep: str = "、") -> str:
    """苏州市、深圳市、无锡市."""
    return sep.join(r.name for r in refs)


def pct(x: float, digits: int = 1) -> str:
    """0.72 → 72%, 0.388 → 38.8%."""
    v = round(x * 100, digits)
    return f"{v:.0f}%" if v == int(v) else f"{v:.{digits}f}%"


def _join_counts(items: list[tuple[str, int]]) -> tuple[str, str]:
    return "、".join(k for k, _ in items), "、".join(f"{v}个" for _, v in items)


def region_paragraph(a: RankingAnalysis) -> str:
    """二(一) first paragraph: the four regions."""
    n = a.top_n
    listed = [r for r in a.regions if r.topN > 0]
    order = "-".join(r.region.replace("地区", "") for r in sorted(listed, key=lambda r: -r.topN))
    parts: list[str] = []
    head = "各区域均有城市入围" if len(listed) == len(a.regions) else f"{len(listed)}个区域有城市入围"
    parts.append(f"从四大区域来看，{head}{n}强城市，整体呈现“{order}”的分布格局。")
    for r in a.regions:
        if r.topN == 0:
            parts.append(f"{r.region}地区暂无城市入围。")
            continue
        s = (
            f"{r.region}地区共计{r.topN}个城市入围，占{r.region}{r.units_in_region}个地级行政区的{pct(r.share_of_units)}，"
            f"前10名中占据{r.top10}个席位，前20名占{r.top20}个席位"
        )
        if r.new:
            s += f"，其中新入围{r.new}个"
        if r.previous_topN is not None:
            diff = r.topN - r.previous_topN
            s += "，与上年持平" if diff == 0 else f"，较上年{'增加' if diff > 0 else '减少'}{abs(diff)}个"
        best = r.best
        if best is not None:
            s += f"；{best.name}排名最高，位列第{best.rank}位"
        provs = sorted(set(_provinces_of(a, r.cities)))
        if r.topN > 1 and len(provs) == 1:
            s += f"，入围城市均位于{geo.provinces()['name'].to_dict()[provs[0]]}"
        parts.append(s + "。")
    return "".join(parts)


def _provinces_of(a: RankingAnalysis, refs: Iterable[CityRef]) -> list[str]:
    codes = {r.code for r in refs}
    return [p.province for p in a.provinces.provinces for c in p.cities if c.code in codes]


def cluster_paragraph(a: RankingAnalysis) -> str:
    """二(一): distribution by 城市群."""
    c = a.clusters
    n = a.top_n
    major = [x for x in c.clusters if x.cluster in c.major]
    text = f"从城市群看（城市群范围：{c.definition_zh}），"
    if major:
        k, v = _join_counts([(x.cluster, x.count) for x in major])
        text += (
            f"{n}强城市主要分布在{k}，分别有{v}城市入围，累计达{c.major_total}个，"
            f"占全部{n}强的比重达{pct(c.major_share)}。"
        )
    others = [x for x in c.clusters if x.cluster not in c.major]
    if others:
        text += "此外，" + "，".join(f"{x.cluster}{x.count}个（{names(x.cities)}）" for x in others) + "。"
    if c.outside:
        text += f"{names(c.outside)}不在所用定义的城市群范围内。"
    for x in major:
        bits = []
        if x.top10:
            bits.append(f"{names([r for r in x.cities if r.rank <= 10])}入围前10")
        t20 = [r for r in x.cities if 10 < r.rank <= 20]
        if t20:
            bits.append(f"{names(t20)}入围前20")
        if bits:
            text += (
                f"{x.cluster}{x.count}个入围城市中，{'，'.join(bits)}，占前10强、前20强的比重分别为"
                f"{pct(x.share_of_top10)}和{pct(x.share_of_top20)}。"
            )
    return text


def province_paragraph(a: RankingAnalysis) -> str:
    """二(一): distribution by province."""
    p = a.provinces
    n = a.top_n
    text = f"从省份分布看，{n}强城市分布在全国{len(p.provinces)}个省份"
    if p.unlisted:
        shown = "、".join(p.unlisted[:2])
        text += f"，{shown}等{len(p.unlisted)}个省份（不含直辖市）尚未有城市入围"
    text += "。"
    lead = p.provinces[:4]
    k, v = _join_counts([(x.province, x.count) for x in lead])
    text += f"{k}{n}强城市数量居全国前{_CN_DIGITS[len(lead)]}，分别有{v}城市入围。"
    for x in lead:
        t10 = [c for c in x.cities if c.rank <= 10]
        s = f"{x.province}"
        if t10:
            s += f"{names(t10)}占据前10强的{len(t10)}个席位，"
        s += (
            f"{x.top20}个城市进入前20强，省内排名第一的是{x.first_city.name}（全国第{x.first_city.rank}位）。"
        )
        text += s
    return text


def change_paragraph(a: RankingAnalysis) -> str:
    """二(一): two-year comparison by province and the risers."""
    ch = a.changes
    p = a.provinces
    text = "从两年对比看，"
    new_by_prov = [
        (x.province, [c for c in x.cities if c.code in {r.code for r in ch.new_entries}]) for x in p.provinces
    ]
    new_by_prov = [(k, v) for k, v in new_by_prov if v]
    if new_by_prov:
        text += "、".join(f"{k}（{names(v)}）" for k, v in new_by_prov) + "有城市新上榜"
        text += f"，共{len(ch.new_entries)}个。"
    else:
        text += "无新上榜城市。"
    all_up = [x.province for x in p.provinces if x.all_improved]
    if all_up:
        text += f"{'、'.join(all_up)}入围城市均实现位次提升（含新上榜）。"
    maj = [x.province for x in p.provinces if x.majority_improved and not x.all_improved]
    if maj:
        text += f"{'、'.join(maj)}超过半数的入围城市较上年名次有所进步。"
    if ch.up or ch.down or ch.same:
        text += f"{a.top_n}强中，{len(ch.up)}个城市排名上升，{len(ch.same)}个持平，{len(ch.down)}个下降。"
    if ch.risers is not None:
        text += (
            f"进步最快的城市（排名提升至少{ch.min_gain}位{'，含新上榜' if ch.include_new else ''}）"
            f"为{names(ch.risers)}。"
        )
    return text


def capital_paragraph(a: RankingAnalysis) -> str:
    """二(二): provincial capitals and 首位度."""
    c = a.capitals
    firsts = [e for e in c.capitals if e.first_in_province]
    text = (
        f"省会城市方面，{c.provinces_in_list}个省份中共有{c.capitals_in_list}个省会城市入围{a.top_n}强，"
        f"其中{'、'.join(e.name for e in firsts)}{len(firsts)}个城市排名本省第一"
    )
    others = [e for e in c.capitals if not e.first_in_province]
    if others:
        text += (
            "；" + "、".join(f"{e.name}（{e.province}第{e.province_rank}）" for e in others) + "未居本省首位"
        )
    if c.missing:
        text += f"；{'、'.join(c.missing)}未入围"
    text += "。"
    if any(e.primacy is not None for e in c.capitals):
        text += (
            f"{'、'.join(c.above_threshold)}{len(c.above_threshold)}个城市工业经济首位度"
            f"（城市工业增加值占本省工业增加值比重）超{pct(c.primacy_threshold)}。"
        )
    return text


def top10_paragraph(a: RankingAnalysis) -> str:
    """二: the top 10 and the new entries."""
    text = f"全国十强城市分别是{names(a.top10)}"
    if a.changes.new_entries:
        text += f"，{names(a.changes.new_entries)}首次入围{a.top_n}强"
    return text + "。"


def subindex_paragraph(
    top10: Mapping[str, tuple[CityRef, ...]], labels: Mapping[str, str] | None = None
) -> str:
    """二(三)-(六): the top 10 of every sub-index."""
    labels = labels or {}
    return "".join(f"{labels.get(k, k)}前10强城市为{names(v)}。" for k, v in top10.items() if v)


def markdown(a: RankingAnalysis, title: str = "榜单分析", source: str = "") -> str:
    """The whole ``analysis.md`` document."""
    lines = [f"# {title}", ""]
    if source:
        lines += [f"数据来源：{source}", ""]
    lines += ["## 总体情况", "", top10_paragraph(a), ""]
    lines += ["## 区域分布", "", region_paragraph(a), ""]
    lines += [
        f"| 区域 | 前10 | 前20 | 前{a.top_n} | 占区域地级行政区比重 |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in a.regions:
        lines.append(f"| {r.region} | {r.top10} | {r.top20} | {r.topN} | {r.share_of_units * 100:.1f}% |")
    lines += ["", "## 城市群分布", "", cluster_paragraph(a), ""]
    lines += ["| 城市群 | 入围数 | 前10 | 前20 | 入围城市 |", "|---|---:|---:|---:|---|"]
    for c in a.clusters.clusters:
        lines.append(f"| {c.cluster} | {c.count} | {c.top10} | {c.top20} | {names(c.cities)} |")
    lines += ["", "## 省份分布", "", province_paragraph(a), ""]
    lines += [
        "| 省份 | 入围数 | 前10 | 前20 | 省内第一 | 上升 | 持平 | 下降 | 新增 |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for p in a.provinces.provinces:
        lines.append(
            f"| {p.province} | {p.count} | {p.top10} | {p.top20} "
            f"| {p.first_city.name}（{p.first_city.rank}） | {p.up} | {p.same} | {p.down} | {p.new} |"
        )
    lines += ["", "## 两年对比", "", change_paragraph(a), ""]
    lines += ["## 省会城市", "", capital_paragraph(a), ""]
    if any(e.primacy is not None for e in a.capitals.capitals):
        lines += ["| 区域 | 省会城市 | 全国排名 | 省内排名 | 工业经济首位度 |", "|---|---|---:|---:|---:|"]
        for e in sorted(a.capitals.capitals, key=lambda e: -(e.primacy or 0)):
            pv = "—" if e.primacy is None else f"{e.primacy * 100:.1f}%"
            lines.append(f"| {e.region} | {e.name} | {e.rank} | {e.province_rank or '—'} | {pv} |")
        lines.append("")
    if a.subindex_top10:
        lines += ["## 分项指数前10强", "", subindex_paragraph(a.subindex_top10), ""]
    return "\n".join(lines).rstrip() + "\n"
