"""The unit-slip check of ``mfgindex validate`` (core/validate.py ``unit_slips``).

Expected values come from the data files (ASEM's iData.csv, the embedded city tables, the corrections log)
and from hand-made examples whose slips are put in by hand (a 亿元 value typed in 元 is the value × 10⁸).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mfgindex.core import dataset, geo, validate
from mfgindex.core import framework as fw_mod
from mfgindex.core.dataset import Dataset
from mfgindex.core.ingest.users import read_users_data
from mfgindex.core.validate import Slip, slip_message, unit_slips
from tests.checks.conftest import with_values

ASEM = Path(geo.data_path("asem", "iData.csv")).parent


def slips_of(problems: list) -> list:
    return [p for p in problems if p.message.startswith("unit slip?")]


@pytest.fixture(scope="module")
def caict() -> fw_mod.Framework:
    return fw_mod.load("caict2023")


def value_of(ds: Dataset, code: str, year: int, variable: str) -> float:
    v = ds.values
    at = (v["code"] == code) & (v["year"] == year) & (v["variable"] == variable)
    return float(v.loc[at, "value"].iloc[0])


# -- real data: no false alarms ------------------------------------------------------------------------------
def test_asem_gives_no_unit_slip():
    raw = pd.read_csv(ASEM / "iData.csv")
    # the heavy-tailed values the old rule (10⁴ from the median) called slips are in the file
    assert sorted(raw["Elec"][(raw["Elec"] > 0) & (raw["Elec"] < 1e-4)]) == [2e-06, 2e-06, 3.6e-05, 3.6e-05]
    assert raw["ForPort"].min() == pytest.approx(0.00189, rel=1e-3)
    framework = fw_mod.load(str(ASEM / "iMeta.csv"))
    ds, problems = read_users_data([ASEM / "iData.csv"], framework, None)
    assert ds is not None and not [p for p in problems if p.severity == "error"]
    assert slips_of(validate.check(ds, framework)) == []


def test_embedded_data_give_no_unit_slip(caict):
    ds = dataset.default()
    # 三沙 is tiny in every year (city_population_2010_2024.csv: 13 km², 0.04-0.23 万人): real, not a slip
    assert value_of(ds, "460300", 2022, "land_area") == 13
    assert value_of(ds, "460300", 2022, "population") < 1
    assert slips_of(validate.check(ds, caict)) == []


def test_no_correction_of_the_log_is_a_unit_slip(corrections, old_data, caict):
    """Every corrected cell with its old value put back: the unit-slip check must catch each old value that
    is the new one times a unit factor (±25 %), and call none of the others a unit slip."""
    scale = {}
    logs = {}
    for r in corrections.itertuples():
        new = float(r.new) if r.new is not None and not pd.isna(r.new) else math.nan
        if math.isnan(new):
            continue
        g = math.log10(float(r.old) / new)
        logs[(str(r.code), int(r.year), str(r.variable))] = g
        k = next(
            (s * f for f in validate.SLIP_FACTORS for s in (1, -1) if abs(g - s * f) < math.log10(1.25)), 0
        )
        scale[(str(r.code), int(r.year), str(r.variable))] = k
    # by hand, the two largest: 鄂尔多斯 23,158.7 / 5,613.44 = 4.13 (内蒙古's totals in a city row), 淮南
    # 295.4 / 1,541.1 = 0.19 (fragments); the rest are copied totals (≤ 28 %) and a population break (~25 %)
    ratios = {cell: 10**g for cell, g in logs.items()}
    assert ratios[("150600", 2022, "gdp")] == pytest.approx(4.1256, abs=1e-4)
    assert ratios[("340400", 2022, "gdp")] == pytest.approx(0.19168, abs=1e-5)
    unit_errors = {cell: k for cell, k in scale.items() if k}
    assert unit_errors == {}  # none of the 2026-12-01 corrections is a unit error
    found = {
        (c, int(y), var)
        for p in slips_of(validate.check(old_data, caict))
        for c, y, var in [p.file.split(":")]
    }
    cells = {(str(r.code), int(r.year), str(r.variable)) for r in corrections.itertuples()}
    assert found & cells == set(unit_errors)


# -- slips put in by hand ------------------------------------------------------------------------------------
def test_yi_yuan_typed_in_yuan_is_an_error(caict):
    ds = dataset.default()
    suzhou = value_of(ds, "320500", 2022, "gdp")  # 23,958.3 亿元 in city_gdp_structure_2000_2023.csv
    assert suzhou == pytest.approx(23958.3)
    bad = with_values(ds, [("320500", 2022, "gdp", suzhou * 1e8)])  # the same amount in 元
    (p,) = slips_of(validate.check(bad, caict))
    assert p.file == "320500:2022:gdp" and p.severity == "error"
    assert "looks like 元 typed where 亿元 is expected" in p.message
    assert "×10⁻⁸ brings it to 23,958" in p.message


def test_people_typed_for_wan_people_is_an_error(caict):
    ds = dataset.default()
    people = value_of(ds, "320500", 2022, "population") * 1e4  # 1,291.06 万人 as 人
    (p,) = slips_of(validate.check(with_values(ds, [("320500", 2022, "population", people)]), caict))
    assert p.severity == "error" and "人 typed where 万人 is expected" in p.message
    assert "×10⁻⁴ brings it to 1,291" in p.message


def test_too_small_is_a_warning(caict):
    ds = dataset.default()
    suzhou = value_of(ds, "320500", 2022, "population") / 1e4  # 万人 typed where 亿人 would be
    (p,) = slips_of(validate.check(with_values(ds, [("320500", 2022, "population", suzhou)]), caict))
    assert p.severity == "warning" and "×10⁴ brings it to 1,291" in p.message


def test_a_percentage_typed_as_a_share():
    shares = [0.30 + 0.01 * i for i in range(30)] + [45.0]  # 45 % in a column of shares
    (s,) = unit_slips(shares)
    assert (s.position, s.factor, s.rescaled) == (30, 2, pytest.approx(0.45))
    assert "a percentage typed as a share" in slip_message("share_x", s)


def test_a_value_far_out_that_no_unit_factor_explains_is_not_a_slip():
    # 10⁷ times the others: no factor of 10², 10³, 10⁴ or 10⁸ brings it among them
    assert unit_slips([100.0, 101, 102, 103, 104, 105, 1e9]) == []


# -- what is not checked or not flagged ----------------------------------------------------------------------
def test_a_log_normal_variable_spanning_four_orders_is_not_flagged():
    rng = np.random.default_rng(20261202)
    x = 10 ** rng.normal(2.0, 0.8, 300)
    assert np.log10(x.max() / x.min()) >= 4  # spans four orders of magnitude
    assert unit_slips(x) == []
    for _ in range(200):  # and no other draw of it either
        assert unit_slips(10 ** rng.normal(2.0, 0.8, 300)) == []


def test_fewer_than_five_non_zero_values_are_not_checked():
    assert unit_slips([0.0, 0.0, 100, 120, 110, 1e10]) == []  # four non-zero values
    (s,) = unit_slips([0.0, 100, 120, 110, 105, 1e10])  # five: 1e10 is 100 typed in a unit 10⁸ smaller
    assert (s.position, s.factor) == (5, 8)


def test_a_unit_tiny_in_every_year_is_its_level_not_a_slip():
    codes = [f"u{i}" for i in range(30)]
    rows = [(c, y, 100.0 + i) for i, c in enumerate(codes) for y in (2021, 2022, 2023)]
    rows += [("tiny", y, 0.1) for y in (2021, 2022, 2023)]  # the same level every year (三沙-like)
    rows += [("slip", 2021, 120.0), ("slip", 2022, 0.12), ("slip", 2023, 121.0)]  # 2022 typed ×10⁻³
    units, years, values = zip(*rows, strict=True)
    found = unit_slips(values, units, years)
    assert [(units[s.position], years[s.position], s.factor) for s in found] == [("slip", 2022, -3)]
    # without the units' history the tiny unit looks like three slips too
    assert len(unit_slips(values, None, years)) == 4


def test_tiny_values_of_a_variable_with_zeros_are_its_low_tail():
    x = [0.0, *range(100, 130), 0.1]
    assert unit_slips(x) == []  # zero is a value of this variable: 0.1 lies between zero and the rest
    assert [s.factor for s in unit_slips(x[1:])] == [-3]  # without the zero, 0.1 ×10³ = 100 is a slip
    assert [s.factor for s in unit_slips([*x, 1.1e6])] == [4]  # too large is still checked


# -- messages ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("unit", "k", "says"),
    [
        ("万元", 4, "元 typed where 万元 is expected"),
        ("亿元", 4, "万元 typed where 亿元 is expected"),
        ("亿元", 8, "元 typed where 亿元 is expected"),
        ("元", -4, "万元 typed where 元 is expected"),
        ("万人", 4, "人 typed where 万人 is expected"),
        ("件", 3, "a unit 10³ times smaller (e.g. 元 typed for 千元)"),
        ("%", -2, "a share typed as a percentage"),
        ("", 8, "a unit 10⁸ times smaller (e.g. 元 typed for 亿元)"),
    ],
)
def test_the_message_names_the_likely_unit(unit, k, says):
    s = Slip(0, 3.2 * 10.0**k, k, 3.2, 1.1, 9.8, 4.0)
    text = slip_message("v", s, unit)
    assert says in text
    assert "brings it to 3.2, among the other values (1.1–9.8, median 4)" in text


def test_how_often_a_slip_put_into_the_embedded_data_is_caught():
    """Detection rate: 40 random cells (2019-2023) per variable, each multiplied by 10^k alone."""
    rng = np.random.default_rng(7)
    v = dataset.default().values
    v = v[v["year"].between(2019, 2023)]
    rates = {}
    for var in ("gdp", "population", "land_area", "co2"):
        g = v[v["variable"] == var]
        x0 = g["value"].to_numpy(dtype=np.float64)
        units, years = g["code"].to_numpy(), g["year"].to_numpy()
        cells = rng.choice(np.flatnonzero(x0 > 0), 40, replace=False)
        for k in (8, 4, -4, -8):
            hit = 0
            for c in cells:
                x = x0.copy()
                x[c] *= 10.0**k
                hit += any(s.position == c and s.factor == k for s in unit_slips(x, units, years))
            rates[(var, k)] = hit / len(cells)
    assert min(r for (_, k), r in rates.items() if abs(k) == 8) == 1.0, rates
    assert min(r for (_, k), r in rates.items() if abs(k) == 4) >= 0.75, rates


def test_a_missing_year_is_its_own_cross_section():
    # two variables; the second's values without a year must not join the first's last year
    values = [100.0, 101, 102, 103, 104, 1e10, 100.5, 101.5, 102.5, 103.5, 104.5]
    variables = ["a"] * 6 + ["b"] * 5
    years = [2022] * 6 + [None] * 5
    assert [(s.position, s.factor) for s in unit_slips(values, None, years, variables)] == [(5, 8)]
