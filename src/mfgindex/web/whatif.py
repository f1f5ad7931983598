"""The what-if endpoint's presentation: JSON rows and columns of a :mod:`mfgindex.core.whatif` outcome.

The computation lives in :mod:`mfgindex.core.whatif`; this module adds per-city pre-encoded JSON pieces so
that a response re-encodes only the recomputed columns.
"""

from __future__ import annotations

import json
import math
import operator
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from mfgindex.core import whatif as core_whatif
from mfgindex.core.result import Result
from mfgindex.core.whatif import Vec, WhatIf, check_weights, whatif

__all__ = ["Engine", "WhatIf", "check_weights", "whatif"]


class Engine(core_whatif.Engine):
    """:class:`mfgindex.core.whatif.Engine` with the nominal scores pre-encoded as JSON cells."""

    def __init__(self, result: Result) -> None:
        super().__init__(result)
        # pre-encoded JSON cells of the nominal scores: what-if rows re-encode only recomputed columns
        self.cells = {
            a: [f',"{a}":{t.decode()}' for t in score_texts(s)] for a, s in self.nominal_scores.items()
        }
        self._heads: dict[tuple[int, tuple[str, ...]], tuple[list[bytes], list[bytes], list[bytes]]] = {}
        # per city: the text between its new rank and its rank change
        self.codes_json = orjson.dumps(self.codes)
        self.between = [b',"nominal_rank":' + n + b',"rank_change":' for n in encode_ints(self.nominal_rank)]
        self._nominal_columns: dict[str, bytes] = {}
        self._keys: dict[tuple[str, bool], bytes] = {}
        # the nominal side of the rank correlation (:meth:`correlation`)
        self._ranked = ~np.isnan(self.nominal_rank)
        nominal = self.nominal_rank[self._ranked]
        self._centred = nominal - nominal.mean()
        self._square = (self._centred * self._centred).sum()
        self._everyone = bool(self._ranked.all())
        # the cities by nominal rank (unranked last, then by position): ties of a new rank keep this order
        self._by_nominal = np.argsort(self.nominal_rank, kind="stable")
        # ranks and rank changes lie within ±span: their texts are picked from a table (:meth:`int_texts`)
        top = float(np.fmax.reduce(self.nominal_rank)) if self.nominal_rank.size else 0.0
        self._span = int(max(len(self.codes), top if top == top else 0))
        self._int_tables: dict[bytes, list[bytes]] = {}
        self._counting = np.arange(1.0, self._span + 1.0)

    def row_order(self, rank: Vec) -> npt.NDArray[np.intp]:
        """The cities sorted by ``rank``, then by nominal rank, then by position (unranked last):
        ``np.lexsort((nominal_rank, rank))`` with NaN last, as one stable sort of the nominal order."""
        by_nominal = self._by_nominal
        return by_nominal[np.argsort(rank[by_nominal], kind="stable")]

    def correlation(self, rank: Vec) -> float | None:
        """``spearman(rank, self.nominal_rank)``, the same number, with the nominal ranks' part computed
        once (when every city ranked nominally is ranked in ``rank``, the usual case)."""
        if self._everyone and self._centred.size >= 3:  # every city ranked nominally: no selection
            total = np.add.reduce(rank)  # (``rank.sum()``; NaN when a city is unranked)
            if total == total:
                x = rank - total / rank.size  # (``rank.mean()``: the sum over the count)
                den = math.sqrt(float(np.add.reduce(x * x) * self._square))
                return None if den == 0 else float(np.add.reduce(x * self._centred) / den)
        if bool((np.isnan(rank) & self._ranked).any()) or self._centred.size < 3:
            return spearman(rank, self.nominal_rank)
        a = rank[self._ranked]
        x = a - a.mean()
        den = math.sqrt(float((x * x).sum() * self._square))
        return None if den == 0 else float((x * self._centred).sum() / den)

    def int_texts(self, values: Vec, suffix: bytes = b"") -> Sequence[bytes]:
        """:func:`encode_ints` of ranks or rank changes of this engine's cities (whole numbers within
        ±span, or NaN), picked from a table of texts, each followed by ``suffix``; the ranks 1, 2, … m in
        that order (no tie, none missing: the new ranks in the rows' order, as a rule) are a slice of it."""
        span = self._span
        table = self._int_tables.get(suffix)
        if table is None:
            table = [str(k).encode() + suffix for k in range(-span, span + 1)] + [b"null" + suffix]
            if len(self._int_tables) < 64:
                self._int_tables[suffix] = table
        m = values.size
        if m == 0:
            return []
        if m <= span and bool((values == self._counting[:m]).all()):
            return table[span + 1 : span + 1 + m]
        missing = np.isnan(values)
        at = np.add(values, span, out=np.full(m, 2 * span + 1.0), where=~missing)
        picked = at.astype(np.intp).tolist()
        return operator.itemgetter(*picked)(table) if m > 1 else [table[picked[0]]]

    def field_key(self, field: str, first: bool) -> bytes:
        """``"field":[`` (with the comma before it unless ``first``), encoded once per field name."""
        key = (field, first)
        text = self._keys.get(key)
        if text is None:
            text = (b"" if first else b",") + orjson.dumps(field) + b":["
            if len(self._keys) < 1024:
                self._keys[key] = text
        return text

    def nominal_column(self, field: str) -> bytes:
        """The text of a nominal column of the compact form (``nominal_rank`` or an aggregate's nominal
        scores, what :func:`columns_json` writes for a column the what-if did not recompute), encoded once."""
        text = self._nominal_columns.get(field)
        if text is None:
            if field == "nominal_rank":
                text = ints_text(self.nominal_rank)
            else:
                text = scores_text(self.nominal_scores[field])
            self._nominal_columns[field] = text
        return text

    def row_heads(
        self, prefixes: dict[str, str], static: tuple[str, ...]
    ) -> tuple[list[bytes], list[bytes], list[bytes]]:
        """Per city, UTF-8: the start of its row (``{code, name, province, region,"rank":``), and its end
        (the cells of the ``static`` columns and ``}``) with and without the comma that follows."""
        key = (id(prefixes), static)
        got = self._heads.get(key)
        if got is None:
            tails = ["".join(self.cells[s][i] for s in static) + "}" for i in range(len(self.codes))]
            got = (
                [(prefixes[c] + ',"rank":').encode() for c in self.codes],
                [(t + ",").encode() for t in tails],
                [t.encode() for t in tails],
            )
            if len(self._heads) < 64:
                self._heads[key] = got
        return got


