"""Value imports: good and bad files, versions, no-op re-imports, transactions, column maps, migration."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from mfgindex.core.errors import UserError
from mfgindex.workspace import create, schema, snapshots, store
from tests.workspace.conftest import write

WIDE = "city,year,gdp,va_secondary\n苏州,2022,23958.34,11000\n无锡,2022,14850.82,7300\n"
LONG = (
    "adcode,year,variable,value,source\n"
    "320500,2022,gdp,23958.34,苏州统计公报\n"
    "320200,2021,gdp,14003.24,无锡统计公报\n"
)


def dump(directory: Path) -> dict[str, pd.DataFrame]:
    """Every table's full content, for before/after comparisons."""
    with duckdb.connect(str(schema.db_path(directory)), read_only=True) as con:
        tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").df() for t in sorted(tables)}


def assert_same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert a.keys() == b.keys()
    for k in a:
        pd.testing.assert_frame_equal(a[k], b[k], obj=k)


def test_init_creates_latest_schema_with_units(ws: Path) -> None:
    with duckdb.connect(str(schema.db_path(ws)), read_only=True) as con:
        assert schema.version(con) == schema.LATEST
        assert con.execute("SELECT count(*) FROM units").fetchall()[0][0] == 337
        aliases = con.execute("SELECT aliases FROM units WHERE adcode = '420600'").fetchall()[0][0]
    assert aliases == "襄樊、襄樊市"


def test_init_refuses_existing_workspace(ws: Path) -> None:
    with pytest.raises(UserError, match="already exists"):
        create.init(ws)


def test_init_refuses_a_file_before_any_work(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from mfgindex.cli.main import app

    afile = write(tmp_path / "afile", "x")
    for target in (afile, afile / "sub"):
        with pytest.raises(UserError, match="is a file, not a folder"):
            create.init(target)
        r = CliRunner().invoke(app, ["init", str(target)])
        assert r.exit_code == 2, r.output
        assert "is a file, not a folder" in r.output and "Traceback" not in r.output
    assert afile.read_text(encoding="utf-8") == "x"


def test_wide_csv_import_adds_values_with_provenance(ws: Path, tmp_path: Path) -> None:
    f = write(tmp_path / "gdp.csv", WIDE)
    report = store.import_values(ws, f, source="2022年统计公报", entered_by="alice")
    assert (report.added, len(report.changed), report.unchanged) == (4, 0, 0)
    h = snapshots.history(ws, "苏州", "gdp")
    assert h["value"].tolist() == [23958.34]
    assert h["source"].tolist() == ["2022年统计公报"]
    assert h["entered_by"].tolist() == ["alice"]
    assert h["location"].iloc[0].endswith("gdp.csv:row 2:column C (gdp)")


def test_reimport_same_file_is_noop(ws: Path, tmp_path: Path) -> None:
    f = write(tmp_path / "gdp.csv", WIDE)
    store.import_values(ws, f)
    before = dump(ws)
    again = store.import_values(ws, f)
    assert again.is_noop and again.unchanged == 4
    assert_same(before, dump(ws))


def test_changed_value_creates_a_new_version(ws: Path, tmp_path: Path) -> None:
    store.import_values(ws, write(tmp_path / "a.csv", WIDE))
    revised = WIDE.replace("23958.34", "24000.5")
    report = store.import_values(ws, write(tmp_path / "b.csv", revised), entered_by="bob")
    assert report.added == 0 and report.unchanged == 3
    assert report.changed[["unit", "year", "variable", "old", "new"]].values.tolist() == [
        ["320500", 2022, "gdp", 23958.34, 24000.5]
    ]
    h = snapshots.history(ws, "320500", "gdp")
    assert h["value"].tolist() == [23958.34, 24000.5]
    assert h["status"].tolist() == ["superseded", "current"]
    assert h["superseded_by"].iloc[0] == h["id"].iloc[1]
    ds = snapshots.load_dataset(ws)
    sz = ds.values[(ds.values["code"] == "320500") & (ds.values["variable"] == "gdp")]
    assert sz["value"].tolist() == [24000.5]
    # as of the first import, the old value
    old = snapshots.load_dataset(ws, snapshot=1).values
    assert old[(old["code"] == "320500") & (old["variable"] == "gdp")]["value"].tolist() == [23958.34]


def test_long_layout_and_years(ws: Path, tmp_path: Path) -> None:
    report = store.import_values(ws, write(tmp_path / "long.csv", LONG))
    assert report.added == 2
    ds = snapshots.load_dataset(ws)
    assert ds.years() == [2021, 2022]
    assert set(ds.values["source"]) == {"苏州统计公报", "无锡统计公报"}


def test_bad_row_rejects_whole_file_and_nothing_is_written(ws: Path, tmp_path: Path) -> None:
    store.import_values(ws, write(tmp_path / "ok.csv", WIDE))
    before = dump(ws)
    bad = "city,year,gdp,va_secondary\n苏州,2022,1,2\n常州,2022,9550,abc\n"
    with pytest.raises(UserError) as exc:
        store.import_values(ws, write(tmp_path / "bad.csv", bad))
    msg = str(exc.value)
    assert "bad.csv:row 3:column D (va_secondary)" in msg and "non-numeric" in msg
    assert_same(before, dump(ws))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("city,year,gdp\n不存在市,2022,1\n", "row 2:column A (city)"),
        ("city,year,gdp\n苏州,二〇二二,1\n", "row 2:column B (year)"),
        ("city,year,gdp\n苏州,2022,-5\n", "row 2:column C (gdp)"),  # gdp is an amount: ≥ 0
        ("city,year,gdp\n苏州,2022,1\n苏州,2022,2\n", "duplicate"),
        ("city,year,规上工业企业数\n苏州,2022,1\n", "not a variable id"),
        ("foo,bar\n1,2\n", "no unit column"),
    ],
)
def test_bad_files_are_rejected_with_location(ws: Path, tmp_path: Path, text: str, expected: str) -> None:
    before = dump(ws)
    with pytest.raises(UserError, match=re.escape(expected)):
        store.import_values(ws, write(tmp_path / "bad.csv", text))
    assert_same(before, dump(ws))


