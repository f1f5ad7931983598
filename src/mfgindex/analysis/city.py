"""Per-city diagnosis: strengths and weaknesses, nearest peers, gaps to the city above and to the top 10.

What a city's industry bureau asks (DESIGN.md): in which dimension am I weak, who are my peers, what would
it take to move up. Pure functions of a ranking table with dimension score and rank columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mfgindex.analysis import strengths as sw
from mfgindex.analysis.distribution import CityRef, score_columns, to_jsonable


@dataclass(frozen=True)
class DimensionPosition:
    """A city's standing in one dimension."""

    dimension: str
    score: float
    rank: int
    rank_vs_overall: int
    """Overall rank − dimension rank: positive = better in this dimension than overall."""
    gap_to_above: float | None
    """Score of the city just above overall in this dimension minus the city's own (None for rank 1)."""
    gap_to_top10: float
    """The 10th-best score in this dimension minus the city's own (≤ 0: already in the top 10)."""


@dataclass(frozen=True)
class CityProfile:
    """Diagnosis of one city."""

    code: str
    name: str
    rank: int
    index_score: float | None
    city_above: CityRef | None
    index_gap_to_above: float | None
    index_gap_to_top10: float | None
    dimensions: tuple[DimensionPosition, ...]
    strengths: tuple[str, ...]
    """Strong dimensions, best first (the rule: :mod:`mfgindex.analysis.strengths`)."""
    weaknesses: tuple[str, ...]
    """Weak dimensions, worst first."""
    peers: tuple[CityRef, ...]
    peer_distance: tuple[float, ...]
    standings: tuple[sw.Standing, ...] = ()
    """The city's standing on every dimension it has a score on (rank, ties, kind)."""

    def standing(self, dimension: str) -> sw.Standing | None:
        return next((s for s in self.standings if s.item == dimension), None)

    def to_dict(self) -> dict[str, object]:
        """JSON-serialisable dict."""
        out: dict[str, object] = to_jsonable(self)
        return out


def dimension_ids(table: pd.DataFrame, index_id: str = "index") -> list[str]:
    """Score columns of the table other than the index itself."""
    return [c for c in score_columns(table) if c != index_id]


def nearest_peers(table: pd.DataFrame, code: str, dims: list[str], k: int = 5) -> list[tuple[str, float]]:
    """The ``k`` cities nearest to ``code`` by Euclidean distance on the dimension scores.

    Cities with a missing score in any of ``dims`` are skipped. Ties are broken by rank.

    Returns
    -------
    list of (adcode, distance)
    """
    d = table[[*dims, "rank"]].dropna(subset=dims)
    if code not in d.index:
        return []
    x = d[dims].to_numpy(dtype=float)
    me = d.loc[code, dims].to_numpy(dtype=float)
    dist = np.sqrt(((x - me) ** 2).sum(axis=1))
    s = pd.DataFrame({"dist": dist, "rank": d["rank"].to_numpy()}, index=d.index).drop(index=code)
    s = s.sort_values(["dist", "rank"]).head(k)
    return [(str(c), float(v)) for c, v in s["dist"].items()]


def city_profile(
    table: pd.DataFrame,
    code: str,
    dims: list[str] | None = None,
    index_id: str = "index",
    k_peers: int = 5,
    top_k: int = 10,
) -> CityProfile:
    """Strengths, weaknesses, peers and gaps of one city.

    Parameters
    ----------
    table
        Ranking table with ``<dim>`` score and ``<dim>_rank`` columns (a run's scores).
    code
        The city's adcode.
    dims
        Dimension ids (default: every score column other than ``index_id``).
    index_id
        Id of the overall index column.
    k_peers
        Number of nearest peers.
    top_k
        The "top 10" of the gap columns.
    """
    if code not in table.index:
        raise KeyError(f"city {code!r} not in the ranking table")
    dims = dimension_ids(table, index_id) if dims is None else dims
    me = table.loc[code].to_dict()
    overall = int(me["rank"])
    ordered = table.sort_values("rank")
    above_rows = ordered[ordered["rank"] < overall]
    above = above_rows.iloc[-1].to_dict() if len(above_rows) else None
    above_code = str(above_rows.index[-1]) if len(above_rows) else None
    positions: list[DimensionPosition] = []
    for dim in dims:
        if pd.isna(me[dim]) or pd.isna(me[f"{dim}_rank"]):
            continue  # no score in this dimension (too few of its indicators): nothing to compare
        score = float(me[dim])
        drank = int(me[f"{dim}_rank"])
        kth = table[dim].dropna().sort_values(ascending=False)
        tenth = float(kth.iloc[min(top_k, len(kth)) - 1])
        positions.append(
            DimensionPosition(
                dimension=dim,
                score=score,
                rank=drank,
                rank_vs_overall=overall - drank,
                gap_to_above=None if above is None else float(above[dim]) - score,
                gap_to_top10=tenth - score,
            )
        )
    has_index = index_id in table.columns
    index_score = float(me[index_id]) if has_index else None
    tenth_index = None
    if has_index:
        s = table[index_id].dropna().sort_values(ascending=False)
        tenth_index = float(s.iloc[min(top_k, len(s)) - 1])
    name_of = table["name"].to_dict()
    rank_of = table["rank"].to_dict()
    peers = nearest_peers(table, code, dims, k_peers) if dims else []
    standing = sw.standings(table[dims], table["rank"], str(code)) if dims else []
    return CityProfile(
        code=str(code),
        name=str(me["name"]),
        rank=overall,
        index_score=index_score,
        city_above=None
        if above is None or above_code is None
        else CityRef(above_code, str(above["name"]), int(above["rank"])),
        index_gap_to_above=None
        if above is None or index_score is None
        else float(above[index_id]) - index_score,
        index_gap_to_top10=None if tenth_index is None or index_score is None else tenth_index - index_score,
        dimensions=tuple(positions),
        strengths=tuple(s.item for s in sw.strengths(standing)),
        weaknesses=tuple(s.item for s in sw.weaknesses(standing)),
        peers=tuple(CityRef(c, str(name_of[c]), int(rank_of[c])) for c, _ in peers),
        peer_distance=tuple(d for _, d in peers),
        standings=tuple(standing),
    )
