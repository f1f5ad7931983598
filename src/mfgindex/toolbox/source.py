"""What a toolbox method reads: an evaluated run — a :class:`~mfgindex.core.result.Result` — and the
entries it adds to the ``about`` sheet.

The toolbox does not evaluate: its caller does (``mfgindex toolbox`` evaluates the spec of its
``--framework/--data/--year`` options, or re-evaluates a ``--run DIR`` from its run.json, both through
``services.runner``; the report passes the result it reports on). Most methods use more than the ranking
table (multi-year panels, stage weights per city, the dataset's unit attributes), so the result must carry
the data it was evaluated on (``result.dataset``, which every evaluation fills).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mfgindex.core.dataset import Dataset
from mfgindex.core.errors import Problem, UserError
from mfgindex.core.framework import Framework
from mfgindex.core.result import Result


@dataclass
class Context:
    """A thin view over a :class:`~mfgindex.core.result.Result` for the toolbox methods.

    ``about``: what results.xlsx's ``about`` sheet records (the run's parameters, then what the method
    adds, e.g. the panel's years); ``years`` and ``comparable``: the panel choice of a panel method
    (``--years``, ``--comparable/--per-year``).
    """

    result: Result
    about: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    years: str | None = None
    comparable: bool = True

    @property
    def ds(self) -> Dataset:
        if self.result.dataset is None:
            raise UserError(
                Problem(
                    "研究工具需要运行所用的数据 (the toolbox needs the data the run was evaluated on)",
                    expected="a result of mfgindex.evaluate / rerun",
                )
            )
        return self.result.dataset

    @property
    def framework(self) -> Framework:
        return self.result.framework


def context(result: Result, warnings: list[str] | tuple[str, ...] = (), **about: Any) -> Context:
    """The toolbox's view of ``result``; ``about`` starts with ``about`` (e.g. ``run=folder``) and the
    run's framework, data and year (from ``result.spec``)."""
    spec = result.spec
    record = (
        spec.record() if spec is not None else {"framework": result.framework.id, "data": "embedded default"}
    )
    return Context(
        result,
        {**about, "framework": record["framework"], "data": record["data"], "year": result.year},
        list(warnings),
    )
