"""The one catalogue of data sources (report/sources.py), which the report, the workbook and the dashboard
(web/labels.py) all cite from: every family names shipped files that exist, every source string of the
default framework and every input file of the default run has a family, and the dashboard's label is the
report's."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from mfgindex.core.framework import Framework
from mfgindex.core.result import Result
from mfgindex.report import sources
from mfgindex.web.labels import source_label

DATA = resources.files("mfgindex") / "data"


def test_the_files_of_the_default_framework_s_families_are_shipped(default_framework: Framework) -> None:
    used = sources.families(i.source for i in default_framework.indicators() if i.source)
    assert used
    for entry in used:
        for f in entry.files:
            assert (DATA / f.rstrip("/")).is_file() or (DATA / f.rstrip("/")).is_dir(), (entry.key, f)


def test_every_source_and_input_file_has_a_family(
    default_framework: Framework, default_result: Result
) -> None:
    for ind in default_framework.indicators():
        for part in (ind.source or "").split(";"):
            if part.strip():
                assert sources.lookup(part) is not None, part
    inputs = default_result.provenance["inputs"]
    assert inputs
    for path in inputs:
        assert sources.lookup(path) is not None, path


@pytest.mark.parametrize(
    ("source", "zh"),
    [
        # the population file and the GDP file cite the same yearbooks: one citation, its note kept
        (
            "city_stats/city_gdp_structure; city_stats/city_population (土地面积)",
            "各省市统计年鉴、国民经济和社会发展统计公报（土地面积；第三方整理）",
        ),
        # a note the publication already names is not repeated (no "（郭峰等，2020）（郭峰等 2020）")
        ("innovation_digital/PKU-DFIIC (郭峰等 2020)", "北京大学数字普惠金融指数（郭峰等，2020）"),
        (
            "mfgindex/data/enterprise_lists/green_factories_batches1-6_2017-2021.csv",
            "工业和信息化部公布的绿色制造名单（第三方整理，按城市匹配）",
        ),
        ("my_survey/own_file", "my_survey/own_file"),
    ],
)
def test_label(source: str, zh: str) -> None:
    assert sources.label(source) == zh
    assert source_label(source, "zh") == zh  # the dashboard's label is the catalogue's


def test_labels_have_no_nested_brackets_or_paths(default_framework: Framework) -> None:
    for ind in default_framework.indicators():
        text = sources.label(ind.source)
        assert not re.search(r"（[^（）]*（", text.replace("（郭峰等，2020）", "")), text
        assert "/" not in text and "_" not in text, text
        assert sources.label(ind.source, "en").isascii()
