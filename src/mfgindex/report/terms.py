"""Chinese names of the methods, as a Chinese report prints them; the English term goes to the appendix.

One table per method family (the values of :mod:`mfgindex.core.methods`' enums) and a translator of the
labels that the robustness factors carry (``minmax[1,100]``, ``zscore(10,2)``), so that no English method word
reaches the Chinese prose.
"""

from __future__ import annotations

import re

NORMALISE = {
    "minmax": "极差标准化",
    "zscore": "Z分数标准化",
    "rank": "排序标准化",
    "prank": "百分位排序标准化",
    "efficacy": "功效系数法",
    "ratio": "基准比值法",
    "frontier": "前沿距离法",
}
AGGREGATE = {
    "arithmetic": "加权算术平均",
    "geometric": "加权几何平均",
    "harmonic": "加权调和平均",
    "topsis": "逼近理想解排序法（TOPSIS）",
}
IMPUTE = {
    "none": "不插补",
    "mean": "均值插补",
    "median": "中位数插补",
    "group_mean": "组内均值插补",
    "group_median": "组内中位数插补",
    "last_year": "上年值插补",
}
TREAT = {"none": "不处理异常值", "winsorise": "缩尾处理（偏度、峰度超限时），否则取对数"}

# English terms for the appendix's glossary: Chinese name → English term used in the literature.
ENGLISH = {
    **{v: f"{k} normalisation" for k, v in NORMALISE.items()},
    **{v: f"{k} mean" for k, v in AGGREGATE.items() if k != "topsis"},
    AGGREGATE["topsis"]: "TOPSIS",
    **{v: f"imputation: {k}" for k, v in IMPUTE.items()},
    TREAT["winsorise"]: "winsorisation / log transform (COINr rules)",
}
ENGLISH.update(
    {
        NORMALISE["minmax"]: "min-max normalisation",
        NORMALISE["zscore"]: "z-score normalisation",
        NORMALISE["prank"]: "percentile-rank normalisation",
        NORMALISE["efficacy"]: "efficacy coefficient method",
        NORMALISE["ratio"]: "ratio to benchmark",
        NORMALISE["frontier"]: "distance to frontier",
    }
)

_LABEL = re.compile(r"^(?P<name>[a-z_]+)(?:[\[(](?P<a>[-\d.]+),\s*(?P<b>[-\d.]+)[\])])?$")


def method_zh(name: str) -> str:
    """The Chinese name of a normalisation, aggregation, imputation or treatment method id."""
    for table in (NORMALISE, AGGREGATE, IMPUTE, TREAT):
        if name in table:
            return table[name]
    return name


def label_zh(label: str) -> str:
    """A robustness factor's label in Chinese: ``minmax[1,100]`` → ``极差标准化（1–100分）``,
    ``zscore(10,2)`` → ``Z分数标准化（均值10、标准差2）``, ``arithmetic`` → ``加权算术平均``; other labels
    (numbers such as a winsorisation limit) are returned as they are."""
    m = _LABEL.match(str(label).strip())
    if not m:
        return str(label)
    name, a, b = m["name"], m["a"], m["b"]
    zh = method_zh(name)
    if a is None:
        return zh
    if name == "zscore":
        return f"{zh}（均值{a}、标准差{b}）"
    return f"{zh}（{a}–{b}分）"
