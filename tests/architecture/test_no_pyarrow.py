"""pyarrow is not a dependency: parquet is written and read through DuckDB. pandas imports pyarrow at
``import pandas`` whenever it is installed (about 0.1 s of every command's start), so nothing of ours may
need it — no module of the package, its tests, benchmarks or scripts imports it."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module.split(".")[0])
    return out


def test_nothing_imports_pyarrow() -> None:
    files = [f for d in ("src", "tests", "benchmarks", "scripts") for f in sorted((ROOT / d).rglob("*.py"))]
    assert len(files) > 100
    assert [str(f.relative_to(ROOT)) for f in files if "pyarrow" in _imports(f)] == []


def test_pyarrow_is_not_a_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"].values()
    reqs = [*project["dependencies"], *(r for extra in extras for r in extra)]
    assert [r for r in reqs if r.lower().startswith("pyarrow")] == []
