"""Write the yearbook-style fixtures in tests/fixtures/yearbook/ from the shared CSVs (values as published).

Run from the project root: ``python scripts/make_yearbook_fixtures.py``. The tables imitate how 统计年鉴 and
统计公报 tables come: merged titles, unit rows, spaced and indented names, province rows, notes, two-level
headers, GBK CSV. Values come from ../shared/data/city_stats (city_gdp_structure, city_population), so the
tests compare what the reader imports with those files, never with our own output.
"""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "city_stats"
if not SHARED.is_dir():  # a worktree lives next to main; the shared folder is ../shared from the project
    SHARED = Path("/work/shared/data/city_stats")
OUT = ROOT / "tests" / "fixtures" / "yearbook"
JIANGSU = [f"32{i:02d}00" for i in range(1, 14)]


def _rows(name: str) -> dict[tuple[str, int], dict[str, str]]:
    with (SHARED / name).open(encoding="utf-8") as fh:
        return {(r["adcode"], int(r["year"])): r for r in csv.DictReader(fh)}


def _name(row: dict[str, str]) -> str:
    return row["city"]


def jiangsu(gdp: dict, pop: dict) -> None:
    """Layout A: a provincial yearbook table, one sheet per year (2022年), title naming the edition only."""
    wb = Workbook()
    wb.remove(wb.active)
    for year in (2021, 2022):
        ws = wb.create_sheet(f"{year}年")
        ws.append([f"《江苏统计年鉴{year + 1}》 2-5  各设区市地区生产总值和常住人口"])
        ws.merge_cells("A1:G1")
        ws["A1"].alignment = Alignment(horizontal="center")
        ws.append([])
        ws.append(["城  市", "地区生产总值", "第一产业", "第二产业", "第三产业", "常住人口", "备  注"])
        ws.append([None, "（亿元）", "（亿元）", "（亿元）", "（亿元）", "（人）", None])
        total = [sum(float(gdp[(c, year)][k]) for c in JIANGSU) for k in ("gdp_100m_yuan",)]
        ws.append(["全  省", round(total[0], 2), None, None, None, None, None])
        for i, code in enumerate(JIANGSU):
            g, p = gdp[(code, year)], pop[(code, year)]
            name = _name(g)
            shown = {0: "　　南　京", 1: "  无 锡", 3: "常州"}.get(i, name)  # U+3000, spaces, no 市
            gdp_text = f"{float(g['gdp_100m_yuan']):,.2f}" if i % 2 else float(g["gdp_100m_yuan"])
            secondary: object = float(g["va_secondary_100m_yuan"])
            if code == "320500":
                secondary = "…"  # missing in the table: the embedded value must stay
            people = round(float(p["resident_pop_10k_reported"]) * 10000)
            ws.append(
                [
                    shown,
                    gdp_text,
                    float(g["va_primary_100m_yuan"]),
                    secondary,
                    float(g["va_tertiary_100m_yuan"]),
                    people if code != "320400" else "—",
                    "按当年价格" if i == 2 else None,
                ]
            )
        ws.append(["注：本表地区生产总值按当年价格计算，常住人口为年末数。"])
        ws.append(["资料来源：江苏省统计局、国家统计局江苏调查总队。"])
    wb.save(OUT / "jiangsu_yearbook.xlsx")


def national(gdp: dict, pop: dict) -> None:
    """Layout B: two-level headers (a variable over year columns), province rows, 万元, a municipality."""
    groups = [
        ("青海省", ["630100", "632500", "630200"], {"632500": "海　南", "630200": "海东"}),
        ("吉林省", ["220100", "220200"], {"220200": "吉 林"}),
        ("辽宁省", ["211300"], {"211300": "朝阳"}),
        ("北京市", [], {}),
    ]
    wb = Workbook()
    ws = wb.active
    ws.title = "表1"
    ws.append(["2021-2022年部分城市地区生产总值和常住人口"])
    ws.merge_cells("A1:E1")
    ws.append(["地  区", "地区生产总值（万元）", None, "年末常住人口（万人）", None])
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:C2")
    ws.merge_cells("D2:E2")
    ws.append([None, "2021年", "2022年", "2021年", "2022年"])
    for province, codes, names in groups:
        if not codes:  # 北京市: a municipality, a unit of its own (not ranked)
            code = "110000"
            ws.append(
                ["北京市"]
                + [round(float(gdp[(code, y)]["gdp_100m_yuan"]) * 10000, 1) for y in (2021, 2022)]
                + [float(pop[(code, y)]["resident_pop_10k_reported"]) for y in (2021, 2022)]
            )
            continue
        ws.append([province])
        for code in codes:
            ws.append(
                ["　　" + names.get(code, _name(gdp[(code, 2022)]))]
                + [round(float(gdp[(code, y)]["gdp_100m_yuan"]) * 10000, 1) for y in (2021, 2022)]
                + [float(pop[(code, y)]["resident_pop_10k_reported"]) for y in (2021, 2022)]
            )
    ws.append(["资料来源：各省统计年鉴。"])
    wb.save(OUT / "national_two_level.xlsx")


def bulletin(gdp: dict, pop: dict) -> None:
    """Layout C: a 统计公报 extract saved as GBK CSV; the year is in the title, a province column."""
    lines = [
        ["2022年国民经济和社会发展统计公报主要指标", "", "", "", ""],
        ["省份", "城市", "地区生产总值(亿元)", "第二产业增加值(亿元)", "常住人口(万人)"],
    ]
    for code in ("320100", "320200", "632500", "220200"):
        g, p = gdp[(code, 2022)], pop[(code, 2022)]
        short = {"632500": "海南", "220200": "吉林"}.get(code, g["city"])
        lines.append(
            [
                g["province"],
                short,
                f"{float(g['gdp_100m_yuan']):,}",
                g["va_secondary_100m_yuan"],
                p["resident_pop_10k_reported"],
            ]
        )
    with (OUT / "bulletin_2022_gbk.csv").open("w", encoding="gbk", newline="") as fh:
        csv.writer(fh).writerows(lines)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    gdp = _rows("city_gdp_structure_2000_2023.csv")
    pop = _rows("city_population_2010_2024.csv")
    jiangsu(gdp, pop)
    national(gdp, pop)
    bulletin(gdp, pop)


if __name__ == "__main__":
    main()
