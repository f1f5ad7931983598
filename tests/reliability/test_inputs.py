"""Bounded YAML and frameworks (size, depth, aliases; finite numbers, tree depth).

Each case is a described attack: the 377-byte alias bomb (the "billion laughs" file, nine
levels of nine references), a 1 KB framework bomb, a framework nested 2,000 levels, a weight of ``.inf``.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from mfgindex.cli.main import app
from mfgindex.core import framework, safeyaml
from mfgindex.core.errors import UserError

cli = CliRunner()

# the classic billion-laughs YAML (377 bytes with the usual spacing): 9**9 "lol" strings once expanded
BOMB = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
    "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
)


def _framework_bomb() -> str:
    """A framework whose root's children refer to anchors nine deep (about 1 KB)."""
    lines = ["id: bomb", "root:", "  id: r", "  children: &c0"]
    lines += [f"    - {{id: x{i}, variable: gdp}}" for i in range(9)]
    for level in range(1, 9):
        lines.append(f"extra{level}: &c{level} [" + ",".join([f"*c{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _measure(fn: Callable[[], object]) -> tuple[float, int, UserError]:
    """Seconds and peak traced memory until ``fn`` raises its ``UserError``."""
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        with pytest.raises(UserError) as info:
            fn()
    finally:
        seconds = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return seconds, peak, info.value


def test_alias_bomb_is_refused_in_under_a_second_and_100_mb() -> None:
    assert 330 <= len(BOMB) <= 400
    seconds, peak, error = _measure(lambda: safeyaml.load_yaml(BOMB, "map.yaml"))
    assert seconds < 1 and peak < 100e6
    assert "YAML bomb" in str(error) and "map.yaml" in str(error)
    assert len(str(error)) < 300  # one short message, not 663 MB of text


def test_alias_bomb_as_map_on_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(BOMB, encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("city,year,gdp\n苏州,2022,1\n", encoding="utf-8")
    r = cli.invoke(app, ["init", str(tmp_path / "ws")])
    assert r.exit_code == 0, r.output
    t0 = time.perf_counter()
    r = cli.invoke(app, ["import", "-w", str(tmp_path / "ws"), str(data), "--map", str(path)])
    assert r.exit_code == 2 and "map.yaml" in r.output and "YAML bomb" in r.output
    assert time.perf_counter() - t0 < 5 and len(r.output) < 1000


def test_framework_bomb_is_refused(tmp_path: Path) -> None:
    text = _framework_bomb()
    assert len(text) < 1100
    path = tmp_path / "fw.yaml"
    path.write_text(text, encoding="utf-8")
    seconds, peak, _ = _measure(lambda: framework.load(path))
    assert seconds < 1 and peak < 100e6
    r = cli.invoke(app, ["validate", "--framework", str(path)])
    assert r.exit_code == 2 and "fw.yaml" in r.output and "YAML bomb" in r.output


@pytest.mark.parametrize("style", ["flow", "block"])
def test_yaml_nested_2000_levels_is_refused_with_a_message(tmp_path: Path, style: str) -> None:
    if style == "flow":
        text = "id: deep\nroot: " + "{id: a, children: [" * 2000 + "{id: z, variable: gdp}" + "]}" * 2000
    else:
        text = "id: deep\nroot:\n" + "".join("  " * i + "  - children:\n" for i in range(2000))
    path = tmp_path / "deep.yaml"
    path.write_text(text, encoding="utf-8")
    t0 = time.perf_counter()
    r = cli.invoke(app, ["validate", "--framework", str(path)])
    assert time.perf_counter() - t0 < 5
    assert r.exit_code == 2 and "deep.yaml" in r.output, r.output
    assert "RecursionError" not in r.output and "Traceback" not in r.output
    assert "levels deep" in r.output or "larger than" in r.output


def test_framework_dict_nested_2000_levels_is_refused() -> None:
    node: dict[str, object] = {"id": "leaf", "variable": "gdp"}
    for i in range(2000):
        node = {"id": f"n{i}", "children": [node]}
    with pytest.raises(UserError, match="nested more than 20 levels"):
        framework.from_dict({"id": "deep", "root": node}, "deep.json")


def test_imeta_chain_of_2000_levels_is_refused(tmp_path: Path) -> None:
    rows = ["iCode,Parent,Type,Level,Weight", "ind,n0,Indicator,1,1"]
    rows += [f"n{i},n{i + 1},Aggregate,{i + 2},1" for i in range(1999)]
    rows.append("n1999,,Aggregate,2001,1")
    path = tmp_path / "iMeta.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(UserError, match="nested more than 20 levels") as info:
        framework.load(path)
    assert info.value.problems[0].column == "Parent"


@pytest.mark.parametrize("weight", [".inf", "-.inf", ".nan", "1e400"])
def test_non_finite_weight_fails_validate(tmp_path: Path, weight: str) -> None:
    text = framework.preset_path("caict2023").read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    doc["root"]["children"][0]["weight"] = weight  # replaced below with the YAML token itself
    out = yaml.safe_dump(doc, allow_unicode=True).replace(f"weight: '{weight}'", f"weight: {weight}")
    assert f"weight: {weight}" in out
    path = tmp_path / "fw.yaml"
    path.write_text(out, encoding="utf-8")
    r = cli.invoke(app, ["validate", "--framework", str(path)])
    assert r.exit_code == 2 and "fw.yaml" in r.output and "weight" in r.output, r.output


def test_plain_yaml_still_reads() -> None:
    doc = safeyaml.load_yaml("a: &x [1, 2]\nb: *x\nc: '[[[['\n", "ok.yaml")
    assert doc == {"a": [1, 2], "b": [1, 2], "c": "[[[["}
    fw = framework.load("caict2023")
    assert fw.id == "caict2023"


def test_a_variable_missing_from_the_data_names_the_data_file(tmp_path: Path) -> None:
    """COINr's ASEM data without the column ``Goods`` that its iMeta needs: the message names the file
    (the coverage gate found it, after validation; it used to say ``input``)."""
    import pandas as pd

    asem = Path(__file__).resolve().parents[2] / "src" / "mfgindex" / "data" / "asem"
    data = tmp_path / "nogoods.csv"
    pd.read_csv(asem / "iData.csv").drop(columns=["Goods"]).to_csv(data, index=False)
    res = CliRunner().invoke(app, ["validate", "-f", str(asem / "iMeta.csv"), "-d", str(data)])
    assert res.exit_code == 2
    assert "nogoods.csv" in res.output and "'Goods'" in res.output, res.output
