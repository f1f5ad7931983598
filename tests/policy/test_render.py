"""Rendering: 表1/表2 tables and 专栏 boxes from records, the report partials, the web route, the CLI."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from mfgindex.cli.main import app
from mfgindex.policy import library, render
from mfgindex.web import policy_api


def test_table1_reproduces_the_seed_layout() -> None:
    t = render.table1(library.load())
    assert t.columns == ("序号", "城市", "相关表述")
    assert [r[1] for r in t.rows] == [
        "苏州市",
        "深圳市",
        "宁波市",
        "广州市",
        "杭州市",
        "佛山市",
        "绍兴市",
        "郑州市",
        "济南市",
        "东莞市",
    ]
    assert t.caption == "表 重点城市2022年政府工作报告关于制造业高质量发展相关表述"
    assert "表1" in t.source


def test_table2_groups_a_citys_documents() -> None:
    t = render.table2(library.load())
    assert len(t.rows) == 10
    chengdu = t.rows[5]
    assert chengdu[:3] == ("6", "成都市", "成都市经济和信息化局")
    assert chengdu[3] == "《成都市“十四五”制造业高质量发展规划》\n《成都市推行工业用地“标准地”改革实施方案》"


def test_chosen_cities_and_empty_selection() -> None:
    recs = library.load()
    t = render.table1(recs, cities=["东莞", "苏州"])
    assert [r[1] for r in t.rows] == ["东莞市", "苏州市"]
    empty = render.table2(recs, years=[2019])
    assert empty.rows == () and "没有" in render.render_table(empty)


def test_case_box_from_a_record() -> None:
    boxes = render.case_boxes(library.load())
    assert [b.heading for b in boxes] == [
        "专栏1 浙江省湖州市：打造长三角区域绿色增长极",
        "专栏2 浙江省宁波市：制造业单项冠军之城",
    ]
    hz = boxes[0]
    assert hz.paragraphs[1][0] == "以“双进双产”为抓手大力发展绿色低碳产业。"  # lead sentence in bold
    html = render.render_case(hz)
    assert "<strong>以“双进双产”为抓手大力发展绿色低碳产业。</strong>" in html
    assert "来源：中国信息通信研究院整理" in html


def test_section_says_plainly_where_data_are_missing() -> None:
    ctx = render.context(figures=False)
    html = render.render_section(ctx)
    assert "表 重点城市2022年政府工作报告" in html and "专栏2" in html
    assert "本次评价的数据不含万人PCT专利申请量" in html  # no PCT values in the run: said, not drawn
    assert "美国1.7" in html
    assert "城市群内产业结构最相似的城市对" in html
    vals = pd.Series({"440300": 5.0, "320500": 2.5})
    with_pct = render.render_section(render.context(benchmark_values=vals, figures=False))
    assert "2个城市中，2个高于全国平均水平（0.6）" in with_pct


def test_escaping_of_user_text() -> None:
    recs = library.load()
    recs = recs[recs["kind"] == "gov_work_report"].head(1).assign(text="<script>alert(1)</script>")
    html = render.render_table(render.table1(recs))
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_policies_route() -> None:
    api = FastAPI()
    api.include_router(policy_api.router())
    with TestClient(api) as c:
        r = c.get("/api/cities/441900/policies")
        assert r.status_code == 200
        body = r.json()
        assert body["name"] == "东莞市" and body["count"] == 3 and body["source"] == "sample"
        assert {i["kind"] for i in body["items"]} == {"gov_work_report", "policy_document"}
        assert c.get("/api/cities/441900/policies?kind=case_study").json()["count"] == 0
        assert c.get("/api/cities/999999/policies").status_code == 404
        assert c.get("/api/cities/441900/policies?kind=news").status_code == 422


def test_profile_page_has_the_timeline_block() -> None:
    html = (Path(policy_api.__file__).parent / "templates" / "city.html").read_text(encoding="utf-8")
    assert 'id="policy-timeline"' in html and "/static/policy.js" in html


def test_cli_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    ws = tmp_path / "ws"
    assert runner.invoke(app, ["init", str(ws)]).exit_code == 0
    r = runner.invoke(app, ["policy", "import", "--sample", "-w", str(ws)])
    assert r.exit_code == 0 and "24 new" in r.output
    r = runner.invoke(app, ["policy", "import", "--sample", "-w", str(ws)])
    assert "no changes" in r.output
    r = runner.invoke(app, ["policy", "search", "单项冠军", "-w", str(ws), "-o", str(tmp_path / "s.csv")])
    assert r.exit_code == 0 and len(pd.read_csv(tmp_path / "s.csv")) == 1
    bad = tmp_path / "bad.csv"
    bad.write_text("city,year,kind,source\n苏州,20x2,政策文件,x\n", encoding="utf-8")
    r = runner.invoke(app, ["policy", "import", str(bad), "-w", str(ws)])
    assert r.exit_code == 2 and "row 2" in r.output and "year" in r.output
    pct = tmp_path / "pct.csv"
    pct.write_text("city,pct_per_10k\n深圳,5\n苏州,2.5\n", encoding="utf-8")
    r = runner.invoke(app, ["benchmarks", "compare", "--data", str(pct), "--out", str(tmp_path / "b")])
    assert r.exit_code == 0 and (tmp_path / "b" / "fig9.png").exists()
    table = tmp_path / "t.csv"
    table.write_text("city,电子,汽车\n苏州,6,3\n无锡,2,2\n", encoding="utf-8")
    r = runner.invoke(app, ["homogeneity", "--table", str(table), "--out", str(tmp_path / "h")])
    assert r.exit_code == 0 and (tmp_path / "h" / "results.xlsx").exists()


def test_outputs_that_are_files_or_folders_exit_2(tmp_path) -> None:
    runner = CliRunner()
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    r = runner.invoke(app, ["homogeneity", "-o", str(afile)])
    assert r.exit_code == 2 and "is a file, not a folder" in r.output
    r = runner.invoke(app, ["policy", "render", "-o", str(tmp_path)])
    assert r.exit_code == 2 and "is a folder, not a file" in r.output
