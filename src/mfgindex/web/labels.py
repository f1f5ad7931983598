"""Chinese names of the data sources for the dashboard: the report's one catalogue
(:mod:`mfgindex.report.sources`) instead of the packaged file's path (``city_stats/city_gdp_structure`` →
各省市统计年鉴、国民经济和社会发展统计公报（第三方整理）)."""

from __future__ import annotations

from mfgindex.report import sources


def source_label(text: str | None, lang: str = "zh") -> str:
    """A source cell (``folder/file (note); folder/file``) or a shipped file's path in words; an unknown part
    is left as given."""
    return sources.label(text, lang)
