"""Column maps (``--map``): file column → variable id, from YAML (a mapping) or CSV (``column, variable``).

An empty target drops the column. The same map works for ``run``, ``validate`` and ``import``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mfgindex.core import geo
from mfgindex.core.errors import Problem, UserError
from mfgindex.core.ingest.sources import decode, read_csv

VARIABLE_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_MAP_BYTES = 1 << 20


def _yaml(text: str, file: str) -> Any:
    """The map's YAML through the one bounded YAML reader (aliases, nesting, size)."""
    from mfgindex.core.safeyaml import load_yaml

    return load_yaml(text, file)


def read_map(path: Path) -> dict[str, str]:
    """A column map (file column → variable id); raises UserError with every bad entry located."""
    file = str(path)
    if not path.is_file():
        raise UserError(Problem("map file not found", file=file))
    if path.stat().st_size > MAX_MAP_BYTES:
        raise UserError(Problem(f"map file larger than {MAX_MAP_BYTES // 1024} KiB", file=file))
    rows: list[tuple[int | None, str, str]] = []
    problems: list[Problem] = []
    if path.suffix.lower() in {".yaml", ".yml"}:
        data = _yaml(decode(path)[0], file)
        if not isinstance(data, dict):
            raise UserError(Problem("a column map must be a mapping: file column: variable_id", file=file))
        for k, v in data.items():
            if not isinstance(k, str | int | float) or not isinstance(v, str | int | float | type(None)):
                # never str() a nested value: an alias bomb expands to gigabytes
                problems.append(
                    Problem(
                        "a map entry must be column: variable_id",
                        file=file,
                        column=geo.shown(
                            str(k) if isinstance(k, str | int | float) else type(k).__name__, 40
                        ),
                        expected="a variable id or empty",
                    )
                )
                continue
            rows.append((None, str(k).strip(), "" if v is None else str(v).strip()))
    elif path.suffix.lower() == ".csv":
        try:
            df, _ = read_csv(path, dtype=str, keep_default_na=False)
        except Exception as exc:  # pandas' parser errors name the line
            if isinstance(exc, UserError):
                raise
            raise UserError(Problem(f"cannot read file: {geo.shown(str(exc), 200)}", file=file)) from None
        cols = {c.strip().lower(): c for c in df.columns}
        if "column" not in cols or "variable" not in cols:
            raise UserError(
                Problem(
                    "a CSV column map needs columns column, variable", file=file, expected="column,variable"
                )
            )
        rows = [
            (i + 2, str(c).strip(), str(v).strip())
            for i, (c, v) in enumerate(zip(df[cols["column"]], df[cols["variable"]], strict=True))
        ]
    else:
        raise UserError(Problem("unsupported map file", file=file, expected=".yaml, .yml or .csv"))
    problems += [
        Problem(
            "not a variable id",
            file=file,
            row=r,
            column=geo.shown(k, 40),
            value=geo.shown(v, 40),
            expected="snake_case ASCII id",
        )
        for r, k, v in rows
        if v and not VARIABLE_ID.match(v)
    ]
    if problems:
        raise UserError(problems)
    return {k: v for _, k, v in rows}
