"""Regenerate the CJK font shipped in ``src/mfgindex/data/fonts/`` (a subset of Noto Sans CJK SC).

Usage (on a machine with Debian's ``fonts-noto-cjk`` 1:20220127, i.e. Noto Sans CJK 2.004)::

    python scripts/make_cjk_font.py
    python scripts/make_cjk_font.py --source-dir /usr/share/fonts/opentype/noto --out src/mfgindex/data/fonts

What it keeps (see ``data/fonts/README.md``): every character of GB 2312 (its 3,755 level-1 and 3,008
level-2 hanzi and its 682 symbols), every character the package's data, presets, templates and source code
use, plus Latin, Greek, punctuation, arrows, maths, CJK symbols and full-width forms. The font is renamed
(OFL 1.1: a modified version; "Noto" is a trademark of Google) to ``MfgIndex Sans SC`` so that a PDF or
chart that embeds it can be told apart from one that fell back to a system Noto.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "src" / "mfgindex"
FAMILY = "MfgIndex Sans SC"
PS_FAMILY = "MfgIndexSansSC"
SC_FACE = 2  # index of "Noto Sans CJK SC" in Debian's NotoSansCJK-*.ttc (0 JP, 1 KR, 2 SC, 3 TC, 4 HK)
TEXT_SUFFIXES = {
    ".csv",
    ".md",
    ".yaml",
    ".yml",
    ".json",
    ".geojson",
    ".txt",
    ".html",
    ".j2",
    ".css",
    ".py",
    ".js",
}
# Latin, Greek, punctuation, super/subscripts, currency, letterlike, number forms, arrows, maths, technical,
# enclosed numerals, box/shapes, CJK symbols, enclosed CJK, CJK compatibility, full-width forms.
RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),
    (0x00A0, 0x017F),
    (0x0370, 0x03FF),
    (0x0400, 0x045F),
    (0x2000, 0x206F),
    (0x2070, 0x209F),
    (0x20A0, 0x20CF),
    (0x2100, 0x214F),
    (0x2150, 0x218F),
    (0x2190, 0x21FF),
    (0x2200, 0x22FF),
    (0x2300, 0x23FF),
    (0x2460, 0x24FF),
    (0x2500, 0x257F),
    (0x25A0, 0x25FF),
    (0x2600, 0x26FF),
    (0x3000, 0x303F),
    (0x3200, 0x32FF),
    (0x3300, 0x33FF),
    (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF),
)


def gb2312() -> set[str]:
    """Every character of GB 2312 (rows 1-9 symbols, 16-55 level-1 hanzi, 56-87 level-2 hanzi)."""
    chars: set[str] = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def shipped_text(pkg: Path = PKG) -> set[str]:
    """Every character of the package's text files (data, presets, templates, source strings)."""
    chars: set[str] = set()
    for p in pkg.rglob("*"):
        if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES and "fonts" not in p.parts:
            if "vendor" in p.parts:  # third-party JS (ECharts) is not our text
                continue
            try:
                chars.update(p.read_text(encoding="utf-8"))
            except UnicodeDecodeError:
                continue
    return chars


def wanted(pkg: Path = PKG) -> set[int]:
    cps = {ord(c) for c in gb2312() | shipped_text(pkg)}
    for a, b in RANGES:
        cps.update(range(a, b + 1))
    return {c for c in cps if c >= 0x20 and not 0xD800 <= c <= 0xDFFF}


def rename(font: TTFont, weight: str) -> None:
    """OFL modified version: new family and PostScript names in the name table and the CFF table."""
    ps = f"{PS_FAMILY}-{weight}"
    full = f"{FAMILY} {weight}" if weight != "Regular" else FAMILY
    table = font["name"]
    keep = {0, 5, 7, 8, 9, 10, 11, 12, 13, 14}
    table.names = [r for r in table.names if r.nameID in keep and r.platformID == 3 and r.langID == 0x409]
    source = "Noto Sans CJK SC 2.004"
    for nid, value in {
        1: FAMILY,
        2: weight,
        3: f"{ps};subset of {source} for mfgindex",
        4: full,
        6: ps,
        16: FAMILY,
        17: weight,
    }.items():
        table.setName(value, nid, 3, 1, 0x409)
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [ps]
        top = cff.topDictIndex[0]
        top.FullName = full
        top.FamilyName = FAMILY
        if hasattr(top, "CIDFontName"):
            top.CIDFontName = ps
    if weight == "Bold":
        font["OS/2"].usWeightClass = 700
        font["OS/2"].fsSelection = (font["OS/2"].fsSelection | 0x20) & ~0x40
        font["head"].macStyle |= 0x01


def make(source: Path, weight: str, out: Path, cps: set[int]) -> Path:
    font = TTCollection(str(source)).fonts[SC_FACE]
    assert font["name"].getDebugName(1) == "Noto Sans CJK SC", font["name"].getDebugName(1)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["VORG", "vhea", "vmtx"]
    sub = subset.Subsetter(options)
    sub.populate(unicodes=sorted(cps))
    sub.subset(font)
    rename(font, weight)
    path = out / f"{PS_FAMILY}-{weight}.otf"
    font.save(str(path))
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source-dir", type=Path, default=Path("/usr/share/fonts/opentype/noto"))
    ap.add_argument("--out", type=Path, default=PKG / "data" / "fonts")
    args = ap.parse_args()
    cps = wanted()
    args.out.mkdir(parents=True, exist_ok=True)
    for weight in ("Regular", "Bold"):
        path = make(args.source_dir / f"NotoSansCJK-{weight}.ttc", weight, args.out, cps)
        font = TTFont(str(path))
        print(f"{path}: {path.stat().st_size:,} bytes, {len(font.getBestCmap()):,} characters")


if __name__ == "__main__":
    main()
