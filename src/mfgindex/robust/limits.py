"""Upper bound on the number of model evaluations of ``uncertainty`` and ``sensitivity``.

The estimate behind it (docs/robustness.md, "Speed"): on the default data (333 cities) one evaluation
costs about 0.12 ms of CPU and, in ``uncertainty``, about 3.2 KB of ``replications.parquet``; ``sensitivity``
also keeps every evaluation's unit indices in memory, (units + factors + 3) × 8 bytes each (≈ 2.7 KB on
333 cities). At the default bound of 10,000,000 evaluations that is about 20 minutes of CPU and 32 GB of
parquet (uncertainty) or 27 GB of memory (sensitivity on 333 cities): the most one machine should be asked
for. Beyond it a run would take hours to months or fail for lack of memory, so it is refused before any
work. ``MFGINDEX_MAX_EVALUATIONS`` (a whole number) raises or lowers the bound; ``sensitivity`` is also
refused when its in-memory estimate exceeds ``MFGINDEX_MAX_MEMORY_GIB`` (default 8).
"""

from __future__ import annotations

import os

from mfgindex.core.errors import Problem, UserError

MAX_EVALUATIONS = 10_000_000
MAX_MEMORY_GIB = 8.0
ENV_EVALUATIONS = "MFGINDEX_MAX_EVALUATIONS"
ENV_MEMORY = "MFGINDEX_MAX_MEMORY_GIB"
CPU_SECONDS_PER_EVALUATION = 0.12e-3  # default data, 333 cities (docs/robustness.md)


def _env_number(name: str, default: float) -> float:
    text = os.environ.get(name, "").strip().replace("_", "").replace(",", "")
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise UserError(
            Problem("not a number", column=name, value=os.environ[name], expected="a positive number")
        ) from None
    if not value > 0:
        raise UserError(
            Problem("not positive", column=name, value=os.environ[name], expected="a positive number")
        )
    return value


def max_evaluations() -> int:
    return int(_env_number(ENV_EVALUATIONS, MAX_EVALUATIONS))


def _hours(evaluations: int) -> str:
    seconds = evaluations * CPU_SECONDS_PER_EVALUATION
    return f"{seconds / 3600:,.1f} CPU hours" if seconds >= 3600 else f"{seconds / 60:,.0f} CPU minutes"


def check_evaluations(evaluations: int, what: str) -> None:
    """Raise ``UserError`` when ``evaluations`` (model runs) exceed :func:`max_evaluations`.

    ``what`` says how the count came about and which option sets it, e.g. ``"--n 2000 × (4 + 2)"``.
    """
    limit = max_evaluations()
    if evaluations > limit:
        raise UserError(
            Problem(
                f"too many model evaluations: {evaluations:,} would take about {_hours(evaluations)} "
                f"(≈ 0.12 ms each, measured on 333 cities), more than the limit of {limit:,}; use a "
                f"smaller --n, or set {ENV_EVALUATIONS} to raise the limit if the machine has the time "
                "(and the disk or memory)",
                column="--n",
                value=what,
                expected=f"at most {limit:,} evaluations",
            )
        )


def check_memory(evaluations: int, bytes_per_evaluation: int, what: str) -> None:
    """Raise ``UserError`` when keeping ``evaluations`` results in memory would exceed the memory budget."""
    budget = _env_number(ENV_MEMORY, MAX_MEMORY_GIB)
    need = evaluations * bytes_per_evaluation / 2**30
    if need > budget:
        raise UserError(
            Problem(
                f"too much memory: {evaluations:,} evaluations × {bytes_per_evaluation:,} bytes kept "
                f"in memory ≈ {need:,.1f} GiB, more than the budget of {budget:g} GiB; use a smaller "
                f"--n, or set {ENV_MEMORY} to raise the budget if the machine has the memory",
                column="--n",
                value=what,
                expected=f"at most {budget:g} GiB",
            )
        )
