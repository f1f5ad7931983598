"""Plausibility checks as a step of every command: which data, which years, what the user accepted.

``core.checks`` finds; this module decides what a finding means for a run: the data checked (a user's file
merged with the embedded data under the default preset, so a one-year file still has a history), the years
(those the run reads), the findings a reviewer accepted (a file with a reason per entry; the embedded data
ship one) and the corrections a user applies (a file that replaces values). Everything is recorded.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from mfgindex.core import checks as core_checks
from mfgindex.core import dataset as dataset_mod
from mfgindex.core import geo, ingest
from mfgindex.core.dataset import Dataset
from mfgindex.core.errors import Problem, UserError
from mfgindex.core.findings import ERROR, KIND_ZH, KINDS, WARNING, Finding
from mfgindex.core.framework import Framework
from mfgindex.core.result import Result
from mfgindex.core.spec import DEFAULT_FRAMEWORK, RunSpec

DEFAULT_ACCEPTED = ("checks", "accepted_findings_default.csv")
ACCEPTED_COLUMNS = ("code", "year", "variable", "kind", "value", "reason", "reason_zh")  # reason_zh optional
CORRECTION_COLUMNS = ("code", "year", "variable", "value", "reason")


class Accepted(NamedTuple):
    """A reviewed finding: (code, year, variable, kind) at ``value`` (NaN: any value), with the reason (and,
    if the file has a ``reason_zh`` column, the reason as the Chinese report prints it; "" otherwise).

    The records here are named tuples and plain classes, not dataclasses: they are defined on every
    evaluating command's path, where a dataclass's generated methods cost ~1 ms of start-up each."""

    code: str
    year: int
    variable: str
    kind: str
    value: float
    reason: str
    source: str
    reason_zh: str = ""

    def matches(self, f: Finding) -> bool:
        if (f.code, f.year, f.variable, f.kind) != (self.code, self.year, self.variable, self.kind):
            return False
        return math.isnan(self.value) or math.isclose(f.value, self.value, rel_tol=1e-9, abs_tol=1e-12)


class Correction(NamedTuple):
    """One corrected value: the cell (code, year, variable), its old and new value, why, and the file."""

    code: str
    year: int
    variable: str
    old: float
    new: float
    reason: str
    source: str

    def record(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "year": self.year,
            "variable": self.variable,
            "old": None if math.isnan(self.old) else self.old,
            "new": None if math.isnan(self.new) else self.new,
            "reason": self.reason,
            "source": self.source,
        }


class Outcome:
    """What the checks found for one set of inputs, and what was accepted or corrected."""

    __slots__ = ("accepted", "accepted_files", "corrections", "findings", "merged_with_default", "years")

    def __init__(
        self,
        findings: tuple[Finding, ...],
        accepted: tuple[tuple[Finding, Accepted], ...],
        years: tuple[int, ...],
        corrections: tuple[Correction, ...] = (),
        accepted_files: tuple[str, ...] = (),
        merged_with_default: bool = False,
    ) -> None:
        self.findings = findings
        self.accepted = accepted
        self.years = years
        self.corrections = corrections
        self.accepted_files = accepted_files
        self.merged_with_default = merged_with_default

    def errors(self) -> list[Finding]:
        """Errors nobody accepted: these stop a run."""
        ok = {id(f) for f, _ in self.accepted}
        return [f for f in self.findings if f.severity == ERROR and id(f) not in ok]

    def warnings(self) -> list[Finding]:
        ok = {id(f) for f, _ in self.accepted}
        return [f for f in self.findings if f.severity == WARNING and id(f) not in ok]

    def problems(self) -> list[Problem]:
        """Unaccepted errors as ``Problem`` (what ``UserError`` carries to the CLI)."""
        return [as_problem(f) for f in self.errors()]

    def summary(self) -> str:
        e, w, a = len(self.errors()), len(self.warnings()), len(self.accepted)
        years = "、".join(map(str, self.years))
        return (
            f"数据校核 (plausibility checks, {years}): {e} 个错误 (errors), {w} 个警告 (warnings), "
            f"{a} 个已认可 (accepted)"
        )

    def record(self) -> dict[str, Any]:
        """The run.json entry: every finding with its status, the accepted files and the corrections."""
        ok = {id(f): a for f, a in self.accepted}
        rows = []
        for f in self.findings:
            row = f.as_dict()
            acc = ok.get(id(f))
            row["status"] = "accepted" if acc else ("error" if f.severity == ERROR else "warning")
            if acc:
                row["accepted_reason"] = acc.reason
                if acc.reason_zh:
                    row["accepted_reason_zh"] = acc.reason_zh
            rows.append(row)
        return {
            "years": list(self.years),
            "merged_with_default": self.merged_with_default,
            "counts": {
                "errors": len(self.errors()),
                "warnings": len(self.warnings()),
                "accepted": len(self.accepted),
            },
            "accepted_files": list(self.accepted_files),
            "findings": rows,
            "corrections": [c.record() for c in self.corrections],
        }


def as_problem(f: Finding) -> Problem:
    parts = f.location.rsplit(":", 3) if f.location else []
    if len(parts) == 4:
        file, sheet, row, column = parts
        return Problem(
            f"{f.code} {f.name} {f.year} {f.variable}: {KIND_ZH.get(f.kind, f.kind)} ({f.kind}): {f.message}",
            file=file,
            sheet=sheet,
            row=int(row) if row.isdigit() else None,
            column=column,
            severity=f.severity,
        )
    return Problem(f.line(), severity=f.severity)


# -- files: accepted findings and corrections ----------------------------------------------------------------
def _table(path: Path, required: tuple[str, ...], what: str) -> pd.DataFrame:
    frame, _ = ingest.read_csv(path, dtype=str, keep_default_na=False)
    frame.columns = [str(c).strip() for c in frame.columns]
    if "code" not in frame.columns and "adcode" in frame.columns:
        frame = frame.rename(columns={"adcode": "code"})
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise UserError(
            Problem(
                f"{what}缺少列 (missing columns): {', '.join(missing)}",
                file=str(path),
                row=1,
                expected="columns " + ", ".join(required),
            )
        )
    return frame


def _number(text: str, path: Path, row: int, column: str) -> float:
    text = str(text).strip()
    if text == "":
        return float("nan")
    value = ingest.parse_number(text)
    if value is None:
        raise UserError(
            Problem("不是数字 (not a number)", file=str(path), row=row, column=column, value=text)
        )
    return float(value)


def _year(text: str, path: Path, row: int) -> int:
    year = ingest.parse_year(str(text).strip())
    if year is None:
        raise UserError(Problem("不是年份 (not a year)", file=str(path), row=row, column="year", value=text))
    return year


def _reason(text: str, path: Path, row: int) -> str:
    reason = str(text).strip()
    if not reason:
        raise UserError(
            Problem(
                "每一项都需要理由 (each entry needs a reason)",
                file=str(path),
                row=row,
                column="reason",
                expected="why the value is right (or what was checked)",
            )
        )
    return reason


def read_accepted(path: Path) -> list[Accepted]:
    """A reviewed findings file: CSV ``code, year, variable, kind, value, reason`` (value may be empty) and
    an optional ``reason_zh`` (files without it are read as before)."""
    frame = _table(path, ("code", "year", "variable", "kind", "reason"), "认可清单")
    out = []
    for i, row in enumerate(frame.to_dict("records"), start=2):
        kind = str(row["kind"]).strip()
        if kind not in KINDS:
            raise UserError(
                Problem(
                    "未知的校核类型 (unknown kind)",
                    file=str(path),
                    row=i,
                    column="kind",
                    value=kind,
                    expected=", ".join(KINDS),
                )
            )
        out.append(
            Accepted(
                str(row["code"]).strip(),
                _year(row["year"], path, i),
                str(row["variable"]).strip(),
                kind,
                _number(row.get("value", ""), path, i, "value"),
                _reason(row["reason"], path, i),
                str(path),
                str(row.get("reason_zh") or "").strip(),
            )
        )
    return out


def default_accepted() -> list[Accepted]:
    """The findings of the embedded data that were reviewed and accepted (each with its reason)."""
    path = geo.data_path(*DEFAULT_ACCEPTED)
    return [a._replace(source=f"mfgindex/data/{'/'.join(DEFAULT_ACCEPTED)}") for a in read_accepted(path)]


def read_corrections(path: Path) -> list[tuple[str, int, str, float, str]]:
    """A corrections file: CSV with ``code, year, variable, value, reason`` (empty value: set missing)."""
    frame = _table(path, CORRECTION_COLUMNS, "更正文件")
    out = []
    for i, row in enumerate(frame.to_dict("records"), start=2):
        out.append(
            (
                str(row["code"]).strip(),
                _year(row["year"], path, i),
                str(row["variable"]).strip(),
                _number(row["value"], path, i, "value"),
                _reason(row["reason"], path, i),
            )
        )
    return out


def apply_corrections(ds: Dataset, paths: Iterable[Path]) -> tuple[Dataset, tuple[Correction, ...]]:
    """``ds`` with the values of the corrections files replacing its own (a new Dataset; ``ds`` unchanged)."""
    paths = list(paths)
    if not paths:
        return ds, ()
    values = ds.values
    key = values["code"].astype(str) + "|" + values["year"].astype(str) + "|" + values["variable"].astype(str)
    index = pd.Series(np.arange(len(values)), index=key.to_numpy())
    index = index[~index.index.duplicated()]
    drop: list[int] = []
    add: list[dict[str, Any]] = []
    done: list[Correction] = []
    for path in paths:
        for code, year, variable, new, reason in read_corrections(path):
            k = f"{code}|{year}|{variable}"
            pos = index.get(k)
            old = float(values["value"].iloc[int(pos)]) if pos is not None else float("nan")
            if pos is not None:
                drop.append(int(pos))
            if not math.isnan(new):
                add.append(
                    {
                        "code": code,
                        "year": year,
                        "variable": variable,
                        "value": new,
                        "source": f"更正 {path.name}",
                    }
                )
            done.append(Correction(code, year, variable, old, new, reason, str(path)))
    kept = values.drop(index=values.index[drop])
    out = pd.concat([kept, pd.DataFrame(add)], ignore_index=True) if add else kept.reset_index(drop=True)
    inputs = {**ds.inputs, **{str(p): dataset_mod.sha256(p) for p in paths}}
    return replace(ds, values=out, inputs=MappingProxyType(inputs)), tuple(done)


# -- the checks of a run -------------------------------------------------------------------------------------
def merged(user: Dataset, base: Dataset) -> Dataset:
    """The user's values over the embedded ones (same unit, year, variable: the user's wins)."""
    ukey = set(zip(user.values["code"], user.values["year"], user.values["variable"], strict=True))
    b = base.values
    keep = [k not in ukey for k in zip(b["code"], b["year"], b["variable"], strict=True)]
    values = pd.concat([b[np.array(keep, dtype=bool)], user.values], ignore_index=True)
    return replace(user, values=values, units=base.units, kind=base.kind)


def kinds(framework: Framework) -> dict[str, str]:
    return {k: v.kind for k, v in framework.variables.items()}


def run_years(ds: Dataset, year: int | None, previous_year: int | None = None) -> tuple[int, ...]:
    """The years a run reads: the evaluated year and the one it is compared with (if in the data)."""
    years = ds.years()
    if not years:
        return ()
    y = year if year is not None else years[-1]
    prev = previous_year if previous_year is not None else y - 1
    return tuple(sorted({yy for yy in (y, prev) if yy in years}))


def check(
    ds: Dataset,
    framework: Framework,
    years: Iterable[int] | None,
    *,
    embedded: bool,
    accepted_files: Iterable[Path] = (),
    corrections: tuple[Correction, ...] = (),
    merge_default: bool = False,
) -> Outcome:
    """Check ``ds`` (the data a run will use) for ``years`` (None: all) → an ``Outcome``.

    ``embedded``: ``ds`` is (or contains) the embedded default data, whose reviewed findings are accepted
    from the shipped file. ``merge_default``: check a user's file merged with the embedded data, reporting
    only the findings on the user's own values.
    """
    target = ds
    if merge_default and ds.kind == "cities":
        target = merged(ds, dataset_mod.default())
    findings = core_checks.run_checks(target, kinds(framework), years)
    if merge_default and ds.kind == "cities":
        own = set(zip(ds.values["code"], ds.values["year"].astype(int), ds.values["variable"], strict=True))
        findings = [f for f in findings if (f.code, f.year, f.variable) in own]
    accepted_list: list[Accepted] = []
    files: list[str] = []
    if embedded or merge_default:
        accepted_list.extend(default_accepted())
        files.append(f"mfgindex/data/{'/'.join(DEFAULT_ACCEPTED)}")
    for p in accepted_files:
        accepted_list.extend(read_accepted(Path(p)))
        files.append(str(p))
    accepted = []
    for f in findings:
        hit = next((a for a in accepted_list if a.matches(f)), None)
        if hit is not None:
            accepted.append((f, hit))
    checked = sorted({int(y) for y in years}) if years is not None else ds.years()
    return Outcome(
        tuple(findings),
        tuple(accepted),
        tuple(checked),
        corrections,
        tuple(files),
        merge_default and ds.kind == "cities",
    )


def shipped_corrections(inputs: Mapping[str, str]) -> list[dict[str, Any]]:
    """Rows of the embedded data's corrections log, when the run read the corrected files."""
    if not any(k.startswith("mfgindex/data/city_stats/") for k in inputs):
        return []
    return dataset_mod.default_corrections()


