"""The reader of COINr ``iMeta`` tables: a framework given as COINr's indicator metadata (CSV or XLSX).

:func:`framework_data` turns the table into the framework's plain data (what a YAML framework file holds);
``framework.load`` validates it into a :class:`~mfgindex.core.framework.Framework`. Every problem is a
located user error (file, row, column).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from mfgindex.core.errors import Problem, UserError

_IMETA_COLUMNS = (
    "Level",
    "iCode",
    "iName",
    "Direction",
    "Weight",
    "Unit",
    "Target",
    "Denominator",
    "Parent",
    "Type",
)


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """``df.to_dict("records")`` (Python scalars; NaN where missing) from one ``tolist`` per column: the
    same values without pandas' row-by-row path."""
    columns = list(df.columns)
    return [
        dict(zip(columns, row, strict=True)) for row in zip(*(df[c].tolist() for c in columns), strict=True)
    ]


def framework_data(path: Path, max_levels: int) -> dict[str, Any]:
    """The framework data (the YAML form, for ``framework.from_dict``) of a COINr ``iMeta`` table (CSV or
    XLSX); a tree nested deeper than ``max_levels`` is refused while it is built.

    Rows of ``Type`` Indicator and Aggregate form the tree through ``Parent``; ``Group`` rows become
    grouping columns; ``Denominator`` rows name denominators. Weights are relative within a parent.
    The universe is generic (units come from the data's ``uCode`` column).
    """
    from mfgindex.core.ingest import read_csv

    file = str(path)
    try:
        df = pd.read_excel(path) if path.suffix.lower() == ".xlsx" else read_csv(path)[0]
    except UserError:
        raise
    except Exception as exc:  # a corrupt or unreadable file is the user's input problem
        raise UserError(Problem(f"cannot read file: {exc}", file=file)) from None
    missing = [c for c in ("iCode", "Parent", "Type") if c not in df.columns]
    if missing:
        raise UserError(
            Problem(f"iMeta needs columns {missing}", file=file, expected=", ".join(_IMETA_COLUMNS))
        )
    rows: dict[str, dict[str, Any]] = {}
    children: dict[str, list[str]] = {}
    groups: list[str] = []
    problems: list[Problem] = []
    for i, r in zip(df.index, records(df), strict=True):  # plain rows: iterrows built a Series each
        row_no = int(str(i)) + 2
        code = str(r["iCode"])
        kind = str(r["Type"])
        if kind == "Group":
            groups.append(code)
            continue
        if kind == "Denominator":
            continue
        if kind not in ("Indicator", "Aggregate"):
            problems.append(Problem("unknown Type", file=file, row=row_no, column="Type", value=kind))
            continue
        if code in rows:
            problems.append(
                Problem(
                    f"duplicate iCode, first at row {rows[code]['row_no']}",
                    file=file,
                    row=row_no,
                    column="iCode",
                    value=code,
                )
            )
            continue
        rows[code] = {"kind": kind, "row": r, "row_no": row_no}
        parent = r["Parent"]
        if isinstance(parent, str) and parent:
            children.setdefault(parent, []).append(code)
    roots = [c for c, v in rows.items() if not isinstance(v["row"]["Parent"], str)]
    for parent, kids in children.items():
        if rows.get(parent, {}).get("kind") != "Aggregate":
            for kid in kids:
                problems.append(
                    Problem(
                        "Parent is not an aggregate code"
                        + (" (it is an Indicator)" if parent in rows else ""),
                        file=file,
                        row=rows[kid]["row_no"],
                        column="Parent",
                        value=parent,
                        expected="the iCode of an Aggregate row",
                    )
                )
    if len(roots) != 1:
        problems.append(
            Problem(
                f"iMeta needs exactly one row without Parent (the index), found {len(roots)}",
                file=file,
                column="Parent",
                value=", ".join(f"{c} (row {rows[c]['row_no']})" for c in roots),
            )
        )
    if problems:
        raise UserError(problems)
    reachable: set[str] = set()
    stack = list(roots)
    while stack:
        code = stack.pop()
        if code not in reachable:
            reachable.add(code)
            stack.extend(children.get(code, []))
    for code, v in rows.items():
        if code not in reachable:  # its Parent chain never reaches the index: a cycle
            problems.append(
                Problem(
                    "row is not under the index (its Parent chain is a cycle)",
                    file=file,
                    row=v["row_no"],
                    column="Parent",
                    value=str(v["row"]["Parent"]),
                )
            )
    columns = _level_problems(rows, file) + _direction_problems(rows, file)
    problems.extend(sorted(columns, key=lambda p: p.row or 0))
    if problems:
        raise UserError(problems)

    def num(value: Any, code: str = "", column: str = "") -> float | None:
        if pd.isna(value):
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise UserError(
                Problem(
                    "not a number",
                    file=file,
                    row=rows[code]["row_no"] if code in rows else None,
                    column=column,
                    value=str(value),
                    expected="a number",
                )
            ) from None

    def build(code: str, level: int = 1) -> dict[str, Any]:
        if level > max_levels:
            raise UserError(
                Problem(
                    f"the framework tree is nested more than {max_levels} levels deep",
                    file=file,
                    row=rows[code]["row_no"],
                    column="Parent",
                    expected=f"at most {max_levels} levels",
                )
            )
        r = rows[code]["row"]
        node: dict[str, Any] = {"id": code, "name_en": "" if pd.isna(r.get("iName")) else str(r["iName"])}
        weight = num(r.get("Weight"), code, "Weight")
        if weight is not None:
            node["weight"] = weight
        if rows[code]["kind"] == "Aggregate":
            node["children"] = [build(c, level + 1) for c in children.get(code, [])]
            return node
        direction = num(r.get("Direction"), code, "Direction")
        node["direction"] = -1 if direction == -1 else 1
        if isinstance(r.get("Unit"), str):
            node["unit"] = r["Unit"]
        target = num(r.get("Target"), code, "Target")
        if target is not None:
            node["target"] = target
        if isinstance(r.get("Denominator"), str) and r["Denominator"]:
            node["denominator"] = r["Denominator"]
        return node

    data = {
        "id": roots[0],
        "name_en": path.stem,
        "root": build(roots[0]),
        "groups": groups,
        "universe": {"kind": "generic", "exclude_unit_types": []},
        "methods": {"treat": "winsorise", "normalise": "minmax", "aggregate": "arithmetic"},
    }
    return data


