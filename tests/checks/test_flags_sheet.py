"""The 标记 sheet of results.xlsx gives the Chinese reasons of the shipped files (with the English kept)."""

from __future__ import annotations

import csv
from importlib import resources

from mfgindex.core.spec import RunSpec
from mfgindex.services import outputs, runner


def _rows(folder: str, name: str) -> list[dict[str, str]]:
    text = (resources.files("mfgindex") / "data" / folder / name).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(text.splitlines()))


def test_flags_sheet_reasons_are_chinese_with_the_english_kept() -> None:
    flags = outputs.checks_flags(runner.evaluate(RunSpec())[0])
    notes = [str(n) for n in flags["说明"]]
    accepted = [n for n in notes if "认可理由" in n]
    assert accepted, "the default run has accepted findings"
    zh = {r["reason_zh"].strip() for r in _rows("checks", "accepted_findings_default.csv")}
    en = {r["reason"].strip() for r in _rows("checks", "accepted_findings_default.csv")}
    for note in accepted:
        assert any(z in note for z in zh), note[:80]
        assert any(e in note for e in en), note[:80]
    corrected = flags.loc[flags["类别"].astype(str).str.startswith("数据更正"), "说明"].astype(str)
    assert len(corrected) > 0
    log_zh = {r["reason_zh"].strip() for r in _rows("city_stats", "corrections_2026-12-01.csv")}
    assert all(note.split("（")[0] in {z.split("（")[0] for z in log_zh} for note in corrected)
