"""The toolbox against independent implementations run in the test: Dagum's (1997) decomposition written
plainly from the paper's definitions (O(n²) loops over pairs of units), and our Moran/LISA wrapper against
PySAL's ``esda.Moran`` / ``esda.Moran_Local`` called directly on the same weights."""

from __future__ import annotations

import itertools
import warnings

import esda  # type: ignore[import-untyped]
import numpy as np
import pytest

from mfgindex.core.result import Result
from mfgindex.toolbox.regional import dagum_gini
from mfgindex.toolbox.spatial import lisa, moran, spatial_weights


def dagum_direct(y: list[float], g: list[str]) -> dict[str, float]:
    """Dagum, C. (1997), Empirical Economics 22:515-531, eqs. for G, G_jj, G_jh, d_jh, p_jh, D_jh,
    G_w, G_nb and G_t, computed by plain loops over every pair of units."""
    n = len(y)
    mu = sum(y) / n
    total = sum(abs(a - b) for a in y for b in y) / (2 * n * n * mu)
    groups: dict[str, list[float]] = {}
    for v, lab in zip(y, g, strict=True):
        groups.setdefault(lab, []).append(v)
    means = {k: sum(v) / len(v) for k, v in groups.items()}
    p = {k: len(v) / n for k, v in groups.items()}
    s = {k: len(v) * means[k] / (n * mu) for k, v in groups.items()}
    gw = 0.0
    for k, v in groups.items():
        gjj = sum(abs(a - b) for a in v for b in v) / (2 * len(v) ** 2 * means[k])
        gw += gjj * p[k] * s[k]
    gnb = gt = 0.0
    for j, h in itertools.combinations(groups, 2):
        if means[j] < means[h]:
            j, h = h, j  # j = the group with the higher mean
        yj, yh = groups[j], groups[h]
        gjh = sum(abs(a - b) for a in yj for b in yh) / (len(yj) * len(yh) * (means[j] + means[h]))
        d = sum(max(a - b, 0.0) for a in yj for b in yh) / (len(yj) * len(yh))
        pp = sum(max(b - a, 0.0) for a in yj for b in yh) / (len(yj) * len(yh))
        djh = (d - pp) / (d + pp) if d + pp > 0 else 0.0
        wgt = p[j] * s[h] + p[h] * s[j]
        gnb += gjh * wgt * djh
        gt += gjh * wgt * (1 - djh)
    return {"G": total, "Gw": gw, "Gnb": gnb, "Gt": gt}


def _check(y: list[float], g: list[str]) -> None:
    r = dagum_gini(np.array(y), np.array(g))
    ref = dagum_direct(y, g)
    assert r.total == pytest.approx(ref["G"], rel=1e-10)
    assert r.within == pytest.approx(ref["Gw"], rel=1e-10, abs=1e-14)
    assert r.net_between == pytest.approx(ref["Gnb"], rel=1e-10, abs=1e-14)
    assert r.transvariation == pytest.approx(ref["Gt"], rel=1e-10, abs=1e-14)


def test_dagum_equals_the_direct_formulas_on_the_default_run(default_result: Result) -> None:
    idx = default_result.current.scores["index"].dropna()
    region = default_result.units["region"].reindex(idx.index)
    _check(idx.tolist(), region.astype(str).tolist())
    prov = default_result.units["province"].reindex(idx.index)  # many small groups (27 provinces)
    _check(idx.tolist(), prov.astype(str).tolist())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_dagum_equals_the_direct_formulas_on_random_data(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 40
    y = rng.lognormal(3, 0.6, n).tolist()
    g = [f"g{v}" for v in rng.integers(0, 5, n)]
    _check(y, g)


def test_moran_and_lisa_equal_esda_called_directly(default_result: Result) -> None:
    idx = default_result.current.scores["index"].dropna().rename("index")
    sw = spatial_weights(list(idx.index))
    y = idx.reindex(list(sw.codes)).to_numpy()
    ours = moran(idx, sw, permutations=999, seed=7)
    np.random.seed(7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = esda.Moran(y, sw.w, transformation="r", permutations=999)
    assert ours.I == ref.I
    assert ours.expected == ref.EI
    assert (ours.z_norm, ours.p_norm, ours.z_rand, ours.p_rand) == (
        ref.z_norm,
        ref.p_norm,
        ref.z_rand,
        ref.p_rand,
    )
    assert ours.p_sim == ref.p_sim
    local = lisa(idx, sw, permutations=999, seed=7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref_l = esda.Moran_Local(y, sw.w, transformation="r", permutations=999, seed=7)
    np.testing.assert_array_equal(local["Ii"].to_numpy(), ref_l.Is)
    np.testing.assert_array_equal(local["p"].to_numpy(), ref_l.p_sim)
    quad = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}
    assert local["quadrant"].tolist() == [quad[int(q)] for q in ref_l.q]
    sig = ref_l.p_sim < 0.05
    assert (local["cluster"] != "ns").to_numpy().tolist() == sig.tolist()