def _level_problems(rows: dict[str, dict[str, Any]], file: str) -> list[Problem]:
    """COINr's rules for the ``Level`` column (``check_iMeta``), where the table has one: every Indicator
    and Aggregate row has a whole Level ≥ 1, indicators are at Level 1, and a row's Parent is one Level
    above it. The tree itself comes from ``Parent``; a Level that contradicts it is a slip in the table."""
    levels: dict[str, int] = {}
    problems: list[Problem] = []
    if not rows or "Level" not in next(iter(rows.values()))["row"]:  # every row has the table's columns
        return []
    for code, v in rows.items():
        raw = v["row"]["Level"]
        level = _float(raw)
        if not (level >= 1 and level.is_integer()):
            problems.append(
                Problem(
                    "Level is missing" if pd.isna(raw) else "Level is not a whole number of at least 1",
                    file=file,
                    row=v["row_no"],
                    column="Level",
                    value="" if pd.isna(raw) else str(raw),
                    expected="1 for an indicator, one more than its children's Level for an aggregate",
                )
            )
        elif v["kind"] == "Indicator" and level != 1:
            problems.append(
                Problem(
                    "an Indicator row must be at Level 1",
                    file=file,
                    row=v["row_no"],
                    column="Level",
                    value=str(raw),
                    expected="1",
                )
            )
        else:
            levels[code] = int(level)
    for code, level in levels.items():
        parent = rows[code]["row"]["Parent"]
        if isinstance(parent, str) and parent in levels and levels[parent] != level + 1:
            problems.append(
                Problem(
                    f"Level is not one below its Parent's ({parent} is at Level {levels[parent]})",
                    file=file,
                    row=rows[code]["row_no"],
                    column="Level",
                    value=str(level),
                    expected=str(levels[parent] - 1),
                )
            )
    return problems


def _direction_problems(rows: dict[str, dict[str, Any]], file: str) -> list[Problem]:
    """An Indicator's ``Direction``, where given as a number, is 1 or -1 (COINr's rule; a 0 or a 2 would
    otherwise count silently as 1)."""
    problems = []
    for v in rows.values():
        raw = v["row"].get("Direction")
        direction = _float(raw)
        if v["kind"] != "Indicator" or math.isnan(direction):  # not a number: reported when the tree is built
            continue
        if direction not in (1, -1):
            problems.append(
                Problem(
                    "Direction is neither 1 nor -1",
                    file=file,
                    row=v["row_no"],
                    column="Direction",
                    value=f"{direction:g}",
                    expected="1 (higher is better) or -1 (lower is better)",
                )
            )
    return problems


def _float(raw: Any) -> float:
    """A cell as a number; NaN where it is empty or not a number (the checks above say which)."""
    try:
        return float(raw)
    except (TypeError, ValueError):
        return math.nan
