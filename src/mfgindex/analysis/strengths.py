"""Strengths and weaknesses of a city: the one definition used by the report, the Excel export and the
dashboard.

A city's position on an item (a dimension, or an indicator) is its competition rank among the cities with
a score on that item (ties share the best rank), read as the share of those cities ranked ahead of it,
``p = (rank − 1) / n``; its overall position is the same share for the index, ``p₀``.

* **Strength**: the city is in the national top 20 % on the item (``rank ≤ ⌈0.2·n⌉``), or clearly above
  its own overall position (``p ≤ p₀ − 0.10``).
* **Weakness**: clearly below its overall position (``p ≥ p₀ + 0.10``) and not in the national top 20 %.
* **Clearly** = by at least 10 % of the ranked cities (33 places among 331): well beyond the few places a
  rank moves under the usual method and weight alternatives, and the same in every part of the table
  (a fixed number of places is much for the leaders and nothing for the middle).
* **Never**: a missing score, and a score tied with other cities at the item's floor (its minimum, e.g.
  270 cities at exactly 0): such a tie says the data has nothing on the item, not that the city is weak
  (or, ranked "#64" among 270 zeros, strong).
* Ties elsewhere are kept and labelled 并列 (tied) with the number of cities sharing the rank.

So a leading city has strengths (every item where it is in the top 20 %) and can have weaknesses only
where it falls out of the top 20 %; a city low overall shows its relative strengths.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

TOP_SHARE = 0.20
"""National top share that makes an item a strength."""
CLEAR = 0.10
"""Distance between an item's position and the overall position, as a share of the ranked cities."""

Kind = Literal["strength", "weakness", ""]


@dataclass(frozen=True)
class Standing:
    """A city's position on one item."""

    item: str
    score: float
    rank: int
    tied: int
    """Cities sharing this rank (1: no tie)."""
    n: int
    """Cities with a score on the item."""
    position: float
    """Share of the cities ranked ahead: (rank − 1) / n."""
    overall_position: float
    kind: Kind
    reason: str
    """``top`` (national top 20 %), ``above`` / ``below`` (clearly above / below overall) or ``floor_tie``."""

    @property
    def label_zh(self) -> str:
        return f"并列第{self.rank}（{self.tied}城）" if self.tied > 1 else f"第{self.rank}"

    @property
    def label_en(self) -> str:
        return f"tied #{self.rank} ({self.tied} cities)" if self.tied > 1 else f"#{self.rank}"

    def label(self, lang: str = "zh") -> str:
        return self.label_en if lang == "en" else self.label_zh


def rule_text(lang: str = "zh") -> str:
    """The rule in one sentence, for table notes and the method section."""
    top, clear = round(TOP_SHARE * 100), round(CLEAR * 100)
    if lang == "en":
        return (
            f"Strength: in the national top {top} % on the dimension, or ranked clearly above the "
            f"overall rank (by at least {clear} % of the ranked cities); weakness: clearly below (by at "
            f"least {clear} %) and outside the top {top} %. Missing scores and ties at the floor (e.g. many "
            "cities at 0) never count; tied ranks are marked “tied”."
        )
    return (
        f"优势：该维度位列全国前{top}%，或排名明显高于总排名，即高出至少{clear}%的参评城市数；"
        f"短板：排名明显低于总排名，即低至少{clear}%，且不在前{top}%。缺失值与并列最低值，如多城同为0分，"
        "不计为优势或短板；并列排名标“并列”。"
    )


def standings(scores: pd.DataFrame, overall: pd.Series, code: str) -> list[Standing]:
    """The city's standing on every item (column) of ``scores`` where it has a score.

    Parameters
    ----------
    scores
        Cities × items (dimension scores or normalised indicators), higher is better; the rows are the
        ranked cities (rows without an overall rank are ignored).
    overall
        Overall rank of each city (1 = best), indexed like ``scores``.
    code
        The city.
    """
    ranked = overall.dropna()
    ranked = ranked[ranked.index.isin(scores.index)]
    if code not in ranked.index:
        return []
    n0 = len(ranked)
    p0 = (float(ranked[code]) - 1.0) / n0
    values = scores.loc[ranked.index].to_numpy(dtype=np.float64, na_value=np.nan)
    row = int(ranked.index.get_indexer(pd.Index([code]))[0])
    out: list[Standing] = []
    for j, item in enumerate(scores.columns):
        col = values[:, j]
        x = float(col[row])
        if math.isnan(x):
            continue
        col = col[~np.isnan(col)]
        n = len(col)
        ahead = int((col > x).sum())
        tied = int((col == x).sum())
        rank = ahead + 1
        p = ahead / n
        if tied > 1 and math.isclose(x, float(col.min()), rel_tol=0.0, abs_tol=1e-12):
            kind: Kind = ""
            reason = "floor_tie"
        elif rank <= math.ceil(TOP_SHARE * n):
            kind, reason = "strength", "top"
        elif p <= p0 - CLEAR + 1e-12:
            kind, reason = "strength", "above"
        elif p >= p0 + CLEAR - 1e-12:
            kind, reason = "weakness", "below"
        else:
            kind, reason = "", ""
        out.append(Standing(str(item), x, rank, tied, n, p, p0, kind, reason))
    return out


def strengths(items: list[Standing]) -> list[Standing]:
    """The strengths, best rank first."""
    return sorted((s for s in items if s.kind == "strength"), key=lambda s: (s.position, s.item))


def weaknesses(items: list[Standing]) -> list[Standing]:
    """The weaknesses, worst rank first."""
    return sorted((s for s in items if s.kind == "weakness"), key=lambda s: (-s.position, s.item))


def frame(table: pd.DataFrame, dims: list[str], names: dict[str, str], lang: str = "zh") -> pd.DataFrame:
    """Every ranked city's strengths and weaknesses (one row each, in rank order) — the Excel sheet
    (:func:`rule_text` is its note)."""
    ranked = table[table["rank"].notna()].sort_values("rank", kind="mergesort")
    zh = lang != "en"
    rank_of = {str(c): int(r) for c, r in ranked["rank"].items()}
    rows = []
    for code in map(str, ranked.index):
        items = standings(ranked[dims], ranked["rank"], code)

        def text(sel: list[Standing]) -> str:
            if lang == "en":
                return ", ".join(f"{names.get(s.item, s.item)} ({s.label_en})" for s in sel) or "—"
            return "、".join(f"{names.get(s.item, s.item)}{s.label_zh}" for s in sel) or "—"

        rows.append(
            {
                ("代码" if zh else "Code"): str(code),
                ("城市" if zh else "City"): ranked.at[code, "name"],
                ("排名" if zh else "Rank"): int(rank_of[code]),
                ("优势维度" if zh else "Strengths"): text(strengths(items)),
                ("短板维度" if zh else "Weaknesses"): text(weaknesses(items)),
            }
        )
    return pd.DataFrame(rows)