def round6(values: Vec) -> Vec:
    """``[round(v, 6) for v in values]`` as an array, equal value for value (Python's correctly rounded
    ``round``), at numpy speed.

    ``rint(v·10⁶) / 10⁶`` is the same double as ``round(v, 6)`` unless ``v·10⁶`` lies within its rounding
    error of a tie (…5 in the seventh decimal): with ``|v·10⁶| < 10¹²`` that error is below 10⁻⁴, so values
    within 10⁻³ of a tie, and the large, NaN or infinite ones, take Python's ``round``.
    """
    return _round6(values)[0]


def _round6(values: Vec) -> tuple[Vec, bool]:
    """:func:`round6`, and whether every value is finite with ``|v·10⁶| < 10¹²`` (the usual case: then
    no step meets a NaN or an infinity, and no warning needs silencing)."""
    scaled = values * 1e6
    out: Vec = np.rint(scaled)
    clean = bool(scaled.size) and bool(np.minimum.reduce(scaled) > -1e12)
    clean = clean and bool(np.maximum.reduce(scaled) < 1e12)
    if clean:  # (a NaN fails both comparisons)
        gap = np.subtract(scaled, out, out=scaled)
        np.abs(gap, out=gap)
        risky = np.flatnonzero(gap > 0.499)  # within 10⁻³ of a tie (the distance to it is 0.5 − gap)
    else:
        with np.errstate(invalid="ignore"):
            near_tie = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-3
            risky = np.flatnonzero(near_tie | ~(np.abs(scaled) < 1e12))
    out /= 1e6
    for i in risky.tolist():
        out[i] = round(float(values[i]), 6)
    return out, clean


def _items(text: bytes, suffix: bytes) -> list[bytes]:
    """The comma-separated items of ``text`` (orjson's numbers), each followed by ``suffix``."""
    if not suffix:
        return text.split(b",")
    return (text.replace(b",", suffix + b"\0") + suffix).split(b"\0")  # (no NUL in numbers' text)


def encode_floats(values: Vec, suffix: bytes = b"", finite: bool = False) -> list[bytes]:
    """Each value as ``repr`` writes it (NaN as ``null``), formatted by orjson in C, followed by ``suffix``
    (``finite``: the caller knows that every value is finite).

    orjson writes the shortest round-trip digits like ``repr``, in the same notation except below 10⁻⁴
    (``0.000012`` against ``1.2e-05``): those few take ``repr``.
    """
    items = _items(orjson.dumps(values, option=orjson.OPT_SERIALIZE_NUMPY)[1:-1], suffix)
    for i in _small(values, finite).tolist():
        items[i] = repr(float(values[i])).encode() + suffix
    return items


