"""Plausibility checks on a panel: the pre-release review of a statistical office (METHODS §7).

Pure functions on ``Dataset.panel`` (units × years per variable), vectorised with numpy. Each rule returns
``Finding`` rows with the numbers it compared (the evidence), never only a verdict. Nothing is changed.

Rules (kind → severity)
-----------------------
``province_share`` (error)
    A city's share of the sum of its province's cities jumps by more than 20 points from its own median
    share over the other years (±5 years) while its own value also jumps against the cross-section: a
    province total (or a fragment) in a city row. A city that is always dominant (长春) is stable, so quiet.
``identity`` (error)
    Components larger than their total; ``|Σ components − total| / total`` above 5 % (warning above 3 %).
``negative`` / ``share_range`` (error)
    Negative amounts or counts; shares outside [0, 100].
``spike`` (error)
    A one-year jump that reverses the next year: the robust z of the log growth
    ``z = (g − median_t g) / (1.4826 · MAD_t g)`` is large in year t and large with the opposite sign in
    t + 1 (a series break, e.g. another statistical basis for one year).
``unit_slip`` (error)
    A jump by a power of ten (``|g − k·ln 10|`` small, k ≠ 0) that is also extreme in the cross-section:
    万/亿 or 人/万人 confused, a digit dropped or added.
``jump`` (warning)
    A large one-way jump (|z| large, no reversal): real booms and busts exist.
``copied_total`` (warning)
    A total exactly equal to the previous year while its components or its second source moved.
``copied_row`` (error)
    A unit's row (a total and its components) equal to another unit's row in the same year.
``two_sources`` (warning)
    Two series of one concept (GDP in two tables) differing by more than 5 % in the same year.

References
----------
Statistics Canada (2019), *Statistics Canada Quality Guidelines*, "Data validation"; Hidiroglou, M. A. and
Berthelot, J.-M. (1986), "Statistical editing and imputation for periodic business surveys", *Survey
Methodology* 12(1) (growth ratios against the cross-section); Rousseeuw, P. J. and Croux, C. (1993),
"Alternatives to the median absolute deviation", *JASA* 88 (the MAD, scale 1.4826).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from mfgindex.core.dataset import Dataset
from mfgindex.core.findings import (
    ERROR,
    SEVERITY_ORDER,
    WARNING,
    Finding,
    Rules,
    _num,
    _pct,
)


# -- helpers on the units × years frames ---------------------------------------------------------------------
def cube(values: pd.DataFrame) -> tuple[list[str], pd.Index, pd.Index, np.ndarray]:
    """The long ``values`` as an array variables × units × years (the first value of a repeated key)."""
    v = values.drop_duplicates(["code", "year", "variable"], keep="first")
    var_codes, variables = pd.factorize(v["variable"].astype(str), sort=True)
    unit_codes, codes = pd.factorize(v["code"].astype(str), sort=True)
    year_codes, years = pd.factorize(v["year"].astype(int), sort=True)
    arr = np.full((len(variables), len(codes), len(years)), np.nan)
    arr[var_codes, unit_codes, year_codes] = v["value"].to_numpy(dtype=np.float64)
    return (
        [str(x) for x in variables],
        pd.Index(codes, dtype=object),
        pd.Index(years.astype(int), dtype=int),
        arr,
    )


def _log_growth(x: np.ndarray) -> np.ndarray:
    """g[:, t] = ln x[:, t] − ln x[:, t−1] (NaN where either is missing or not positive; column 0 NaN)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        lx = np.where(x > 0, np.log(np.where(x > 0, x, 1.0)), np.nan)
    g = np.full_like(lx, np.nan)
    g[:, 1:] = lx[:, 1:] - lx[:, :-1]
    return g


