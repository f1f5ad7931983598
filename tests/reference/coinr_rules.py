"""An independent, deliberately plain re-statement of COINr's documented rules (docs/coinr-reference.md §1-6).

Written row by row in the style of the R code descriptions, sharing no code with ``mfgindex``: it is the
"hand calculation" that configurations without a published COINr number are checked against.
"""

from __future__ import annotations

import math

import pandas as pd


def _clean(col: pd.Series) -> list[float]:
    return [float(v) for v in col if not math.isnan(v)]


def r_skew(v: list[float]) -> float:
    n = len(v)
    m = sum(v) / n
    s2 = sum((x - m) ** 2 for x in v)
    s3 = sum((x - m) ** 3 for x in v)
    return math.sqrt(n) * s3 / s2**1.5 * math.sqrt(n * (n - 1)) / (n - 2)


def r_kurt(v: list[float]) -> float:
    n = len(v)
    m = sum(v) / n
    s2 = sum((x - m) ** 2 for x in v)
    s4 = sum((x - m) ** 4 for x in v)
    r = n * s4 / s2**2
    return ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))


def passes(col: pd.Series) -> bool:
    v = _clean(col)
    return abs(r_skew(v)) < 2 or r_kurt(v) < 3.5


def treat_column(col: pd.Series, winmax: int = 5) -> pd.Series:
    x = col.copy()
    if passes(x):
        return x
    imax: list[object] = []
    imin: list[object] = []
    while not passes(x) and len(imax) + len(imin) < winmax:
        present = x.dropna()
        if r_skew(_clean(x)) >= 0:
            imax = list(present.index[present == present.max()])
            x[imax] = present.drop(imax).max()
        else:
            imin = list(present.index[present == present.min()])
            x[imin] = present.drop(imin).min()
    if passes(x):
        return x
    lo, hi = col.min(), col.max()
    return (col - lo + 0.01 * (hi - lo)).apply(math.log)


def normalise_column(col: pd.Series, direction: int, how: str, para: tuple[float, float]) -> pd.Series:
    x = col * direction
    if how == "minmax":
        lo, hi = para
        return (x - x.min()) / (x.max() - x.min()) * (hi - lo) + lo
    mean, sd = para
    return (x - x.mean()) / x.std(ddof=1) * sd + mean


def weighted(values: list[float], weights: list[float], how: str) -> float:
    pairs = [(v, w) for v, w in zip(values, weights, strict=True) if not math.isnan(v)]
    if not pairs:
        return math.nan
    total = sum(w for _, w in pairs)
    if how == "arithmetic":
        return sum(v * w for v, w in pairs) / total
    if how == "geometric":
        return math.exp(sum(w * math.log(v) for v, w in pairs) / total)
    return total / sum(w / v for v, w in pairs)


def impute_frame(frame: pd.DataFrame, how: str, groups: pd.Series | None = None) -> pd.DataFrame:
    out = frame.copy()
    for c in out.columns:
        if how == "mean":
            out[c] = out[c].fillna(out[c].mean())
        elif how == "median":
            out[c] = out[c].fillna(out[c].median())
        elif how == "group_mean":
            assert groups is not None
            out[c] = out[c].fillna(out[c].groupby(groups).transform("mean"))
    return out


def pipeline(
    idata: pd.DataFrame,
    imeta: pd.DataFrame,
    *,
    denominate: bool = False,
    impute: str | None = None,
    treat: bool = True,
    normalise: str = "minmax",
    para: tuple[float, float] = (0.0, 100.0),
    aggregate: str = "arithmetic",
) -> pd.DataFrame:
    """COINr's pipeline on iData/iMeta frames; returns all aggregate scores indexed by uCode."""
    ind = imeta[imeta["Type"] == "Indicator"]
    data = idata.set_index("uCode")[list(ind["iCode"])].astype(float)
    if denominate:
        for _, row in ind.iterrows():
            if isinstance(row["Denominator"], str):
                data[row["iCode"]] = data[row["iCode"]] / idata.set_index("uCode")[row["Denominator"]]
    if impute:
        groups = idata.set_index("uCode")["EurAsia_group"] if impute == "group_mean" else None
        data = impute_frame(data, impute, groups)
    if treat:
        data = pd.DataFrame({c: treat_column(data[c]) for c in data.columns})
    norm = pd.DataFrame(
        {
            r["iCode"]: normalise_column(data[r["iCode"]], int(r["Direction"]), normalise, para)
            for _, r in ind.iterrows()
        }
    )
    scores = norm.copy()
    for level in sorted(imeta["Level"].dropna().unique()):
        if level < 2:
            continue
        for _, agg in imeta[imeta["Level"] == level].iterrows():
            kids = imeta[imeta["Parent"] == agg["iCode"]]
            cols = list(kids["iCode"])
            w = [float(x) for x in kids["Weight"]]
            scores[agg["iCode"]] = [weighted(list(row), w, aggregate) for row in scores[cols].to_numpy()]
    return scores
