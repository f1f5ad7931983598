"""A framework's own nominal weights (none derived from data or files), compiled once per framework: the
local weights, their plan, the global weights and the run.json record. Every evaluation of the framework
reads them; a result gets copies (:class:`Copies`, :func:`copied`)."""

from __future__ import annotations

import pickle
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mfgindex.core import memo
from mfgindex.core.framework import Framework
from mfgindex.core.plan import Plan, compile_plan
from mfgindex.core.weights import derived
from mfgindex.core.weights.classes import global_weights, local_weights


@dataclass(frozen=True, eq=False, repr=False)
class Nominal:
    """A framework's own weights (none derived), their plan, global weights and run.json record."""

    local: Mapping[str, pd.Series]
    plan: Plan
    global_weights: pd.Series
    record: Mapping[str, Any]


def nominal(framework: Framework) -> Nominal:
    """:class:`Nominal` of a framework without derived weights, computed once per framework (callers get
    copies of the Series and of the record)."""

    def build() -> Nominal:
        local = local_weights(framework)
        nominal = global_weights(framework, local)
        record = derived.record(framework, local, None, nominal)
        return Nominal(local, compile_plan(framework, local), nominal, record)

    return memo.per_object(framework, "nominal", build)


class Copies(Mapping[str, pd.Series]):
    """A result's nominal local weights when they are the framework's own: a read-only mapping over the
    weights shared by every evaluation of the framework, giving a copy of each Series (made on first
    access and kept), so that a result's Series are its own as when they were built per evaluation."""

    __slots__ = ("_copies", "_shared")

    def __init__(self, shared: Mapping[str, pd.Series]) -> None:
        self._shared = shared
        self._copies: dict[str, pd.Series] = {}

    def __getitem__(self, key: str) -> pd.Series:
        got = self._copies.get(key)
        if got is None:
            got = self._copies.setdefault(key, self._shared[key].copy())
        return got

    def __iter__(self) -> Iterator[str]:
        return iter(self._shared)

    def __len__(self) -> int:
        return len(self._shared)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self)!r})"


def copied(value: Any) -> Any:
    """A deep copy of a record made of dicts, lists and scalars (the containers copied, the immutable
    scalars shared, anything else copied through pickle)."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict:
        return {k: v if type(v) in _SCALARS else copied(v) for k, v in value.items()}
    if kind is list:
        return [v if type(v) in _SCALARS else copied(v) for v in value]
    return pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


_SCALARS = frozenset({str, float, int, bool, type(None)})