def annotate(provenance: Mapping[str, Any], outcome: Outcome | None) -> dict[str, Any]:
    """Provenance of a Result with the checks and the corrections of the embedded data added."""
    out = dict(provenance)
    if outcome is not None:
        out["checks"] = outcome.record()
    out["data_corrections"] = shipped_corrections(dict(provenance.get("inputs") or {}))
    return out


def with_outcome(result: Result, outcome: Outcome) -> Result:
    """``result`` whose provenance carries ``outcome`` (and the embedded data's corrections)."""
    return replace(result, provenance=MappingProxyType(annotate(result.provenance, outcome)))


def raise_on_errors(outcome: Outcome) -> None:
    """Unaccepted errors → UserError (exit 2, nothing written), with the way out named."""
    if outcome.errors():
        raise UserError(
            [
                *outcome.problems(),
                Problem(
                    f"{outcome.summary()}; 复核后可用 --accept FILE 认可 (reviewed findings, a reason each) "
                    "或 --corrections FILE 更正 (replace the values)"
                ),
            ]
        )


def check_inputs(
    framework_name: str,
    data: Iterable[Path] = (),
    workspace: Dataset | None = None,
    year: int | None = None,
    *,
    all_years: bool = False,
    default_data: bool = True,
    accept: Iterable[Path] = (),
    corrections: Iterable[Path] = (),
) -> Outcome:
    """What ``mfgindex check`` prints: read the inputs, apply corrections, check the years a run reads.

    ``workspace``: a workspace's data (``mfgindex.workspace.snapshots.load_dataset``), checked as a user's
    data.
    Reading errors raise ``UserError`` (nothing can be checked); findings never raise.
    """
    from mfgindex.core import framework as fw_mod

    framework = fw_mod.load(framework_name)
    paths = [Path(d) for d in data]
    ds: Dataset | None
    if workspace is not None:
        ds = workspace
    elif paths:
        from mfgindex.core.ingest.users import read_users_data

        got_ds, found = read_users_data(paths, framework, year)  # the one reader, the framework's names
        errors = [p for p in found if p.severity == "error"]
        if errors or got_ds is None:
            raise UserError(errors or [Problem("no data", file=", ".join(map(str, paths)))])
        ds = got_ds
    else:
        ds = dataset_mod.default()
    ds, applied = apply_corrections(ds, list(corrections))
    user = workspace is not None or bool(paths)
    spec = RunSpec(framework=framework_name, data=tuple(map(str, paths)), year=year)
    # the years a run of that year reads: the year and its previous year, as validate and run check
    years = None if all_years else run_years(ds, spec.resolve_year(ds))
    return check(
        ds,
        framework,
        years,
        embedded=not user,
        accepted_files=list(accept),
        corrections=applied,
        merge_default=user and default_data and framework_name == DEFAULT_FRAMEWORK,
    )
