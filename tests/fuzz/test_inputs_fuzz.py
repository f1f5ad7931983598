"""The standing fuzz suite for user inputs: tables and frameworks drawn by hypothesis
(fixed seed: ``derandomize=True``, no example database) are fed to ``validate``, ``run`` and ``import``
in-process. Every outcome must be one of two: success (exit 0; ``run`` leaves a complete folder), or exit 2
with a message naming the input file and nothing written (no output folder, no leftovers, the workspace
unchanged). A traceback, exit 1 or a half-written folder fails the test.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from mfgindex.cli.main import app
from mfgindex.core import outdir
from mfgindex.core.framework import FormulaOp

pytestmark = [pytest.mark.fuzz, pytest.mark.slow]
cli = CliRunner()
FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    max_examples=int(os.environ.get("MFGINDEX_FUZZ_EXAMPLES", "25")),
)
SMALL_FRAMEWORK = {
    "id": "small",
    "top_n": 2,
    "methods": {"treat": "none", "normalise": "minmax", "aggregate": "arithmetic"},
    "variables": {"output": {"kind": "amount"}, "firms": {"kind": "count"}},
    "root": {"id": "index", "children": [{"id": "scale", "children": [{"id": "output"}, {"id": "firms"}]}]},
}

# -- tables ------------------------------------------------------------------------------------------------
CITIES = [
    "苏州市",
    "苏州",
    "320500",
    "无锡",
    "常州市",
    "南京",
    "北京市",
    "海南",
    "朝阳",
    "吉林",
    "Suzhou",
    "",
]
HOSTILE = ["=cmd|' /C calc'!A0", "@SUM(1)", "x" * 300, "\x00", "a,b", '"', "\n", "NULL", "-"]
NUMBERS = st.one_of(
    st.integers(-(10**6), 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(
        ["1e400", "9" * 400, "-0", "1,234.5", "１２３", "12%", "", " ", "NaN", "inf", "n/a", "—", "x"]
    ),
)
YEARS = st.one_of(
    st.integers(2015, 2023).map(str),
    st.sampled_from(["-2022", "1e20", "2022.0", "0", "99999", "二〇二二", ""]),
)
NAMES = st.one_of(st.sampled_from(CITIES), st.sampled_from(HOSTILE), st.text(max_size=12))


@st.composite
def tables(draw: st.DrawFn) -> tuple[bytes, str]:
    """A CSV in the wide (city, year, variables…) or long (city, year, variable, value) layout, with real,
    ambiguous, hostile and random names, odd numbers and years, in one of the encodings users send."""
    layout = draw(st.sampled_from(["wide", "long", "junk"]))
    n = draw(st.integers(0, 6))
    if layout == "wide":
        cols = [
            "city",
            "year",
            *draw(st.lists(st.sampled_from(["output", "firms", "gdp", "", "output"]), max_size=4)),
        ]
        rows = [[draw(NAMES), draw(YEARS), *(draw(NUMBERS) for _ in cols[2:])] for _ in range(n)]
    elif layout == "long":
        cols = ["city", "year", "variable", "value"]
        rows = [
            [draw(NAMES), draw(YEARS), draw(st.sampled_from(["output", "firms", "x"])), draw(NUMBERS)]
            for _ in range(n)
        ]
    else:
        width = draw(st.integers(1, 5))
        cols = [draw(NAMES) for _ in range(width)]
        rows = [
            [draw(st.one_of(NAMES, NUMBERS)) for _ in range(draw(st.integers(0, width + 2)))]
            for _ in range(n)
        ]
    text = "\n".join(",".join(c.replace("\n", " ") for c in row) for row in [cols, *rows]) + "\n"
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
    try:
        return text.encode(encoding), encoding
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass"), "utf-8"


def _tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _check(result: Result, name: str) -> None:
    """Exit 0, or exit 2 with a message naming ``name``; never a traceback."""
    assert result.exit_code in (0, 2), (result.exit_code, result.output[-2000:], result.exception)
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert name in result.output, result.output[-2000:]


@pytest.fixture(scope="module")
def small_framework(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fw") / "small.yaml"
    path.write_text(yaml.safe_dump(SMALL_FRAMEWORK, allow_unicode=True), encoding="utf-8")
    return path


@FUZZ
@given(table=tables())
def test_validate_and_run_on_fuzzed_tables(
    table: tuple[bytes, str], small_framework: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    work = tmp_path_factory.mktemp("t")
    data = work / "fuzzed.csv"
    data.write_bytes(table[0])
    r = cli.invoke(app, ["validate", "-f", str(small_framework), "-d", str(data)])
    _check(r, "fuzzed.csv")
    out = work / "out"
    r = cli.invoke(app, ["run", "-q", "-f", str(small_framework), "-d", str(data), "--out", str(out)])
    _check(r, "fuzzed.csv") if r.exit_code == 2 and "fuzzed.csv" in r.output else _check(r, "")
    if r.exit_code == 0:
        assert outdir.read_manifest(out) is not None and outdir._complete(out)
    else:
        assert not out.exists()
    assert sorted(p.name for p in work.iterdir()) == sorted(
        ["fuzzed.csv", *(["out"] if r.exit_code == 0 else [])]
    )


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("ws") / "ws"
    assert cli.invoke(app, ["init", str(ws)]).exit_code == 0
    return ws


@FUZZ
@given(table=tables())
def test_import_on_fuzzed_tables(
    table: tuple[bytes, str], workspace: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    data = tmp_path_factory.mktemp("i") / "fuzzed.csv"
    data.write_bytes(table[0])
    before = _tree(workspace)
    r = cli.invoke(app, ["import", "-w", str(workspace), str(data)])
    _check(r, "fuzzed.csv")
    if r.exit_code == 2:
        assert _tree(workspace) == before  # refused: the workspace is unchanged


# -- frameworks --------------------------------------------------------------------------------------------
WEIGHTS = st.one_of(
    st.none(),
    st.floats(0, 10),
    st.sampled_from([0, -1, 1e308, float("inf"), float("nan"), "high", True, [1], {"a": 1}]),
)
IDS = st.one_of(
    st.sampled_from(["a", "b", "output", "firms", "index", "scale"]), st.text(min_size=0, max_size=6)
)


@st.composite
def formula(draw: st.DrawFn) -> dict[str, Any]:
    op = draw(st.sampled_from([o.value for o in FormulaOp] + ["bogus"]))
    out: dict[str, Any] = {"op": op}
    for key in draw(
        st.lists(st.sampled_from(["num", "den", "args", "scale", "of"]), max_size=3, unique=True)
    ):
        out[key] = draw(
            st.one_of(
                st.sampled_from(["output", "firms", "nope"]),
                st.lists(st.sampled_from(["output", "firms"])),
                st.floats(),
            )
        )
    return out


def nodes(depth: int) -> st.SearchStrategy[dict[str, Any]]:
    leaf = st.fixed_dictionaries(
        {"id": IDS},
        optional={
            "weight": WEIGHTS,
            "variable": st.sampled_from(["output", "firms", "gdp"]),
            "formula": formula(),
            "direction": st.sampled_from([1, -1, 0, "up"]),
        },
    )
    if depth == 0:
        return leaf
    inner = st.fixed_dictionaries(
        {"id": IDS, "children": st.lists(nodes(depth - 1), min_size=0, max_size=3)},
        optional={"weight": WEIGHTS},
    )
    return st.one_of(leaf, inner)


@st.composite
def frameworks(draw: st.DrawFn) -> dict[str, Any]:
    doc = dict(SMALL_FRAMEWORK)
    doc["root"] = {
        "id": "index",
        "children": draw(st.lists(nodes(draw(st.integers(0, 4))), min_size=0, max_size=3)),
    }
    if draw(st.booleans()):
        doc["methods"] = {
            "treat": draw(st.sampled_from(["none", "winsorise", "zap"])),
            "normalise": draw(st.sampled_from(["minmax", "zscore", "rank", "bogus"])),
            "aggregate": draw(st.sampled_from(["arithmetic", "geometric", "harmonic", "bogus"])),
            "range": draw(st.one_of(st.just([0, 100]), st.lists(st.floats(), min_size=2, max_size=2))),
        }
    return doc


@pytest.fixture(scope="module")
def small_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("d") / "data.csv"
    path.write_text(
        "city,year,output,firms\n苏州市,2022,300,30\n无锡,2022,200,10\n常州,2022,100,20\n", "utf-8"
    )
    return path


@FUZZ
@given(doc=frameworks(), deep=st.integers(0, 3))
def test_validate_on_fuzzed_frameworks(
    doc: dict[str, Any], deep: int, small_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("f") / "fuzzed.yaml"
    if deep == 3:  # far too deep, as flow YAML (the 2,000-level case, smaller)
        node: dict[str, Any] = {"id": "leaf", "variable": "output"}
        for i in range(200):
            node = {"id": f"n{i}", "children": [node]}
        doc = {**doc, "root": node}
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, default_flow_style=deep == 3), encoding="utf-8")
    r = cli.invoke(app, ["validate", "-f", str(path), "-d", str(small_data)])
    _check(r, "fuzzed.yaml") if "fuzzed.yaml" in r.output or r.exit_code == 0 else _check(r, "data.csv")
