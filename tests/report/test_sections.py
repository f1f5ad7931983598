"""The report's policy section and 稳健性检验 section, and English labels of the older
charts: numbers in the robustness sentences equal an independent audit/uncertainty run, the policy tables
list the shipped sample, the folders of ``mfgindex uncertainty``/``sensitivity`` are read."""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path

import matplotlib.text
import pandas as pd
import pytest
from typer.testing import CliRunner

from mfgindex.analysis.run import RunData, from_result
from mfgindex.cli.main import app
from mfgindex.core import dataset
from mfgindex.core.result import Result
from mfgindex.policy import library
from mfgindex.report import figures as F
from mfgindex.report import map_figure
from mfgindex.report.build import write_report
from mfgindex.report.labels import SECTIONS
from mfgindex.robust import assumptions, audit, uncertainty


@pytest.fixture(scope="module")
def run(default_result: Result) -> RunData:
    return from_result(default_result)


@pytest.fixture(scope="module")
def html(default_result: Result, tmp_path_factory: pytest.TempPathFactory) -> str:
    files = write_report(default_result, tmp_path_factory.mktemp("sec"), "zh", pdf=False)
    return files.html.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def ua(default_result: Result) -> pd.DataFrame:
    factors = assumptions.default_assumptions(default_result.framework)
    return uncertainty.run(default_result, dataset.default(), factors, 1000, 0).stats


def _text(html: str) -> str:
    return htmllib.unescape(re.sub(r"<[^>]+>", "", html))


def _section(html: str, sid: str) -> str:
    m = re.search(rf'<section id="{sid}"[^>]*>(.*?)</section>', html, re.S)
    assert m is not None, sid
    return m.group(1)


def test_toc_lists_policy_robustness_and_outlook_before_the_notes(html: str) -> None:
    toc = re.search(r'<nav class="toc">(.*?)</nav>', html, re.S)
    assert toc is not None
    ids = re.findall(r'href="#([^"]+)"', toc.group(1))
    assert ids[0] == "status" and ids[-4:] == ["policy", "robustness", "outlook", "notes"]
    titles = dict(SECTIONS["zh"])
    assert f'<h2 class="major">四、{titles["policy"]}</h2>' in html
    assert f'<h2 class="major">五、{titles["robustness"]}</h2>' in html
    # numbered after filtering: the headings count 一 … 六 without a gap
    heads = re.findall(r"<h2[^>]*>([一二三四五六七])、", html)
    assert heads == list("一二三四五六")


def test_policy_tables_list_the_shipped_sample(html: str) -> None:
    sec = _section(html, "policy")
    recs = library.load()
    gov = recs[recs["kind"] == "gov_work_report"]
    t1 = re.search(r'id="tab-policy_table1">(.*?)</table>', sec, re.S)
    assert t1 is not None and re.search(r"<caption>表\d+ ", t1.group(1))
    body = t1.group(1).split("</thead>")[1]
    rows = [re.findall(r"<td>(.*?)</td>", r) for r in re.findall(r"<tr>(.*?)</tr>", body)]
    assert [r[0] for r in rows] == [str(i) for i in range(1, len(gov) + 1)]
    assert sorted((r[1], r[2]) for r in rows) == sorted(
        (str(c), str(t)) for c, t in zip(gov["city_name"], gov["text"], strict=True)
    )
    docs = recs[recs["kind"] == "policy_document"]
    t2 = re.search(r'id="tab-policy_table2">(.*?)</table>', sec, re.S)
    assert t2 is not None and re.search(r"<caption>表\d+ ", t2.group(1))
    for title in docs["title"]:
        assert f"《{title}》" in t2.group(1)
    cases = recs[recs["kind"] == "case_study"]
    for i, title in enumerate(cases["title"], start=1):
        assert f"专栏{i} {title}" in sec
    # the homogeneity heatmap is numbered with the rest (in document order); no 'pct_per_10k' here
    assert re.search(r"图\d+ 城市产业结构相似系数", sec)
    assert "本次评价的数据不含万人PCT专利申请量" in sec


def test_robustness_sentences_equal_the_audit(html: str, default_result: Result) -> None:
    text = _text(_section(html, "robustness"))
    a = audit.audit(default_result, dataset.default())
    cr = a.cronbach.set_index(["aggregate", "over"])["alpha"]
    names = {c.id: c.name_zh for c in default_result.framework.root.children}
    for dim, name in names.items():
        assert f"{name} {cr[(dim, 'indicators')]:.2f}" in text, dim
    assert f"得分之间的α为{cr[('index', 'children')]:.2f}" in text
    pc1 = a.pca.set_index(["aggregate", "over"])["variance_explained_1"][("index", "children")]
    assert f"第一主成分解释了{pc1 * 100:.1f}%的方差" in text
    flags = a.correlations["flag"]
    assert f"有{int((flags != '').sum())}对被标记" in text
    assert f"弱相关（r<0.3）{int((flags == 'low').sum())}对" in text
    assert f"强相关（r>0.9）{int((flags == 'high').sum())}对" in text
    worst = a.correlations.loc[a.correlations["pearson"].idxmin()]
    assert f"（r={worst['pearson']:.2f}）" in text
    # the audit table: per dimension α, PC1 share and the η² share of the effective weights
    ew = a.effective_weights.set_index("id")
    table = _section(html, "robustness").split('id="tab-robust_audit"')[1].split("</table>")[0]
    for dim, name in names.items():
        row = re.search(rf"<tr><td[^>]*>{name}</td>(.*?)</tr>", table)
        assert row is not None, name
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))
        assert cells[1] == f"{cr[(dim, 'indicators')]:.2f}"
        assert cells[-1] == f"{ew.at[dim, 'eta2_share'] * 100:.1f}%"


