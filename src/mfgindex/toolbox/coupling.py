"""耦合协调度 (coupling coordination degree) of two or more subsystems.

For n subsystems with evaluation values U_1 … U_n on [0, 1]:

* coupling degree, the n-system formula as corrected by Wang et al. (2021) and Cong (2019):
  C = n · (Π U_i)^{1/n} / Σ U_i, i.e. the geometric mean over the arithmetic mean, in [0, 1], equal to 1
  exactly when all U_i are equal; for two systems C = 2 √(U_1 U_2) / (U_1 + U_2), the classic form.
  The older n-system form C = n · [Π U_i / Π_{i<j} (U_i + U_j)]^{1/n} found in many papers is *not*
  offered: for n = 3 it reaches 1.5 at equal values and does not reduce to the two-system formula.
* comprehensive coordination index T = Σ α_i U_i with Σ α_i = 1 (default α_i = 1/n, stated in the output);
* coordination degree D = √(C · T), in [0, 1];
* the ten-grade scale (each 0.1 wide): 极度失调 [0, 0.1) … 优质协调 [0.9, 1].
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from mfgindex.core.errors import Problem, UserError

GRADES: tuple[str, ...] = (
    "极度失调",
    "严重失调",
    "中度失调",
    "轻度失调",
    "濒临失调",
    "勉强协调",
    "初级协调",
    "中级协调",
    "良好协调",
    "优质协调",
)


def grade(d: float) -> tuple[int, str]:
    """Ten-grade class of a coordination degree: (1-10, name); NaN → (0, "")."""
    if not np.isfinite(d):
        return 0, ""
    k = min(int(np.floor(round(d * 10, 10))), 9)
    k = max(k, 0)
    return k + 1, GRADES[k]


def coupling_coordination(
    systems: pd.DataFrame,
    alpha: Sequence[float] | Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Coupling C, comprehensive index T, coordination D and the ten-grade class per unit (row).

    Parameters
    ----------
    systems
        Units × subsystems, each column an evaluation value on [0, 1] (rows with a missing value give NaN).
    alpha
        Contribution coefficients α_i (one per column, summing to 1); default equal, 1/n.

    Returns
    -------
    DataFrame
        The input columns plus ``C, T, D, grade (1-10), grade_zh, lagging`` (the subsystem with the smallest
        value: 滞后型 in the literature; empty when all are equal).

    References
    ----------
    王淑佳, 孔伟, 任亮, 治丹丹, 戴彬涛 (2021). 国内耦合协调度模型的误区及修正. 自然资源学报, 36(3), 793-810.
    丛晓男 (2019). 耦合度模型的形式、性质及在地理学中的若干误用. 经济地理, 39(4), 18-25.
    廖重斌 (1999). 环境与经济协调发展的定量评判及其分类体系——以珠江三角洲城市群为例. 热带地理, 19(2), 171-177.
    """
    cols = [str(c) for c in systems.columns]
    n = len(cols)
    if n < 2:
        raise UserError(Problem("coupling needs at least two subsystems", expected="two or more columns"))
    u = systems.to_numpy(dtype=float)
    finite = u[np.isfinite(u)]
    if finite.size and (finite.min() < -1e-12 or finite.max() > 1 + 1e-12):
        raise UserError(Problem("subsystem values must lie in [0, 1]", expected="rescale first (e.g. /100)"))
    if alpha is None:
        a = np.full(n, 1.0 / n)
    elif isinstance(alpha, Mapping):
        a = np.array([float(alpha[c]) for c in cols])
    else:
        a = np.asarray(alpha, dtype=float)
    if a.shape != (n,) or np.any(a < 0) or not np.isclose(a.sum(), 1.0):
        raise UserError(
            Problem(
                "α must be n non-negative coefficients summing to 1",
                value=",".join(f"{x:g}" for x in np.ravel(a)),
                expected=f"{n} values",
            )
        )
    total = u.sum(axis=1)
    prod = np.prod(u, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = n * prod ** (1.0 / n) / total
    # all subsystems at 0: no development, no coupling
    c = np.where(np.isfinite(u).all(axis=1) & (total == 0), 0.0, c)
    t = u @ a
    d = np.sqrt(c * t)
    out = systems.astype(float).copy()
    out["C"] = c
    out["T"] = t
    out["D"] = d
    grades = [grade(float(v)) for v in d]
    out["grade"] = [g[0] for g in grades]
    out["grade_zh"] = [g[1] for g in grades]
    lag = []
    for row in u:
        if not np.isfinite(row).all() or np.allclose(row, row[0]):
            lag.append("")
        else:
            lag.append(cols[int(np.argmin(row))])
    out["lagging"] = lag
    return out


def coupling_over_years(
    panels: Mapping[int, pd.DataFrame],
    alpha: Sequence[float] | Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """:func:`coupling_coordination` for each year; long table with a ``year`` column (index = unit code)."""
    frames = []
    for year in sorted(panels):
        f = coupling_coordination(panels[year], alpha)
        f.insert(0, "year", year)
        frames.append(f)
    return pd.concat(frames)


def grade_counts(table: pd.DataFrame) -> pd.DataFrame:
    """Units per coordination grade (rows: grade 1-10 with name; columns: years when a ``year`` column
    exists)."""
    idx = pd.Index(range(1, 11), name="grade")
    if "year" in table.columns:
        counts = table.groupby(["grade", "year"]).size().unstack("year").reindex(idx).fillna(0).astype(int)
    else:
        counts = table.groupby("grade").size().reindex(idx).fillna(0).astype(int).to_frame("units")
    counts.insert(0, "grade_zh", list(GRADES))
    return counts


def min_max_unit(series: pd.Series) -> pd.Series:
    """Rescale an external series (e.g. a digital-economy index) to [0, 1] by min-max over its units."""
    s = series.astype(float)
    lo, hi = s.min(), s.max()
    if not np.isfinite(lo) or hi == lo:
        raise UserError(Problem("external series is constant or empty; cannot rescale to [0, 1]"))
    return (s - lo) / (hi - lo)
