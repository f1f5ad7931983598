"""Errors a user can cause. The CLI turns them into messages and exit code 2, never tracebacks."""

from __future__ import annotations

from typing import NamedTuple

MAX_SHOWN_CHARS = 120  # longer values are cut in messages, with their length


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


class Problem(NamedTuple):
    """One problem found in an input, with its location (immutable; ``p._replace(file=…)`` for a copy).

    A named tuple, not a dataclass: it is defined on every command's path, and a frozen dataclass's
    generated methods cost ~1 ms of start-up each (compiled at class creation).
    """

    message: str
    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""
    expected: str = ""
    severity: str = "error"

    def location(self) -> str:
        where = self.file or ("command line" if self.column.startswith("-") else "input")
        parts = [_cut(where, MAX_SHOWN_CHARS)]
        if self.sheet:
            parts.append(f"sheet {_cut(self.sheet, MAX_SHOWN_CHARS)}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {_cut(self.column, MAX_SHOWN_CHARS)}")
        return ":".join(parts)

    def __str__(self) -> str:
        text = f"{self.location()}: {_cut(self.message, 4 * MAX_SHOWN_CHARS)}"
        if self.value:
            text += f" (value {_cut(self.value, MAX_SHOWN_CHARS)!r}"
            text += f", expected {self.expected})" if self.expected else ")"
        elif self.expected:
            text += f" (expected {self.expected})"
        return text


class UserError(Exception):
    """An error in the user's input; carries one or more located problems."""

    def __init__(self, problems: list[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = problems
        super().__init__("\n".join(str(p) for p in problems))