def nanmedian(a: np.ndarray, axis: int = 0) -> np.ndarray:
    """Median along ``axis`` ignoring NaN (NaN where all are NaN); a sort, much faster than ``np.nanmedian``
    on the many short columns of a panel."""
    a = np.moveaxis(np.asarray(a, dtype=np.float64), axis, 0)
    srt = np.sort(a, axis=0)  # NaN sort last
    n = np.sum(~np.isnan(a), axis=0)
    lo = np.clip((n - 1) // 2, 0, None)
    hi = np.clip(n // 2, 0, None)
    m = 0.5 * (np.take_along_axis(srt, lo[None], 0)[0] + np.take_along_axis(srt, hi[None], 0)[0])
    return np.where(n > 0, m, np.nan)


def robust_z(g: np.ndarray, floor: float = 0.01) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Column-wise robust z of ``g`` (units × years): (z, median, scale = max(1.4826·MAD, floor))."""
    med = nanmedian(g, axis=0)
    mad = nanmedian(np.abs(g - med), axis=0)
    scale = np.maximum(1.4826 * np.nan_to_num(mad, nan=0.0), floor)
    return (g - med) / scale, med, scale


class _Ctx:
    """What every rule of one :func:`run_checks` reads: the data cube, its labels and the findings list.

    (A plain class: a dataclass's generated methods, compiled at class creation, cost start-up time.)"""

    __slots__ = ("codes", "ds", "frames", "names", "out", "provinces", "report_years", "years")

    def __init__(
        self,
        ds: Dataset,
        codes: pd.Index,
        years: pd.Index,
        names: np.ndarray,
        report_years: np.ndarray,  # bool per year column: findings are reported for these years
        out: list[Finding],
        frames: Mapping[str, np.ndarray],
        provinces: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,  # names, index, one-hot matrix
    ) -> None:
        self.ds = ds
        self.codes = codes
        self.years = years
        self.names = names
        self.report_years = report_years
        self.out = out
        self.frames = frames
        self.provinces = provinces

    def frame(self, var: str) -> np.ndarray:
        got = self.frames.get(var)
        return np.full((len(self.codes), len(self.years)), np.nan) if got is None else got

    def add(self, i: int, t: int, var: str, value: float, severity: str, kind: str, message: str) -> None:
        code = str(self.codes[i])
        year = int(self.years[t])
        self.out.append(
            Finding(
                code,
                str(self.names[i]),
                year,
                var,
                float(value),
                severity,
                kind,
                message,
            )
        )


def _locations(ds: Dataset, keys: set[tuple[str, int, str]]) -> dict[tuple[str, int, str], str]:
    """``file:sheet:row:column`` of the values at ``keys`` (unit, year, variable): the values the findings
    are about, so a large file's locations are never all made at once."""
    v = ds.values
    if "file" not in v.columns or not keys:
        return {}
    near = v["code"].isin({k[0] for k in keys}) & v["variable"].isin({k[2] for k in keys})
    near &= v["year"].isin({k[1] for k in keys})
    v = v[near]
    has = v["file"].notna() & (v["file"].astype(str) != "")
    sub = v[has]
    if sub.empty:
        return {}
    loc = (
        sub["file"].astype(str)
        + ":"
        + sub["sheet"].fillna("").astype(str)
        + ":"
        + sub["row"].astype("Int64").astype(str)
        + ":"
        + sub["column"].astype(str)
    )
    return dict(
        zip(
            zip(sub["code"].astype(str), sub["year"].astype(int), sub["variable"].astype(str), strict=True),
            loc,
            strict=True,
        )
    )


# -- the rules -----------------------------------------------------------------------------------------------
def _sign_rules(ctx: _Ctx, var: str, kind: str, x: np.ndarray) -> None:
    if kind in ("amount", "count"):
        bad = x < 0
        for i, t in zip(*np.nonzero(bad & ctx.report_years), strict=True):
            ctx.add(
                i, t, var, x[i, t], ERROR, "negative", f"{var} 为负值 (negative {kind}): {_num(x[i, t])} < 0"
            )
    if kind == "share":
        bad = (x < 0) | (x > 100)
        for i, t in zip(*np.nonzero(bad & ctx.report_years), strict=True):
            ctx.add(
                i, t, var, x[i, t], ERROR, "share_range",
                f"比重超出 0-100 (share out of range): {_num(x[i, t])} ∉ [0, 100]",
            )  # fmt: skip


def _growth_rules(ctx: _Ctx, var: str, kind: str, x: np.ndarray, r: Rules) -> None:
    """Spikes that reverse, powers of ten, one-way jumps: own history against the cross-section."""
    if x.shape[1] < 2:  # one year: no growth, nothing to find
        return
    g = _log_growth(x)
    z, med, scale = robust_z(g, r.mad_floor)
    n_years = x.shape[1]
    z_next = np.full_like(z, np.nan)
    g_next = np.full_like(g, np.nan)
    if n_years > 1:
        z_next[:, :-1] = z[:, 1:]
        g_next[:, :-1] = g[:, 1:]
    big = np.abs(g) >= r.min_log_change
    k = np.rint(g / np.log(10.0))
    slip = big & (k != 0) & (np.abs(g - k * np.log(10.0)) < r.slip_tolerance) & (np.abs(z) >= r.z_slip)
    if kind == "count":  # 1 → 10 firms is real; a slip needs sizeable numbers
        prev = np.full_like(x, np.nan)
        prev[:, 1:] = x[:, :-1]
        slip &= np.fmax(x, prev) >= 100
    with np.errstate(invalid="ignore"):
        spike = (
            big
            & (np.abs(z) >= r.z_spike)
            & (np.abs(z_next) >= r.z_spike)
            & (np.sign(z) == -np.sign(z_next))
            & (np.sign(g) == -np.sign(g_next))
            & (np.abs(g_next) >= r.reversal * np.abs(g))
            & ~slip
        )
        jump = big & (np.abs(z) >= r.z_jump) & ~spike & ~slip
    rep = ctx.report_years
    x_prev = np.full_like(x, np.nan)
    x_prev[:, 1:] = x[:, :-1]
    x_next = np.full_like(x, np.nan)
    x_next[:, :-1] = x[:, 1:]
    years = ctx.years
    for i, t in zip(*np.nonzero(slip & rep), strict=True):
        ctx.add(
            i, t, var, x[i, t], ERROR, "unit_slip",
            f"{years[t - 1]}→{years[t]}: {_num(x_prev[i, t])} → {_num(x[i, t])}，约为 10^{int(k[i, t])} 倍 "
            f"(a power of ten: 万/亿、人/万人 or a digit; ratio {np.exp(g[i, t]):.4g}, "
            f"robust z {z[i, t]:+.1f}, "
            f"median growth {_pct(float(np.expm1(med[t])))})",
        )  # fmt: skip
    for i, t in zip(*np.nonzero(spike & rep), strict=True):
        ctx.add(
            i, t, var, x[i, t], ERROR, "spike",
            f"{years[t - 1]}-{years[t]}-{years[t + 1]}: {_num(x_prev[i, t])} → {_num(x[i, t])} → "
            f"{_num(x_next[i, t])}，突变后回落 (series break: growth {_pct(float(np.expm1(g[i, t])))} then "
            f"{_pct(float(np.expm1(g_next[i, t])))}; robust z {z[i, t]:+.1f} / {z_next[i, t]:+.1f}, "
            f"all units' median growth {_pct(float(np.expm1(med[t])))} / "
            f"{_pct(float(np.expm1(med[t + 1])))})",
        )  # fmt: skip
    for i, t in zip(*np.nonzero(jump & rep), strict=True):
        ctx.add(
            i, t, var, x[i, t], WARNING, "jump",
            f"{years[t - 1]}→{years[t]}: {_num(x_prev[i, t])} → {_num(x[i, t])} "
            f"(one-way jump {_pct(float(np.expm1(g[i, t])))}, robust z {z[i, t]:+.1f}; all units' median "
            f"{_pct(float(np.expm1(med[t])))}, scale {scale[t]:.3f})",
        )  # fmt: skip


def _province_rule(ctx: _Ctx, var: str, x: np.ndarray, r: Rules) -> None:
    if ctx.provinces is None:
        return
    prov, member, onehot = ctx.provinces
    present = ~np.isnan(x)
    tot = onehot @ np.where(present, x, 0.0)  # provinces × years
    n = onehot @ present.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = x / tot[member]
    share[(n[member] < 2) | (tot[member] <= 0) | (prov == "")[:, None]] = np.nan
    n_years = x.shape[1]
    # the city's usual share: median over the other years within ±window (vectorised over a 3-d stack)
    w = r.share_window
    offsets = [d for d in range(-w, w + 1) if d != 0]
    stack = np.full((len(offsets), *share.shape), np.nan)
    for j, d in enumerate(offsets):
        if abs(d) >= n_years:
            continue
        if d > 0:
            stack[j, :, : n_years - d] = share[:, d:]
        else:
            stack[j, :, -d:] = share[:, : n_years + d]
    usual = nanmedian(stack, axis=0)
    n_other = np.sum(~np.isnan(stack), axis=0)
    g = _log_growth(x)
    z, _, _ = robust_z(g, r.mad_floor)
    # the rest of the province must not explain the jump (长春's share falls when 白城 holds the total)
    g_rest = _log_growth(np.where(present, tot[member] - x, np.nan))
    prev_share = np.full_like(share, np.nan)
    prev_share[:, 1:] = share[:, :-1]
    with np.errstate(invalid="ignore"):
        delta = share - usual
        hit = (np.abs(delta) > r.share_jump) & (n_other >= 2) & (np.abs(z) >= r.share_z)
        # a jump from the year before, not a level that has held since an earlier break
        hit &= ~(np.abs(share - prev_share) <= r.share_jump)
        hit &= (np.sign(z) == np.sign(delta)) & ~(np.abs(g_rest) > 0.5 * np.abs(g))
    for i, t in zip(*np.nonzero(hit & ctx.report_years), strict=True):
        ctx.add(
            i, t, var, x[i, t], ERROR, "province_share",
            f"占{prov[i]}各市合计 {share[i, t]:.1%}，往年通常 {usual[i, t]:.1%} "
            "(share of the province's cities "
            f"{share[i, t]:.1%} against its median {usual[i, t]:.1%} over {int(n_other[i, t])} other years, "
            f"{delta[i, t] * 100:+.1f} points > {r.share_jump * 100:.0f}; own growth z {z[i, t]:+.1f}): "
            "a province total or a fragment in a city row?",
        )  # fmt: skip


def _identity_rules(ctx: _Ctx, total: str, parts: tuple[str, ...], r: Rules) -> None:
    have = [p for p in parts if p in ctx.frames]
    if total not in ctx.frames or not have:
        return
    x = ctx.frame(total)
    comps = np.stack([ctx.frame(p) for p in have])
    rep = ctx.report_years
    with np.errstate(invalid="ignore"):
        over = np.any(comps > x * (1 + 1e-9), axis=0) & (x > 0)
    for i, t in zip(*np.nonzero(over & rep), strict=True):
        big = [f"{p}={_num(comps[j, i, t])}" for j, p in enumerate(have) if comps[j, i, t] > x[i, t]]
        ctx.add(
            i, t, total, x[i, t], ERROR, "identity",
            f"分项大于总量 (component larger than its total): {', '.join(big)} > {total}={_num(x[i, t])}",
        )  # fmt: skip
    if len(have) != len(parts):
        return
    complete = ~np.isnan(comps).any(axis=0) & (x > 0)
    s = comps.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = (s - x) / x
    for severity, lo, hi in (
        (ERROR, r.identity_error, np.inf),
        (WARNING, r.identity_warning, r.identity_error),
    ):
        with np.errstate(invalid="ignore"):
            hit = complete & (np.abs(rel) > lo) & (np.abs(rel) <= hi) & ~over
        for i, t in zip(*np.nonzero(hit & rep), strict=True):
            detail = " + ".join(_num(comps[j, i, t]) for j in range(len(have)))
            ctx.add(
                i, t, total, x[i, t], severity, "identity",
                f"分项之和与总量不符 (Σ {'+'.join(have)} = {detail} = {_num(s[i, t])} against {total} "
                f"{_num(x[i, t])}: {_pct(float(rel[i, t]))}, tolerance ±{lo:.0%})",
            )  # fmt: skip


def _copy_rules(ctx: _Ctx, r: Rules) -> None:
    rep = ctx.report_years
    for total, parts in r.components.items():
        if total not in ctx.frames:
            continue
        x = ctx.frame(total)
        x_prev = np.full_like(x, np.nan)
        x_prev[:, 1:] = x[:, :-1]
        same = (x == x_prev) & (x != 0)
        if not same.any():
            continue
        evidence: list[tuple[np.ndarray, str]] = []
        have = [p for p in parts if p in ctx.frames]
        if have and len(have) == len(parts):
            s = np.stack([ctx.frame(p) for p in have]).sum(axis=0)
            evidence.append((s, f"Σ {'+'.join(have)}"))
        twin = r.twins.get(total)
        if twin and twin in ctx.frames:
            evidence.append((ctx.frame(twin), twin))
        for i, t in zip(*np.nonzero(same & rep), strict=True):
            moved = []
            for series, label in evidence:
                a, b = series[i, t - 1], series[i, t]
                if np.isfinite(a) and np.isfinite(b) and a > 0 and abs(b / a - 1) > r.copy_moved:
                    moved.append(f"{label} {_num(a)} → {_num(b)} ({_pct(b / a - 1)})")
            if moved:
                ctx.add(
                    i, t, total, x[i, t], WARNING, "copied_total",
                    f"与 {ctx.years[t - 1]} 年完全相同 (equal to the previous year, {_num(x[i, t])}) while "
                    + "; ".join(moved),
                )  # fmt: skip
        # a whole row equal to another unit's row in the same year
        if have:
            block = np.stack([x, *(ctx.frame(p) for p in have)])
            for t in np.nonzero(rep[0])[0]:
                rows = block[:, :, t].T
                ok = ~np.isnan(rows).any(axis=1) & (rows != 0).all(axis=1)
                if ok.sum() < 2:
                    continue
                idx = np.nonzero(ok)[0]
                frame = pd.DataFrame(rows[idx])
                dup = frame.duplicated(keep=False).to_numpy()
                if not dup.any():
                    continue
                for _, grp in frame[dup].groupby(list(frame.columns)).groups.items():
                    members = [int(idx[j]) for j in grp]
                    others = ", ".join(f"{ctx.codes[m]} {ctx.names[m]}" for m in members)
                    for m in members:
                        ctx.add(
                            m, int(t), total, x[m, t], ERROR, "copied_row",
                            f"{total} 与分项整行与他市相同 (the row {total}, {', '.join(have)} = "
                            f"{', '.join(_num(v) for v in rows[m])} is identical in {others})",
                        )  # fmt: skip


def _twin_rule(ctx: _Ctx, r: Rules) -> None:
    for var, twin in r.twins.items():
        if var not in ctx.frames or twin not in ctx.frames:
            continue
        a = ctx.frame(var)
        b = ctx.frame(twin)
        with np.errstate(invalid="ignore", divide="ignore"):
            rel = a / b - 1
            hit = (b > 0) & (np.abs(rel) > r.two_sources)
        for i, t in zip(*np.nonzero(hit & ctx.report_years), strict=True):
            ctx.add(
                i, t, var, a[i, t], WARNING, "two_sources",
                f"两个来源不一致 (two sources disagree: {var} {_num(a[i, t])} against {twin} "
                f"{_num(b[i, t])}, {_pct(float(rel[i, t]))}, tolerance ±{r.two_sources:.0%})",
            )  # fmt: skip


def run_checks(
    ds: Dataset,
    kinds: Mapping[str, str] | None = None,
    years: Iterable[int] | None = None,
    rules: Rules | None = None,
) -> list[Finding]:
    """All plausibility findings of ``ds`` for ``years`` (default all), sorted by severity, unit, year.

    ``kinds``: variable → kind (``amount``, ``count``, ``share``, ``rate``, ``index``, ``other``), e.g. from
    the framework's ``variables``; a variable without one is ``amount`` when all its values are positive.
    History outside ``years`` is used as context (a spike in the last checked year needs the next year).
    """
    r = rules or Rules()
    kinds = dict(kinds or {})
    if ds.values.empty:
        return []
    variables, codes, all_years, arr = cube(ds.values)
    wanted = set(all_years) if years is None else {int(y) for y in years}
    report = np.broadcast_to(all_years.isin(list(wanted)), (len(codes), len(all_years)))
    names = (
        ds.units["name"].reindex(codes).fillna("").astype(str).to_numpy()
        if "name" in ds.units.columns
        else np.array([""] * len(codes), dtype=object)
    )
    frames = {var: arr[k] for k, var in enumerate(variables)}
    provinces = None
    if ds.kind == "cities" and "province" in ds.units.columns:
        prov = ds.units["province"].reindex(codes).astype(object).fillna("").to_numpy()
        member, groups = pd.factorize(prov)
        onehot = np.zeros((len(groups), len(prov)))
        onehot[member, np.arange(len(prov))] = 1.0
        onehot[:, prov == ""] = 0.0
        provinces = (prov, member, onehot)
    ctx = _Ctx(ds, codes, all_years, names, report, [], frames, provinces)
    for var in variables:
        x = frames[var]
        kind = kinds.get(var)
        if kind is None:
            finite = x[~np.isnan(x)]
            kind = "amount" if finite.size and (finite > 0).all() else "other"
        _sign_rules(ctx, var, kind, x)
        if kind in ("amount", "count"):
            _growth_rules(ctx, var, kind, x, r)
            if ds.kind == "cities":
                _province_rule(ctx, var, x, r)
    for total, parts in r.components.items():
        _identity_rules(ctx, total, parts, r)
    _copy_rules(ctx, r)
    _twin_rule(ctx, r)
    # a one-way jump at a cell another rule calls an error is that error (METHODS §7), not a second line
    errors = {(f.code, f.year, f.variable) for f in ctx.out if f.severity == ERROR}
    kept = [f for f in ctx.out if not (f.kind == "jump" and (f.code, f.year, f.variable) in errors)]
    where = _locations(ds, {(f.code, f.year, f.variable) for f in kept})
    kept = [f._replace(location=where.get((f.code, f.year, f.variable), "")) for f in kept]
    return sorted(kept, key=lambda f: (SEVERITY_ORDER.get(f.severity, 2), f.code, f.year, f.variable, f.kind))
