"""International benchmarks: reference values of other countries (data, with source and year) and the
comparison of cities with them, drawn as the seed report's 图9 (部分城市万人 PCT 申请量情况).

The reference table is ``data/benchmarks/international_reference_values.csv`` (see its README); a user may
pass another table of the same layout. City values come from a user table (wide: a city column and a column
named after the indicator; long: city, indicator, value) or from a run directory (``indicators.csv``, the
``raw`` column of that indicator).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mfgindex.core import geo, ingest
from mfgindex.core.errors import Problem, UserError
from mfgindex.policy.records import read_table

REFERENCE = ("benchmarks", "international_reference_values.csv")
REF_COLUMNS = (
    "indicator",
    "entity",
    "entity_zh",
    "entity_en",
    "value",
    "unit",
    "year",
    "source",
    "source_year",
    "url",
    "note",
)
CITY_COLUMNS = ("city", "城市", "地市", "adcode", "code", "行政区划代码")
INDICATORS_ZH = {"pct_per_10k": "万人PCT专利申请量", "pct_applications": "PCT国际专利申请量"}


def load_reference(path: Path | None = None) -> pd.DataFrame:
    """The reference table (validated: value a number, source given, url http(s) or blank)."""
    p = path or geo.data_path(*REFERENCE)
    df, sheet = read_table(p)
    file = str(p)
    missing = [c for c in ("indicator", "entity", "value", "source") if c not in df.columns]
    if missing:
        raise UserError([Problem(f"missing column {m}", file=file, sheet=sheet, row=1) for m in missing])
    for c in REF_COLUMNS:
        if c not in df.columns:
            df[c] = ""
    problems = []
    values = []
    years: list[int | None] = []
    for i, r in enumerate(df.to_dict("records")):
        row = i + 2
        try:
            values.append(float(str(r["value"]).replace(",", "")))
        except ValueError:
            values.append(np.nan)
            problems.append(
                Problem(
                    "not a number", file=file, sheet=sheet, row=row, column="value", value=str(r["value"])
                )
            )
        y = str(r["year"]).strip()
        if y and not re.fullmatch(r"\d{4}", y):
            problems.append(Problem("not a year", file=file, sheet=sheet, row=row, column="year", value=y))
        years.append(int(y) if re.fullmatch(r"\d{4}", y) else None)
        if not str(r["source"]).strip():
            problems.append(Problem("missing source", file=file, sheet=sheet, row=row, column="source"))
        url = str(r["url"]).strip()
        if url and not re.match(r"^https?://\S+$", url):
            problems.append(
                Problem("not an http(s) URL", file=file, sheet=sheet, row=row, column="url", value=url)
            )
    if problems:
        raise UserError(problems)
    out = df[list(REF_COLUMNS)].copy()
    out["value"] = values
    out["year"] = pd.array(years, dtype="Int64")
    return out


def reference_for(indicator: str, reference: pd.DataFrame | None = None) -> pd.DataFrame:
    ref = load_reference() if reference is None else reference
    sub = ref[ref["indicator"] == indicator]
    if sub.empty:
        raise UserError(
            Problem(
                "no international reference values for this indicator",
                column="--indicator",
                value=indicator,
                expected=" / ".join(sorted(set(ref["indicator"]))),
            )
        )
    return sub.reset_index(drop=True)


def read_city_values(path: Path, indicator: str, year: int | None = None) -> pd.Series:
    """City values of ``indicator`` from a user table (CSV/XLSX) or a run directory; Series code → value."""
    if path.is_dir():
        return _from_run(path, indicator)
    df, sheet = read_table(path)
    file = str(path)
    lower = {str(c).strip().lower(): str(c) for c in df.columns}
    city = next((lower[c] for c in CITY_COLUMNS if c in lower), None)
    if city is None:
        raise UserError(
            Problem("missing city column", file=file, sheet=sheet, row=1, expected="city or adcode")
        )
    if "indicator" in lower and "value" in lower:
        df = df[df[lower["indicator"]] == indicator]
        col = lower["value"]
    elif indicator.lower() in lower:
        col = lower[indicator.lower()]
    else:
        raise UserError(
            Problem(
                f"no column {indicator}",
                file=file,
                sheet=sheet,
                row=1,
                expected=f"a column {indicator} or columns indicator, value",
            )
        )
    ycol = lower.get("year") or lower.get("年份")
    problems: list[Problem] = []
    if ycol is not None:  # the reader's year syntax (2022, 2022年, ２０２２); a bad year is located
        ys = [ingest.parse_year(str(t)) for t in df[ycol]]
        for k, (t, y) in enumerate(zip(df[ycol], ys, strict=True)):
            if y is None and str(t).strip():
                row = int(str(df.index[k])) + 2
                problems.append(ingest.year_problem(str(t), file=file, sheet=sheet, row=row, column=ycol))
        known = [y for y in ys if y is not None]
        pick = max(known) if year is None and known else year
        df = df[[y == pick for y in ys]]
    out: dict[str, float] = {}
    for idx, r in df.iterrows():
        row = int(str(idx)) + 2
        text = str(r[col]).strip()
        if text == "":
            continue
        m = geo.resolve(str(r[city]))
        if m.code is None:
            problems.append(
                Problem(m.reason, file=file, sheet=sheet, row=row, column=city, value=str(r[city]))
            )
            continue
        x = ingest.parse_number(text)  # the reader's number syntax: finite numbers only
        if x is None:
            problems.append(ingest.number_problem(text, file=file, sheet=sheet, row=row, column=col))
            continue
        if np.isnan(x):  # a missing marker (…, —, n/a)
            continue
        if x < 0:
            problems.append(
                ingest.refused(ingest.NEGATIVE, text, file=file, sheet=sheet, row=row, column=col)
            )
            continue
        if m.code in out:
            problems.append(
                Problem("duplicate city", file=file, sheet=sheet, row=row, column=city, value=str(r[city]))
            )
        out[m.code] = x
    if problems:
        raise UserError(problems)
    if not out:
        raise UserError(Problem(f"no values of {indicator}", file=file, sheet=sheet))
    return pd.Series(out, name=indicator, dtype=float)


def _from_run(run_dir: Path, indicator: str) -> pd.Series:
    path = run_dir / "indicators.csv"
    if not path.exists():
        raise UserError(Problem("not a run directory (no indicators.csv)", file=str(run_dir)))
    df = pd.read_csv(path, dtype={"code": str}, encoding="utf-8-sig")
    sub = df[(df["indicator"] == indicator) & df["raw"].notna()]
    if sub.empty:
        raise UserError(
            Problem(
                f"the run has no values of {indicator}",
                file=str(path),
                expected="a run whose framework has this indicator, or a table via --data FILE",
            )
        )
    return pd.Series(sub["raw"].astype(float).to_numpy(), index=sub["code"].astype(str), name=indicator)


@dataclass(frozen=True)
class Comparison:
    """Cities against the reference values of one indicator."""

    indicator: str
    cities: pd.DataFrame  # code, name, province, value, rank, then one column per entity: value / reference
    reference: pd.DataFrame
    summary: pd.DataFrame  # entity, reference value, cities above, share above


def compare(values: pd.Series, indicator: str, reference: pd.DataFrame | None = None) -> Comparison:
    """Each city's value, its ratio to every reference value and whether it is above; counts per reference."""
    ref = reference_for(indicator, reference)
    units = geo.units()
    v = values[values.index.isin(units.index)].sort_values(ascending=False, kind="mergesort")
    cities = pd.DataFrame(
        {
            "code": v.index,
            "name": [units.at[c, "name"] for c in v.index],
            "province": [units.at[c, "province"] for c in v.index],
            "value": v.to_numpy(),
            "rank": np.arange(1, len(v) + 1),
        }
    )
    rows = []
    for r in ref.itertuples(index=False):
        level = float(r.value)  # type: ignore[arg-type]
        cities[f"ratio_{r.entity}"] = cities["value"] / level if level else np.nan
        above = cities["value"] > level
        rows.append(
            {
                "entity": r.entity,
                "entity_zh": r.entity_zh,
                "reference": r.value,
                "year": r.year,
                "source": r.source,
                "cities": len(cities),
                "above": int(above.sum()),
                "share_above": float(above.mean()) if len(cities) else np.nan,
                "above_cities": "、".join(cities.loc[above, "name"]),
            }
        )
    return Comparison(indicator, cities, ref, pd.DataFrame(rows))


