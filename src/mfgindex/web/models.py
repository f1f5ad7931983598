"""Request and response schemas of the JSON API (they make ``/openapi.json``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, field_validator

from mfgindex.core.methods import AggregateMethod, NormaliseMethod

Weight = Annotated[float, Field(strict=True, ge=0, le=1e6, allow_inf_nan=False)]
MAX_WEIGHT_KEYS = 256
RANGE_LIMIT = 1e6  # |end| of a normalisation range
RANGE_MIN_SPAN = 1.0  # scores are returned to 4 decimals: a narrower scale cannot tell cities apart
RangeEnd = Annotated[float, Field(strict=True, ge=-RANGE_LIMIT, le=RANGE_LIMIT, allow_inf_nan=False)]


class Problem(BaseModel):
    """One error: where (``loc``) and what (``msg``)."""

    loc: list[str | int] = Field(default_factory=list)
    msg: str


class ErrorBody(BaseModel):
    """Every error response: a readable ``detail`` and, for 422, the individual problems."""

    detail: str
    errors: list[Problem] = Field(default_factory=list)


class RankingRow(BaseModel):
    """A city's row; every aggregate id adds ``<id>`` (score) and ``<id>_rank`` fields."""

    model_config = ConfigDict(extra="allow")

    code: str
    name: str
    name_en: str | None = Field(None, description="pinyin, apostrophe at a/o/e boundaries (Xi'an)")
    province: str | None = None
    province_en: str | None = None
    region: str | None = None
    pinyin: str = ""
    stage: str | None = None
    rank: int | None = None
    province_rank: str | None = Field(None, description="rank within the province, report style (苏1)")
    prev_rank: int | None = None
    rank_change: int | None = Field(None, description="previous rank − rank (+ = up)")
    change: str | None = Field(None, description="up / down / same / new (outside the top N before)")
    clusters: list[str] = Field(default_factory=list, description="城市群 ids")


class DimensionLabel(BaseModel):
    id: str
    name_zh: str
    name_en: str
    weight: float


class Rankings(BaseModel):
    year: int
    framework: str
    index_id: str
    total: int = Field(description="ranked units before filtering")
    count: int
    dimensions: list[DimensionLabel]
    rows: list[RankingRow]


class WhatIfRequest(BaseModel):
    """Weights by node id (dimensions, or any non-root node), on the scale of ``/api/framework`` weights.

    Children of a parent not given keep their nominal weight; each parent is rescaled to sum to 1.
    ``stages`` keeps the stage-based weights (each city's pattern scaled by new/nominal); false applies the
    weights to every city alike. ``normalise``/``range``/``aggregate`` change methods (re-normalising the
    stored treated values).
    """

    model_config = ConfigDict(extra="forbid")

    weights: dict[str, Weight] = Field(default_factory=dict, max_length=MAX_WEIGHT_KEYS)
    year: StrictInt | None = None
    stages: StrictBool = True
    normalise: NormaliseMethod | None = None
    range: tuple[RangeEnd, RangeEnd] | None = Field(
        None,
        description=f"normalisation range [low, high]: finite, |end| ≤ {RANGE_LIMIT:g}, "
        f"high − low ≥ {RANGE_MIN_SPAN:g}",
    )
    aggregate: AggregateMethod | None = None
    top: StrictInt | None = Field(None, ge=1, le=100_000, description="return only the first N rows")
    format: Literal["rows", "columns"] = Field(
        "rows",
        description="rows: one object per city, sorted by the new rank; columns: compact, one array per "
        "field in the order of `codes` (≈ 5× smaller, what the dashboard uses)",
    )
    fields: list[Annotated[str, Field(max_length=64)]] | None = Field(
        None,
        max_length=64,
        description="columns format only: the arrays wanted, among rank, nominal_rank, rank_change, the "
        "index id and any aggregate id (default: ranks, index and dimensions)",
    )

    @field_validator("range")
    @classmethod
    def _span(cls, value: tuple[float, float] | None) -> tuple[float, float] | None:
        if value is not None and not value[1] - value[0] >= RANGE_MIN_SPAN:
            raise ValueError(f"range must increase by at least {RANGE_MIN_SPAN:g} (low < high)")
        return value


class WhatIfRow(BaseModel):
    model_config = ConfigDict(extra="allow")

    code: str
    name: str
    province: str | None = None
    region: str | None = None
    rank: int | None = None
    nominal_rank: int | None = None
    rank_change: int | None = Field(None, description="nominal rank − new rank (+ = up)")


class WhatIfResponse(BaseModel):
    year: int
    index_id: str
    weights: dict[str, float] = Field(description="the root's local weights used (sum to 1)")
    stages: bool
    changed: int = Field(description="cities whose rank changed")
    max_abs_change: int
    rank_correlation: float | None = Field(description="Spearman correlation of new and nominal ranks")
    rows: list[WhatIfRow]


class WhatIfColumns(BaseModel):
    """The compact what-if response (``"format": "columns"``)."""

    year: int
    index_id: str
    weights: dict[str, float]
    stages: bool
    changed: int
    max_abs_change: int
    rank_correlation: float | None
    codes: list[str] = Field(description="city codes; every column follows this order")
    columns: dict[str, list[float | int | None]] = Field(description="field → one value per code")


class FrameworkNode(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    name_zh: str
    name_en: str
    weight: float = Field(description="nominal local weight within the parent (siblings sum to 1)")
    global_weight: float | None = None
    children: list[FrameworkNode] | None = None


class Meta(BaseModel):
    model_config = ConfigDict(extra="allow")

    version: str
    framework: dict[str, Any]
    year: int
    years: list[int]
    previous_year: int | None
    units: int
    coverage: dict[str, float]
    data_sources: list[dict[str, str]]
    source: str
    uncertainty: bool
    warnings: list[str]
