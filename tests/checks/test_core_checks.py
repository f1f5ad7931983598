"""Plausibility checks (METHODS §7) on described bad-data cases and on hand-made panels.

Expected values come from the data files (the corrections log's old and new values, both GDP tables) and
from hand calculations; the robust z is checked against scipy.
"""

from __future__ import annotations

import math
import warnings
from collections import defaultdict
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats

from mfgindex.core import checks, dataset, geo
from mfgindex.core import framework as fw_mod
from mfgindex.core.dataset import Dataset
from mfgindex.core.findings import Finding
from tests.checks.conftest import with_values

KINDS = {k: v.kind for k, v in fw_mod.load("caict2023").variables.items()}
YEARS = [2021, 2022]


def by_cell(findings: list[Finding]) -> dict[tuple[str, int, str], list[Finding]]:
    out: dict[tuple[str, int, str], list[Finding]] = defaultdict(list)
    for f in findings:
        out[(f.code, f.year, f.variable)].append(f)
    return out


@pytest.fixture(scope="module")
def old_findings(old_data: Dataset) -> dict[tuple[str, int, str], list[Finding]]:
    return by_cell(checks.run_checks(old_data, KINDS, YEARS))


@pytest.fixture(scope="module")
def new_findings() -> dict[tuple[str, int, str], list[Finding]]:
    return by_cell(checks.run_checks(dataset.default(), KINDS, YEARS))


def test_every_old_value_of_the_corrections_log_is_flagged(corrections, old_findings):
    """The decisive case: each of the 31 corrected cells, at its OLD value, raises a finding."""
    assert len(corrections) == 31
    missed = [
        (r.code, r.year, r.variable, r.old)
        for r in corrections.itertuples()
        if not old_findings.get((r.code, int(r.year), r.variable))
    ]
    assert missed == []


def test_the_corrected_cells_raise_no_finding(corrections, new_findings):
    for r in corrections.itertuples():
        assert not new_findings.get((r.code, int(r.year), r.variable)), (r.code, r.year, r.variable)


def test_ordos_2022_province_total_in_a_city_row(old_findings):
    # 鄂尔多斯 2022 held 内蒙古's totals: GDP 23,158.7 against 5,613.44 in city_gdp_index (README)
    got = {f.kind: f for f in old_findings[("150600", 2022, "gdp")]}
    f = got["province_share"]
    assert f.severity == "error" and f.value == 23158.7
    assert "57.0%" in f.message  # 23,158.7 / Σ 内蒙古 cities 2022 (hand: 23,158.7 / 40,652 ≈ 57.0 %)
    assert got["two_sources"].severity == "warning" and "5,613.44" in got["two_sources"].message
    for var in ("va_primary", "va_secondary", "va_tertiary"):
        assert any(x.severity == "error" for x in old_findings[("150600", 2022, var)])


def test_ordos_share_is_the_hand_computed_one(old_data):
    panel = old_data.panel["gdp"][2022]
    units = geo.units()
    nm = units.index[units["province"] == "内蒙古"]
    share = 23158.7 / panel.reindex(nm).sum()
    assert share == pytest.approx(0.570, abs=0.001)


def test_huainan_2022_fragments_are_a_spike(old_findings):
    # 淮南 2022 held fragments (GDP 295.4 instead of 1,541.1): 1,457.05 → 295.4 → 1,601.6
    f = next(x for x in old_findings[("340400", 2022, "gdp")] if x.kind == "spike")
    assert f.severity == "error"
    assert "1,457.05 → 295.4 → 1,601.6" in f.message
    assert "-79.7 %" in f.message  # 295.4 / 1457.05 − 1 = −79.73 %


def test_eighteen_western_copied_totals(corrections, old_findings):
    western = corrections[corrections["reason"].str.startswith("2022 GDP equals the 2021 value")]
    assert len(western) == 18
    for r in western.itertuples():
        kinds = {f.kind: f for f in old_findings[(r.code, 2022, "gdp")]}
        assert "copied_total" in kinds, r.name
        gap = float(r.new) / float(r.old) - 1  # the sector VA sum (new) against the copied total (old)
        if gap > 0.05:
            assert kinds["identity"].severity == "error", r.name
    changji = {f.kind: f for f in old_findings[("652300", 2022, "gdp")]}
    assert "+27.8 %" in changji["identity"].message  # 2,169.52 / 1,698.21 − 1 = 27.75 %