COLOURS = ("#555555", "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")


def figure9(c: Comparison, top: int | None = 30, source: str = "") -> object:
    """Bar chart of the cities' values (descending) with a horizontal reference line per country (图9)."""
    from matplotlib.figure import Figure

    from mfgindex.core.figures import setup_cjk_font

    setup_cjk_font()
    d = c.cities if top is None else c.cities.head(top)
    fig = Figure(figsize=(max(6.0, 0.32 * len(d) + 2.5), 4.2), dpi=150, layout="constrained")
    ax = fig.add_subplot()
    x = np.arange(len(d))
    ax.bar(x, d["value"], color="#4C72B0", width=0.65, zorder=2)
    for xi, v in zip(x.tolist(), d["value"].tolist(), strict=True):
        ax.text(xi, v, f"{v:.2f}", ha="center", va="bottom", fontsize=6)
    ax.set_xticks(
        x,
        [str(n).removesuffix("市") for n in d["name"]],
        rotation=60,
        fontsize=8,
        ha="right",
        rotation_mode="anchor",
    )
    ref = c.reference.sort_values("value", ascending=False)
    for i, (level, name) in enumerate(zip(ref["value"].astype(float), ref["entity_zh"], strict=True)):
        colour = COLOURS[i % len(COLOURS)]
        label_i = f"{name} {level:g}"
        ax.axhline(level, color=colour, linestyle="--", linewidth=1.1, zorder=3, label=label_i)
    ax.legend(loc="upper right", fontsize=8, frameon=False, title="参照值", title_fontsize=8)
    ax.set_xlim(-0.6, len(d) - 0.4)
    label = INDICATORS_ZH.get(c.indicator, c.indicator)
    unit = str(c.reference["unit"].iloc[0]) if len(c.reference) else ""
    ax.set_ylabel(f"{label}（{unit}）" if unit else label)
    ax.grid(axis="y", linewidth=0.3, zorder=0)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(f"部分城市{label}情况", fontsize=11)
    srcs = "；".join(dict.fromkeys(str(s) for s in c.reference["source"]))
    engine = fig.get_layout_engine()
    if engine is not None:  # a strip at the bottom for the source line
        engine.set(rect=(0.0, 0.05, 1.0, 0.95))  # type: ignore[call-arg]
    text = f"来源：{source or '城市数据：用户提供'}；参照值：{srcs}"
    fig.text(0.01, 0.005, text, fontsize=6, color="#555555")
    return fig


def write_comparison(c: Comparison, out_dir: Path, top: int | None = 30, source: str = "") -> list[Path]:
    """``comparison.csv``, ``results.xlsx`` (cities, reference, summary) and ``fig9.png``/``.svg``."""
    from mfgindex.core.figures import save
    from mfgindex.core.files import save_csv, save_xlsx
    from mfgindex.core.outdir import output_folder, output_paths

    final = Path(out_dir)
    with output_folder(final, "policy benchmarks") as out:
        csv = save_csv(c.cities, out / "comparison.csv")
        sheets = {"cities": c.cities, "summary": c.summary, "reference": c.reference}
        xlsx = save_xlsx(sheets, out / "results.xlsx")
        fig = figure9(c, top, source)
        paths = [csv, xlsx, *save(fig, out, "fig9")]  # type: ignore[arg-type]
    return output_paths(final, out, paths)
