"""Where the numbers come from, cited as a Chinese report cites them — the one catalogue of data sources for
the report, the workbook and the dashboard.

Each shipped data family is cited by its original publication and by who compiled the file we ship
(``原始出处《中国城市统计年鉴》，第三方整理``); the file itself goes to a footnote, never into the prose.
:func:`lookup` finds the family of an indicator's ``source`` string (``city_stats/city_gdp_structure``) or
of a shipped file (``mfgindex/data/city_stats/city_gdp_structure_2000_2023.csv``); :func:`cite` turns the
sources of a figure into the report's citation, :func:`label` one indicator's source into a table cell or a
dashboard line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_CJK = re.compile(r"[\u4e00-\u9fff]")
YEARBOOKS_ZH = "各省市统计年鉴、国民经济和社会发展统计公报"
YEARBOOKS_EN = "provincial and city statistical yearbooks and bulletins"


@dataclass(frozen=True)
class Source:
    """One data family: the original publication, who compiled the shipped file (Chinese and English), the
    shipped files (paths under ``mfgindex/data``; a path ending in ``/`` is a folder)."""

    key: str
    original_zh: str
    compiler_zh: str
    files: tuple[str, ...]
    original_en: str = ""
    compiler_en: str = ""

    @property
    def zh(self) -> str:
        return f"{self.original_zh}（{self.compiler_zh}）" if self.compiler_zh else self.original_zh

    @property
    def en(self) -> str:
        name = self.original_en or self.key
        return f"{name} ({self.compiler_en})" if self.compiler_en else name


# Longest key first when matching: "city_stats/city_co2" before "city_stats".
CATALOGUE: tuple[Source, ...] = (
    Source(
        "city_stats/city_co2",
        "欧盟联合研究中心EDGAR v8.0排放数据库",
        "第三方按城市边界汇总",
        ("city_stats/city_co2_edgar_2000_2023.csv",),
        "EU JRC EDGAR v8.0 emissions database",
        "summed over city boundaries by a third party",
    ),
    Source(
        "city_stats/city_population",
        YEARBOOKS_ZH,
        "第三方整理",
        ("city_stats/city_population_2010_2024.csv",),
        YEARBOOKS_EN,
        "compiled by a third party",
    ),
    Source(
        "city_stats/city_fdi",
        YEARBOOKS_ZH,
        "第三方整理",
        ("city_stats/city_fdi_1996_2023.csv", "city_stats/city_fdi_usd_cny_rate_2007_2023.csv"),
        YEARBOOKS_EN,
        "compiled by a third party",
    ),
    Source(
        "city_stats",
        YEARBOOKS_ZH,
        "第三方整理",
        (
            "city_stats/city_gdp_structure_2000_2023.csv",
            "city_stats/city_gdp_index_2000_2023.csv",
            "city_stats/corrections_2026-12-01.csv",
        ),
        YEARBOOKS_EN,
        "compiled by a third party",
    ),
    Source(
        "innovation_digital/PKU-DFIIC",
        "北京大学数字普惠金融指数（郭峰等，2020）",
        "",
        ("innovation_digital/city_digital_financial_inclusion_pku_2011_2023.csv",),
        "Peking University Digital Financial Inclusion Index (Guo et al., 2020)",
    ),
    Source(
        "innovation_digital/city_patents",
        "按申请人所在城市汇总的公开专利记录",
        "第三方整理",
        ("innovation_digital/city_patents_2019_2024.csv",),
        "published patent records summed by the applicant's city",
        "compiled by a third party",
    ),
    Source(
        "innovation_digital/city_fiscal_sci_tech",
        "《中国城市统计年鉴》地方一般公共预算收支表",
        "第三方整理",
        ("innovation_digital/city_fiscal_sci_tech_expenditure_2015_2023.csv",),
        "China City Statistical Yearbook, local general public budget",
        "compiled by a third party",
    ),
    Source(
        "enterprise_lists/listed_companies",
        "沪深交易所A股上市公司名录",
        "第三方整理，注册地口径",
        ("enterprise_lists/listed_companies_cn_2022-03.csv",),
        "A-share listed companies of the Shanghai and Shenzhen exchanges",
        "compiled by a third party, by registered seat",
    ),
    Source(
        "enterprise_lists/manufacturing_sectors",
        "上市公司名录的行业标签",
        "本项目按行业名称归入制造业，国民经济行业分类门类C",
        ("enterprise_lists/manufacturing_sectors.csv",),
        "industry labels of the listed-company list",
        "manufacturing (GB/T 4754 section C) judged here from the label names",
    ),
    Source(
        "enterprise_lists",
        "工业和信息化部公布的绿色制造名单",
        "第三方整理，按城市匹配",
        (
            "enterprise_lists/green_factories_batches1-6_2017-2021.csv",
            "enterprise_lists/green_industrial_parks_batches1-6_2017-2021.csv",
            "enterprise_lists/green_supply_chain_enterprises_batches1-6_2017-2021.csv",
        ),
        "MIIT green manufacturing lists",
        "compiled by a third party, matched to cities",
    ),
    Source(
        "national_lists",
        "工业和信息化部公布名单",
        "据公开报道整理",
        (
            "national_lists/manufacturing_innovation_centers_2022.csv",
            "national_lists/advanced_mfg_clusters_partial.csv",
        ),
        "MIIT national lists",
        "compiled from public reports",
    ),
    Source(
        "caict2023",
        "中国信息通信研究院《城市制造业高质量发展评价研究报告（2023年）》",
        "",
        ("caict2023/",),
        "CAICT, city manufacturing high-quality development report 2023",
    ),
    Source(
        "admin_divisions",
        "国家统计局统计用区划代码（2022年）",
        "第三方整理",
        ("admin_divisions/",),
        "NBS statistical division codes (2022)",
        "compiled by a third party",
    ),
    Source(
        "urban_agglomerations",
        "国务院批复的城市群发展规划",
        "本项目整理",
        ("urban_agglomerations/",),
        "city-cluster plans approved by the State Council",
        "compiled here",
    ),
    Source("asem", "COINr示例数据（ASEM可持续连通性指数）", "", ("asem/",), "COINr's ASEM example data"),
)

COMPUTED = "本报告测算"


def _bare(text: str) -> str:
    return re.sub(r"[\s，,、（）()]", "", text)


def _path(source: str) -> str:
    return source.strip().replace("\\", "/").split("mfgindex/data/", 1)[-1]


def lookup(source: str) -> Source | None:
    """The catalogue entry of an indicator's ``source`` string (the longest matching key) or of a shipped
    file's path, if any."""
    s = _path(source)
    for entry in sorted(CATALOGUE, key=lambda e: -len(e.key)):
        if s.startswith(entry.key):
            return entry
    for entry in CATALOGUE:
        if any(s == f or (f.endswith("/") and s.startswith(f)) for f in entry.files):
            return entry
    return None


