"""Research toolbox for regional evaluation: obstacle degree, coupling coordination, grey relational
analysis (and TOPSIS-GRA), Dagum Gini and Theil decompositions, kernel density, σ/β-convergence, spatial
autocorrelation (Moran's I, LISA) and rank-class Markov chains.

Every method is a pure function over plain DataFrames; the ``*_from_result`` helpers and
:func:`~mfgindex.toolbox.panel.build_panel` bridge from a run. See ``docs/toolbox.md``.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# Lazy re-exports: `mfgindex.toolbox.methods` is imported whenever a toolbox command starts; the
# methods' heavy dependencies (scipy, statsmodels, libpysal) load only when a method is used.
_EXPORTS = {
    "Panel": "mfgindex.toolbox.panel",
    "beta_convergence": "mfgindex.toolbox.regional",
    "build_panel": "mfgindex.toolbox.panel",
    "coupling_coordination": "mfgindex.toolbox.coupling",
    "coupling_over_years": "mfgindex.toolbox.coupling",
    "dagum_gini": "mfgindex.toolbox.regional",
    "gini": "mfgindex.toolbox.regional",
    "gra_relation": "mfgindex.toolbox.gra",
    "gra_scores": "mfgindex.toolbox.gra",
    "grade_counts": "mfgindex.toolbox.coupling",
    "kde_by_year": "mfgindex.toolbox.regional",
    "lisa": "mfgindex.toolbox.spatial",
    "markov_chain": "mfgindex.toolbox.markov",
    "moran": "mfgindex.toolbox.spatial",
    "obstacle_degree": "mfgindex.toolbox.obstacle",
    "obstacle_from_result": "mfgindex.toolbox.obstacle",
    "panel_from_result": "mfgindex.toolbox.panel",
    "rank_classes": "mfgindex.toolbox.markov",
    "sigma_convergence": "mfgindex.toolbox.regional",
    "spatial_weights": "mfgindex.toolbox.spatial",
    "theil_decomposition": "mfgindex.toolbox.regional",
    "topsis_gra": "mfgindex.toolbox.gra",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(name)


__all__ = [
    "Panel",
    "beta_convergence",
    "build_panel",
    "coupling_coordination",
    "coupling_over_years",
    "dagum_gini",
    "gini",
    "gra_relation",
    "gra_scores",
    "grade_counts",
    "kde_by_year",
    "lisa",
    "markov_chain",
    "moran",
    "obstacle_degree",
    "obstacle_from_result",
    "panel_from_result",
    "rank_classes",
    "sigma_convergence",
    "spatial_weights",
    "theil_decomposition",
    "topsis_gra",
]
