"""The report's 稳健性检验 section: statistical audit and uncertainty of the ranks (in every report).

:func:`compute` audits the run's :class:`~mfgindex.core.result.Result` with
:func:`mfgindex.robust.audit.audit` (Cronbach's α and PCA per dimension, correlation flags, nominal vs
effective weights) and runs a modest
Monte Carlo uncertainty analysis with :func:`mfgindex.robust.uncertainty.run` (default N = 1,000, seed 0,
COINr's default assumptions), or reads one written by ``mfgindex uncertainty`` (``uncertainty.csv``).
A ``mfgindex sensitivity`` folder (``sobol.csv``) adds the Sobol indices. Every number the report's
sentences print is a field of :class:`Robustness`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from mfgindex.core import ingest
from mfgindex.core.dataset import Dataset
from mfgindex.core.errors import Problem, UserError
from mfgindex.core.framework import Framework
from mfgindex.core.result import Result
from mfgindex.report.terms import label_zh

DEFAULT_N = 1000
DEFAULT_SEED = 0
ALPHA_OK = 0.7
UA_COLUMNS = ("code", "name", "nominal_rank", "median_rank", "p05_rank", "p95_rank")
SOBOL_COLUMNS = ("factor", "S1", "S1_conf", "ST", "ST_conf")
FACTOR_ZH = {
    "winmax": "缩尾上限",
    "normalisation": "标准化方法",
    "weights": "权重",
    "aggregation": "聚合方法",
}
FACTOR_EN = {"winmax": "winsorisation limit", "normalisation": "normalisation", "weights": "weights",
             "aggregation": "aggregation"}  # fmt: skip


@dataclass(frozen=True)
class DimCheck:
    """Audit figures of one dimension (a child of the index)."""

    id: str
    k: int  # indicators
    alpha: float  # Cronbach's α over its normalised indicators
    pc1: float  # share of variance explained by PC1 of its indicators
    weight: float  # nominal weight in the index (normalised within the index)
    eta2_share: float  # η² of the index on the dimension, as a share of the sum over the dimensions
    mean_weight: float = float("nan")  # mean over the cities of their (stage-dependent) weight; NaN if fixed

    @property
    def ref_weight(self) -> float:
        """The weight the effective weight is compared with: the cities' mean weight when weights vary by
        stage, else the nominal weight."""
        return self.weight if math.isnan(self.mean_weight) else self.mean_weight


@dataclass(frozen=True)
class FlagPair:
    a: str
    b: str
    kind: str  # siblings / parent / ancestor
    r: float
    flag: str  # negative / low / high


@dataclass(frozen=True)
class AuditSummary:
    dims: tuple[DimCheck, ...]
    index_alpha: float  # over the dimension scores
    index_pc1: float  # PC1 share of the dimension scores
    n_pairs: int
    flag_counts: Mapping[str, int]  # negative / low / high → count
    worst_low: tuple[FlagPair, ...]  # lowest r first (negative, low)
    worst_high: tuple[FlagPair, ...]  # highest r first
    counts: pd.DataFrame | None = None  # rank shift of the top N when each count indicator is dropped

    @property
    def n_flagged(self) -> int:
        return int(sum(self.flag_counts.values()))

    @property
    def largest_gap(self) -> DimCheck | None:
        """The dimension whose effective weight (η² share) differs most from its nominal weight."""
        ok = [d for d in self.dims if not math.isnan(d.eta2_share)]
        return max(ok, key=lambda d: abs(d.eta2_share - d.ref_weight)) if ok else None

    @property
    def low_alpha(self) -> tuple[DimCheck, ...]:
        return tuple(d for d in self.dims if not math.isnan(d.alpha) and d.alpha < ALPHA_OK)


@dataclass(frozen=True)
class UncertaintySummary:
    """Rank statistics (``uncertainty.csv`` layout) and the figures the sentences print."""

    stats: pd.DataFrame
    n: int | None
    seed: int | None
    assumptions: tuple[Mapping[str, Any], ...]
    source: str  # "computed" or the folder read
    top_n: int
    n_unscored: int | None  # unit-replications without a score
    mean_width: float  # mean p95 − p05 over the nominal top N
    widest: tuple[str, float, float]  # (name, p05, p95) of the widest interval in the top N
    n_narrow: int  # top-N cities whose interval spans at most 2 ranks (p95 − p05 ≤ 2)
    top10_max_shift: float  # max |median − nominal| over the nominal top 10
    n_outside: int  # top-N cities whose nominal rank lies outside [p05, p95]
    n_mismatch: int  # cities whose nominal rank differs from the report's rank (read folders only)

    def top(self) -> pd.DataFrame:
        s = self.stats.dropna(subset=["nominal_rank"])
        return s[s["nominal_rank"].astype(float) <= self.top_n].sort_values("nominal_rank", kind="mergesort")


@dataclass(frozen=True)
class Robustness:
    audit: AuditSummary | None
    uncertainty: UncertaintySummary | None
    sobol: pd.DataFrame | None = None
    sobol_source: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)  # why a part is missing (language-neutral keys)


# ------------------------------------------------------------------------------------------- audit


def summarise_audit(
    a: Any, framework: Framework, worst: int = 3, unit_weights: pd.DataFrame | None = None
) -> AuditSummary:
    """The report's view of a :class:`mfgindex.robust.audit.Audit`; ``unit_weights`` (cities × dimensions,
    the run's stage-dependent weights of the index) adds each dimension's mean weight when they vary."""
    root = framework.root.id
    mean_w: dict[str, float] = {}
    if unit_weights is not None and len(unit_weights) and bool((unit_weights.nunique() > 1).any()):
        mean_w = {str(k): float(v) for k, v in unit_weights.mean().items()}
    cr = a.cronbach.set_index(["aggregate", "over"])["alpha"]
    pc = a.pca.set_index(["aggregate", "over"])["variance_explained_1"]
    k = a.cronbach.set_index(["aggregate", "over"])["k"]
    ew = a.effective_weights.set_index("id")
    dims = []
    for child in framework.root.children:
        if child.id not in ew.index:
            continue
        is_agg = (child.id, "indicators") in cr.index
        dims.append(
            DimCheck(
                id=child.id,
                k=int(k.get((child.id, "indicators"), 1)) if is_agg else 1,
                alpha=float(cr.get((child.id, "indicators"), float("nan"))),
                pc1=float(pc.get((child.id, "indicators"), float("nan"))),
                weight=float(ew.at[child.id, "weight_in_parent"]),
                eta2_share=float(ew.at[child.id, "eta2_share"]),
                mean_weight=mean_w.get(child.id, float("nan")),
            )
        )
    c = a.correlations
    flagged = c[c["flag"] != ""]
    counts = {f: int((flagged["flag"] == f).sum()) for f in ("negative", "low", "high")}

    def pairs(df: pd.DataFrame) -> tuple[FlagPair, ...]:
        return tuple(
            FlagPair(str(a_), str(b_), str(k_), float(r_), str(f_))
            for a_, b_, k_, r_, f_ in zip(
                df["a"], df["b"], df["kind"], df["pearson"], df["flag"], strict=True
            )
        )

    low = flagged[flagged["flag"].isin(["negative", "low"])].sort_values("pearson", kind="mergesort")
    high = flagged[flagged["flag"] == "high"].sort_values("pearson", ascending=False, kind="mergesort")
    return AuditSummary(
        dims=tuple(dims),
        index_alpha=float(cr.get((root, "children"), float("nan"))),
        index_pc1=float(pc.get((root, "children"), float("nan"))),
        n_pairs=int(c["pearson"].notna().sum()),
        flag_counts=counts,
        worst_low=pairs(low.head(worst)),
        worst_high=pairs(high.head(worst)),
        counts=getattr(a, "count_indicators", None),
    )


# ------------------------------------------------------------------------------------------- uncertainty


def summarise_uncertainty(
    stats: pd.DataFrame,
    top_n: int,
    *,
    n: int | None,
    seed: int | None,
    assumptions: tuple[Mapping[str, Any], ...],
    source: str,
    n_unscored: int | None,
    ranks: pd.Series | None = None,
) -> UncertaintySummary:
    """Figures of the top ``top_n`` (by nominal rank); ``ranks`` (code → the report's rank) counts
    disagreements with the report when the statistics were read from a folder."""
    s = stats.dropna(subset=["nominal_rank"])
    s = s[s["nominal_rank"].astype(float) <= top_n].sort_values("nominal_rank", kind="mergesort")
    lo = s["p05_rank"].astype(float)
    hi = s["p95_rank"].astype(float)
    width = hi - lo
    nominal = s["nominal_rank"].astype(float)
    if len(s):
        i = int(width.to_numpy().argmax())
        widest = (str(s["name"].iloc[i]), float(lo.iloc[i]), float(hi.iloc[i]))
    else:
        widest = ("—", float("nan"), float("nan"))
    t10 = s[nominal <= 10]
    shift = (t10["median_rank"].astype(float) - t10["nominal_rank"].astype(float)).abs()
    mismatch = 0
    if ranks is not None:
        both = stats.dropna(subset=["nominal_rank"]).set_index("code")["nominal_rank"].astype(float)
        common = both.index.intersection(ranks.index)
        mismatch = int((both[common] != ranks[common].astype(float)).sum()) + int(
            len(ranks.dropna()) - len(common)
        )
    return UncertaintySummary(
        stats=stats,
        n=n,
        seed=seed,
        assumptions=assumptions,
        source=source,
        top_n=top_n,
        n_unscored=n_unscored,
        mean_width=float(width.mean()) if len(s) else float("nan"),
        widest=widest,
        n_narrow=int((width <= 2).sum()),
        top10_max_shift=float(shift.max()) if len(shift) else float("nan"),
        n_outside=int(((nominal < lo) | (nominal > hi)).sum()),
        n_mismatch=mismatch,
    )


def _read_csv(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    if not path.is_file():
        raise UserError(Problem("文件不存在 (file not found)", file=str(path)))
    try:
        df, _ = ingest.read_csv(path, dtype={"code": str})  # UTF-8, else GB18030 (a user's own file)
    except (OSError, ValueError) as exc:
        raise UserError(Problem(f"无法读取 (cannot read): {exc}", file=str(path))) from None
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise UserError([Problem("缺少列 (missing column)", file=str(path), column=c) for c in missing])
    return df


def read_uncertainty(folder: str | Path, top_n: int, ranks: pd.Series | None = None) -> UncertaintySummary:
    """``uncertainty.csv`` (+ ``uncertainty.json``: N, seed, assumptions) of ``mfgindex uncertainty``."""
    d = Path(folder)
    stats = _read_csv(d / "uncertainty.csv", UA_COLUMNS)
    meta: dict[str, Any] = {}
    if (d / "uncertainty.json").is_file():
        try:
            meta = json.loads((d / "uncertainty.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UserError(
                Problem(f"无法读取 (cannot read): {exc}", file=str(d / "uncertainty.json"))
            ) from None
    return summarise_uncertainty(
        stats,
        top_n,
        n=int(meta["n"]) if "n" in meta else None,
        seed=int(meta["seed"]) if "seed" in meta else None,
        assumptions=tuple(meta.get("assumptions") or ()),
        source=str(d),
        n_unscored=int(meta["unscored_unit_replications"]) if "unscored_unit_replications" in meta else None,
        ranks=ranks,
    )


def read_sobol(folder: str | Path) -> pd.DataFrame:
    """``sobol.csv`` of ``mfgindex sensitivity`` (factor, S1, S1_conf, ST, ST_conf)."""
    return _read_csv(Path(folder) / "sobol.csv", SOBOL_COLUMNS)


# ------------------------------------------------------------------------------------------- all


def compute(
    result: Result | None,
    dataset: Dataset | None,
    top_n: int,
    *,
    n: int = DEFAULT_N,
    seed: int = DEFAULT_SEED,
    uncertainty_dir: str | Path | None = None,
    sensitivity_dir: str | Path | None = None,
) -> Robustness:
    """Audit ``result`` and run (or read) the uncertainty analysis; read the Sobol indices when given.

    Without ``result`` (a run folder whose data cannot be re-evaluated) only the folders can be read; the
    missing parts are named in ``notes`` (``no_result``, ``no_dataset``).
    """
    notes: list[str] = []
    audit_sum: AuditSummary | None = None
    ua: UncertaintySummary | None = None
    if result is not None:
        from mfgindex.robust import audit as audit_mod

        root = result.framework.root.id
        uw = result.current.weights.get(root)
        audit_sum = summarise_audit(audit_mod.audit(result, dataset), result.framework, unit_weights=uw)
    else:
        notes.append("no_result")
    if uncertainty_dir is not None:
        ranks = result.table["rank"] if result is not None else None
        ua = read_uncertainty(uncertainty_dir, top_n, ranks)
    elif result is not None and dataset is not None:
        from mfgindex.robust import assumptions, uncertainty

        factors = assumptions.default_assumptions(result.framework)
        res = uncertainty.run(result, dataset, factors, n, seed)
        ua = summarise_uncertainty(
            res.stats,
            top_n,
            n=n,
            seed=seed,
            assumptions=tuple(f.describe() for f in factors),
            source="computed",
            n_unscored=res.n_nan,
        )
    elif result is not None:
        notes.append("no_dataset")
    sobol = read_sobol(sensitivity_dir) if sensitivity_dir is not None else None
    return Robustness(audit_sum, ua, sobol, str(sensitivity_dir or ""), tuple(notes))


# ------------------------------------------------------------------------------------------- text helpers


def _labels_text(values: list[Any], sep: str) -> str:
    return sep.join(str(v) for v in values)


def describe_assumptions(assumptions: tuple[Mapping[str, Any], ...], lang: str) -> list[str]:
    """One phrase per assumption (``Factor.describe()`` dicts), e.g. ``缩尾上限：1、2、3、4、5``."""
    out = []
    for f in assumptions:
        name = str(f.get("name", ""))
        if "noise" in f:
            noise = f.get("noise") or {}
            levels = sorted(noise.items(), key=lambda kv: str(kv[0]))
            if lang == "zh":
                parts = "、".join(f"第{lev}层±{float(v) * 100:.0f}%" for lev, v in levels)
                out.append(f"权重：{parts}均匀乘性扰动（第2层为维度权重）")
            else:
                parts = ", ".join(f"level {lev} ±{float(v) * 100:.0f}%" for lev, v in levels)
                out.append(f"weights: uniform multiplicative noise, {parts} (level 2: dimension weights)")
            continue
        labels = list(f.get("labels") or f.get("values") or [])
        if lang == "zh":
            out.append(f"{FACTOR_ZH.get(name, name)}：{_labels_text([label_zh(v) for v in labels], '、')}")
        else:
            out.append(f"{FACTOR_EN.get(name, name)}: {_labels_text(labels, ', ')}")
    return out


def is_coinr_default(assumptions: tuple[Mapping[str, Any], ...]) -> bool:
    return [str(f.get("name")) for f in assumptions] == ["winmax", "normalisation", "weights", "aggregation"]


def frame_top(ua: UncertaintySummary, lang: str) -> pd.DataFrame:
    """Table rows: nominal rank, city, median rank, 5 % and 95 % rank, interval width."""
    s = ua.top()

    def r(v: Any) -> str:
        f = float(v)
        if math.isnan(f):
            return "—"
        return f"{f:.0f}" if abs(f - round(f)) < 0.05 else f"{f:.1f}"

    zh = lang == "zh"
    return pd.DataFrame(
        {
            "名义排名" if zh else "Rank": [r(v) for v in s["nominal_rank"]],
            "地市" if zh else "City": list(s["name"].astype(str)),
            "中位排名" if zh else "Median": [r(v) for v in s["median_rank"]],
            "5%分位" if zh else "5%": [r(v) for v in s["p05_rank"]],
            "95%分位" if zh else "95%": [r(v) for v in s["p95_rank"]],
            "区间宽度" if zh else "Width": [
                r(float(b) - float(a)) for a, b in zip(s["p05_rank"], s["p95_rank"], strict=True)
            ],
        }
    )


def frame_dims(au: AuditSummary, names: Mapping[str, str], lang: str) -> pd.DataFrame:
    """Per dimension: indicators, α, PC1 share, nominal weight, η² share (the index row last)."""
    zh = lang == "zh"

    def f(v: float, d: int = 2) -> str:
        return "—" if math.isnan(v) else f"{v:.{d}f}"

    def p(v: float) -> str:
        return "—" if math.isnan(v) else f"{v * 100:.1f}%"

    varying = any(not math.isnan(d.mean_weight) for d in au.dims)
    rows = []
    for d in au.dims:
        row = {
            "维度" if zh else "Dimension": names.get(d.id, d.id),
            "指标数" if zh else "Indicators": str(d.k),
            "Cronbach α": f(d.alpha),
            "第一主成分解释方差" if zh else "PC1 variance": p(d.pc1),
            "名义权重" if zh else "Nominal weight": p(d.weight),
        }
        if varying:
            row["城市平均权重" if zh else "Mean weight of the cities"] = p(d.mean_weight)
        row["有效权重（η²占比）" if zh else "Effective weight (η² share)"] = p(d.eta2_share)
        rows.append(row)
    return pd.DataFrame(rows)


def frame_counts(au: AuditSummary, names: Mapping[str, str], top_n: int, lang: str) -> pd.DataFrame | None:
    """Per count indicator: cities with a count, the top-N rank shift when it is dropped, who leaves."""
    c = au.counts
    if c is None or c.empty:
        return None
    zh = lang == "zh"
    rows = []
    for r in c.to_dict("records"):
        shift = float(r["max_shift"])
        mean_col = f"前{top_n}平均位次变动" if zh else f"Mean |rank shift|, top {top_n}"
        rows.append(
            {
                "指标" if zh else "Indicator": names.get(str(r["indicator"]), str(r["name_zh"])),
                "计数非零城市" if zh else "Cities with a count": int(r["units_nonzero"]),
                mean_col: f"{float(r['mean_abs_shift']):.1f}",
                "最大变动" if zh else "Largest shift": "—"
                if math.isnan(shift)
                else f"{r['max_shift_unit']} {shift:+.0f}",
                f"退出前{top_n}" if zh else f"Leave the top {top_n}": str(r["left_units"]) or "—",
            }
        )
    return pd.DataFrame(rows)


__all__ = [
    "DEFAULT_N",
    "DEFAULT_SEED",
    "AuditSummary",
    "DimCheck",
    "FlagPair",
    "Robustness",
    "UncertaintySummary",
    "compute",
    "describe_assumptions",
    "frame_counts",
    "frame_dims",
    "frame_top",
    "read_sobol",
    "read_uncertainty",
    "summarise_audit",
    "summarise_uncertainty",
]
