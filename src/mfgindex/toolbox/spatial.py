"""Spatial autocorrelation with PySAL: global Moran's I and local LISA clusters.

Spatial weights come from the shipped prefecture boundaries (queen or rook contiguity, libpysal) or from
government-seat coordinates (k nearest neighbours, or an inverse-distance band in km). The statistics are
esda's; this module only builds weights for a set of units, reports islands, and tabulates the results.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

import numpy as np
import pandas as pd

from mfgindex.core import geo
from mfgindex.core.errors import Problem, UserError

WeightsKind = Literal["queen", "rook", "knn", "distance"]
Islands = Literal["attach", "keep", "drop"]

#: LISA quadrant names (esda's q: 1 HH, 2 LH, 3 LL, 4 HL).
QUADRANTS: dict[int, str] = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}
QUADRANTS_ZH: dict[str, str] = {
    "HH": "高-高集聚",
    "LH": "低-高异常",
    "LL": "低-低集聚",
    "HL": "高-低异常",
    "ns": "不显著",
}
# Albers equal-area for China (distances in metres)
CHINA_ALBERS = "+proj=aea +lat_1=25 +lat_2=47 +lat_0=0 +lon_0=105 +datum=WGS84 +units=m +no_defs"


@cache
def _prefectures() -> Any:
    import geopandas as gpd  # type: ignore[import-untyped]

    g = gpd.read_file(geo.geojson_path("prefectures"))
    g["adcode"] = g["adcode"].astype(str)
    return g.set_index("adcode", drop=False)


@dataclass(frozen=True)
class SpatialWeights:
    """A libpysal ``W`` over ``codes`` with how it was built and which units had no neighbour."""

    w: Any
    codes: tuple[str, ...]
    kind: str
    islands: tuple[str, ...]
    """Units with no contiguous neighbour (before any attachment)."""
    attached: dict[str, str] = field(default_factory=dict)
    """Island → the nearest unit it was linked to (``islands="attach"``)."""
    dropped: tuple[str, ...] = ()

    def describe(self) -> dict[str, Any]:
        card = pd.Series(self.w.cardinalities)
        return {
            "kind": self.kind,
            "units": len(self.codes),
            "mean_neighbours": float(card.mean()),
            "min_neighbours": int(card.min()),
            "max_neighbours": int(card.max()),
            "islands": ",".join(self.islands),
            "attached": ",".join(f"{k}->{v}" for k, v in self.attached.items()),
            "dropped": ",".join(self.dropped),
        }


def weights_from_frame(gdf: Any, kind: Literal["queen", "rook"] = "queen", ids: str | None = None) -> Any:
    """Contiguity weights of a GeoDataFrame (libpysal ``Queen``/``Rook.from_dataframe``)."""
    from libpysal import weights as lw

    cls = lw.Queen if kind == "queen" else lw.Rook
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # libpysal warns about islands/disconnected parts; we report them
        return cls.from_dataframe(gdf, ids=ids, use_index=ids is None)


def _seats(codes: list[str]) -> np.ndarray:
    from pyproj import Transformer

    c = geo.centroids().reindex(codes)
    if c["seat_lon"].isna().any():
        raise UserError(
            Problem("no coordinates for some units", value=",".join(c.index[c["seat_lon"].isna()][:5]))
        )
    tr = Transformer.from_crs("EPSG:4326", CHINA_ALBERS, always_xy=True)
    x, y = tr.transform(c["seat_lon"].to_numpy(), c["seat_lat"].to_numpy())
    return np.column_stack([x, y]) / 1000.0  # km


def spatial_weights(
    codes: list[str] | pd.Index,
    kind: WeightsKind = "queen",
    islands: Islands = "attach",
    k: int = 6,
    threshold_km: float | None = None,
) -> SpatialWeights:
    """Spatial weights over the given adcodes (row-standardised later by esda).

    Parameters
    ----------
    codes
        Prefecture adcodes (units with data).
    kind
        ``queen`` / ``rook`` contiguity from the shipped boundaries; ``knn`` (k nearest government seats);
        ``distance`` (inverse distance within ``threshold_km``; default the smallest band that gives
        every unit a neighbour).
    islands
        For contiguity: ``attach`` each unit without neighbours to its nearest seat (default; e.g. 舟山,
        海口, 三沙), ``keep`` them as islands, or ``drop`` them.
    k
        Neighbours for ``knn``.
    threshold_km
        Distance band for ``distance``.
    """
    from libpysal import weights as lw

    ids = [str(c) for c in codes]
    if kind in ("queen", "rook"):
        base = _prefectures()
        unknown = [c for c in ids if c not in base.index]
        if unknown:
            raise UserError(Problem("no boundary for these units", value=",".join(unknown[:10])))
        gdf = base.loc[ids]
        w = weights_from_frame(gdf, kind, ids="adcode")
        isl = tuple(str(i) for i in w.islands)
        attached: dict[str, str] = {}
        dropped: tuple[str, ...] = ()
        if isl and islands == "attach":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                knn = lw.KNN.from_array(_seats(ids), k=1, ids=ids)
            neighbours = {i: dict(zip(w.neighbors[i], w.weights[i], strict=True)) for i in ids}
            for i in isl:
                j = str(knn.neighbors[i][0])
                attached[i] = j
                neighbours[i][j] = 1.0
                neighbours[j][i] = 1.0
            w = lw.W(
                {i: list(v) for i, v in neighbours.items()},
                {i: list(v.values()) for i, v in neighbours.items()},
                id_order=ids,
                silence_warnings=True,
            )
        elif isl and islands == "drop":
            keep = [i for i in ids if i not in set(isl)]
            w = weights_from_frame(base.loc[keep], kind, ids="adcode")
            dropped = isl
            ids = keep
        return SpatialWeights(w, tuple(ids), kind, isl, attached, dropped)
    xy = _seats(ids)
    if kind == "knn":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            w = lw.KNN.from_array(xy, k=k, ids=ids)
        return SpatialWeights(w, tuple(ids), f"knn(k={k})", ())
    if kind == "distance":
        thr = threshold_km if threshold_km is not None else float(lw.min_threshold_distance(xy)) * 1.0001
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            w = lw.DistanceBand.from_array(xy, threshold=thr, binary=False, alpha=-1.0, ids=ids)
        return SpatialWeights(
            w, tuple(ids), f"inverse distance ≤ {thr:.0f} km", tuple(str(i) for i in w.islands)
        )
    raise ValueError(f"unknown weights kind {kind!r}")


@dataclass(frozen=True)
class MoranResult:
    """Global Moran's I with its inference (normality, randomisation and permutation)."""

    variable: str
    I: float  # noqa: E741 - the statistic's name
    expected: float
    z_norm: float
    p_norm: float
    z_rand: float
    p_rand: float
    z_sim: float
    p_sim: float
    permutations: int
    n: int

    def row(self) -> dict[str, Any]:
        return {
            "variable": self.variable,
            "I": self.I,
            "E[I]": self.expected,
            "z(normal)": self.z_norm,
            "p(normal)": self.p_norm,
            "z(random)": self.z_rand,
            "p(random)": self.p_rand,
            "z(perm)": self.z_sim,
            "p(perm)": self.p_sim,
            "permutations": self.permutations,
            "n": self.n,
        }