def test_heilongjiang_population_jump_and_fall_back(corrections, old_findings):
    pop = corrections[corrections["variable"] == "population"]
    assert sorted(pop["code"]) == ["230200", "230500", "230700", "231100", "231200"]
    for r in pop.itertuples():
        kinds = {f.kind for f in old_findings[(r.code, 2021, "population")] if f.severity == "error"}
        assert kinds == {"spike"}, r.name


def test_changchun_always_dominant_is_not_flagged():
    # 长春 holds about half of 吉林's GDP every year: a stable dominant city, not a province total
    ds = dataset.default()
    jl = geo.units().index[geo.units()["province"] == "吉林"]
    gdp = ds.panel["gdp"].reindex(jl)
    share = gdp.loc["220100"] / gdp.sum()
    assert (share.dropna() > 0.4).sum() >= 10
    found = checks.run_checks(ds, KINDS, None)
    # the GDP and sector series, where these capitals are always dominant (海口's fiscal S&T spending in
    # 2016, 38 % of 海南's against a usual 16 %, is a real finding of another series)
    output = {"gdp", "gdp_alt", "va_primary", "va_secondary", "va_tertiary", "population"}
    assert not [
        f
        for f in found
        if f.code in ("220100", "640100", "460100") and f.kind == "province_share" and f.variable in output
    ]


def test_a_dominant_city_with_a_provincial_total_is_flagged():
    # 白城 (a small 吉林 city) given the sum of 吉林's cities: its share jumps from a few % to about 50 %
    ds = dataset.default()
    jl = geo.units().index[geo.units()["province"] == "吉林"]
    total = float(ds.panel["gdp"][2022].reindex(jl).sum())
    bad = with_values(ds, [("220800", 2022, "gdp", total)])
    f = [
        x for x in checks.run_checks(bad, KINDS, [2022]) if x.kind == "province_share" and x.variable == "gdp"
    ]
    assert [(x.code, x.year) for x in f] == [("220800", 2022)]


@pytest.mark.parametrize(
    ("code", "variable", "factor", "k"),
    [
        ("320500", "gdp", 10.0, 1),  # 亿元 typed as 千万元
        ("340400", "gdp", 0.1, -1),  # a dropped digit: 1,541.1 → 154.11
        ("330100", "population", 1e4, 4),  # 万人 typed as 人
        ("440300", "va_secondary", 1e-4, -4),  # 万元 read as 亿元
    ],
)
def test_powers_of_ten(code, variable, factor, k):
    ds = dataset.default()
    x = float(ds.panel[variable].loc[code, 2022])
    bad = with_values(ds, [(code, 2022, variable, x * factor)])
    got = [f for f in checks.run_checks(bad, KINDS, [2022]) if (f.code, f.variable) == (code, variable)]
    slip = [f for f in got if f.kind == "unit_slip"]
    assert slip and slip[0].severity == "error"
    assert f"10^{k}" in slip[0].message


def test_two_sources_baoding():
    # 保定 2021: 3,725 (city_gdp_structure) against 4,401.68 (city_gdp_index): 3725 / 4401.68 − 1 = −15.4 %
    found = by_cell(checks.run_checks(dataset.default(), KINDS, YEARS))
    f = next(x for x in found[("130600", 2021, "gdp")] if x.kind == "two_sources")
    assert f.severity == "warning"
    assert "3,725" in f.message and "4,401.68" in f.message and "-15.4 %" in f.message


def _generic(rows: list[tuple[str, int, str, float]]) -> Dataset:
    values = pd.DataFrame(rows, columns=["code", "year", "variable", "value"]).assign(source="t")
    units = pd.DataFrame({"name": sorted({r[0] for r in rows})}, index=sorted({r[0] for r in rows}))
    return Dataset(values=values, units=units, kind="generic")


