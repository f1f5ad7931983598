"""One rounding for every what-if answer: the row form, the column form and the nominal cells carry the
text of Python's ``repr(round(v, 6))`` for each score, also where ``np.round`` gives another number.

``np.round(v, 6)`` computes ``rint(v·10⁶)/10⁶``; when ``v·10⁶`` rounds to an exact tie the result is
rounded half to even, while Python's ``round`` rounds the exact decimal value of ``v``. The values below
are found by a scan of near-ties in the range of scores (0-100), the expected text is Python's.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import numpy as np
import pytest

from mfgindex.core import whatif as core_whatif
from mfgindex.web import whatif
from mfgindex.web.state import AppState


def _np_round_disagrees(n: int) -> np.ndarray:
    """``n`` scores in [0, 100) where ``np.round(v, 6)`` and ``round(v, 6)`` give different numbers."""
    rng = np.random.default_rng(16)
    found: list[float] = []
    while len(found) < n:
        ties = (rng.integers(0, 100_000_000, 50_000) + 0.5) / 1e6  # k.5 millionths, most not exact
        for x in (ties, np.nextafter(ties, np.inf), np.nextafter(ties, -np.inf)):
            want = np.array([round(v, 6) for v in x.tolist()])
            found.extend(x[np.round(x, 6) != want].tolist())
    return np.array(found[:n])


def _texts(body: bytes) -> Any:
    return json.loads(body, parse_float=str, parse_int=str)  # every number as the text that was sent


def test_the_scan_finds_values_where_np_round_differs() -> None:
    x = _np_round_disagrees(400)
    assert all(np.round(v, 6) != round(v, 6) for v in x.tolist())
    # Python's round is the correctly rounded one: the decimal expansion of v decides
    from decimal import ROUND_HALF_EVEN, Decimal

    for v in x[:50].tolist():
        exact = Decimal(v).quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN)
        assert round(v, 6) == float(exact)


def test_rows_and_columns_give_the_same_text_where_np_round_differs(
    web_state: AppState, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = web_state.results[web_state.main_year]
    n = len(result.table)
    awkward = _np_round_disagrees(2 * n + 10)
    fresh_vals, static_vals = awkward[:n].copy(), awkward[n : 2 * n].copy()
    fresh_vals[:3] = np.nan  # missing scores: null in both forms
    # the nominal cells (pre-encoded once per engine) of one dimension hold awkward values too
    original = core_whatif.Engine.__init__

    def init(self: core_whatif.Engine, res: Any) -> None:
        original(self, res)
        self.nominal_scores = {**self.nominal_scores, "scale": static_vals[: len(self.codes)]}

    monkeypatch.setattr(core_whatif.Engine, "__init__", init)
    engine = whatif.Engine(result)
    monkeypatch.undo()
    outcome = whatif.whatif(engine, {"innovation": 0.4, "quality": 0.05})
    codes = outcome.codes
    assert engine.root in outcome.fresh and "scale" not in outcome.fresh
    k = len(codes)
    scores = {
        **outcome.scores,
        engine.root: fresh_vals[:k],
        "innovation": awkward[2 * n : 2 * n + 10].repeat(k // 10 + 1)[:k],
        "scale": static_vals[:k],
    }
    outcome = dataclasses.replace(outcome, scores=scores, fresh=outcome.fresh | {"innovation"})
    dims = ["scale", "quality", "innovation"]
    prefixes = {c: '{"code":"' + c + '"' for c in codes}
    rows = _texts(whatif.rows_json(outcome, engine, prefixes, dims))
    fields = [engine.root, *dims]
    cols = _texts(whatif.columns_json(outcome, engine, fields))
    by_code = {r["code"]: r for r in rows}
    checked = differs = 0
    for f in fields:
        for i, code in enumerate(codes):
            v = float(scores[f][i])
            want = None if v != v else repr(round(v, 6))
            assert by_code[code][f] == want, (f, code)
            assert cols[f][i] == want, (f, code)
            checked += 1
            differs += want is not None and want != repr(float(np.round(v, 6)))
    assert checked == 4 * k
    assert differs > 3 * k - 10  # nearly every value is one where np.round would have answered otherwise


def _double_rounding_moves(n: int) -> np.ndarray:
    """``n`` scores where rounding to 6 decimals and then to 4 gives another number than rounding to 4
    once: values a few 10⁻⁷ below a tie of the 4th decimal."""
    rng = np.random.default_rng(4)
    found: list[float] = []
    while len(found) < n:
        x = (rng.integers(0, 1_000_000, 20_000) + 0.5) / 1e4 - rng.uniform(1e-7, 5e-7, 20_000)
        twice = np.array([round(round(v, 6), 4) for v in x.tolist()])
        once = np.array([round(v, 4) for v in x.tolist()])
        found.extend(x[twice != once].tolist())
    return np.array(found[:n])


def test_export_rows_carry_the_unrounded_scores(web_state: AppState) -> None:
    """The export rounds once (to 4 decimals) from the scores, not from the answer's 6-decimal text."""
    engine = whatif.Engine(web_state.results[web_state.main_year])
    outcome = whatif.whatif(engine, {"innovation": 0.4, "scale": 0.05})
    k = len(outcome.codes)
    moving = _double_rounding_moves(k)
    outcome = dataclasses.replace(outcome, scores={**outcome.scores, engine.root: moving})
    prefixes = {c: '{"code":"' + c + '"' for c in outcome.codes}
    rows = {r["code"]: r for r in whatif.rows(outcome, engine, prefixes, ["scale"])}
    answer = {r["code"]: r for r in json.loads(whatif.rows_json(outcome, engine, prefixes, ["scale"]))}
    for i, code in enumerate(outcome.codes):
        assert rows[code][engine.root] == moving[i]
        assert round(rows[code][engine.root], 4) != round(answer[code][engine.root], 4)
        scale = float(outcome.scores["scale"][i])
        assert rows[code]["scale"] == (None if scale != scale else scale)
        assert {f: rows[code][f] for f in ("rank", "nominal_rank", "rank_change")} == {
            f: answer[code][f] for f in ("rank", "nominal_rank", "rank_change")
        }


