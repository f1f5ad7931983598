"""Research toolbox for regional evaluation (issue 8): obstacle degree, coupling coordination, grey relational
analysis (and TOPSIS-GRA), Dagum Gini and Theil decompositions, kernel density, σ/β-convergence, spatial
autocorrelation (Moran's I, LISA) and rank-class Markov chains.

Every method is a pure function over plain DataFrames; the ``*_from_result`` helpers and
:func:`~mfgindex.toolbox.panel.build_panel` bridge from a run. See ``docs/toolbox.md``.
"""

from __future__ import annotations

from mfgindex.toolbox.coupling import coupling_coordination, coupling_over_years, grade_counts
from mfgindex.toolbox.gra import gra_relation, gra_scores, topsis_gra
from mfgindex.toolbox.markov import markov_chain, rank_classes
from mfgindex.toolbox.obstacle import obstacle_degree, obstacle_from_result
from mfgindex.toolbox.panel import Panel, build_panel, panel_from_result
from mfgindex.toolbox.regional import (
    beta_convergence,
    dagum_gini,
    gini,
    kde_by_year,
    sigma_convergence,
    theil_decomposition,
)
from mfgindex.toolbox.spatial import lisa, moran, spatial_weights

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
