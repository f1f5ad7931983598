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


def test_panel_index_over_two_years_is_the_two_year_panel(default_result: Result) -> None:
    """panel_index (any number of years) and panel_scores (the pipeline's ``methods.panel`` for a year and
    the one before) are two constructions of the same thing: equal on two years."""
    from mfgindex.analysis.panel import panel_index

    run = from_result(default_result)
    scores = panel_scores(run)
    assert scores is not None
    p = panel_index(dataset.default(), default_result.framework, [2021, 2022])
    np.testing.assert_allclose(p[2022].reindex(scores.index), scores["index"])
    np.testing.assert_allclose(p[2021].reindex(scores.index), scores["index_prev"])


def test_panel_index_over_many_years_stays_on_the_index_scale(default_result: Result) -> None:
    from mfgindex.analysis.panel import panel_index

    years = [2019, 2020, 2021, 2022]
    p = panel_index(dataset.default(), default_result.framework, years)
    assert list(p.columns) == years
    values = p.to_numpy(dtype=float)
    assert np.nanmin(values) >= 0.0 and np.nanmax(values) <= 100.0
    # wider bounds than one year's: the yearly index of 2022 reaches 100 only if one city leads everywhere,
    # the panel's 2022 scores are not the yearly ones
    yearly = default_result.table["index"].reindex(p.index)
    assert not np.allclose(p[2022].dropna(), yearly[p[2022].notna()])
