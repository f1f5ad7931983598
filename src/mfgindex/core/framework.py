"""The indicator framework as configuration: pydantic v2 models (frozen, unknown keys rejected).

A framework is a tree of any depth (index → dimensions → … → indicators) plus weighting rules (explicit,
主次分类 class weights, stage-based weight sets) and method choices (:mod:`mfgindex.core.methods`). It is
loaded from YAML, from a shipped preset, or from a COINr ``iMeta`` table.

References
----------
OECD/JRC (2008), *Handbook on Constructing Composite Indicators*. Becker W. et al. (2022), COINr: An R
package for developing composite indicators, *JOSS* 7(78), 4567.
"""

import math
from collections.abc import Iterator
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, PrivateAttr, Tag, ValidationError, model_validator

from mfgindex.core import imeta
from mfgindex.core.errors import Problem, UserError
from mfgindex.core.methods import AggregateMethod, ConfigModel, Methods, NormaliseSpec, TreatSpec


class FormulaOp(StrEnum):
    value = "value"  # the raw variable itself
    ratio = "ratio"  # scale · num / den
    share = "share"  # scale · num / den, must lie in [0, scale]
    per_capita = "per_capita"  # scale · num / population
    intensity = "intensity"  # scale · num / den (e.g. CO2 per GDP)
    growth = "growth"  # 100 · (x_t / x_{t-lag} − 1)
    index_growth = "index_growth"  # x − 100 for an index with previous year = 100
    list_count = "count"  # number of entries of a list in the unit (cumulative to the year by default)
    density = "density"  # scale · num / area


# the operands each formula needs (built once: a framework validates one formula per indicator)
_OPERANDS: dict[FormulaOp, tuple[str, ...]] = {
    FormulaOp.value: ("var",),
    FormulaOp.growth: ("var",),
    FormulaOp.index_growth: ("var",),
    FormulaOp.ratio: ("num", "den"),
    FormulaOp.share: ("num", "den"),
    FormulaOp.intensity: ("num", "den"),
    FormulaOp.per_capita: ("num", "den"),
    FormulaOp.density: ("num", "den"),
    FormulaOp.list_count: ("entries",),
}


class Formula(ConfigModel):
    """How a derived indicator is computed from raw variables (see ``mfgindex.core.derive``)."""

    op: FormulaOp = FormulaOp.value
    var: str | None = None
    num: str | None = None
    den: str | None = None
    scale: float = 1.0
    lag: int = Field(1, ge=1)
    entries: str | None = Field(None, alias="list")
    cumulative: bool = True
    weight_column: str | None = None

    @model_validator(mode="after")
    def _operands(self) -> "Formula":
        missing = [k for k in _OPERANDS[self.op] if getattr(self, k) is None]
        if missing:
            names = ["list" if k == "entries" else k for k in missing]
            raise ValueError(f"formula op {self.op.value!r} needs {', '.join(names)}")
        return self

    def variables(self) -> list[str]:
        """Raw variables the formula reads (lists excluded)."""
        return [v for v in (self.var, self.num, self.den) if v is not None]


class Indicator(ConfigModel):
    id: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    name_zh: str = ""
    name_en: str = ""
    unit: str = ""
    direction: Literal[1, -1] = 1
    class_: str = Field("主", alias="class")
    source: str = ""
    proxy: str | None = None
    formula: Formula | None = None
    weight: float | None = Field(None, ge=0)
    denominator: str | None = None
    target: float | None = None
    note: str = ""
    treat: TreatSpec | None = None
    normalise: NormaliseSpec | None = None

    @property
    def is_indicator(self) -> bool:
        return True

    def resolved_formula(self) -> Formula:
        """The indicator's formula; none given: the raw variable of its own id (``op: value``)."""
        return self.formula if self.formula is not None else _implied_formula(self.id)


@lru_cache(maxsize=4096)
def _implied_formula(var: str) -> Formula:
    """``Formula(op=value, var=var)``, validated once per variable: formulas are frozen, so indicators of
    the same id share one (every stage that reads variables asks for each indicator's formula)."""
    return Formula(op=FormulaOp.value, var=var)


def _node_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "aggregate" if "children" in value else "indicator"
    return "aggregate" if isinstance(value, Aggregate) else "indicator"


SUBJECTIVE_METHODS = ("ahp", "delphi")
DATA_METHODS = ("entropy", "critic", "std", "cv", "pca", "merec")