def _aligned(values: pd.Series, sw: SpatialWeights) -> np.ndarray:
    y = values.reindex(list(sw.codes)).to_numpy(dtype=float)
    if not np.all(np.isfinite(y)):
        raise UserError(
            Problem("missing values for some units in the weights; build weights on units with data")
        )
    return y


def moran(values: pd.Series, sw: SpatialWeights, permutations: int = 999, seed: int = 0) -> MoranResult:
    """Global Moran's I (esda) of ``values`` (indexed by code) under row-standardised weights.

    References
    ----------
    Moran, P. A. P. (1950). Notes on continuous stochastic phenomena. *Biometrika*, 37(1/2), 17-23.
    Cliff, A. D., & Ord, J. K. (1981). *Spatial Processes: Models and Applications*. Pion.
    Rey, S. J., & Anselin, L. (2007). PySAL: A Python library of spatial analytical methods.
    *The Review of Regional Studies*, 37(1), 5-27.
    """
    import esda

    y = _aligned(values, sw)
    np.random.seed(seed)  # esda's Moran draws its permutations from numpy's global generator
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = esda.Moran(y, sw.w, transformation="r", permutations=permutations)
    return MoranResult(
        variable=str(values.name or ""),
        I=float(m.I),
        expected=float(m.EI),
        z_norm=float(m.z_norm),
        p_norm=float(m.p_norm),
        z_rand=float(m.z_rand),
        p_rand=float(m.p_rand),
        z_sim=float(m.z_sim) if permutations else float("nan"),
        p_sim=float(m.p_sim) if permutations else float("nan"),
        permutations=permutations,
        n=len(y),
    )


def lisa(
    values: pd.Series, sw: SpatialWeights, permutations: int = 999, seed: int = 0, alpha: float = 0.05
) -> pd.DataFrame:
    """Local Moran's I_i (esda ``Moran_Local``) with conditional-permutation pseudo p-values and the cluster
    type (HH/LL/LH/HL, or ``ns`` when p ≥ ``alpha``).

    References
    ----------
    Anselin, L. (1995). Local indicators of spatial association—LISA. *Geographical Analysis*, 27(2), 93-115.
    """
    import esda

    y = _aligned(values, sw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = esda.Moran_Local(y, sw.w, transformation="r", permutations=permutations, seed=seed)
    quad = [QUADRANTS.get(int(q), "ns") for q in m.q]
    p = np.asarray(m.p_sim, dtype=float)
    cluster = [q if pi < alpha else "ns" for q, pi in zip(quad, p, strict=True)]
    out = pd.DataFrame(
        {
            "value": y,
            "Ii": np.asarray(m.Is, dtype=float),
            "z": np.asarray(m.z_sim, dtype=float),
            "p": p,
            "quadrant": quad,
            "cluster": cluster,
        },
        index=pd.Index(list(sw.codes), name="code"),
    )
    out["cluster_zh"] = out["cluster"].map(QUADRANTS_ZH)
    return out