def test_robustness_sentences_equal_the_uncertainty_run(html: str, ua: pd.DataFrame) -> None:
    sec = _section(html, "robustness")
    text = _text(sec)
    assert "本报告做了1,000次蒙特卡洛模拟（随机种子0）" in text
    assert "COINr敏感性分析的默认假设" in text and "缩尾上限：1、2、3、4、5" in text
    top = ua[ua["nominal_rank"] <= 50]
    width = top["p95_rank"] - top["p05_rank"]
    assert f"平均宽度为{width.mean():.1f}位" in text
    assert f"其中{int((width <= 2).sum())}个城市的区间不超过2位" in text
    w = top.loc[width.idxmax()]

    def rnum(v: float) -> str:  # a percentile of ranks may be interpolated (泉州 2022: 40.95 → "41.0")
        return f"{v:.0f}" if v == round(v) else f"{v:.1f}"

    assert f"区间最宽的是{w['name']}（第{rnum(w['p05_rank'])}至{rnum(w['p95_rank'])}位）" in text
    t10 = top[top["nominal_rank"] <= 10]
    shift = (t10["median_rank"] - t10["nominal_rank"]).abs().max()
    assert f"相差不超过{shift:.0f}位" in text
    # the table: one row per top-50 city with its median rank and interval
    table = sec.split('id="tab-robust_ua"')[1].split("</table>")[0]
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", r) for r in re.findall(r"<tr>(.*?)</tr>", table)[1:]]
    assert [r[1] for r in rows] == list(top["name"])
    assert [float(r[2]) for r in rows] == pytest.approx(list(top["median_rank"]), abs=0.051)
    assert [float(r[4]) for r in rows] == pytest.approx(list(top["p95_rank"]), abs=0.051)
    assert 'id="fig-rank_intervals"' in sec and re.search(r"图\d+ 50强城市排名的5%–95%区间", sec)
    assert 'id="fig-sobol"' not in sec  # only with a sensitivity folder


def test_folders_of_uncertainty_and_sensitivity_are_read(
    run: RunData, default_result: Result, ua: pd.DataFrame, tmp_path: Path
) -> None:
    ud, sd = tmp_path / "ua", tmp_path / "sa"
    ud.mkdir()
    sd.mkdir()
    stats = ua.copy()
    stats.loc[stats["nominal_rank"] == 3, "nominal_rank"] = 4  # one city disagrees with the report
    stats.to_csv(ud / "uncertainty.csv", index=False, encoding="utf-8-sig")
    (ud / "uncertainty.json").write_text('{"n": 777, "seed": 5, "assumptions": []}', encoding="utf-8")
    pd.DataFrame(
        {"factor": ["winmax", "aggregation"], "S1": [0.1, 0.5], "S1_conf": [0.01, 0.02],
         "ST": [0.15, 0.62], "ST_conf": [0.02, 0.03]}
    ).to_csv(sd / "sobol.csv", index=False)  # fmt: skip
    files = write_report(
        default_result, tmp_path / "r", "zh", pdf=False, uncertainty_dir=ud, sensitivity_dir=sd
    )
    text = _text(_section(files.html.read_text(encoding="utf-8"), "robustness"))
    assert f"结果读取自 {ud}（777次模拟，随机种子5）" in text
    assert "有1个城市的名义排名与本报告的排名不一致" in text
    assert "总效应Sobol指数最大的假设是聚合方法（ST=0.62），最小的是缩尾上限（ST=0.15）" in text
    assert (tmp_path / "r" / "figures" / "fig_sobol.png").is_file()
    assert re.search(r"图\d+ 各项假设的Sobol敏感性指数", files.html.read_text(encoding="utf-8"))


def test_missing_uncertainty_folder_exits_2(tmp_path: Path) -> None:
    res = CliRunner().invoke(
        app, ["report", "--out", str(tmp_path / "o"), "--no-pdf", "--uncertainty", str(tmp_path / "none")]
    )
    assert res.exit_code == 2, res.output
    assert "uncertainty.csv" in res.output and "Traceback" not in res.output


def test_no_robustness_option_leaves_the_section_out(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["report", "--out", str(tmp_path), "--no-pdf", "--no-robustness"])
    assert res.exit_code == 0, res.output
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert 'id="robustness"' not in html and "稳健性检验" not in html
    assert 'id="policy"' in html


CJK = re.compile(r"[\u3400-\u9fff]")


def _texts(fig: object, allowed: set[str]) -> list[str]:
    found = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]  # type: ignore[attr-defined]
    return [s for s in found if CJK.search(s) and not any(a and a in s for a in allowed)]


def test_older_charts_have_english_labels(run: RunData) -> None:
    t = run.table
    names = set(t["name"].astype(str)) | {n.removesuffix("市") for n in t["name"].astype(str)}
    for fig in (
        F.ranking_bar(t, 50, value="index", source="src", lang="en"),
        F.region_distribution_chart(t, 50, source="src", lang="en"),
        F.province_distribution_chart(t, 50, source="src", lang="en"),
        F.rank_change_chart(t, 50, source="src", lang="en"),
        map_figure.cluster_map(t, 50, source="src", lang="en"),
    ):
        assert _texts(fig, names) == []
    # and the Chinese labels are still there in zh
    assert _texts(F.region_distribution_chart(t, 50, source="src"), names)
