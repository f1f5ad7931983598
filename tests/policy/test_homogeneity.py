"""产业结构相似系数 and Krugman index: hand-computed examples, properties, user tables, shipped structures."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mfgindex.core.errors import UserError
from mfgindex.policy import homogeneity as hom
from mfgindex.policy import structures


def test_hand_computed_two_cities() -> None:
    # A = (0.5, 0.5, 0), B = (0, 0.5, 0.5)
    # Krugman: |0.5-0| + |0.5-0.5| + |0-0.5| = 0.5 + 0 + 0.5 = 1.0
    # cosine: Σ a·b = 0·… + 0.25 + 0 = 0.25; |A|² = 0.5, |B|² = 0.5 → 0.25 / sqrt(0.5·0.5) = 0.25 / 0.5 = 0.5
    s = np.array([[0.5, 0.5, 0.0], [0.0, 0.5, 0.5]])
    assert hom.krugman_matrix(s)[0, 1] == pytest.approx(1.0)
    assert hom.similarity_matrix(s)[0, 1] == pytest.approx(0.5)


def test_hand_computed_three_cities_from_levels() -> None:
    # levels → shares: A (6, 3, 1) → (0.6, 0.3, 0.1); B (2, 2, 6) → (0.2, 0.2, 0.6); C (12, 6, 2) = 2·A
    # K_AB = 0.4 + 0.1 + 0.5 = 1.0
    # S_AB = (0.12 + 0.06 + 0.06) / sqrt(0.46 · 0.44) = 0.24 / 0.449889 = 0.533465
    # C has A's structure: K_AC = 0, S_AC = 1
    x = pd.DataFrame([[6, 3, 1], [2, 2, 6], [12, 6, 2]], index=["A", "B", "C"], columns=["i", "j", "k"])
    s = hom.shares(x)
    assert s.loc["A"].tolist() == pytest.approx([0.6, 0.3, 0.1])
    k = hom.krugman_matrix(s.to_numpy())
    c = hom.similarity_matrix(s.to_numpy())
    assert k[0, 1] == pytest.approx(1.0)
    assert c[0, 1] == pytest.approx(0.24 / math.sqrt(0.46 * 0.44))
    assert c[0, 1] == pytest.approx(0.533465, abs=1e-6)
    assert (k[0, 2], c[0, 2]) == (pytest.approx(0.0), pytest.approx(1.0))
    # the cosine is the same on levels as on shares
    assert hom.similarity_matrix(x.to_numpy(float)) == pytest.approx(c)


def test_no_industry_in_common_is_the_extreme() -> None:
    s = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert hom.krugman_matrix(s)[0, 1] == pytest.approx(2.0)
    assert hom.similarity_matrix(s)[0, 1] == pytest.approx(0.0)


share_rows = arrays(
    np.float64, st.tuples(st.integers(2, 6), st.integers(1, 8)), elements=st.floats(0, 100, allow_nan=False)
).filter(lambda a: bool((a.sum(axis=1) > 1e-6).all()))


@settings(max_examples=60, deadline=None)
@given(share_rows)
def test_properties_identity_symmetry_bounds(x: np.ndarray) -> None:
    s = x / x.sum(axis=1, keepdims=True)
    k = hom.krugman_matrix(s)
    c = hom.similarity_matrix(s)
    assert np.allclose(np.diag(k), 0.0) and np.allclose(np.diag(c), 1.0)  # a city is identical to itself
    assert np.allclose(k, k.T) and np.allclose(c, c.T)  # symmetry
    assert (k >= -1e-12).all() and (k <= 2 + 1e-12).all()  # bounds
    assert (c >= 0).all() and (c <= 1).all()


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "t.csv"
    p.write_text(text, encoding="utf-8")
    return p


def test_user_table_wide_and_long_agree(tmp_path: Path) -> None:
    wide = _write(tmp_path, "city,电子,汽车,医药\n苏州,6,3,1\n无锡,2,2,6\n深圳,12,6,2\n")
    r = hom.analyse(structures.read_structure(wide))
    long = tmp_path / "l.csv"
    rows = ["city,industry,value"] + [
        f"{c},{i},{v}"
        for c, vals in (("苏州", (6, 3, 1)), ("无锡", (2, 2, 6)), ("深圳", (12, 6, 2)))
        for i, v in zip(("电子", "汽车", "医药"), vals, strict=True)
    ]
    long.write_text("\n".join(rows) + "\n", encoding="utf-8")
    r2 = hom.analyse(structures.read_structure(long))
    pd.testing.assert_frame_equal(
        r.similarity.sort_index().sort_index(axis=1), r2.similarity.sort_index().sort_index(axis=1)
    )
    top = r.pairs.iloc[0]
    assert {top["name_a"], top["name_b"]} == {"苏州市", "深圳市"} and top["similarity"] == pytest.approx(1.0)
    # 苏州 and 无锡 are both in 江苏 and in the 长三角 城市群
    assert r.within_province["province"].tolist() == ["江苏"]
    assert r.within_province["similarity"].iloc[0] == pytest.approx(0.533465, abs=1e-6)
    assert "长江三角洲城市群" in set(r.within_cluster["cluster"])


@pytest.mark.parametrize(
    ("text", "match", "column"),
    [
        ("city,电子\n苏州,-1\n无锡,2\n", "negative", "电子"),
        ("city,电子\n苏州,abc\n无锡,2\n", "non-numeric cell", "电子"),
        ("city,电子\n苏州,1e400\n无锡,2\n", "not finite", "电子"),  # the reader's one number syntax
        ("city,year,电子\n苏州,-2022,1\n无锡,2022,2\n", "year outside 1949-2100", "year"),
        ("city,电子\n火星,1\n无锡,2\n", "未知城市", "city"),
        ("city,电子,汽车\n苏州,0,0\n无锡,2,1\n", "all values are zero", "city"),
        ("name,电子\n苏州,1\n", "missing city column", ""),
    ],
)
def test_bad_user_table(tmp_path: Path, text: str, match: str, column: str) -> None:
    with pytest.raises(UserError, match=match) as exc:
        structures.read_structure(_write(tmp_path, text))
    assert exc.value.problems[0].column == column


def test_shipped_listed_structure_and_trend() -> None:
    s = structures.listed_structure()
    assert s.years() == [2010, 2015, 2020, 2021, 2022]
    m = s.matrix()
    assert m.loc["440300"].sum() > 100  # 深圳 has hundreds of listed manufacturers
    r = hom.analyse(s, min_total=20, trend_min_total=10)
    assert len(r.similarity) >= 30
    assert all(m.loc[c].sum() < 20 for c in r.excluded)
    trend = r.over_years[r.over_years["kind"] == "all"]
    assert trend["cities"].nunique() == 1  # balanced panel
    assert trend["year"].tolist() == s.years()


def test_shipped_cluster_structure() -> None:
    r = hom.analyse(structures.cluster_structure(), min_total=1)
    assert set(r.structure.values["industry"]) <= {
        "新一代信息技术",
        "高端装备",
        "新材料",
        "生物医药及高端医疗器械",
        "消费品",
        "新能源及智能网联汽车",
    }
    assert r.pairs["similarity"].between(0, 1).all()


def test_write_results(tmp_path: Path) -> None:
    wide = _write(
        tmp_path, "city,year,电子,汽车\n苏州,2021,6,3\n无锡,2021,2,2\n苏州,2022,6,4\n无锡,2022,1,2\n"
    )
    r = hom.analyse(structures.read_structure(wide))
    assert r.year == 2022 and r.over_years["year"].tolist()[:1] == [2021]
    paths = hom.write_results([("", r)], tmp_path / "out")
    names = {p.name for p in paths}
    assert {"results.xlsx", "heatmap.png", "heatmap.svg", "pairs.csv"} <= names
    sheets = pd.read_excel(tmp_path / "out" / "results.xlsx", sheet_name=None)
    assert {"说明", "pairs", "similarity", "krugman", "over_years"} <= set(sheets)


def test_user_table_numbers_and_years_in_the_reader_syntax(tmp_path: Path) -> None:
    """1,234 · 12% · full-width digits · 2022年 read as the one reader reads them; a missing marker is 0."""
    s = structures.read_structure(
        _write(tmp_path, 'city,year,电子,汽车\n苏州,2022年,"1,234",—\n无锡,２０２２,12%,3\n')
    )
    got = {(r.code, r.year, r.industry): r.value for r in s.values.itertuples()}
    assert got == {
        ("320500", 2022, "电子"): 1234.0,
        ("320500", 2022, "汽车"): 0.0,
        ("320200", 2022, "电子"): 0.12,
        ("320200", 2022, "汽车"): 3.0,
    }
