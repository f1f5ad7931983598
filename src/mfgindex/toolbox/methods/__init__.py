"""The toolbox's methods as report-ready outputs: a registry of bodies ``(ctx, **options) → Output``.

Importing this package registers every method in :data:`METHODS`; ``mfgindex toolbox NAME`` and the
report's 研究工具 section are built from it.
"""

from __future__ import annotations

from mfgindex.toolbox.methods import cross_section, panel
from mfgindex.toolbox.methods.common import METHODS, PANEL_METHODS, Option, Output, method, write_results

__all__ = [
    "METHODS",
    "PANEL_METHODS",
    "Option",
    "Output",
    "cross_section",
    "method",
    "panel",
    "write_results",
]