def test_column_map_yaml_and_csv(ws: Path, tmp_path: Path) -> None:
    f = write(tmp_path / "cn.csv", "城市,年份,地区生产总值,备注列\n苏州,2022,23958.34,1\n")
    ymap = write(tmp_path / "map.yaml", "地区生产总值: gdp\n备注列:\n")
    report = store.import_values(ws, f, column_map=store.read_map(ymap))
    assert report.added == 1
    cmap = write(tmp_path / "map.csv", "column,variable\n地区生产总值,gdp\n备注列,\n")
    assert store.read_map(cmap) == {"地区生产总值": "gdp", "备注列": ""}
    assert store.import_values(ws, f, column_map=store.read_map(cmap)).is_noop


def test_column_map_in_gbk(ws: Path, tmp_path: Path) -> None:
    cmap, ymap = tmp_path / "map.csv", tmp_path / "map.yaml"
    cmap.write_bytes("column,variable\n地区生产总值,gdp\n".encode("gbk"))
    ymap.write_bytes("地区生产总值: gdp\n".encode("gbk"))
    assert store.read_map(cmap) == store.read_map(ymap) == {"地区生产总值": "gdp"}


def test_bad_map_is_located(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"map.csv:row 2:column 地区生产总值"):
        store.read_map(write(tmp_path / "map.csv", "column,variable\n地区生产总值,GDP 总量\n"))


def test_xlsx_with_year_sheets_and_notes_sheet(ws: Path, tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path) as xw:
        pd.DataFrame({"city": ["苏州", "襄樊"], "gdp": [23958.34, 5827.81]}).to_excel(
            xw, sheet_name="2022", index=False
        )
        pd.DataFrame({"说明": ["单位：亿元"]}).to_excel(xw, sheet_name="说明", index=False)
    report = store.import_values(ws, path)
    assert report.added == 2
    assert snapshots.history(ws, "襄阳", "gdp")["value"].tolist() == [5827.81]


def test_migration_brings_an_old_workspace_up_to_date(tmp_path: Path) -> None:
    directory = tmp_path / "old"
    directory.mkdir()
    # connections closed even when an assertion fails: a connection left open would make the next
    # open of the same file with another configuration (read-only vs read-write) fail in this process
    with duckdb.connect(str(schema.db_path(directory))) as con:
        assert schema.migrate(con, target=1) == [1]
        con.execute("INSERT INTO imports VALUES (1, 'values', NULL, 'x.csv', '', '', 'old', now(), '{}')")
        con.execute(
            "INSERT INTO observations VALUES "
            "(1, '320500', 2022, 'gdp', 1.5, 's', '', 'old', now(), 1, '', NULL)"
        )
    ds = snapshots.load_dataset(directory)  # opening migrates
    assert ds.values["value"].tolist() == [1.5]
    with duckdb.connect(str(schema.db_path(directory)), read_only=True) as con:
        version = schema.version(con)
        versions = [r[0] for r in con.execute("SELECT version FROM schema_version ORDER BY 1").fetchall()]
        assignments = con.execute("SELECT count(*) FROM list_assignments").fetchall()[0][0]
    assert version == schema.LATEST
    assert versions == list(range(1, schema.LATEST + 1))  # every migration, not a hard-coded list
    assert assignments == 0


def test_not_a_workspace(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="not a workspace"):
        snapshots.load_dataset(tmp_path / "nowhere")
