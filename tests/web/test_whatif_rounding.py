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
