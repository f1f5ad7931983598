"""Chinese names of the data sources for the dashboard: the original publication and who compiled the file,
instead of the packaged file's path (``city_stats/city_gdp_structure`` → 各省市统计年鉴、统计公报
（第三方整理）)."""

from __future__ import annotations

import re

# packaged file (folder/stem, without the year suffix) → (Chinese, English)
SOURCES: dict[str, tuple[str, str]] = {
    "city_stats/city_gdp_structure": (
        "各省市统计年鉴、统计公报（第三方整理）",
        "provincial and city yearbooks (compiled by a third party)",
    ),
    "city_stats/city_gdp_index": (
        "各省市统计年鉴：地区生产总值指数（第三方整理）",
        "yearbooks: GDP index (compiled by a third party)",
    ),
    "city_stats/city_population": (
        "各省市统计年鉴：常住人口与土地面积（第三方整理）",
        "yearbooks: population and land area (third party)",
    ),
    "city_stats/city_co2_edgar": (
        "欧盟EDGAR v8.0网格化二氧化碳排放（按城市汇总）",
        "EDGAR v8.0 gridded CO2, summed by city",
    ),
    "city_stats/city_fdi": (
        "各省市统计年鉴：实际利用外资（第三方整理）",
        "yearbooks: foreign direct investment (third party)",
    ),
    "enterprise_lists/green_factories": ("工业和信息化部公布的绿色工厂名单", "MIIT green factory lists"),
    "enterprise_lists/green_industrial_parks": (
        "工业和信息化部公布的绿色工业园区名单",
        "MIIT green industrial park lists",
    ),
    "enterprise_lists/green_supply_chain_enterprises": (
        "工业和信息化部公布的绿色供应链管理示范企业名单",
        "MIIT green supply-chain enterprise lists",
    ),
    "enterprise_lists/listed_companies_cn": (
        "A股上市公司名录（2022年3月，第三方整理）",
        "A-share listed companies (Mar 2022, third party)",
    ),
    "innovation_digital/PKU-DFIIC": (
        "北京大学数字普惠金融指数（郭峰等，2020）",
        "Peking University Digital Financial Inclusion Index",
    ),
    "innovation_digital/city_digital_financial_inclusion_pku": (
        "北京大学数字普惠金融指数（郭峰等，2020）",
        "Peking University Digital Financial Inclusion Index",
    ),
    "national_lists/advanced_mfg_clusters": (
        "工业和信息化部国家先进制造业集群名单（部分）",
        "MIIT national advanced manufacturing clusters (partial)",
    ),
    "national_lists/manufacturing_innovation_centers": (
        "工业和信息化部国家制造业创新中心名单",
        "MIIT national manufacturing innovation centres",
    ),
    "caict2023": (
        "中国信息通信研究院《城市制造业高质量发展评价研究报告（2023年）》",
        "CAICT city manufacturing report 2023",
    ),
    "enterprise_lists/manufacturing_sectors": (
        "制造业行业归类（本项目按行业名称判断）",
        "manufacturing sector mapping (judged here)",
    ),
    "admin_divisions": ("民政部行政区划代码", "administrative division codes"),
    "urban_agglomerations": ("国务院批复的城市群规划", "State Council city-cluster plans"),
    "asem": ("ASEM数据集", "ASEM dataset"),
}
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SUFFIX = re.compile(r"(_partial|_\d{4}(-\d{2})?(_\d{4})?|_batches[\w-]*)+$")


def _key(path: str) -> str | None:
    p = path.strip().removeprefix("mfgindex/data/").removesuffix(".csv")
    for candidate in (p, _SUFFIX.sub("", p)):
        for key in SOURCES:
            if candidate == key or candidate.startswith(key):
                return key
    return None


def source_label(text: str | None, lang: str = "zh") -> str:
    """A source cell (``folder/file (note); folder/file``) in words; Chinese notes in brackets are kept,
    an unknown part is left as given."""
    if not text:
        return ""
    out: list[str] = []
    for part in str(text).split(";"):
        head, _, note = part.strip().partition(" (")
        note = note.rstrip(")")
        key = _key(head)
        if key is None:
            label = part.strip()
        else:
            label = SOURCES[key][0 if lang == "zh" else 1]
            if note and _CJK.search(note) and "郭峰" not in note and note not in label:
                label += f"（{note}）" if lang == "zh" else f" ({note})"
        if label not in out:
            out.append(label)
    return "；".join(out) if lang == "zh" else "; ".join(out)
