"""What the workspace holds, against what a framework needs: coverage per variable and year, thin dimensions.

* :func:`variables` — per variable and year: how many cities have a (current) value, out of the framework's
  cities, and from which sources (with counts). The framework's raw variables appear even without any value
  (0 cities), so that a missing table shows up; the lists it counts appear as ``list:<name>``.
* :func:`dimensions` — per year and dimension (the root's children): the share of city × indicator cells
  with a raw (derived) value, flagged ``thin`` below a threshold (default 0.6). Derived indicators need
  all their operands (a growth rate needs the previous year too), exactly as the pipeline computes them.
* :func:`for_report` — the summary a report quotes when its run read a workspace (``None`` otherwise).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from mfgindex.core import dataset as dataset_mod
from mfgindex.core import derive, geo
from mfgindex.core import framework as fw_mod
from mfgindex.core.dataset import Dataset, assignment_note, low_rate_regions
from mfgindex.core.errors import Problem, UserError
from mfgindex.core.framework import Aggregate, Framework, Indicator, walk
from mfgindex.workspace import snapshots, store, template
from mfgindex.workspace.schema import connect

DEFAULT_THRESHOLD = 0.6
WORKSPACE_KEY = "workspace:"


def framework_cities(framework: Framework) -> pd.Index:
    """The cities a framework ranks (all units minus its excluded codes and unit types)."""
    units = geo.units()
    keep = ~units.index.isin(framework.universe.exclude_codes) & ~units["unit_type"].isin(
        framework.universe.exclude_unit_types
    )
    return pd.Index([str(c) for c in units.index[keep]], name="code", dtype=object)


def _check_cities(framework: Framework) -> None:
    if framework.universe.kind != "cities":
        raise UserError(
            Problem(
                f"framework {framework.id!r} is not a city framework",
                column="--framework",
                expected="a framework over cities (e.g. caict2023)",
            )
        )


def _observations(directory: Path, snapshot: int | None) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    with connect(directory) as con:
        obs = store.current(con, snapshot)
        lists = snapshots._lists(con, snapshot)
        rates = snapshots._list_rates(con, snapshot)
        names = dict(con.execute("SELECT id, name_zh FROM variables").fetchall())
        # the list file of the current version (`lists assign` changes single entries: recorded in them)
        files = con.execute(
            "SELECT e.list, i.file FROM list_entries e JOIN imports i ON i.id = e.import_id "
            "WHERE i.kind = 'list' GROUP BY e.list, i.id, i.file ORDER BY i.id"
        ).fetchall()
    obs["source"] = obs["source"].fillna("").astype(str)
    obs["name_zh"] = obs["variable"].map(lambda v: names.get(v) or "")
    # the file a list's current version came from
    last: dict[str, str] = {str(k): str(f or "") for k, f in files}
    for name, frame in lists.items():
        frame.attrs["source"] = Path(last.get(name, "")).name or last.get(name, "")
        if name in rates:
            frame.attrs["assignment"] = rates[name]
    return obs, lists


def _dataset(obs: pd.DataFrame, lists: Mapping[str, pd.DataFrame]) -> Dataset:
    values = pd.DataFrame(
        {
            "code": obs["unit"].astype(str).to_numpy(),
            "year": obs["year"].astype(np.int64).to_numpy(),
            "variable": obs["variable"].astype(str).to_numpy(),
            "value": obs["value"].astype(np.float64).to_numpy(),
            "source": obs["source"].astype(str).to_numpy(),
        }
    )
    return Dataset(
        values=values,
        units=dataset_mod.city_units(),
        lists=MappingProxyType(dict(lists)),
        inputs=MappingProxyType({}),
        kind="cities",
        variable_sources=MappingProxyType({}),
    )


def _sources(s: pd.Series) -> str:
    counts = s.replace("", "(no source)").value_counts()
    return "; ".join(f"{k} ×{v}" for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))))


def _read(
    directory: Path,
    framework: str | Framework,
    years: Iterable[int] | None,
    snapshot: int | None,
    threshold: float = DEFAULT_THRESHOLD,
) -> tuple[Framework, pd.DataFrame, dict[str, pd.DataFrame], list[int]]:
    """The framework (its cities checked), the workspace's observations and lists, and the years asked for
    (default every year with observations); a ``threshold`` outside [0, 1] is refused first."""
    if not 0 <= threshold <= 1:
        raise UserError(
            Problem("threshold outside [0, 1]", column="--threshold", value=f"{threshold:g}", expected="0-1")
        )
    fw = framework if isinstance(framework, Framework) else fw_mod.load(framework)
    _check_cities(fw)
    obs, lists = _observations(directory, snapshot)
    ys = sorted({int(y) for y in (years if years is not None else obs["year"])})
    return fw, obs, lists, ys


def variables(
    directory: Path,
    framework: str | Framework = "caict2023",
    years: Iterable[int] | None = None,
    snapshot: int | None = None,
) -> pd.DataFrame:
    """Per variable and year: cities with a value (of the framework's cities), share, sources.

    Columns: ``variable, name_zh, in_framework, year, cities, of, share, sources``.
    """
    fw, obs, lists, ys = _read(directory, framework, years, snapshot)
    return _variables(obs, lists, fw, ys)


def _variables(
    obs: pd.DataFrame, lists: Mapping[str, pd.DataFrame], fw: Framework, years: list[int]
) -> pd.DataFrame:
    cities = framework_cities(fw)
    needed = [v for v, _ in template.raw_variables(fw)]
    present = sorted(set(obs["variable"]) - set(needed))
    rows = []
    sub = obs[obs["unit"].isin(cities) & obs["year"].isin(years)]
    groups = {k: g for k, g in sub.groupby(["variable", "year"])}
    for var in [*needed, *present]:
        meta = fw.variables.get(var)
        name = (meta.name_zh if meta is not None else "") or ""
        if not name:
            named = obs.loc[obs["variable"] == var, "name_zh"]
            name = str(named.iloc[0]) if len(named) else ""
        for year in years:
            g = groups.get((var, year))
            n = 0 if g is None else int(g["unit"].nunique())
            if g is None and var not in needed:
                continue
            rows.append(
                {
                    "variable": var,
                    "name_zh": name,
                    "in_framework": var in needed,
                    "year": year,
                    "cities": n,
                    "of": len(cities),
                    "share": n / len(cities) if len(cities) else 0.0,
                    "sources": "" if g is None else _sources(g["source"]),
                }
            )
    for name in fw.lists():
        frame = lists.get(name)
        for year in years:
            if frame is None:
                n, src = 0, ""
            else:
                got = frame[(frame["year"] <= year) & frame["code"].isin(cities)]
                n = int(got["code"].nunique())
                src = f"{frame.attrs.get('source', '')} ×{len(got)}" if len(got) else ""
            rows.append(
                {
                    "variable": f"list:{name}",
                    "name_zh": "名单（累计）",
                    "in_framework": True,
                    "year": year,
                    "cities": n,
                    "of": len(cities),
                    "share": n / len(cities) if len(cities) else 0.0,
                    "sources": src,
                    "note": "" if frame is None else assignment_note(frame.attrs.get("assignment")),
                }
            )
    columns = ["variable", "name_zh", "in_framework", "year", "cities", "of", "share", "sources", "note"]
    return pd.DataFrame(rows, columns=columns).fillna({"note": ""})


def _raw(ds: Dataset, fw: Framework, year: int, cities: pd.Index) -> pd.DataFrame:
    """Raw (derived) indicator values; an indicator whose variable or list is absent is all missing."""
    cols = {}
    for ind in fw.indicators():
        try:
            cols[ind.id] = derive.compute(ds, ind.resolved_formula(), year, cities, fw)
        except UserError:  # the workspace has no such variable or list (yet)
            cols[ind.id] = pd.Series(np.nan, index=cities, dtype=np.float64)
    return pd.DataFrame(cols, index=cities)


def dimensions(
    directory: Path,
    framework: str | Framework = "caict2023",
    years: Iterable[int] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    snapshot: int | None = None,
) -> pd.DataFrame:
    """Per year and dimension: share of city × indicator cells with data; ``thin`` below ``threshold``.

    Columns: ``year, dimension, name_zh, indicators, cells, with_data, share, thin, weakest`` (the
    dimension's indicator with the fewest cities, and how many).
    """
    fw, obs, lists, ys = _read(directory, framework, years, snapshot, threshold)
    return _dimensions(obs, lists, fw, ys, threshold)


def _dimensions(
    obs: pd.DataFrame, lists: Mapping[str, pd.DataFrame], fw: Framework, years: list[int], threshold: float
) -> pd.DataFrame:
    cities = framework_cities(fw)
    ds = _dataset(obs, lists)
    dims = [c for c in fw.root.children if isinstance(c, Aggregate)]
    loose = [c for c in fw.root.children if not isinstance(c, Aggregate)]
    rows = []
    for year in years:
        raw = _raw(ds, fw, year, cities)
        groups: list[tuple[str, str, list[str]]] = [
            (d.id, d.name_zh or "", [i.id for i in walk(d) if isinstance(i, Indicator)]) for d in dims
        ]
        if loose:
            groups.append((fw.root.id, fw.root.name_zh or "", [i.id for i in loose]))
        for gid, name, leaves in groups:
            have = raw[leaves].notna()
            per = have.sum(axis=0)
            cells = int(have.size)
            with_data = int(have.to_numpy().sum())
            share = with_data / cells if cells else 0.0
            weakest = str(per.idxmin()) if len(per) else ""
            rows.append(
                {
                    "year": year,
                    "dimension": gid,
                    "name_zh": name,
                    "indicators": len(leaves),
                    "cells": cells,
                    "with_data": with_data,
                    "share": share,
                    "thin": share < threshold,
                    "weakest": f"{weakest} ({int(per.min())}/{len(cities)})" if weakest else "",
                }
            )
    columns = ["year", "dimension", "name_zh", "indicators", "cells", "with_data", "share", "thin", "weakest"]
    return pd.DataFrame(rows, columns=columns)


@dataclass(frozen=True)
class Coverage:
    """Both tables for one workspace and framework, and the sentence a report quotes."""

    workspace: str
    framework: str
    threshold: float
    variables: pd.DataFrame
    dimensions: pd.DataFrame
    lists: pd.DataFrame = field(default_factory=pd.DataFrame)  # list, region, entries, assigned, rate, low

    @property
    def thin(self) -> pd.DataFrame:
        return self.dimensions[self.dimensions["thin"]]

    def sentence(self, year: int | None = None, lang: str = "zh") -> str:
        """One sentence on the year's coverage (the latest year when ``year`` is None)."""
        dims = self.dimensions
        if dims.empty:
            return "数据工作区暂无数据。" if lang == "zh" else "The data workspace holds no data yet."
        y = int(dims["year"].max()) if year is None else int(year)
        d = dims[dims["year"] == y]
        cells, have = int(d["cells"].sum()), int(d["with_data"].sum())
        share = have / cells if cells else 0.0
        thin = d[d["thin"]]
        labels = [str(n or i) for n, i in zip(thin["name_zh"], thin["dimension"], strict=True)]
        shares = [float(x) for x in thin["share"]]
        if lang == "zh":
            text = f"{y}年数据工作区覆盖率为{share:.1%}（城市×指标单元格{have:,}/{cells:,}）"
            if len(thin):
                parts = "、".join(f"{n}（{x:.1%}）" for n, x in zip(labels, shares, strict=True))
                return text + f"；低于{self.threshold:.0%}的维度：{parts}。"
            return text + f"；各维度覆盖率均不低于{self.threshold:.0%}。"
        text = f"In {y} the data workspace covers {share:.1%} of city × indicator cells ({have:,}/{cells:,})"
        if len(thin):
            ids = [str(i) for i in thin["dimension"]]
            parts = ", ".join(f"{i} ({x:.1%})" for i, x in zip(ids, shares, strict=True))
            return text + f"; dimensions below {self.threshold:.0%}: {parts}."
        return text + f"; every dimension is at or above {self.threshold:.0%}."


def coverage(
    directory: Path,
    framework: str | Framework = "caict2023",
    years: Iterable[int] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    snapshot: int | None = None,
) -> Coverage:
    """Both coverage tables (read once from the workspace)."""
    fw, obs, lists, ys = _read(directory, framework, years, snapshot, threshold)
    return Coverage(
        str(directory),
        fw.id,
        threshold,
        _variables(obs, lists, fw, ys),
        _dimensions(obs, lists, fw, ys, threshold),
        _list_table(lists, fw),
    )


def _list_table(lists: Mapping[str, pd.DataFrame], fw: Framework) -> pd.DataFrame:
    """Per list the framework counts: entries assigned to a city per region, low rates flagged."""
    frames = []
    for name in fw.lists():
        frame = lists.get(name)
        rates = None if frame is None else frame.attrs.get("assignment")
        if rates is None or rates.empty:
            continue
        low = set(low_rate_regions(rates)["region"])
        frames.append(rates.assign(list=name, low=[r in low for r in rates["region"]]))
    columns = ["list", "region", "entries", "assigned", "rate", "low"]
    if not frames:
        return pd.DataFrame(columns=columns)
    table: pd.DataFrame = pd.concat(frames, ignore_index=True)[columns]
    return table


def latest_years(directory: Path, n: int = 3) -> list[int]:
    """The ``n`` latest years with observations (fewer if the workspace has fewer)."""
    with connect(directory) as con:
        rows = con.execute(
            "SELECT DISTINCT year FROM observations WHERE superseded_by IS NULL ORDER BY year DESC LIMIT ?",
            [n],
        ).fetchall()
    return sorted(int(r[0]) for r in rows)


def workspace_of(inputs: Mapping[str, str]) -> tuple[Path, int | None] | None:
    """The workspace (and snapshot) a run read, from its ``inputs`` (``run.json`` / ``result.provenance``)."""
    for key in inputs:
        if key.startswith(WORKSPACE_KEY):
            rest = key[len(WORKSPACE_KEY) :]
            path, at, snap = rest.rpartition("@")
            if at and snap.isdigit():
                return Path(path), int(snap)
            return Path(rest), None
    return None


def for_report(
    inputs: Mapping[str, str],
    framework: str | Framework,
    year: int,
    threshold: float = DEFAULT_THRESHOLD,
) -> Coverage | None:
    """Coverage of the workspace a run read, for the run's year and the year before; ``None`` when the run
    did not read a workspace or the workspace is gone.

    ``inputs`` is ``result.provenance["inputs"]`` or ``run.json``'s ``inputs``. Quote
    ``cov.sentence(year, lang)`` and, if wanted, the ``cov.dimensions`` table.
    """
    found = workspace_of(inputs)
    if found is None:
        return None
    directory, snapshot = found
    if not (directory / "workspace.duckdb").exists():
        return None
    return coverage(directory, framework, (year - 1, year), threshold, snapshot)


def write(cov: Coverage, path: Path) -> list[Path]:
    """CSV (variables at ``path``, dimensions at ``<stem>.dimensions.csv``) or XLSX (two sheets)."""
    suffix = path.suffix.lower()
    from mfgindex.core.files import save_csv, save_xlsx

    if suffix == ".xlsx":
        sheets = {"variables": cov.variables, "dimensions": cov.dimensions}
        if not cov.lists.empty:
            sheets["lists"] = cov.lists
        return [save_xlsx(sheets, path)]
    if suffix == ".csv":
        other = path.with_name(f"{path.stem}.dimensions.csv")
        written = [save_csv(cov.variables, path), save_csv(cov.dimensions, other)]
        if not cov.lists.empty:
            written.append(save_csv(cov.lists, path.with_name(f"{path.stem}.lists.csv")))
        return written
    raise UserError(Problem("unsupported output file", file=str(path), expected=".csv or .xlsx"))