class Combine(ConfigModel):
    """Combine derived (objective) weights with subjective ones (``mfgindex.core.weights.derived``).

    ``with``: ``ahp`` / ``delphi`` (from the ``weights_from`` file), ``class`` (主次分类 scores) or
    ``explicit`` (the children's ``weight``). ``how``: ``multiplicative`` w = s·o/Σ s·o, or ``linear``
    w = α·s + (1 − α)·o.
    """

    with_: Literal["ahp", "delphi", "class", "explicit"] = Field(alias="with")
    how: Literal["multiplicative", "linear"] = "multiplicative"
    alpha: float = Field(0.5, ge=0, le=1)


class WeightsFrom(ConfigModel):
    """Derive the weights of an aggregate's children by a method (``mfgindex.core.weights.derived``).

    ``ahp``/``delphi`` read ``file`` (relative to the framework file's folder): an expert-survey workbook
    (``ahp_*`` sheets: experts combined by the geometric mean; ``roundN`` sheets) or, for AHP, a square
    matrix (CSV, or ``sheet`` of an XLSX). The data methods use the run's ``data`` stage of the node's
    indicators (complete units only). An AHP matrix with CR ≥ 0.10 fails the run unless
    ``allow_inconsistent``.
    """

    method: Literal["ahp", "delphi", "entropy", "critic", "std", "cv", "pca", "merec", "equal"]
    file: str | None = None
    sheet: str | None = None
    node: str | None = None
    round: int | None = Field(None, ge=1)
    authority_weighted: bool = False
    allow_inconsistent: bool = False
    data: Literal["normalised", "treated", "raw"] = "normalised"
    combine: Combine | None = None

    @model_validator(mode="after")
    def _sources(self) -> "WeightsFrom":
        needs_file = self.method in SUBJECTIVE_METHODS or (
            self.combine is not None and self.combine.with_ in SUBJECTIVE_METHODS
        )
        if needs_file and not self.file:
            raise ValueError(f"weights_from {self.method!r} needs a file")
        if self.combine is not None and self.combine.with_ == self.method:
            raise ValueError("combine.with must differ from method")
        return self


class Aggregate(ConfigModel):
    id: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    name_zh: str = ""
    name_en: str = ""
    weight: float | None = Field(None, ge=0)
    aggregate: AggregateMethod | None = None
    weights_from: WeightsFrom | None = None
    children: list["Node"]
    note: str = ""
    # the aggregate has a score only for units with a value on at least one of these indicators (under
    # it); for the others its remaining indicators (e.g. list counts, zero by construction) count as missing
    requires: list[str] = Field(default_factory=list)

    @property
    def is_indicator(self) -> bool:
        return False

    @model_validator(mode="after")
    def _non_empty(self) -> "Aggregate":
        if not self.children:
            raise ValueError(f"aggregate {self.id!r} has no children")
        wf = self.weights_from
        if (
            wf is not None
            and wf.method in DATA_METHODS
            and any(isinstance(c, Aggregate) for c in self.children)
        ):
            raise ValueError(f"weights_from {wf.method!r} of {self.id!r} needs indicators as children")
        return self


Node = Annotated[
    Annotated[Aggregate, Tag("aggregate")] | Annotated[Indicator, Tag("indicator")],
    Discriminator(_node_kind),
]


class Stage(ConfigModel):
    id: str
    name_zh: str = ""
    name_en: str = ""
    weights: dict[str, float] = Field(default_factory=dict)


class StageRule(ConfigModel):
    """Stage-based weights (分类赋权): cities are put in stages by one variable's value.

    ``boundaries[k] = (lo, hi)`` separates stage k from stage k+1: below ``lo`` stage k, above ``hi``
    stage k+1, in between the two stages' weights are interpolated linearly (WEF GCI 2004-2017 design).
    ``node`` is the aggregate whose children's weights depend on the stage (default: the root).
    Units whose variable is missing get the ``fallback`` stage's weights and the stage label 未分类.
    """

    variable: str
    stages: list[Stage]
    boundaries: list[tuple[float, float]]
    node: str | None = None
    fallback: str | None = None
    description: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> "StageRule":
        if len(self.stages) < 2 or len(self.boundaries) != len(self.stages) - 1:
            raise ValueError("stages need at least two stages and len(stages) − 1 boundaries")
        last = -math.inf
        for lo, hi in self.boundaries:
            if not (last <= lo <= hi):
                raise ValueError("stage boundaries must be increasing with lo ≤ hi")
            last = hi
        ids = [s.id for s in self.stages]
        if self.fallback is not None and self.fallback not in ids:
            raise ValueError(f"fallback stage {self.fallback!r} is not one of {ids}")
        return self


class Universe(ConfigModel):
    """Which units are evaluated. ``kind = cities`` uses the shipped prefecture table."""

    kind: Literal["cities", "generic"] = "cities"
    exclude_unit_types: list[str] = Field(default_factory=lambda: ["municipality"])
    exclude_codes: list[str] = Field(default_factory=list)


