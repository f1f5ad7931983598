"""What a plausibility check reports (:mod:`mfgindex.core.checks`): the kinds of finding and their Chinese
names, the severities, the rules' thresholds and relations, and the :class:`Finding` record."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

ERROR = "error"


WARNING = "warning"


KINDS = (
    "province_share",
    "identity",
    "negative",
    "share_range",
    "spike",
    "unit_slip",
    "jump",
    "copied_total",
    "copied_row",
    "two_sources",
)


KIND_ZH = {
    "province_share": "占全省比重突变",
    "identity": "核算关系不符",
    "negative": "负值",
    "share_range": "比重越界",
    "spike": "一年突变后回落",
    "unit_slip": "量级错误",
    "jump": "单向大幅变动",
    "copied_total": "总量照抄上年",
    "copied_row": "整行与他市相同",
    "two_sources": "两个来源不一致",
}


class Rules(NamedTuple):
    """Thresholds and the relations between variables the rules use (defaults: METHODS §7).

    ``components``: total → its additive parts; ``twins``: a variable → the same concept from a second
    source. Relations whose variables are not in the data are skipped.

    The records here are named tuples (immutable, compared by value), not dataclasses: they are defined on
    every evaluating command's path, where a dataclass's generated methods cost ~1 ms of start-up each.
    """

    components: Mapping[str, tuple[str, ...]] = MappingProxyType(
        {"gdp": ("va_primary", "va_secondary", "va_tertiary")}
    )
    twins: Mapping[str, str] = MappingProxyType({"gdp": "gdp_alt"})
    share_jump: float = 0.20  # share points (0.20 = 20 points)
    share_window: int = 5  # years either side for a city's usual share
    share_z: float = 3.0  # the city's own growth must be unusual too
    identity_error: float = 0.05
    identity_warning: float = 0.03
    z_spike: float = 5.0
    z_jump: float = 6.0
    min_log_change: float = float(np.log(1.10))  # ignore |g| below 10 % whatever the z
    reversal: float = 0.5  # the next year must undo at least half of the jump
    slip_tolerance: float = float(np.log(1.25))  # |g − k ln 10| below this: a power of ten (±25 %)
    z_slip: float = 4.0
    mad_floor: float = 0.01  # a robust scale never below 1 % growth
    copy_moved: float = 0.001  # components/second source moved by more than 0.1 %
    two_sources: float = 0.05


class Finding(NamedTuple):
    """One plausibility finding: where, what, how severe, and the numbers compared."""

    code: str
    name: str
    year: int
    variable: str
    value: float
    severity: str
    kind: str
    message: str
    location: str = ""

    def key(self) -> tuple[str, int, str, str]:
        return (self.code, self.year, self.variable, self.kind)

    def as_dict(self) -> dict[str, object]:
        value: float | None = None if np.isnan(self.value) else float(self.value)
        return {
            "code": self.code,
            "name": self.name,
            "year": self.year,
            "variable": self.variable,
            "value": value,
            "severity": self.severity,
            "kind": self.kind,
            "message": self.message,
            "location": self.location,
        }

    def line(self) -> str:
        """One printed line: location, unit, year, variable, value, severity, message with evidence."""
        where = f"{self.location}: " if self.location else ""
        return (
            f"{where}{self.code} {self.name} {self.year} {self.variable}={_num(self.value)} "
            f"[{self.severity}] {KIND_ZH.get(self.kind, self.kind)} ({self.kind}): {self.message}"
        )


def _num(x: float) -> str:
    if np.isnan(x):
        return "NA"
    return f"{x:,.6g}" if abs(x) < 1e6 else f"{x:,.0f}"


def _pct(x: float) -> str:
    return f"{x * 100:+.1f} %"


SEVERITY_ORDER = {ERROR: 0, WARNING: 1}
