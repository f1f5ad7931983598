"""Frames from columns, built the way the constructor would consolidate them but without its per-column
checks: the result tables of every evaluation (the ranking table, the coverage table) are built here."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Set
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

# a frame from its blocks: pandas.api.internals (pandas ≥ 3, the version pyproject.toml asks for), not in
# the type stubs
_from_blocks: Callable[..., pd.DataFrame] = importlib.import_module(
    "pandas.api.internals"
).create_dataframe_from_blocks


@functools.lru_cache(maxsize=64)
def columns_index(names: tuple[str, ...]) -> pd.Index:
    """The column Index of these names, built once (an Index is immutable)."""
    return pd.Index(list(names))


def from_columns(cols: dict[str, Any], index: pd.Index, objects: Set[str] = frozenset()) -> pd.DataFrame:
    """``pd.DataFrame(cols, index=index)`` for columns already in ``index``'s order (arrays, or Series on
    ``index``), built from its blocks as the constructor would consolidate them — one 2-D block per NumPy
    dtype, one per extension array — without the constructor's per-column checks (a fifth of the time).
    The NumPy object arrays named in ``objects`` stay objects (as a Series of dtype object would; the
    constructor would infer a type for them). Falls back to the constructor for anything else."""
    columns = columns_index(tuple(cols))
    n = len(index)
    by_dtype: dict[np.dtype[Any], tuple[list[Any], list[int]]] = {}
    blocks: list[tuple[Any, npt.NDArray[np.intp]]] = []
    for i, (name, value) in enumerate(cols.items()):
        v = value
        if isinstance(v, pd.Series):
            if v.index is not index:
                return _constructed(cols, index, columns, objects)
            v = v.to_numpy() if isinstance(v.dtype, np.dtype) else v.array
        elif isinstance(v, np.ndarray) and v.dtype == object and name not in objects:
            # the constructor would infer its type
            return _constructed(cols, index, columns, objects)
        if isinstance(v, np.ndarray) and v.ndim == 1 and len(v) == n and v.dtype.kind in "biufO":
            arrays, at = by_dtype.setdefault(v.dtype, ([], []))
            arrays.append(v)
            at.append(i)
        elif isinstance(v, pd.api.extensions.ExtensionArray) and len(v) == n:
            blocks.append((v, np.array([i], dtype=np.intp)))
        else:
            return _constructed(cols, index, columns, objects)
    for arrays, at in by_dtype.values():
        blocks.append((np.vstack(arrays), np.array(at, dtype=np.intp)))
    return _from_blocks(blocks, index=index, columns=columns)


def _constructed(cols: dict[str, Any], index: pd.Index, columns: pd.Index, objects: Set[str]) -> pd.DataFrame:
    """The constructor's frame of ``cols``, the ``objects`` arrays as Series of objects."""
    kept = {
        c: pd.Series(v, index=index, dtype=object) if c in objects and isinstance(v, np.ndarray) else v
        for c, v in cols.items()
    }
    return pd.DataFrame(kept, index=index, columns=columns)


@functools.lru_cache(maxsize=64)
def _placement(k: int) -> npt.NDArray[np.intp]:
    placement = np.arange(k, dtype=np.intp)
    placement.flags.writeable = False
    return placement


def from_array(x: npt.NDArray[Any], index: pd.Index, columns: pd.Index) -> pd.DataFrame:
    """``pd.DataFrame(x, index=index, columns=columns)`` for a 2-D NumPy array of numbers or booleans: the
    same single block (a copy of ``x`` in column-major order, transposed, as the constructor makes it)
    without the constructor's checks and inference."""
    if x.ndim != 2 or x.dtype.kind not in "biuf" or x.shape != (len(index), len(columns)):
        return pd.DataFrame(x, index=index, columns=columns)
    return _from_blocks([(np.array(x, copy=True, order="F").T, _placement(x.shape[1]))], index, columns)


def empty_frame(index: pd.Index) -> pd.DataFrame:
    """``pd.DataFrame(index=index)`` (no columns: an empty RangeIndex) without the constructor's work."""
    return _from_blocks([], index, pd.RangeIndex(0))