class Variable(ConfigModel):
    """A raw variable's metadata, used by validation (impossible values, unit slips)."""

    name_zh: str = ""
    unit: str = ""
    kind: Literal["amount", "count", "share", "rate", "index", "other"] = "other"
    source: str = ""


class Framework(ConfigModel):
    id: str = "framework"
    name_zh: str = ""
    name_en: str = ""
    version: str = "1"
    description: str = ""
    root: Aggregate
    weighting: Literal["explicit", "class"] = "explicit"
    class_scores: dict[str, float] = Field(default_factory=lambda: {"主": 2.0, "次": 1.0})
    stages: StageRule | None = None
    methods: Methods = Field(default_factory=Methods)
    universe: Universe = Field(default_factory=Universe)
    groups: list[str] = Field(default_factory=list)
    auxiliary: list[Indicator] = Field(default_factory=list)
    variables: dict[str, Variable] = Field(default_factory=dict)
    top_n: int = Field(50, ge=1)
    _base_dir: Path | None = PrivateAttr(None)

    @property
    def base_dir(self) -> Path:
        """Folder that relative input files of the framework (``weights_from.file``) are read from."""
        return self._base_dir if self._base_dir is not None else Path.cwd()

    @model_validator(mode="after")
    def _check_tree(self) -> "Framework":
        seen: set[str] = set()
        for node in walk(self.root):
            if node.id in seen:
                raise ValueError(f"duplicate node id {node.id!r}")
            seen.add(node.id)
            if (
                isinstance(node, Indicator)
                and self.weighting == "class"
                and node.class_ not in self.class_scores
            ):
                raise ValueError(
                    f"indicator {node.id!r} has class {node.class_!r}, not one of {list(self.class_scores)}"
                )
        stage_node = (self.stages.node or self.root.id) if self.stages is not None else None
        for agg in self.aggregates():
            if agg.weights_from is not None or agg.id == stage_node:
                continue  # weights derived or given per stage
            raw = [
                self.class_scores.get(c.class_, 1.0)
                if isinstance(c, Indicator) and self.weighting == "class" and c.weight is None
                else (1.0 if c.weight is None else c.weight)
                for c in agg.children
            ]
            if sum(raw) <= 0:
                raise ValueError(
                    f"aggregate {agg.id!r}: the weights of its children {[c.id for c in agg.children]} "
                    "are all 0, so it would have no score"
                )
        for agg in self.aggregates():
            under = {n.id for n in walk(agg) if isinstance(n, Indicator)}
            stray = [r for r in agg.requires if r not in under]
            if stray:
                raise ValueError(f"aggregate {agg.id!r} requires {stray}, which are not indicators under it")
        if self.stages is not None:
            target = self.find(self.stages.node or self.root.id)
            if not isinstance(target, Aggregate):
                raise ValueError(f"stage node {self.stages.node!r} is not an aggregate")
            child_ids = {c.id for c in target.children}
            for stage in self.stages.stages:
                unknown = set(stage.weights) - child_ids
                if unknown:
                    raise ValueError(f"stage {stage.id!r} weights unknown children {sorted(unknown)}")
        return self

    # -- navigation -------------------------------------------------------------------------------------
    def find(self, node_id: str) -> Indicator | Aggregate:
        for node in walk(self.root):
            if node.id == node_id:
                return node
        raise KeyError(node_id)

    def indicators(self) -> list[Indicator]:
        return [n for n in walk(self.root) if isinstance(n, Indicator)]

    def aggregates(self) -> list[Aggregate]:
        """Aggregates from the root down (breadth-first)."""
        out: list[Aggregate] = []
        queue: list[Aggregate] = [self.root]
        while queue:
            node = queue.pop(0)
            out.append(node)
            queue.extend(c for c in node.children if isinstance(c, Aggregate))
        return out

    def depth(self) -> dict[str, int]:
        """Level of each node counted from the indicators (1) up, as COINr's iMeta ``Level``."""
        levels: dict[str, int] = {}

        def visit(node: Indicator | Aggregate) -> int:
            if isinstance(node, Indicator):
                levels[node.id] = 1
                return 1
            level = 1 + max(visit(c) for c in node.children)
            levels[node.id] = level
            return level

        visit(self.root)
        return levels

    def raw_variables(self) -> list[str]:
        """Raw variables the framework reads (formula operands, denominators, stage variable)."""
        out: list[str] = []
        for ind in self.indicators():
            out.extend(ind.resolved_formula().variables())
            if ind.denominator:
                out.append(ind.denominator)
        for aux in self.auxiliary:
            out.extend(aux.resolved_formula().variables())
        derived = {i.id for i in self.indicators()} | {a.id for a in self.auxiliary}
        if self.stages is not None and self.stages.variable not in derived:
            out.append(self.stages.variable)
        return list(dict.fromkeys(out))

    def lists(self) -> list[str]:
        return list(
            dict.fromkeys(f.entries for i in self.indicators() if (f := i.resolved_formula()).entries)
        )

    def to_tree(self) -> dict[str, Any]:
        """Nested ``{id, name_zh, name_en, weight, children}`` (weights as configured)."""

        def node(n: Indicator | Aggregate) -> dict[str, Any]:
            out: dict[str, Any] = {"id": n.id, "name_zh": n.name_zh, "name_en": n.name_en, "weight": n.weight}
            if isinstance(n, Aggregate):
                out["children"] = [node(c) for c in n.children]
            else:
                out.update(
                    unit=n.unit, direction=n.direction, **{"class": n.class_}, proxy=n.proxy, source=n.source
                )
            return out

        return node(self.root)