def _small(values: Vec, finite: bool) -> npt.NDArray[np.intp]:
    """Positions of the values whose ``repr`` is in exponent notation: ``0 < |v| < 10⁻⁴``."""
    if finite:
        small = np.flatnonzero(np.abs(values) < 1e-4)
        return small[values[small] != 0] if small.size else small
    with np.errstate(invalid="ignore"):
        return np.flatnonzero((np.abs(values) < 1e-4) & (values != 0))


def score_texts(values: Vec, suffix: bytes = b"") -> list[bytes]:
    """The JSON text of each score in every what-if answer (rows, columns, the nominal cells, and so the
    export built from the rows): ``repr(round(v, 6))``, NaN as ``null`` — the one rounding of what-if
    scores (:func:`round6`: Python's correctly rounded ``round``, not ``np.round``, which differs near
    ties in the seventh decimal); each followed by ``suffix``."""
    rounded, finite = _round6(values)
    return encode_floats(rounded, suffix, finite)


def encode_ints(values: Vec, suffix: bytes = b"") -> list[bytes]:
    """Whole numbers stored as floats (ranks) as JSON integers, NaN as ``null``; each followed by
    ``suffix``."""
    missing = np.isnan(values)
    items = orjson.dumps(np.where(missing, 0, values).astype(np.int64), option=orjson.OPT_SERIALIZE_NUMPY)
    out = _items(items[1:-1], suffix)
    for i in np.flatnonzero(missing).tolist():
        out[i] = b"null" + suffix
    return out


def ints_text(values: Vec) -> bytes:
    """``b",".join(encode_ints(values))``: the text between the brackets of orjson's array, unsplit when
    no value is missing."""
    if bool(np.isnan(values).any()):
        return b",".join(encode_ints(values))
    return orjson.dumps(values.astype(np.int64), option=orjson.OPT_SERIALIZE_NUMPY)[1:-1]


def scores_text(values: Vec) -> bytes:
    """``b",".join(score_texts(values))``: orjson's text of the rounded values between its brackets,
    unsplit when no value needs ``repr``'s notation (:func:`encode_floats`)."""
    rounded, finite = _round6(values)
    if _small(rounded, finite).size:
        return b",".join(encode_floats(rounded, finite=finite))
    return orjson.dumps(rounded, option=orjson.OPT_SERIALIZE_NUMPY)[1:-1]


def rows_json(
    outcome: WhatIf,
    engine: Engine,
    prefixes: dict[str, str],
    dims: list[str],
    top: int | None = None,
    lead: bytes = b"[",
    end: bytes = b"]",
) -> bytes:
    """The rows as a UTF-8 JSON array (sorted by the new rank, then the nominal one), between ``lead`` and
    ``end`` (``[`` and ``]``; a caller puts the rest of its answer there, so that the body is joined, and
    copied, once).

    Each row: ``{code, name, province, region, rank, nominal_rank, rank_change, <root>, <dims>…}``, the
    recomputed columns first. Hand-assembled because ``json.dumps`` of 333 dicts costs ≈ 3 ms, more than
    the computation; only the recomputed columns are encoded anew (:func:`score_texts`: the text of
    ``repr(round(v, 6))``), the others come from per-city pieces cached by the engine, already UTF-8 (the
    names are Chinese: encoding the whole text per request cost as much as building it). A row is five
    pieces with one column recomputed: its head up to ``"rank":`` and the text between its rank and its
    rank change (per city, picked in the new order in C), the rank, the rank change followed by the next
    key, the score (the numbers' texts made in the new order, each with what follows it), and its tail.
    """
    ranks = outcome.rank
    cols = [engine.root, *dims]
    fresh = [c for c in cols if c in outcome.fresh]
    heads, tails, last_tails = engine.row_heads(prefixes, tuple(c for c in cols if c not in outcome.fresh))
    order = engine.row_order(ranks)
    if top is not None:
        order = order[:top]
    if not order.size:
        return lead + end
    keys = [f',"{c}":'.encode() for c in fresh]
    changes = engine.int_texts((outcome.nominal_rank - ranks)[order], keys[0] if keys else b"")
    follow = [*keys[1:], b""][: len(fresh)]
    scores = [score_texts(outcome.scores[c][order], k) for c, k in zip(fresh, follow, strict=True)]
    picked = order.tolist()
    pick = operator.itemgetter(*picked) if len(picked) > 1 else lambda piece: (piece[picked[0]],)
    # row by row: head, rank, between, change, scores…, tail
    pieces = (
        pick(heads),
        engine.int_texts(ranks[order]),
        pick(engine.between),
        changes,
        *scores,
        pick(tails),
    )
    width = len(pieces)
    parts: list[bytes] = [b""] * (width * len(picked) + 2)
    for k, piece in enumerate(pieces):
        parts[1 + k : -1 : width] = piece
    parts[0] = lead
    parts[-2] = last_tails[picked[-1]]  # no comma after the last row
    parts[-1] = end
    return b"".join(parts)


