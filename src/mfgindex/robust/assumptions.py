"""Uncertain assumptions of an index, each named by its path in the configuration.

A factor is either a discrete choice among alternatives (equally likely, as in COINr's ``get_sensitivity``)
or the weight noise. Paths:

``methods.<field>``
    one method field (``winmax``, ``impute``, ``normalise``, ``aggregate``, ``min_coverage`` …): ``values``
    lists the alternatives.
``methods``
    each alternative is a mapping of several method fields, e.g. ``{normalise: zscore, zscore: [10, 2]}``.
``weights``
    multiplicative uniform noise ``w·(1 + U(−f, f))`` on the weights of the nodes of the given levels
    (COINr ``get_noisy_weights``; levels counted as COINr's iMeta ``Level``: indicators = 1). ``noise`` is
    one number (every level above the indicators) or ``{level: f}``; ``sets`` is the number of noisy weight
    sets drawn for the sensitivity analysis (COINr draws 100).
``stages.boundaries``
    stage thresholds: each value scales every boundary (``0.9``) or gives them all (``[[lo, hi], …]``).
``indicators.exclude``
    each value is ``null`` (keep all), an indicator id, or a list of ids to drop (weight 0 in its parent).
``indicators.<id>.include``
    ``values`` default ``[true, false]``.

The YAML file holds ``assumptions:`` (a list of ``{name, path, values | noise, labels?}``).

References
----------
Becker, W. et al. (2022). COINr: ``get_sensitivity``, ``get_noisy_weights`` and the "Sensitivity analysis"
vignette (the default set below). Saisana, M., Saltelli, A. and Tarantola, S. (2005). Uncertainty and
sensitivity analysis techniques as tools for the quality assessment of composite indicators. *J. R. Stat.
Soc. A* 168(2), 307-323.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, NamedTuple

from mfgindex.core import framework as fw_mod
from mfgindex.core.errors import Problem, UserError
from mfgindex.core.framework import Framework
from mfgindex.core.ingest import decode
from mfgindex.core.methods import Methods

NORMALISE_KEYS = frozenset({"normalise", "range", "zscore", "efficacy"})
TREE_KEYS = frozenset({"aggregate", "aggregate_by_level", "min_share"})
Kind = Literal["methods", "weights", "stages", "exclude"]


class Factor(NamedTuple):
    """One uncertain assumption (a named tuple: defined on the ``uncertainty`` command's path, where a
    dataclass's generated methods cost ~1 ms of start-up).

    ``values`` are the alternatives: for ``methods`` a mapping of method changes, for ``stages`` a list of
    boundaries, for ``exclude`` a tuple of indicator ids. ``noise`` maps a COINr level to the half-width of
    the multiplicative uniform noise (weights only).
    """

    name: str
    path: str
    kind: Kind
    values: tuple[Any, ...] = ()
    labels: tuple[str, ...] = ()
    noise: tuple[tuple[int, float], ...] = ()
    sets: int = 100

    @property
    def n_alternatives(self) -> int:
        return self.sets if self.kind == "weights" else len(self.values)

    def part(self, alt: int, keys: frozenset[str], inside: bool) -> dict[str, Any]:
        """Method changes of alternative ``alt`` whose keys are (not) in ``keys``."""
        if self.kind != "methods":
            return {}
        return {k: v for k, v in self.values[alt].items() if (k in keys) == inside}

    def touches(self, keys: frozenset[str], inside: bool) -> bool:
        return any(self.part(a, keys, inside) for a in range(len(self.values)))

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "path": self.path}
        if self.kind == "weights":
            out["noise"] = {str(k): v for k, v in self.noise}
            out["sets"] = self.sets
        else:
            out["values"] = json.loads(json.dumps(list(self.values), default=str))
            out["labels"] = list(self.labels)
        return out


def _label(value: Any) -> str:
    if isinstance(value, Mapping):
        return ",".join(f"{k}={_label(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "[" + ",".join(_label(v) for v in value) + "]"
    if hasattr(value, "value"):
        return str(value.value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def default_assumptions(framework: Framework) -> list[Factor]:
    """COINr's sensitivity vignette: winmax 1..5; min-max [1,100] or z-score (10, 2); ±25 % weight noise at
    every level above the indicators; arithmetic or geometric mean."""
    top = framework.depth()[framework.root.id]
    winmax = tuple({"winmax": k} for k in range(1, 6))
    norm = ({"normalise": "minmax", "range": (1.0, 100.0)}, {"normalise": "zscore", "zscore": (10.0, 2.0)})
    agg = (
        {"aggregate": "arithmetic", "aggregate_by_level": {}},
        {"aggregate": "geometric", "aggregate_by_level": {}},
    )
    return [
        Factor("winmax", "methods.winmax", "methods", winmax, tuple(str(k) for k in range(1, 6))),
        Factor("normalisation", "methods", "methods", norm, ("minmax[1,100]", "zscore(10,2)")),
        Factor("weights", "weights", "weights", noise=tuple((lev, 0.25) for lev in range(2, top))),
        Factor("aggregation", "methods.aggregate", "methods", agg, ("arithmetic", "geometric")),
    ]


def _problem(
    msg: str, file: str, item: int, column: str = "", value: Any = "", expected: str = ""
) -> Problem:
    where = f"assumptions[{item}]" + (f".{column}" if column else "")
    return Problem(msg, file=file, column=where, value=str(value)[:80], expected=expected)


def parse(items: Any, framework: Framework, file: str = "<assumptions>") -> list[Factor]:
    """Validate a list of factor specifications against the framework (errors carry the item number)."""
    if isinstance(items, Mapping) and "assumptions" in items:
        items = items["assumptions"]
    if not isinstance(items, list) or not items:
        raise UserError(Problem("expected a non-empty list under 'assumptions:'", file=file))
    factors: list[Factor] = []
    problems: list[Problem] = []
    ind_ids = {i.id for i in framework.indicators()}
    top = framework.depth()[framework.root.id]
    for n, item in enumerate(items, start=1):
        if not isinstance(item, Mapping) or "path" not in item:
            problems.append(_problem("each assumption needs a 'path'", file, n, value=item))
            continue
        path = str(item["path"])
        name = str(item.get("name", path))
        labels = item.get("labels")
        try:
            factor = _parse_one(name, path, item, framework, ind_ids, top)
        except ValueError as exc:
            problems.append(_problem(str(exc), file, n, column=path))
            continue
        except UserError as exc:  # an invalid method value, found by the framework's own validation
            problems.extend(_problem(p.message, file, n, path, p.value, p.expected) for p in exc.problems)
            continue
        if labels is not None:
            if not isinstance(labels, list) or len(labels) != len(factor.values):
                problems.append(_problem("labels must list one label per value", file, n, "labels", labels))
                continue
            factor = Factor(factor.name, factor.path, factor.kind, factor.values, tuple(map(str, labels)),
                            factor.noise, factor.sets)  # fmt: skip
        if any(f.name == factor.name for f in factors):
            problems.append(_problem("duplicate assumption name", file, n, "name", factor.name))
            continue
        factors.append(factor)
    if problems:
        raise UserError(problems)
    return factors


def _alternatives(item: Mapping[str, Any]) -> list[Any]:
    values = item.get("values")
    if not isinstance(values, list) or not values:
        raise ValueError("'values' must be a non-empty list of alternatives")
    return values


def _parse_one(
    name: str, path: str, item: Mapping[str, Any], framework: Framework, ind_ids: set[str], top: int
) -> Factor:
    if path == "weights":
        raw = item.get("noise", 0.25)
        if isinstance(raw, int | float):
            noise = {lev: float(raw) for lev in range(2, top)}
        elif isinstance(raw, Mapping):
            noise = {int(k): float(v) for k, v in raw.items()}
        else:
            raise ValueError("'noise' must be a number or a mapping level → half-width")
        if any(not 0 <= f < 1 for f in noise.values()) or any(not 1 <= lev < top for lev in noise):
            raise ValueError(f"noise half-widths must be in [0, 1) and levels in 1..{top - 1}")
        sets = int(item.get("sets", 100))
        if sets < 1:
            raise ValueError("'sets' must be ≥ 1")
        return Factor(name, path, "weights", noise=tuple(sorted(noise.items())), sets=sets)
    if path == "methods" or path.startswith("methods."):
        field = path.removeprefix("methods").removeprefix(".")
        alts = []
        for v in _alternatives(item):
            changes = dict(v) if not field else {field: v}
            if not isinstance(changes, dict) or not changes:
                raise ValueError("each alternative of 'methods' must be a mapping of method fields")
            unknown = set(changes) - set(Methods.model_fields)
            if unknown:
                raise ValueError(
                    f"unknown method fields {sorted(unknown)}; known: {sorted(Methods.model_fields)}"
                )
            if "aggregate" in changes and "aggregate_by_level" not in changes:
                changes["aggregate_by_level"] = {}  # COINr: f_ag applies at every level
            fw_mod.with_methods(framework, **changes)  # validates the values (UserError)
            alts.append(changes)
        labels = tuple(_label(v) for v in _alternatives(item))
        return Factor(name, path, "methods", tuple(alts), labels)
    if path == "stages.boundaries":
        if framework.stages is None:
            raise ValueError("the framework has no stage rule")
        base = framework.stages.boundaries
        alts_b = []
        for v in _alternatives(item):
            if isinstance(v, int | float):
                b = [(lo * float(v), hi * float(v)) for lo, hi in base]
            elif isinstance(v, list) and len(v) == len(base):
                b = [(float(lo), float(hi)) for lo, hi in v]
            else:
                raise ValueError(f"each value is a scale factor or a list of {len(base)} [lo, hi] pairs")
            fw_mod.StageRule.model_validate({**framework.stages.model_dump(), "boundaries": b})
            alts_b.append(tuple(b))
        return Factor(name, path, "stages", tuple(alts_b), tuple(_label(v) for v in _alternatives(item)))
    if path == "indicators.exclude" or (path.startswith("indicators.") and path.endswith(".include")):
        if path == "indicators.exclude":
            alts_e = []
            for v in _alternatives(item):
                ids = () if v is None else (str(v),) if isinstance(v, str) else tuple(map(str, v))
                alts_e.append(ids)
            labels = tuple("none" if not a else "+".join(a) for a in alts_e)
        else:
            ind = path.removeprefix("indicators.").removesuffix(".include")
            vals = item.get("values", [True, False])
            alts_e = [() if bool(v) else (ind,) for v in vals]
            labels = tuple("included" if bool(v) else "excluded" for v in vals)
        unknown = {i for a in alts_e for i in a} - ind_ids
        if unknown:
            raise ValueError(f"unknown indicators {sorted(unknown)}")
        return Factor(name, path, "exclude", tuple(alts_e), labels)
    raise ValueError(
        "unknown path; use methods.<field>, methods, weights, stages.boundaries, indicators.exclude "
        "or indicators.<id>.include"
    )


def load(path: Path, framework: Framework) -> list[Factor]:
    """Read a YAML assumptions file."""
    file = str(path)
    if not path.exists():
        raise UserError(Problem("assumptions file not found", file=file))
    from mfgindex.core.safeyaml import load_yaml

    data = load_yaml(decode(path)[0], file)
    return parse(data, framework, file)
