"""``mfgindex analyze --ranking``: files written, summary keys, and located errors with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from mfgindex.cli.analyze import register
from mfgindex.core.geo import data_path

TOP50 = data_path("caict2023", "top50_2023.csv")


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.callback()
    def _root() -> None:  # a group, so that the command is addressed by name as in the real CLI
        pass

    return app


def _run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(_app(), ["analyze", *args])


def test_analyze_writes_json_and_markdown(tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = _run("--ranking", str(TOP50), "--out", str(out))
    assert res.exit_code == 0, res.output
    doc = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    # Seed 二(一): 东部 33 (8 in top 10, 15 in top 20), 中部 12, 西部 3, 东北 2.
    assert doc["region_counts"]["东部"] == {"top10": 8, "top20": 15, "topN": 33}
    assert doc["region_counts"]["中部"]["topN"] == 12
    assert doc["region_counts"]["西部"]["topN"] == 3
    assert doc["region_counts"]["东北"]["topN"] == 2
    assert doc["province_counts"]["江苏"] == 10
    assert doc["cluster_definition"] == "caict2023"
    assert doc["cluster_counts"]["长江三角洲城市群"] == 19
    # Seed 二(二): 15 capitals in the list, 9 first in their province.
    assert doc["capitals_in_list"] == 15
    assert doc["capitals_first_in_province"] == 9
    md = (out / "analysis.md").read_text(encoding="utf-8")
    assert "东部地区共计33个城市入围" in md
    assert "累计达36个，占全部50强的比重达72%" in md
    assert "16个省份中共有15个省会城市入围50强" in md


def test_analyze_top_and_clusters_options(tmp_path: Path) -> None:
    out = tmp_path / "o"
    res = _run("--ranking", str(TOP50), "--out", str(out), "--top", "20", "--clusters", "plans2016")
    assert res.exit_code == 0, res.output
    doc = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    assert doc["cluster_definition"] == "plans2016"
    assert sum(doc["province_counts"].values()) == 20
    assert doc["region_counts"]["东部"]["topN"] == 15


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "ranking.csv"
    p.write_text(text, encoding="utf-8")
    return p


def test_unknown_city_is_located_and_nothing_written(tmp_path: Path) -> None:
    f = _write(tmp_path, "province,city,national_rank\n江苏,苏州市,1\n江苏,不存在市,2\n")
    out = tmp_path / "out"
    res = _run("--ranking", str(f), "--out", str(out))
    assert res.exit_code == 2
    assert "Traceback" not in res.output
    assert f"{f}:row 3:column city" in res.output
    assert not out.exists()


def test_missing_column(tmp_path: Path) -> None:
    f = _write(tmp_path, "province,city\n江苏,苏州市\n")
    res = _run("--ranking", str(f), "--out", str(tmp_path / "out"))
    assert res.exit_code == 2
    assert "column national_rank" in res.output
    assert not (tmp_path / "out").exists()


def test_bad_rank_and_change_word(tmp_path: Path) -> None:
    f = _write(
        tmp_path, "province,city,national_rank,rank_change\n江苏,苏州市,一,up\n广东,深圳市,2,sideways\n"
    )
    res = _run("--ranking", str(f), "--out", str(tmp_path / "out"))
    assert res.exit_code == 2
    assert "row 2:column national_rank" in res.output
    assert "row 3:column rank_change" in res.output


def test_city_in_wrong_province(tmp_path: Path) -> None:
    f = _write(tmp_path, "province,city,national_rank\n浙江,苏州市,1\n")
    res = _run("--ranking", str(f), "--out", str(tmp_path / "out"))
    assert res.exit_code == 2
    assert "row 2:column city" in res.output


def test_unknown_cluster_definition(tmp_path: Path) -> None:
    res = _run("--ranking", str(TOP50), "--out", str(tmp_path / "out"), "--clusters", "nope")
    assert res.exit_code == 2
    assert not (tmp_path / "out").exists()


def test_chinese_headers_and_arrows(tmp_path: Path) -> None:
    f = _write(
        tmp_path,
        "省份,地市,全国排名,地区排名,排名变化\n江苏,苏州,1,苏1,—\n广东,深圳,2,粤 1,↑\n山西,太原,3,晋1,新增\n",
    )
    out = tmp_path / "out"
    res = _run("--ranking", str(f), "--out", str(out), "--top", "3")
    assert res.exit_code == 0, res.output
    doc = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    assert doc["region_counts"]["中部"]["topN"] == 1
    assert [c["name"] for c in doc["changes"]["new_entries"]] == ["太原市"]


def test_analyze_reads_a_gbk_ranking(tmp_path: Path) -> None:
    p = tmp_path / "gbk.csv"
    p.write_bytes("省份,城市,全国排名\n江苏,苏州,1\n江苏,无锡,2\n".encode("gbk"))
    res = _run("--ranking", str(p), "--out", str(tmp_path / "out"))
    assert res.exit_code == 0, res.output
