"""Regenerate ``web/static/pinyin.json`` (adcode → [full pinyin, initials, English name]) from the unit names.

The first two entries serve search (``xian``, ``xa``); the third is the name shown in English, in Hanyu Pinyin
orthography: syllables joined, and an apostrophe before a syllable that starts with a, o or e when it does not
begin the word (西安 → Xi'an, 延安 → Yan'an, 六安 → Lu'an), so that the syllable boundary stays readable.

Run once when the division table changes; the dashboard reads the JSON, so pypinyin (MIT) is not a run-time
dependency::

    pip install --target /tmp/pyp pypinyin && PYTHONPATH=/tmp/pyp python -m mfgindex.web.tools.gen_pinyin
"""

from __future__ import annotations

import json
from pathlib import Path

from mfgindex.core import geo

# Place-name readings pypinyin gets wrong (checked by hand against the 337 names).
OVERRIDES = {
    "长治": ["chang", "zhi"],
    "朝阳": ["chao", "yang"],
    "昌都": ["chang", "du"],
    "锡林郭勒": ["xi", "lin", "guo", "le"],
    "阿勒泰": ["a", "le", "tai"],
    "克孜勒苏": ["ke", "zi", "le", "su"],
}


# Provinces whose conventional English name is not the plain pinyin (陕西 and 山西 would both be "Shanxi").
PROVINCE_EN = {"陕西": "Shaanxi"}


def english(syllables: list[str]) -> str:
    """Pinyin syllables → a capitalised English name with apostrophes at a/o/e syllable boundaries."""
    out = ""
    for i, s in enumerate(p.lower() for p in syllables if p):
        out += ("'" if i and s[0] in "aoe" else "") + s
    return out[:1].upper() + out[1:]


def main() -> None:
    from pypinyin import Style, lazy_pinyin  # type: ignore[import-not-found, unused-ignore]

    out: dict[str, list[str]] = {}
    units = geo.units()
    for code, row in units.iterrows():
        short = str(row["short_name"]) or str(row["name"])
        syllables = OVERRIDES.get(short) or [p.lower() for p in lazy_pinyin(short)]
        full = "".join(syllables)
        initials = "".join(p[0] for p in syllables if p)
        out[str(code)] = [full, initials, english(syllables)]
    for short in geo.provinces().index:
        syllables = [p.lower() for p in lazy_pinyin(str(short))]
        out[f"province:{short}"] = [
            "".join(syllables),
            "".join(lazy_pinyin(str(short), style=Style.FIRST_LETTER)).lower(),
            PROVINCE_EN.get(str(short)) or english(syllables),
        ]
    path = Path(__file__).resolve().parents[1] / "static" / "pinyin.json"
    path.write_text(json.dumps(out, ensure_ascii=False, sort_keys=True, indent=0) + "\n", encoding="utf-8")
    print(f"{len(out)} entries → {path}")


if __name__ == "__main__":
    main()