def test_identities_negative_and_shares():
    rows = [
        ("a", 2022, "gdp", 100.0),
        ("a", 2022, "va_primary", 10.0),
        ("a", 2022, "va_secondary", 120.0),  # a component larger than the total
        ("a", 2022, "va_tertiary", 30.0),
        ("b", 2022, "gdp", 100.0),
        ("b", 2022, "va_primary", 10.0),
        ("b", 2022, "va_secondary", 40.0),
        ("b", 2022, "va_tertiary", 56.0),  # Σ = 106: +6 % > 5 %
        ("c", 2022, "gdp", 100.0),
        ("c", 2022, "va_primary", 10.0),
        ("c", 2022, "va_secondary", 40.0),
        ("c", 2022, "va_tertiary", 54.0),  # Σ = 104: +4 %, a warning
        ("d", 2022, "gdp", -5.0),
        ("d", 2022, "share_x", 104.0),
    ]
    kinds = {"gdp": "amount", "share_x": "share"}
    got = {(f.code, f.kind, f.severity) for f in checks.run_checks(_generic(rows), kinds)}
    assert ("a", "identity", "error") in got
    assert ("b", "identity", "error") in got
    assert ("c", "identity", "warning") in got
    assert ("d", "negative", "error") in got
    assert ("d", "share_range", "error") in got


def test_a_row_copied_from_another_unit():
    ds = dataset.default()
    src = {
        v: float(ds.panel[v].loc["320500", 2022])
        for v in ("gdp", "va_primary", "va_secondary", "va_tertiary")
    }
    bad = with_values(ds, [("320200", 2022, v, x) for v, x in src.items()])
    got = {f.code for f in checks.run_checks(bad, KINDS, [2022]) if f.kind == "copied_row"}
    assert got == {"320500", "320200"}


def test_a_one_way_boom_is_only_a_warning():
    # 伊犁 2021 GDP 1,266.01 → 2,667.18 with no reversal in 2022: a warning, not an error
    found = by_cell(checks.run_checks(dataset.default(), KINDS, [2021]))
    f = found[("654000", 2021, "gdp")]
    assert [(x.kind, x.severity) for x in f] == [("jump", "warning")]


def test_robust_z_against_scipy():
    rng = np.random.default_rng(0)
    g = rng.normal(0.05, 0.03, size=(200, 3))
    g[5, 1] = np.nan
    z, med, scale = checks.robust_z(g, floor=0.0)
    for t in range(3):
        col = g[:, t][~np.isnan(g[:, t])]
        mad = stats.median_abs_deviation(col, scale="normal")  # 1.4826 · MAD for a normal
        assert med[t] == pytest.approx(np.median(col))
        assert scale[t] == pytest.approx(mad, rel=1e-3)  # 1.4826 against scipy's 1/Φ⁻¹(3/4) = 1.482602…
        assert z[0, t] == pytest.approx(
            (g[0, t] - np.median(col)) / (1.4826 * stats.median_abs_deviation(col))
        )


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, (7, 4), elements=st.one_of(st.just(math.nan), st.floats(-1e6, 1e6))))
def test_nanmedian_equals_numpy(a):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy warns on all-NaN columns
        ref = np.nanmedian(a, axis=0)
    np.testing.assert_allclose(checks.nanmedian(a, axis=0), ref, equal_nan=True)


def test_checks_change_nothing():
    ds = dataset.default()
    before = ds.values.copy()
    checks.run_checks(ds, KINDS, YEARS)
    pd.testing.assert_frame_equal(ds.values, before)


def test_findings_outside_the_years_are_not_reported(old_data):
    found = checks.run_checks(old_data, KINDS, [2020])
    assert all(f.year == 2020 for f in found)
    assert not [f for f in found if f.code == "150600"]


def test_finding_json_shape():
    f = checks.run_checks(dataset.default(), KINDS, YEARS)[0]
    assert list(f.as_dict()) == [
        "code", "name", "year", "variable", "value", "severity", "kind", "message", "location"
    ]  # fmt: skip


@pytest.mark.parametrize("n_years", [1, 2, 3, 4, 6])
def test_short_panels_of_cities(n_years):
    # fewer years than the ±5-year window of the province rule (a user's file checked alone)
    rows = [
        (code, 2018 + t, "gdp", 100.0 * (1 + k) * 1.05**t)
        for k, code in enumerate(("320500", "320200", "320400"))
        for t in range(n_years)
    ]
    ds = replace(_generic(rows), units=geo.units(), kind="cities")
    assert checks.run_checks(ds, KINDS) == []
