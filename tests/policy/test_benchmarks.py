"""International benchmarks: the reference table (data with sources) and the comparison of cities (图9)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mfgindex.core.errors import UserError
from mfgindex.policy import benchmarks as bm


def test_reference_values_as_the_report_cites() -> None:
    ref = bm.reference_for("pct_per_10k")
    values = dict(zip(ref["entity"], ref["value"], strict=True))
    assert values == {"CHN": 0.6, "USA": 1.7, "JPN": 4.1, "KOR": 4.0, "DEU": 2.1}
    assert ref["source"].str.contains("城市制造业高质量发展评价研究报告（2023年）").all()
    assert (ref["source_year"] == "2023").all()
    wipo = bm.reference_for("pct_applications")
    assert wipo["url"].str.startswith("https://www.wipo.int/").all() and (wipo["year"] == 2022).all()


def test_compare_counts_cities_above_each_reference(tmp_path: Path) -> None:
    f = tmp_path / "pct.csv"
    f.write_text("city,pct_per_10k\n深圳,5.0\n苏州,2.5\n青岛,2.0\n合肥,0.5\n", encoding="utf-8")
    c = bm.compare(bm.read_city_values(f, "pct_per_10k"), "pct_per_10k")
    above = dict(zip(c.summary["entity"], c.summary["above"], strict=True))
    # > 0.6: 深圳, 苏州, 青岛; > 1.7: same 3; > 2.1: 深圳, 苏州; > 4.0 and > 4.1: 深圳
    assert above == {"CHN": 3, "USA": 3, "JPN": 1, "KOR": 1, "DEU": 2}
    assert c.cities["name"].tolist() == ["深圳市", "苏州市", "青岛市", "合肥市"]
    assert c.cities.loc[0, "ratio_USA"] == pytest.approx(5.0 / 1.7)
    paths = bm.write_comparison(c, tmp_path / "out")
    assert {p.name for p in paths} == {"comparison.csv", "results.xlsx", "fig9.png", "fig9.svg"}


def test_long_table_with_years_and_run_directory(tmp_path: Path) -> None:
    f = tmp_path / "long.csv"
    f.write_text(
        "city,year,indicator,value\n深圳,2021,pct_per_10k,4.0\n深圳,2022,pct_per_10k,5.0\n苏州,2022,pct_per_10k,2\n",
        encoding="utf-8",
    )
    assert bm.read_city_values(f, "pct_per_10k").to_dict() == {"440300": 5.0, "320500": 2.0}
    assert bm.read_city_values(f, "pct_per_10k", 2021).to_dict() == {"440300": 4.0}
    run = tmp_path / "run"
    run.mkdir()
    pd.DataFrame({"code": ["440300"], "indicator": ["pct_per_10k"], "raw": [5.5]}).to_csv(
        run / "indicators.csv", index=False
    )
    assert bm.read_city_values(run, "pct_per_10k").to_dict() == {"440300": 5.5}
    with pytest.raises(UserError, match="the run has no values of rd_share"):
        bm.read_city_values(run, "rd_share")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("city,pct_per_10k\n火星,1\n", "未知城市"),
        ("city,pct_per_10k\n深圳,x\n", "non-numeric cell"),
        ("city,pct_per_10k\n深圳,1e400\n", "not finite"),
        ("city,year,pct_per_10k\n深圳,1e20,1\n", "year outside 1949-2100"),
        ("city,pct_per_10k\n深圳,-1\n", "negative"),
        ("city,other\n深圳,1\n", "no column pct_per_10k"),
    ],
)
def test_bad_city_values(tmp_path: Path, text: str, match: str) -> None:
    f = tmp_path / "bad.csv"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(UserError, match=match):
        bm.read_city_values(f, "pct_per_10k")


def test_unknown_indicator_and_bad_reference_table(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no international reference values"):
        bm.reference_for("gdp")
    f = tmp_path / "ref.csv"
    f.write_text("indicator,entity,value,source,url\npct_per_10k,USA,abc,,ftp://x\n", encoding="utf-8")
    with pytest.raises(UserError) as exc:
        bm.load_reference(f)
    assert [p.column for p in exc.value.problems] == ["value", "source", "url"]


def test_city_values_read_with_the_reader_number_and_year_syntax(tmp_path: Path) -> None:
    """Years as users write them (2022年, ２０２２) and numbers with separators, percent signs or full-width
    digits, as the one reader reads them; the latest year is picked."""
    f = tmp_path / "v.csv"
    f.write_text(
        'city,年份,pct_per_10k\n深圳,2021年,1\n深圳,２０２２,"1,234.5"\n苏州,2022,12%\n无锡,2022,…\n',
        encoding="utf-8",
    )
    assert bm.read_city_values(f, "pct_per_10k").to_dict() == {"440300": 1234.5, "320500": 0.12}
