"""What every figure shares (report, policy, toolbox): the shipped CJK font set up in matplotlib, and saving.

Figures are built with matplotlib's object API (no pyplot state: safe in threads and servers). The font is
registered by path (:mod:`mfgindex.core.fonts`), so no system font is needed. Importing this module imports
matplotlib; import it where a figure is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib as mpl
from matplotlib.figure import Figure

from mfgindex.core import fonts


class FontMissingError(RuntimeError):
    """The shipped font (``mfgindex/data/fonts``) is missing from the installation."""


def setup_cjk_font() -> str:
    """Make the shipped CJK font (:mod:`mfgindex.core.fonts`) the only sans-serif family; returns its name.

    Raises
    ------
    FontMissingError
        When the package was installed without its ``data/fonts`` files.
    """
    if not fonts.font_path("Regular").is_file():
        missing = fonts.font_path("Regular")
        raise FontMissingError(f"安装不完整，缺少随包字体 (shipped font missing): {missing}")
    family = fonts.use_in_matplotlib()
    mpl.rcParams["svg.fonttype"] = "path"  # glyphs as paths: the SVG needs no font on the reader's machine
    mpl.rcParams["svg.hashsalt"] = "mfgindex"  # ids from a fixed salt: the same figure, the same SVG file
    return family


def save(fig: Figure, out_dir: str | Path, stem: str, formats: Sequence[str] = ("png", "svg")) -> list[Path]:
    """Write ``fig`` as ``out_dir/stem.<fmt>`` for each format; returns the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        p = out / f"{stem}.{fmt}"
        fig.savefig(p, format=fmt, dpi=150, metadata={"Date": None} if fmt == "svg" else None)
        paths.append(p)
    return paths
