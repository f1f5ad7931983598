"""The package's dependencies are the ones it declares.

- Every third-party module the package imports (at the top of a module or inside a function) belongs to a
  distribution named in ``pyproject.toml``'s dependencies, so that an upstream package dropping one of its own
  dependencies cannot break an install of ours.
- pyarrow is not a dependency: parquet is written and read through DuckDB. pandas imports pyarrow at
  ``import pandas`` whenever it is installed (about 0.1 s of every command's start), so nothing of ours may
  need it — no module of the package, its tests, benchmarks or scripts imports it.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
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


# a maintainer's tool, run by hand with the library installed aside (its docstring says how)
NOT_AT_RUN_TIME = {"pypinyin": "src/mfgindex/web/tools/gen_pinyin.py"}


def _name(requirement: str) -> str:
    """A requirement's distribution name, normalised (PEP 503); its extras count as named too."""
    return re.sub(r"[-_.]+", "-", re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0]).lower()


def _declared() -> set[str]:
    """Distribution names of the dependencies, with the extras they ask for (dask[distributed])."""
    names: set[str] = set()
    for requirement in tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "dependencies"
    ]:
        names.add(_name(requirement))
        extras = re.search(r"\[([^\]]+)\]", requirement)
        if extras:
            names.update(_name(e) for e in extras.group(1).split(","))
    return names


def test_every_third_party_import_is_declared() -> None:
    declared = _declared()
    dists = packages_distributions()
    undeclared: dict[str, str] = {}
    for path in sorted((ROOT / "src").rglob("*.py")):
        rel = str(path.relative_to(ROOT))
        for module in _imports(path):
            if module in sys.stdlib_module_names or module in {"mfgindex", "__future__"}:
                continue
            if NOT_AT_RUN_TIME.get(module) == rel:
                continue
            names = {_name(d) for d in dists.get(module, [module])}
            if not names & declared:
                undeclared[module] = rel
    assert undeclared == {}, f"imported but not in pyproject.toml's dependencies: {undeclared}"


def test_nothing_imports_pyarrow() -> None:
    files = [f for d in ("src", "tests", "benchmarks", "scripts") for f in sorted((ROOT / d).rglob("*.py"))]
    assert len(files) > 100
    assert [str(f.relative_to(ROOT)) for f in files if "pyarrow" in _imports(f)] == []


def test_pyarrow_is_not_a_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"].values()
    reqs = [*project["dependencies"], *(r for extra in extras for r in extra)]
    assert [r for r in reqs if r.lower().startswith("pyarrow")] == []