# The validators, built once each (the models defer their build): the parts validated on their own too
# (with_methods, Indicator.resolved_formula) before the Framework, whose validator then reuses theirs and
# builds the rest of the tree inside its own; RunSpec (core.spec) reuses the Framework's in turn. Left to
# first use, RunSpec's would build a second copy of the whole tree before the first framework is loaded.
Methods.model_rebuild()
Formula.model_rebuild()
Framework.model_rebuild()


def walk(node: Indicator | Aggregate) -> Iterator[Indicator | Aggregate]:
    """Depth-first pre-order traversal (one generator and a stack, not one generator per node)."""
    stack: list[Indicator | Aggregate] = [node]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, Aggregate):
            stack.extend(reversed(node.children))


# -- loading ------------------------------------------------------------------------------------------------
PRESETS = ("caict2023",)


def preset_path(name: str) -> Path:
    return Path(str(resources.files("mfgindex").joinpath("presets", f"{name}.yaml")))


def _validation_problems(exc: ValidationError, file: str) -> list[Problem]:
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        given = err.get("input", "")
        # a whole mapping (a model-level check) says nothing the message does not: leave it out
        value = "" if isinstance(given, dict) else str(given)[:80]
        out.append(Problem(err["msg"], file=file, column=loc, value=value))
    return out


MAX_LEVELS = 20  # levels of the tree (index → dimensions → … → indicators); real frameworks have 3-5


def _check_levels(data: Any, file: str) -> None:
    """Refuse a tree nested deeper than :data:`MAX_LEVELS` before validating it (no recursion)."""
    stack = [(data.get("root") if isinstance(data, dict) else None, 1)]
    while stack:
        node, level = stack.pop()
        if not isinstance(node, dict):
            continue
        if level > MAX_LEVELS:
            raise UserError(
                Problem(
                    f"the framework tree is nested more than {MAX_LEVELS} levels deep",
                    file=file,
                    column=f"node {str(node.get('id', ''))[:40]}",
                    expected=f"at most {MAX_LEVELS} levels",
                )
            )
        children = node.get("children")
        if isinstance(children, list):
            stack.extend((c, level + 1) for c in children)


def from_dict(data: dict[str, Any], file: str = "<framework>") -> Framework:
    _check_levels(data, file)
    try:
        return Framework.model_validate(data)
    except ValidationError as exc:
        raise UserError(_validation_problems(exc, file)) from None


def load(spec: str | Path) -> Framework:
    """Load a framework: a preset name, a YAML file, or a COINr iMeta CSV."""
    text = str(spec)
    if text in PRESETS:
        return load(preset_path(text))
    path = Path(text)
    if not path.exists():
        raise UserError(Problem(f"framework not found (presets: {', '.join(PRESETS)})", file=text))
    if path.suffix.lower() in {".csv", ".xlsx"}:
        return from_dict(imeta.framework_data(path, MAX_LEVELS), file=text)
    from mfgindex.core.ingest import decode  # ingest does not import this module
    from mfgindex.core.safeyaml import load_yaml

    content, _ = decode(path)
    data = load_yaml(content, text)
    if not isinstance(data, dict):
        raise UserError(Problem("a framework file must be a YAML mapping", file=text))
    fw = from_dict(data, file=text)
    fw._base_dir = path.resolve().parent
    return fw


def with_methods(framework: Framework, **changes: Any) -> Framework:
    """A copy of the framework with some method choices replaced (validated)."""
    methods = framework.methods.model_dump()
    methods.update({k: v for k, v in changes.items() if v is not None})
    try:
        new_methods = Methods.model_validate(methods)
    except ValidationError as exc:
        raise UserError(_validation_problems(exc, "<options>")) from None
    return framework.model_copy(update={"methods": new_methods})
