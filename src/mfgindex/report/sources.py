"""Where the report's numbers come from, cited as a Chinese report cites them.

Each shipped data family is cited by its original publication and by who compiled the file we ship
(``原始出处《中国城市统计年鉴》，第三方整理``); the file itself goes to a footnote, never into the prose.
:func:`cite` turns the ``source`` strings of a framework's indicators (``city_stats/city_gdp_structure``)
into that citation; :data:`BY_ELEMENT` says which data each figure and table of the report is computed from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    """One data family: the original publication, who compiled the shipped file, the files."""

    key: str
    original_zh: str
    compiler_zh: str
    files: tuple[str, ...]

    @property
    def zh(self) -> str:
        return f"{self.original_zh}（{self.compiler_zh}）" if self.compiler_zh else self.original_zh


# Longest key first when matching: "city_stats/city_co2" before "city_stats".
CATALOGUE: tuple[Source, ...] = (
    Source(
        "city_stats/city_co2",
        "欧盟联合研究中心EDGAR v8.0排放数据库",
        "第三方按城市边界汇总",
        ("city_stats/city_co2_edgar_2000_2023.csv",),
    ),
    Source(
        "city_stats/city_population",
        "各省市统计年鉴、统计公报",
        "第三方整理",
        ("city_stats/city_population_2010_2024.csv",),
    ),
    Source(
        "city_stats/city_fdi",
        "各省市统计年鉴、统计公报",
        "第三方整理",
        ("city_stats/city_fdi_1996_2023.csv",),
    ),
    Source(
        "city_stats",
        "各省市统计年鉴、国民经济和社会发展统计公报",
        "第三方整理",
        ("city_stats/city_gdp_structure_2000_2023.csv", "city_stats/city_gdp_index_2000_2023.csv"),
    ),
    Source(
        "innovation_digital/PKU-DFIIC",
        "北京大学数字普惠金融指数（郭峰等，2020）",
        "",
        ("innovation_digital/city_digital_financial_inclusion_pku_2011_2023.csv",),
    ),
    Source(
        "innovation_digital/city_patents",
        "按申请人所在城市汇总的公开专利记录",
        "第三方整理",
        ("innovation_digital/city_patents_2019_2024.csv",),
    ),
    Source(
        "innovation_digital/city_fiscal_sci_tech",
        "《中国城市统计年鉴》地方一般公共预算收支表",
        "第三方整理",
        ("innovation_digital/city_fiscal_sci_tech_expenditure_2015_2023.csv",),
    ),
    Source(
        "enterprise_lists/listed_companies",
        "沪深交易所A股上市公司名录",
        "第三方整理，注册地口径",
        ("enterprise_lists/listed_companies_cn_2022-03.csv",),
    ),
    Source(
        "enterprise_lists",
        "工业和信息化部公布的绿色制造名单",
        "第三方整理，本报告匹配到城市",
        (
            "enterprise_lists/green_factories_batches1-6_2017-2021.csv",
            "enterprise_lists/green_industrial_parks_batches1-6_2017-2021.csv",
            "enterprise_lists/green_supply_chain_enterprises_batches1-6_2017-2021.csv",
        ),
    ),
    Source(
        "national_lists",
        "工业和信息化部公布名单",
        "据公开报道整理",
        (
            "national_lists/manufacturing_innovation_centers_2022.csv",
            "national_lists/advanced_mfg_clusters.csv",
        ),
    ),
    Source(
        "caict2023",
        "中国信息通信研究院《城市制造业高质量发展评价研究报告（2023年）》",
        "",
        ("caict2023/",),
    ),
    Source("admin_divisions", "国家统计局统计用区划代码（2022年）", "第三方整理", ("admin_divisions/",)),
)

COMPUTED = "本报告测算"


def lookup(source: str) -> Source | None:
    """The catalogue entry of an indicator's ``source`` string (the longest matching key), if any."""
    s = source.strip()
    for entry in sorted(CATALOGUE, key=lambda e: -len(e.key)):
        if s.startswith(entry.key):
            return entry
    return None


def families(sources: Iterable[str]) -> list[Source]:
    """The distinct catalogue entries behind ``;``-separated source strings, in first-seen order."""
    seen: dict[str, Source] = {}
    for text in sources:
        for part in str(text).split(";"):
            entry = lookup(part)
            if entry is not None:
                seen.setdefault(entry.key, entry)
    return list(seen.values())


def cite(sources: Iterable[str], computed: bool = True) -> str:
    """``本报告根据A、B测算`` (or just the publications when nothing was computed)."""
    names = list(dict.fromkeys(e.zh for e in families(sources)))
    if not names:
        return COMPUTED
    joined = "；".join(names)
    return f"本报告根据{joined}测算" if computed else joined


def files(sources: Iterable[str]) -> list[str]:
    """The shipped files behind the sources (for the footnote)."""
    return list(dict.fromkeys(f for e in families(sources) for f in e.files))
