"""The layers of the package, enforced on the source (an import-linter style contract).

core → domain packages (analysis, robust, toolbox, policy, workspace) → report → services → faces (web, cli).
A module may import from its own layer and the layers below it; nothing imports the CLI; only the CLI
imports the web app; there are no import cycles between packages.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PKG = SRC / "mfgindex"

LAYER = {
    "core": 0,
    "analysis": 1,
    "robust": 1,
    "toolbox": 1,
    "policy": 1,
    "workspace": 1,
    "report": 2,
    "services": 3,
    "web": 4,
    "cli": 5,
}

# Imports that still cross a layer upwards. The list may only shrink; each entry is a debt to pay.
KNOWN: set[tuple[str, str]] = set()
# Package pairs that import each other. May only shrink.
KNOWN_CYCLES: set[tuple[str, str]] = set()


def _module(path: Path) -> str:
    parts = path.relative_to(PKG).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every ``mfgindex.*`` module imported anywhere in the file (deferred imports included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "mfgindex" or node.module.startswith("mfgindex."):
                for a in node.names:
                    sub = PKG.parent.joinpath(*node.module.split("."), a.name)
                    if sub.with_suffix(".py").exists() or (sub / "__init__.py").exists():
                        found.add(f"{node.module}.{a.name}")
                    elif node.module != "mfgindex":
                        found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("mfgindex."))
    return {m.removeprefix("mfgindex.") for m in found}


def _graph() -> dict[str, set[str]]:
    return {_module(p): _imports(p) for p in PKG.rglob("*.py") if "tools" not in p.parts}


def _layer(module: str) -> int:
    if module == "":  # mfgindex/__init__.py: the public façade, above every layer (its exports are lazy)
        return max(LAYER.values()) + 1
    return LAYER.get(module.split(".")[0], -1)


def test_every_package_has_a_layer() -> None:
    packages = {p.name for p in PKG.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages == set(LAYER)
    loose = sorted(p.name for p in PKG.glob("*.py") if p.name != "__init__.py")
    assert loose == [], f"modules outside the layered folders: {loose}"


def test_no_import_goes_up_a_layer() -> None:
    upward = {
        (m, t)
        for m, targets in _graph().items()
        for t in targets
        if _layer(t) > _layer(m) and not (m.startswith("cli") and t.startswith("web"))
    }
    new = upward - KNOWN
    assert not new, f"imports that go up a layer: {sorted(new)}"
    paid = KNOWN - upward
    assert not paid, f"remove these from KNOWN, they are fixed: {sorted(paid)}"


def test_core_imports_only_core() -> None:
    bad = {
        (m, t) for m, ts in _graph().items() if m.startswith("core") for t in ts if not t.startswith("core")
    }
    assert not bad


def test_nothing_imports_the_cli() -> None:
    bad = {(m, t) for m, ts in _graph().items() if not m.startswith("cli") for t in ts if t.startswith("cli")}
    assert bad <= KNOWN, sorted(bad - KNOWN)


@pytest.mark.parametrize("level", [1])
def test_no_cycles_between_packages(level: int) -> None:
    edges: dict[str, set[str]] = defaultdict(set)
    for m, ts in _graph().items():
        a = ".".join(m.split(".")[:level])
        for t in ts:
            b = ".".join(t.split(".")[:level])
            if a != b:
                edges[a].add(b)
    cycles = sorted((a, b) for a in edges for b in edges[a] if a in edges.get(b, set()) and a < b)
    assert set(cycles) <= KNOWN_CYCLES, cycles
    paid = KNOWN_CYCLES - set(cycles)
    assert not paid, f"remove these from KNOWN_CYCLES, they are fixed: {sorted(paid)}"
