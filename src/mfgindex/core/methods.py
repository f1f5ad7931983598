"""The method choices of a run: the names of every stage's methods, a run's ``Methods`` and the overrides
of one indicator's treatment and normalisation.

The enums are the one list of method names: validation, ``--help`` and the kernels' registries
(``core/normalise.NORMALISERS``, ``core/aggregate.AGGREGATORS``) read them. A framework carries its
``Methods`` (:mod:`mfgindex.core.framework`); a run's options replace fields of it.
"""

import math
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class ConfigModel(BaseModel):
    """The base of every configuration model (methods, framework): frozen, unknown keys rejected."""

    # weights, targets, ranges …: finite numbers only (a weight of .inf once passed validation);
    # validators not built model by model at each class statement: core.framework builds the ones used
    # once each, the Framework's with its parts' schemas inside its own (see the end of its models)
    model_config = ConfigDict(
        frozen=True, extra="forbid", populate_by_name=True, allow_inf_nan=False, defer_build=True
    )


class ImputeMethod(StrEnum):
    none = "none"
    mean = "mean"
    median = "median"
    group_mean = "group_mean"
    group_median = "group_median"
    last_year = "last_year"


class TreatMethod(StrEnum):
    none = "none"
    winsorise = "winsorise"


class NormaliseMethod(StrEnum):
    minmax = "minmax"
    zscore = "zscore"
    rank = "rank"
    prank = "prank"
    efficacy = "efficacy"  # 功效系数法: base + span · minmax
    ratio = "ratio"  # ratio to a benchmark (the indicator's target, else the maximum) × 100
    frontier = "frontier"  # distance to frontier: 100 · (1 − |frontier − x| / range)


class AggregateMethod(StrEnum):
    arithmetic = "arithmetic"
    geometric = "geometric"
    harmonic = "harmonic"
    # TOPSIS closeness to the ideal × 100 (mfgindex.core.weights.topsis; ``methods.topsis_normalisation``)
    topsis = "topsis"


class TreatSpec(ConfigModel):
    """One indicator's outlier treatment, overriding ``methods`` (as COINr ``Treat(indiv_specs=)``).

    ``method``: ``winsorise`` (the default rule with this indicator's own ``winmax``/thresholds where given),
    ``log`` (always COINr's ``log_CT``) or ``none`` (left as it is, even when the run treats outliers).
    """

    method: Literal["winsorise", "log", "none"] = "winsorise"
    winmax: int | None = Field(None, ge=0)
    skew_thresh: float | None = None
    kurt_thresh: float | None = None
    reason: str = ""


class NormaliseSpec(ConfigModel):
    """One indicator's normalisation, overriding ``methods`` (as COINr ``Normalise(indiv_specs=)``).

    ``goalposts: [lo, hi]`` (COINr ``n_goalposts``, the HDI's method): values are capped to the fixed
    goalposts, in the indicator's own units, and mapped linearly to ``range`` (default the run's range), so
    lo scores the bottom and hi and above the top whatever the sample; for direction −1 hi scores the bottom.
    Otherwise ``method`` (with ``range``) replaces the run's method for this indicator.
    """

    method: NormaliseMethod | None = None
    range: tuple[float, float] | None = None
    goalposts: tuple[float, float] | None = None
    reason: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> "NormaliseSpec":
        if self.goalposts is not None:
            lo, hi = self.goalposts
            if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
                raise ValueError(f"goalposts must be two finite numbers LO < HI (got {lo:g},{hi:g})")
            if self.method is not None:
                raise ValueError("give either goalposts or method, not both")
        elif self.method is None:
            raise ValueError("a normalise override needs goalposts or a method")
        if self.range is not None and not (
            math.isfinite(self.range[0]) and math.isfinite(self.range[1]) and self.range[0] < self.range[1]
        ):
            raise ValueError("range must be two finite numbers LO < HI")
        return self


class Methods(ConfigModel):
    """Method choices of every stage; the CLI's overrides replace fields here."""

    denominate: bool = False
    impute: ImputeMethod = ImputeMethod.none
    impute_group: str = "province"
    min_coverage: float = Field(0.0, ge=0, le=1)
    treat: TreatMethod = TreatMethod.winsorise
    winmax: int = Field(5, ge=0)
    skew_thresh: float = 2.0
    kurt_thresh: float = 3.5
    normalise: NormaliseMethod = NormaliseMethod.minmax
    range: tuple[float, float] = (0.0, 100.0)
    zscore: tuple[float, float] = (0.0, 1.0)
    efficacy: tuple[float, float] = (60.0, 40.0)
    panel: bool = False
    aggregate: AggregateMethod = AggregateMethod.arithmetic
    aggregate_by_level: dict[int, AggregateMethod] = Field(default_factory=dict)
    min_share: float = Field(0.0, ge=0, le=1)
    topsis_normalisation: Literal["vector", "minmax"] = "vector"

    @model_validator(mode="after")
    def _ranges(self) -> "Methods":
        lo, hi = self.range
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise ValueError(f"range must be two finite numbers LO < HI, e.g. 0,100 (got {lo:g},{hi:g})")
        return self