def label(source: str | None, lang: str = "zh") -> str:
    """One source cell in words (``city_stats/city_gdp_structure; enterprise_lists/green_factories (第1-6批)``
    → ``各省市统计年鉴、国民经济和社会发展统计公报（第三方整理）；工业和信息化部公布的绿色制造名单（第1-6批；
    第三方整理，按城市匹配）``): each family once, a Chinese note of the source string kept, a part that is no
    shipped family left as given."""
    if not source:
        return ""
    found: dict[str, tuple[Source | None, list[str]]] = {}
    for part in str(source).split(";"):
        head, _, note = part.strip().partition(" (")
        entry = lookup(head)
        # families citing the same publication and compiler are one (population and GDP: the yearbooks)
        key = part.strip() if entry is None else entry.zh
        notes = found.setdefault(key, (entry, []))[1]
        note = note.rstrip(")")
        if entry is not None and _CJK.search(note) and _bare(note) not in _bare(entry.original_zh):
            notes.append(note)
    out: list[str] = []
    for key, (entry, notes) in found.items():
        if entry is None:
            text = key
        elif lang != "zh":
            text = entry.en
        else:
            extra = [*notes, entry.compiler_zh] if entry.compiler_zh else notes
            text = entry.original_zh + (f"（{'；'.join(extra)}）" if extra else "")
        if text and text not in out:
            out.append(text)
    return ("；" if lang == "zh" else "; ").join(out)


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
