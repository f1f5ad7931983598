"""The panel-normalised index behind "X % of cities raised their index"."""

from __future__ import annotations

import numpy as np

from mfgindex.analysis.panel import panel_change, panel_scores
from mfgindex.analysis.run import from_result
from mfgindex.core import dataset, pipeline
from mfgindex.core import framework as fw_mod
from mfgindex.core.result import Result


def test_panel_index_shares_one_scale_over_both_years(default_result: Result) -> None:
    run = from_result(default_result)
    scores = panel_scores(run)
    assert scores is not None
    fw = fw_mod.with_methods(default_result.framework, panel=True)
    res = pipeline.evaluate(dataset.default(), fw, 2022, 2021)
    assert res.previous is not None
    # min-max bounds are taken over the two years together: each indicator (except fixed goalposts) spans
    # exactly 0-100 over the union of the years, not within each year
    cur, prev = res.current.stages["normalised"], res.previous.stages["normalised"]
    for ind in fw.indicators():
        if ind.normalise is not None:
            continue
        both = np.concatenate([cur[ind.id].dropna().to_numpy(), prev[ind.id].dropna().to_numpy()])
        if both.size:
            assert both.min() == 0.0 and abs(both.max() - 100.0) < 1e-9
    np.testing.assert_allclose(scores["index"], res.current.scores["index"].reindex(scores.index))
    np.testing.assert_allclose(scores["index_prev"], res.previous.scores["index"].reindex(scores.index))


def test_panel_change_counts(default_result: Result) -> None:
    run = from_result(default_result)
    pc = panel_change(run)
    scores = panel_scores(run)
    assert pc is not None and scores is not None
    top = default_result.table[default_result.table["rank"] <= 50].index
    both = scores.loc[top].dropna()
    assert pc.n_top == len(both) and pc.rose_top == int((both["index"] > both["index_prev"]).sum())
    assert 0 < pc.share_top <= 1 and pc.n_all >= pc.n_top
