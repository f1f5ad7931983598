"""mfgindex: evaluation of the high-quality development of manufacturing in Chinese cities.

The public Python API is exported lazily (PEP 562), so ``import mfgindex`` stays cheap::

    import mfgindex as mi
    spec = mi.RunSpec(year=2022)
    res = mi.evaluate(spec)
    res.scores  # pandas DataFrame: the ranking table, one row per city

See ``docs/python-api.md``.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "RunSpec": "mfgindex.core.spec",
    "Result": "mfgindex.core.result",
    "evaluate": "mfgindex.services.api",
    "rerun": "mfgindex.services.api",
    "whatif": "mfgindex.services.api",
    "uncertainty": "mfgindex.services.api",
}
__all__ = ["__version__", *_EXPORTS]

if TYPE_CHECKING:
    from mfgindex.core.result import Result as Result
    from mfgindex.core.spec import RunSpec as RunSpec
    from mfgindex.services.api import evaluate as evaluate
    from mfgindex.services.api import rerun as rerun
    from mfgindex.services.api import uncertainty as uncertainty
    from mfgindex.services.api import whatif as whatif


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'mfgindex' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