def rows(outcome: WhatIf, engine: Engine, prefixes: dict[str, str], dims: list[str]) -> list[dict[str, Any]]:
    """The rows of :func:`rows_json` as dicts with the scores unrounded, for an export that rounds them
    once to its own number of decimals (rounding the answer's 6-decimal text again could move a value
    that lies just below a tie of the export's last decimal)."""
    out: list[dict[str, Any]] = json.loads(rows_json(outcome, engine, prefixes, dims))
    index = {c: i for i, c in enumerate(outcome.codes)}
    for r in out:
        i = index[r["code"]]
        for c in (engine.root, *dims):
            v = float(outcome.scores[c][i])
            r[c] = None if v != v else v
    return out


def row_prefix(label: dict[str, Any]) -> str:
    """``{"code":…,"name":…,"province":…,"region":…`` (JSON-encoded, without the closing brace)."""
    head = json.dumps(
        {k: label.get(k) for k in ("code", "name", "province", "region")},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return head[:-1]


def spearman(
    a: np.ndarray[Any, np.dtype[np.float64]], b: np.ndarray[Any, np.dtype[np.float64]]
) -> float | None:
    """Spearman correlation of two rank vectors (NaNs dropped)."""
    ok = ~(np.isnan(a) | np.isnan(b))
    if ok.sum() < 3:
        return None
    x = a[ok] - a[ok].mean()
    y = b[ok] - b[ok].mean()
    den = math.sqrt(float((x * x).sum() * (y * y).sum()))
    return None if den == 0 else float((x * y).sum() / den)


RANK_FIELDS = ("rank", "nominal_rank", "rank_change")


def column_fields(engine: Engine, dims: list[str]) -> list[str]:
    """Every column the compact (``format: "columns"``) response can carry, in their default order."""
    return [*RANK_FIELDS, engine.root, *dims]


def columns_json(
    outcome: WhatIf,
    engine: Engine,
    fields: Sequence[str],
    keep: npt.NDArray[np.bool_] | None = None,
    lead: bytes = b"{",
    end: bytes = b"}",
) -> bytes:
    """The compact response body's ``columns`` as a JSON object, between ``lead`` and ``end`` (``{`` and
    ``}``; a caller puts the rest of its answer there, so that the body is joined once): one array per
    field, in the order of ``engine.codes`` (only the cities where ``keep`` is true, when given).

    Ranks are integers (null when unranked), scores as in the rows (:func:`score_texts`: rounded to 6
    decimals by Python's ``round``; null when missing), so both forms carry the same text per number.
    About 30 KB for 331 cities and every field, against ≈ 90 KB for the row-wise form.
    """
    parts = [lead]
    for i, f in enumerate(fields):
        parts.append(engine.field_key(f, first=i == 0))
        if keep is None and (f == "nominal_rank" or (f not in RANK_FIELDS and f not in outcome.fresh)):
            # not recomputed: the nominal values, whose text the engine keeps
            parts.append(engine.nominal_column(f))
        else:
            if f == "rank":
                values = outcome.rank
            elif f == "nominal_rank":
                values = outcome.nominal_rank
            elif f == "rank_change":
                values = outcome.nominal_rank - outcome.rank
            else:
                values = outcome.scores[f]
            if keep is not None:
                values = values[keep]
            parts.append(ints_text(values) if f in RANK_FIELDS else scores_text(values))
        parts.append(b"]")
    parts.append(end)
    return b"".join(parts)


def dumps(data: Any) -> bytes:
    """Compact UTF-8 JSON (orjson: NaN and ±inf become null, numpy scalars are accepted)."""
    return orjson.dumps(data, option=orjson.OPT_SERIALIZE_NUMPY)
