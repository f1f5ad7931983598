"""How a ``weights_from`` node's weights are derived: from expert files (AHP, Delphi) or the run's data.

* ``ahp`` — pairwise judgements in ``file``: an expert-survey workbook (``ahp_*`` sheets of
  ``mfgindex template experts``; every expert's matrix for the node, combined by the element-wise
  geometric mean) or a square matrix (CSV, or ``sheet`` of an XLSX). A matrix with CR ≥ 0.10 (any
  expert's or the combined one) stops the run with a :class:`UserError` naming file, sheet, node and CR,
  unless ``allow_inconsistent: true``;
* ``delphi`` — a score round of the survey workbook (``round: N`` → sheet ``roundN``, default the last),
  weights = normalised (optionally authority-weighted) means of the node's children;
* ``entropy``, ``critic``, ``std``, ``cv``, ``pca``, ``merec`` — the run's data (``data: normalised``
  by default, or ``treated`` / ``raw``) of the node's indicators, units with complete data only;
* ``equal``.

``combine: {with: ahp|delphi|class|explicit, how: multiplicative|linear, alpha}`` then mixes the derived
weights ``o`` with subjective weights ``s`` (:func:`mfgindex.core.weights.objective.combine_weights`).

Item names in the files are matched to the children by id, then by ``name_zh``. Relative files are
read from the framework file's folder (:attr:`Framework.base_dir`). Imported by
:func:`mfgindex.core.weights.derived.derive` only when a framework has such nodes (the AHP, Delphi and
survey modules stay out of a run that does not use them).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mfgindex.core.errors import Problem, UserError
from mfgindex.core.framework import Aggregate, Framework, Indicator, WeightsFrom
from mfgindex.core.weights import objective
from mfgindex.core.weights.ahp import AHPResult, ahp, combine_judgements
from mfgindex.core.weights.delphi import delphi_round
from mfgindex.core.weights.io import read_pairwise
from mfgindex.core.weights.survey import read_survey


def source_file(framework: Framework, wf: WeightsFrom) -> Path:
    assert wf.file is not None  # checked by WeightsFrom
    p = Path(wf.file)
    return p if p.is_absolute() else framework.base_dir / p


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _match(node: Aggregate, names: list[str], file: str, sheet: str, what: str) -> dict[str, str]:
    """File item name → child id; raise when a child is missing or a name is unknown."""
    ids = {c.id: c.id for c in node.children}
    zh = {c.name_zh: c.id for c in node.children if c.name_zh}
    mapping: dict[str, str] = {}
    for n in names:
        if n in ids:
            mapping[n] = ids[n]
        elif n in zh:
            mapping[n] = zh[n]
    missing = [c.id for c in node.children if c.id not in mapping.values()]
    if missing:
        raise UserError(
            Problem(
                f"{what} for node {node.id!r} lacks children {missing}",
                file=file,
                sheet=sheet,
                value=", ".join(names),
                expected=", ".join(c.id for c in node.children),
            )
        )
    return mapping


def _inconsistent(node: Aggregate, wf: WeightsFrom, file: str, sheet: str, who: str, res: AHPResult) -> None:
    if res.consistent or wf.allow_inconsistent:
        return
    raise UserError(
        Problem(
            f"AHP judgements of node {node.id!r}{who} are inconsistent: CR = {res.cr:.4f} ≥ "
            f"{res.threshold:.2f} (λmax = {res.lambda_max:.4f}, CI = {res.ci:.4f}, RI = {res.ri:.2f})",
            file=file,
            sheet=sheet,
            column=wf.node or node.id,
            value=f"CR = {res.cr:.4f}",
            expected="CR < 0.10: revise the judgements, or set allow_inconsistent: true in weights_from",
        )
    )


def _from_ahp(framework: Framework, node: Aggregate, wf: WeightsFrom) -> tuple[pd.Series, dict[str, Any]]:
    path = source_file(framework, wf)
    file = str(path)
    key = wf.node or node.id
    order = [c.id for c in node.children]
    if path.suffix.lower() in {".csv", ".txt"} or (
        wf.sheet is not None and not wf.sheet.strip().lower().startswith("ahp")
    ):
        frame = read_pairwise(path, wf.sheet)
        names = [str(c) for c in frame.columns]
        mapping = _match(node, names, file, wf.sheet or "", "pairwise matrix")
        res = ahp(frame.to_numpy(), [mapping.get(n, n) for n in names])
        _inconsistent(node, wf, file, wf.sheet or "", "", res)
        detail = {"source": "matrix", **res.diagnostics(), "ri_table": res.ri_table}
        return pd.Series(res.weight_map()).reindex(order), detail
    survey = read_survey(path)
    sheets = list(survey.ahp)
    if not sheets:
        raise UserError(Problem("no AHP judgements (ahp_* sheets) in the workbook", file=file))
    sheet = wf.sheet if wf.sheet is not None else sheets[-1]
    if sheet not in survey.ahp:
        raise UserError(
            Problem("no such AHP sheet (or it is empty)", file=file, sheet=sheet, expected=", ".join(sheets))
        )
    per_expert = {e: nodes[key] for e, nodes in survey.ahp[sheet].items() if key in nodes}
    if not per_expert:
        raise UserError(
            Problem(
                f"no expert compared the children of node {key!r}",
                file=file,
                sheet=sheet,
                column="node",
                value=key,
                expected=", ".join(sorted({n for e in survey.ahp[sheet].values() for n in e})),
            )
        )
    experts: dict[str, Any] = {}
    matrices = []
    for expert, m in sorted(per_expert.items()):
        names = [str(c) for c in m.columns]
        mapping = _match(node, names, file, sheet, f"expert {expert}'s matrix")
        aligned = m.rename(index=mapping, columns=mapping).reindex(index=order, columns=order)
        if aligned.isna().to_numpy().any() or len(names) != len(order):
            raise UserError(
                Problem(
                    f"expert {expert}'s matrix for node {key!r} does not compare exactly the children",
                    file=file,
                    sheet=sheet,
                    value=", ".join(names),
                    expected=", ".join(order),
                )
            )
        res = ahp(aligned.to_numpy(), order)
        _inconsistent(node, wf, file, sheet, f" (expert {expert})", res)
        experts[expert] = {"weights": res.weight_map(), **res.diagnostics(), "ri_table": res.ri_table}
        matrices.append(aligned.to_numpy())
    group = combine_judgements(matrices) if len(matrices) > 1 else matrices[0]
    res = ahp(group, order)
    _inconsistent(node, wf, file, sheet, " (experts' geometric mean)", res)
    detail = {
        "source": "survey",
        "sheet": sheet,
        "node": key,
        "experts": experts,
        "combination": "element-wise geometric mean" if len(matrices) > 1 else "single expert",
        **res.diagnostics(),
        "ri_table": res.ri_table,
    }
    return pd.Series(res.weight_map()).reindex(order), detail


def _from_delphi(framework: Framework, node: Aggregate, wf: WeightsFrom) -> tuple[pd.Series, dict[str, Any]]:
    path = source_file(framework, wf)
    file = str(path)
    survey = read_survey(path)
    if not survey.rounds:
        raise UserError(Problem("no Delphi score rounds (round1, round2 …) in the file", file=file))
    if wf.sheet is not None:
        sheet = wf.sheet
    elif wf.round is not None:
        sheet = next(
            (s for s in survey.rounds if s.strip().lower() == f"round{wf.round}" or s == f"第{wf.round}轮"),
            f"round{wf.round}",
        )
    else:
        sheet = list(survey.rounds)[-1]
    if sheet not in survey.rounds:
        raise UserError(
            Problem("no such Delphi round", file=file, sheet=sheet, expected=", ".join(survey.rounds))
        )
    rnd = survey.rounds[sheet]
    names = [str(c) for c in rnd.scores.columns]
    mapping = _match(node, names, file, sheet, "Delphi round")
    order = [c.id for c in node.children]
    scores = rnd.scores.rename(columns=mapping)[order]
    try:
        res = delphi_round(
            scores,
            ca=None if rnd.ca is None else rnd.ca.to_numpy(),
            cs=None if rnd.cs is None else rnd.cs.to_numpy(),
            authority_weighted=wf.authority_weighted,
        )
    except UserError as exc:
        raise UserError(
            [
                Problem(
                    p.message, file=file, sheet=sheet, column=p.column, value=p.value, expected=p.expected
                )
                for p in exc.problems
            ]
        ) from None
    stats = res.to_dict()
    detail = {
        "sheet": sheet,
        "kendall_w": stats["kendall_w"],
        "chi2": stats["chi2"],
        "df": stats["df"],
        "p_value": stats["p_value"],
        "experts": stats["experts"],
        "authority_weighted": wf.authority_weighted,
        "items": stats["items"],
    }
    return pd.Series(res.weight_map()).reindex(order), detail


def _from_data(
    node: Aggregate, wf: WeightsFrom, data: Mapping[str, pd.DataFrame]
) -> tuple[pd.Series, dict[str, Any]]:
    order = [c.id for c in node.children]
    frame = data[wf.data][order]
    complete = frame.dropna()
    directions = [c.direction if isinstance(c, Indicator) else 1 for c in node.children]
    # normalised data is already oriented (larger = better); raw and treated data carry the directions
    dirs = directions if wf.data != "normalised" else None
    funcs = {
        "entropy": lambda x: objective.entropy_weights(x),
        "critic": lambda x: objective.critic_weights(x, directions=dirs),
        "std": lambda x: objective.std_weights(x),
        "cv": lambda x: objective.cv_weights(x),
        "pca": lambda x: objective.pca_weights(x),
        "merec": lambda x: objective.merec_weights(x, directions=dirs),
    }
    try:
        res = funcs[wf.method](complete)
    except UserError as exc:
        raise UserError(
            [
                Problem(
                    f"{wf.method} weights of node {node.id!r} from the {wf.data} data: {p.message}",
                    column=p.column,
                    value=p.value,
                )
                for p in exc.problems[:10]
            ]
        ) from None
    detail: dict[str, Any] = {
        "data": wf.data,
        "units": len(complete),
        "units_dropped_incomplete": len(frame) - len(complete),
    }
    for k, v in res.details.items():
        arr = np.asarray(v, dtype=float).ravel()
        detail[k] = dict(zip(order, arr.tolist(), strict=True)) if arr.size == len(order) else arr.tolist()
    return pd.Series(res.weight_map()).reindex(order), detail


def _subjective(
    framework: Framework, node: Aggregate, wf: WeightsFrom, how: str
) -> tuple[pd.Series, dict[str, Any]]:
    order = [c.id for c in node.children]
    if how == "ahp":
        return _from_ahp(framework, node, wf)
    if how == "delphi":
        return _from_delphi(framework, node, wf)
    if how == "class":
        raw = [
            framework.class_scores.get(c.class_, 1.0) if isinstance(c, Indicator) else (c.weight or 1.0)
            for c in node.children
        ]
        return pd.Series(raw, index=order, dtype="float64"), {"class_scores": dict(framework.class_scores)}
    raw = [1.0 if c.weight is None else float(c.weight) for c in node.children]
    return pd.Series(raw, index=order, dtype="float64"), {}


def derive_node(
    framework: Framework, node: Aggregate, data: Mapping[str, pd.DataFrame] | None
) -> tuple[pd.Series, dict[str, Any]]:
    wf = node.weights_from
    assert wf is not None
    if wf.method == "ahp":
        w, detail = _from_ahp(framework, node, wf)
    elif wf.method == "delphi":
        w, detail = _from_delphi(framework, node, wf)
    elif wf.method == "equal":
        w, detail = pd.Series(1.0 / len(node.children), index=[c.id for c in node.children]), {}
    else:
        if data is None:
            raise ValueError("objective weights need the run's data")
        w, detail = _from_data(node, wf, data)
    record: dict[str, Any] = {"method": wf.method, **detail}
    if wf.file is not None and wf.method in ("ahp", "delphi"):
        record["file"] = wf.file
    if wf.combine is not None:
        c = wf.combine
        s, s_detail = _subjective(framework, node, wf, c.with_)
        combined = objective.combine_weights(s.to_numpy(), w.to_numpy(), c.how, c.alpha)
        record["combine"] = {
            "with": c.with_,
            "how": c.how,
            "alpha": c.alpha if c.how == "linear" else None,
            "subjective": (s / s.sum()).to_dict(),
            "derived": w.to_dict(),
            **{f"subjective_{k}": v for k, v in s_detail.items()},
        }
        w = pd.Series(combined, index=w.index)
    w = w / w.sum()
    record["weights"] = w.to_dict()
    return w, record
