"""Analytic Hierarchy Process: eigenvector weights, consistency, group judgements, global weights.

An inconsistent matrix is never silently used: :func:`ahp` always returns its weights *together with*
``cr`` and ``consistent``; the caller decides (the CLI prints a warning and ``--strict`` turns it into an
error).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from mfgindex.core.errors import Problem, UserError

FloatArray = NDArray[np.float64]

#: Saaty's random index for n = 1..15 (METHODS.md §2).
SAATY_RI: tuple[float, ...] = (
    0.0,
    0.0,
    0.58,
    0.90,
    1.12,
    1.24,
    1.32,
    1.41,
    1.45,
    1.49,
    1.51,
    1.48,
    1.56,
    1.57,
    1.59,
)
# Only Saaty's table is offered: an alternative table (Tummala & Ling 1998, as tabulated by Alonso &
# Lamata 2006) was dropped because its values could not be checked against the publication.
RITable = Literal["saaty"]
RI_TABLES: Mapping[str, tuple[float, ...]] = {"saaty": SAATY_RI}
#: Saaty's acceptance rule: consistent when CR < 0.10.
CR_THRESHOLD = 0.10
#: Relative tolerance for a_ij * a_ji = 1 (users type 0.33 for 1/3).
RECIPROCAL_TOLERANCE = 0.01


@dataclass(frozen=True)
class PairwiseIssue:
    """One defect of a pairwise comparison matrix, at 0-based ``(row, column)`` (``-1`` = whole matrix)."""

    row: int
    column: int
    message: str
    value: str = ""
    expected: str = ""


def random_index(n: int, table: RITable = "saaty") -> float:
    """Random consistency index RI for a matrix of order ``n``.

    Parameters
    ----------
    n : int
        Order of the pairwise comparison matrix, 1..15.
    table : {"saaty"}
        Which published table to use (only Saaty's).

    Returns
    -------
    float
        RI (0 for n = 1, 2).

    References
    ----------
    Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill.
    """
    values = RI_TABLES.get(table)
    if values is None:
        raise ValueError(f"unknown RI table {table!r}; choose one of {sorted(RI_TABLES)}")
    if not 1 <= n <= len(values):
        raise UserError(
            Problem(
                f"no random index for a {n}x{n} matrix; split the node into groups of at most "
                f"{len(values)} criteria",
                value=str(n),
                expected=f"1..{len(values)}",
            )
        )
    return values[n - 1]


def check_pairwise(matrix: ArrayLike, tolerance: float = RECIPROCAL_TOLERANCE) -> list[PairwiseIssue]:
    """List the defects of a pairwise comparison matrix (empty list = valid).

    Checks: two-dimensional and square; finite; every entry > 0; diagonal 1; reciprocal
    ``a_ij * a_ji = 1`` within ``tolerance`` (relative). Each reciprocal defect is reported once, at the
    lower-triangle cell (the upper triangle is what respondents usually fill in).

    References
    ----------
    Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill.
    """
    a = np.asarray(matrix, dtype=float)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        return [PairwiseIssue(-1, -1, "pairwise matrix is not square", str(a.shape), "n x n")]
    n = a.shape[0]
    issues: list[PairwiseIssue] = []
    for i in range(n):
        for j in range(n):
            v = a[i, j]
            if not np.isfinite(v):
                issues.append(PairwiseIssue(i, j, "missing or non-finite comparison", str(v), "a number > 0"))
            elif v <= 0:
                issues.append(
                    PairwiseIssue(i, j, "comparison must be positive", f"{v:g}", "a number > 0 (1/9..9)")
                )
            elif i == j and abs(v - 1.0) > tolerance:
                issues.append(PairwiseIssue(i, j, "diagonal must be 1", f"{v:g}", "1"))
    bad = {(p.row, p.column) for p in issues}
    for i in range(n):
        for j in range(i):
            if (i, j) in bad or (j, i) in bad:
                continue
            product = a[i, j] * a[j, i]
            if abs(product - 1.0) > tolerance:
                issues.append(
                    PairwiseIssue(
                        i,
                        j,
                        f"not the reciprocal of the mirrored cell (a_ij * a_ji = {product:.4g})",
                        f"{a[i, j]:g}",
                        f"1/{a[j, i]:g} = {1.0 / a[j, i]:.4g} (within {tolerance:.0%})",
                    )
                )
    return issues


def validate_pairwise(
    matrix: ArrayLike,
    criteria: Sequence[str] | None = None,
    tolerance: float = RECIPROCAL_TOLERANCE,
    source: str = "",
) -> FloatArray:
    """Return ``matrix`` as a float array or raise :class:`UserError` naming every bad cell.

    References
    ----------
    Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill.
    """
    issues = check_pairwise(matrix, tolerance)
    if issues:
        names = list(criteria) if criteria is not None else None

        def label(k: int) -> str:
            return names[k] if names is not None and 0 <= k < len(names) else str(k + 1)

        raise UserError(
            [
                Problem(
                    p.message,
                    file=source,
                    row=None if p.row < 0 else p.row + 1,
                    column="" if p.column < 0 else label(p.column),
                    value=p.value,
                    expected=p.expected,
                )
                for p in issues
            ]
        )
    return np.asarray(matrix, dtype=float)


@dataclass(frozen=True)
class AHPResult:
    """Weights and consistency diagnostics of one pairwise comparison matrix."""

    criteria: tuple[str, ...]
    weights: FloatArray
    lambda_max: float
    ci: float
    ri: float
    cr: float
    consistent: bool
    matrix: FloatArray
    ri_table: str = "saaty"
    threshold: float = CR_THRESHOLD

    def weight_map(self) -> dict[str, float]:
        """Weights keyed by criterion."""
        return {c: float(w) for c, w in zip(self.criteria, self.weights, strict=True)}

    def diagnostics(self) -> dict[str, Any]:
        """λmax, CI, RI, CR and whether CR is below the threshold (run.json's and ``weights ahp``'s keys)."""
        return {
            "lambda_max": self.lambda_max,
            "ci": self.ci,
            "ri": self.ri,
            "cr": self.cr,
            "consistent": self.consistent,
        }


def ahp(
    matrix: ArrayLike,
    criteria: Sequence[str] | None = None,
    ri_table: RITable = "saaty",
    threshold: float = CR_THRESHOLD,
    tolerance: float = RECIPROCAL_TOLERANCE,
) -> AHPResult:
    """Principal-eigenvector weights of a pairwise comparison matrix with λmax, CI, RI and CR.

    Parameters
    ----------
    matrix : array_like, shape (n, n)
        Positive reciprocal matrix; ``a_ij`` = importance of criterion i over j on Saaty's 1-9 scale.
    criteria : sequence of str, optional
        Names of the criteria (default ``c1..cn``).
    ri_table : {"saaty"}
        Random index table.
    threshold : float
        The matrix is ``consistent`` when CR < threshold (Saaty: 0.10).
    tolerance : float
        Relative tolerance of the reciprocal check.

    Returns
    -------
    AHPResult
        ``CI = (λmax − n)/(n − 1)``, ``CR = CI/RI``; for n ≤ 2 the matrix is consistent by construction
        and CI = CR = 0.

    References
    ----------
    Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill.
    Papathanasiou, J., & Ploskas, N. (2018). *Multiple Criteria Decision Aid: Methods, Examples and
    Python Implementations*. Springer, ch. 1 (AHP).
    """
    a = validate_pairwise(matrix, criteria, tolerance)
    n = a.shape[0]
    names = tuple(criteria) if criteria is not None else tuple(f"c{k + 1}" for k in range(n))
    if len(names) != n:
        raise ValueError(f"{len(names)} criteria names for a {n}x{n} matrix")
    eigenvalues, eigenvectors = np.linalg.eig(a)
    k = int(np.argmax(eigenvalues.real))
    lambda_max = float(eigenvalues[k].real)
    vector = np.abs(eigenvectors[:, k].real)
    weights = vector / vector.sum()
    ri = random_index(n, ri_table)
    if n <= 2:
        ci = cr = 0.0
    else:
        # λmax ≥ n for positive reciprocal matrices; clip floating-point noise below n.
        ci = max((lambda_max - n) / (n - 1), 0.0)
        cr = ci / ri
    return AHPResult(
        criteria=names,
        weights=weights,
        lambda_max=lambda_max,
        ci=ci,
        ri=ri,
        cr=cr,
        consistent=bool(cr < threshold),
        matrix=a,
        ri_table=ri_table,
        threshold=threshold,
    )


def consistent_matrix(weights: ArrayLike) -> FloatArray:
    """The perfectly consistent pairwise matrix ``a_ij = w_i / w_j`` of a positive weight vector.

    References
    ----------
    Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill.
    """
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1 or np.any(w <= 0):
        raise ValueError("weights must be a 1-D vector of positive numbers")
    return np.asarray(np.outer(w, 1.0 / w), dtype=float)


def combine_judgements(matrices: Sequence[ArrayLike], expert_weights: ArrayLike | None = None) -> FloatArray:
    """Aggregate individual judgements (AIJ): element-wise (weighted) geometric mean of the matrices.

    The geometric mean keeps the result reciprocal, which the arithmetic mean does not.

    Parameters
    ----------
    matrices : sequence of array_like, each (n, n)
        One valid pairwise matrix per expert.
    expert_weights : array_like, optional
        Non-negative weights per expert (e.g. authority coefficients Cr); default equal.

    References
    ----------
    Aczél, J., & Saaty, T. L. (1983). Procedures for synthesizing ratio judgements. *Journal of
    Mathematical Psychology*, 27(1), 93-102.
    Forman, E., & Peniwati, K. (1998). Aggregating individual judgments and priorities with the AHP.
    *European Journal of Operational Research*, 108(1), 165-169.
    """
    if len(matrices) == 0:
        raise ValueError("no matrices to combine")
    stack = np.stack([validate_pairwise(m) for m in matrices])
    if len({m.shape for m in stack}) != 1:
        raise ValueError("matrices of different sizes")
    from scipy.stats import gmean  # deferred: scipy.stats is slow to import

    if expert_weights is None:
        return np.asarray(gmean(stack, axis=0), dtype=float)
    ew = np.asarray(expert_weights, dtype=float)
    if ew.shape != (len(matrices),) or np.any(ew < 0) or ew.sum() <= 0:
        raise ValueError("expert_weights must be non-negative, one per matrix, not all zero")
    return np.asarray(gmean(stack, axis=0, weights=np.broadcast_to(ew[:, None, None], stack.shape)))


def global_weights(
    tree: Mapping[str, Mapping[str, float]], root: str, tolerance: float = 1e-6
) -> dict[str, float]:
    """Propagate local weights down a hierarchy: global weight of a leaf = product of local weights.

    Parameters
    ----------
    tree : mapping parent -> {child: local weight}
        Local weights of each node's children; each must sum to 1 (within ``tolerance``).
    root : str
        The top node (weight 1).

    Returns
    -------
    dict
        Global weight of every leaf (a node that is not a key of ``tree``), in depth-first order; they
        sum to 1.

    References
    ----------
    Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill, ch. 3 (hierarchic composition).
    """
    problems: list[Problem] = []
    for parent, children in tree.items():
        total = float(sum(children.values()))
        if abs(total - 1.0) > tolerance or any(w < 0 for w in children.values()):
            problems.append(
                Problem(
                    "local weights must be non-negative and sum to 1",
                    column=parent,
                    value=f"{total:.6g}",
                    expected="1",
                )
            )
    if problems:
        raise UserError(problems)
    if root not in tree:
        raise UserError(Problem("root node has no children", column=root))
    out: dict[str, float] = {}

    def visit(node: str, weight: float, path: tuple[str, ...]) -> None:
        if node in path:
            raise UserError(Problem("cycle in the hierarchy", column=" > ".join((*path, node))))
        children = tree.get(node)
        if children is None:
            if node in out:
                raise UserError(Problem("leaf reached twice (it has two parents)", column=node))
            out[node] = weight
            return
        for child, local in children.items():
            visit(child, weight * float(local), (*path, node))

    visit(root, 1.0, ())
    return out
