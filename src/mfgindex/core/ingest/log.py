"""The problems of one file being read: at most :data:`MAX_PROBLEMS` listed (the rest counted), the rows
skipped and the columns ignored remembered, and summarised as warnings once the file is read."""

from __future__ import annotations

from mfgindex.core import geo
from mfgindex.core.errors import Problem

MAX_PROBLEMS = 1_000  # kept per file; the rest are counted


class FileLog:
    """What reading one file found: problems, dropped values, skipped rows, ignored columns, units.

    (The reader's records are plain classes and named tuples, not dataclasses: they are defined on every
    evaluating command's path, where a dataclass's generated methods cost ~1 ms of start-up each.)"""

    __slots__ = ("dropped", "file", "ignored", "problems", "skipped", "units")

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.dropped = 0
        self.skipped: dict[str, list[tuple[int, str]]] = {}
        self.ignored: list[str] = []
        self.units: dict[str, str] = {}

    def add(self, p: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(p)
        else:
            self.dropped += 1

    def skip(self, sheet: str, kind: str, row: int, text: str) -> None:
        self.skipped.setdefault(f"{sheet}\t{kind}", []).append((row, text))

    def errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems)


def summarise(log: FileLog, problems: list[Problem]) -> None:
    labels = {
        "total": "province and total rows",
        "note": "note and source rows",
        "text": "rows with text but no values",
    }
    for key, rows in sorted(log.skipped.items()):
        sheet, kind = key.split("\t")
        listed = ", ".join(f"{r} ({geo.shown(t, 12)})" for r, t in rows[:12])
        more = f" and {len(rows) - 12} more" if len(rows) > 12 else ""
        problems.append(
            Problem(
                f"skipped {len(rows)} {labels.get(kind, kind)}: rows {listed}{more}",
                sheet=sheet,
                file=log.file,
                severity="warning",
            )
        )
    if log.ignored:
        problems.append(
            Problem(
                f"columns ignored (they map to nothing): {', '.join(log.ignored[:20])}"
                + (f" and {len(log.ignored) - 20} more" if len(log.ignored) > 20 else ""),
                file=log.file,
                severity="warning",
            )
        )
    for what, how in sorted(log.units.items()):
        problems.append(Problem(f"{what}: {how}", file=log.file, severity="warning"))