def test_whatif_csv_export_is_the_scores_rounded_once(client: Any, web_state: AppState) -> None:
    import csv
    import io

    weights = {"innovation": 0.4, "scale": 0.05}
    r = client.get("/api/export", params={"format": "csv", "weights": "innovation:0.4,scale:0.05"})
    assert r.status_code == 200
    table = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    header, body = table[0], table[1:]
    engine = whatif.Engine(web_state.results[web_state.main_year])
    outcome = whatif.whatif(engine, weights)
    root = header.index(next(h for h in header if h in ("指数", web_state.framework.root.name_zh)))
    index = {c: i for i, c in enumerate(outcome.codes)}
    assert len(body) == len(outcome.codes)
    for row in body:
        v = float(outcome.scores[engine.root][index[row[-1]]])
        assert row[root] == ("" if v != v else str(round(v, 4))), row


def _odd_values(rng: np.random.Generator, n: int) -> np.ndarray:
    """Scores of every magnitude with the cases the JSON text treats apart: missing, zero, below 10⁻⁴."""
    v = rng.normal(0, 10 ** rng.uniform(-8, 4), n)
    v[rng.integers(0, n, 3)] = np.nan
    v[rng.integers(0, n)] = 0.0
    v[rng.integers(0, n)] = rng.uniform(1e-6, 1e-4)
    return v


def test_column_texts_are_pythons_text_of_each_number() -> None:
    """The compact form's arrays (written without splitting orjson's text when nothing needs another
    notation) carry ``repr(round(v, 6))`` per score and the integer per rank, ``null`` when missing."""
    rng = np.random.default_rng(5)
    for trial in range(300):
        v = _odd_values(rng, 40) if trial % 2 else rng.uniform(0, 100, 40)
        want = ",".join("null" if x != x else repr(round(x, 6)) for x in v.tolist())
        assert whatif.scores_text(v).decode() == want
        ranks = np.floor(np.abs(v) * 10)
        want = ",".join("null" if x != x else str(int(x)) for x in ranks.tolist())
        assert whatif.ints_text(ranks).decode() == want
    assert whatif.scores_text(np.array([])) == whatif.ints_text(np.array([])) == b""


def test_rank_correlation_with_the_nominal_part_kept_is_the_same_number(web_state: AppState) -> None:
    """``Engine.correlation`` keeps the nominal ranks' part: the same float as ``spearman`` (the answers'
    bytes), which is Pearson's r of the rank vectors (scipy)."""
    from scipy import stats

    engine = whatif.Engine(web_state.results[web_state.main_year])
    nominal = engine.nominal_rank
    rng = np.random.default_rng(9)
    ranked = ~np.isnan(nominal)
    for trial in range(50):
        rank = nominal.copy()
        rank[ranked] = rng.permutation(int(ranked.sum())) + 1.0
        if trial % 5 == 4:  # a city ranked nominally but not here: the general path
            rank[np.flatnonzero(ranked)[trial]] = np.nan
        got = engine.correlation(rank)
        assert got == whatif.spearman(rank, nominal)
        ok = ~(np.isnan(rank) | np.isnan(nominal))
        assert got == pytest.approx(stats.pearsonr(rank[ok], nominal[ok])[0], abs=1e-12)
    assert engine.correlation(nominal) == whatif.spearman(nominal, nominal) == pytest.approx(1.0)
