"""The CJK font that travels with the package, so charts and PDFs need no system font.

``data/fonts/`` holds ``MfgIndex Sans SC`` Regular and Bold: a subset of Noto Sans CJK SC 2.004 (SIL Open
Font Licence 1.1, ``OFL.txt`` beside it) covering GB 2312 (level-1 and level-2 hanzi), every character
of the shipped data, presets and templates, Latin, Greek, punctuation and full-width forms.
``scripts/make_cjk_font.py`` regenerates it; ``data/fonts/README.md`` gives its provenance.

Charts register it with matplotlib by path (:func:`use_in_matplotlib`); the PDF loads it with an
``@font-face`` rule pointing at the file (:func:`css_font_face`), so neither depends on fontconfig or on
what the user's machine has installed.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

FAMILY = "MfgIndex Sans SC"
FILES: dict[str, str] = {"Regular": "MfgIndexSansSC-Regular.otf", "Bold": "MfgIndexSansSC-Bold.otf"}
POSTSCRIPT_NAMES: tuple[str, ...] = ("MfgIndexSansSC-Regular", "MfgIndexSansSC-Bold")


def font_dir() -> Path:
    """The folder of the shipped font (``mfgindex/data/fonts``)."""
    from mfgindex.core.geo import data_path

    return data_path("fonts")


def font_path(weight: str = "Regular") -> Path:
    """Path of the shipped font file of ``weight`` (``Regular`` or ``Bold``)."""
    return font_dir() / FILES[weight]


@cache
def coverage() -> frozenset[int]:
    """Code points the shipped font has a glyph for (the Regular and Bold cmaps are the same set)."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(font_path("Regular")), lazy=True)
    return frozenset(font.getBestCmap())


def missing(text: str) -> str:
    """The characters of ``text`` the shipped font cannot draw (controls and whitespace ignored), sorted."""
    cover = coverage()
    return "".join(sorted({c for c in text if not c.isspace() and ord(c) >= 0x20 and ord(c) not in cover}))


def css_font_face() -> str:
    """``@font-face`` rules for the shipped Regular (400) and Bold (700) faces, by ``file://`` URL."""
    rules = []
    for weight, css_weight in (("Regular", 400), ("Bold", 700)):
        url = font_path(weight).resolve().as_uri()
        rules.append(
            f'@font-face {{ font-family: "{FAMILY}"; font-style: normal; font-weight: {css_weight}; '
            f'src: url("{url}") format("opentype"); }}'
        )
    return "\n".join(rules)


@cache
def use_in_matplotlib() -> str:
    """Register the shipped faces with matplotlib by path and make them the only sans-serif family.

    ``addfont`` works whatever matplotlib's font cache holds; listing only this family means a character it
    lacks shows as a missing glyph (and a warning) instead of silently coming from another font. Returns the
    family name.
    """
    import matplotlib as mpl
    from matplotlib import font_manager

    for weight in FILES:
        font_manager.fontManager.addfont(str(font_path(weight)))
    mpl.rcParams["font.family"] = "sans-serif"
    mpl.rcParams["font.sans-serif"] = [FAMILY]
    mpl.rcParams["axes.unicode_minus"] = False
    mpl.rcParams["mathtext.fontset"] = "custom"
    mpl.rcParams["mathtext.rm"] = FAMILY
    mpl.rcParams["mathtext.it"] = FAMILY
    mpl.rcParams["mathtext.bf"] = f"{FAMILY}:bold"
    mpl.rcParams["mathtext.sf"] = FAMILY
    return FAMILY
