"""Figure and table numbers in the order the reader meets them, and the references to them.

The templates write captions without numbers and refer to a figure or table by its element id
(``⟦ref:tab-table3⟧``). :func:`number_html` numbers every ``<figure id="fig-…">`` caption (图1, 图2, …)
and every ``<div id="tab-…">`` table caption (表1, 表2, …) in document order, then replaces each reference
with the number it got, so that adding, dropping or moving a figure never leaves a gap or a wrong
cross-reference.
"""

from __future__ import annotations

import re

# A numbered element: its id, then (lazily) the first caption after it.
_ELEMENT = re.compile(
    r'id="(?P<id>(?P<kind>fig|tab)-[^"]+)"(?P<between>(?:(?!id="(?:fig|tab)-).)*?)<(?P<tag>figcaption|caption)>(?P<lead>\s*'
    r"(?:(?:图|表)(?:\s*\d+\s*|\s+)|(?:Figure|Table)(?:\s*\d+)?\s*[.:]?\s+)?)",
    re.S,
)
_REF = re.compile(r"⟦ref:(?P<id>[^⟧]+)⟧")
_PREFIX = {"zh": {"fig": "图{n} ", "tab": "表{n} "}, "en": {"fig": "Figure {n}. ", "tab": "Table {n}. "}}
_REF_TEXT = {"zh": {"fig": "图{n}", "tab": "表{n}"}, "en": {"fig": "Figure {n}", "tab": "Table {n}"}}


def ref(element_id: str) -> str:
    """The placeholder of a reference to the figure or table with this element id (``fig-map``)."""
    return f"⟦ref:{element_id}⟧"


def number_html(html: str, lang: str = "zh") -> tuple[str, dict[str, str]]:
    """``html`` with its figures and tables numbered in order and references resolved.

    Returns the HTML and the labels given (element id → ``图3``). A caption that already carries a number
    (``表3 …``) is renumbered; a reference to an element that is not in the document raises ``KeyError``,
    so a dropped figure cannot leave a dangling "见图5" behind.
    """
    counts = {"fig": 0, "tab": 0}
    labels: dict[str, str] = {}

    def caption(m: re.Match[str]) -> str:
        kind = m["kind"]
        if (kind == "fig") != (m["tag"] == "figcaption") or m["id"] in labels:
            return m.group(0)
        counts[kind] += 1
        labels[m["id"]] = _REF_TEXT[lang][kind].format(n=counts[kind])
        lead = _PREFIX[lang][kind].format(n=counts[kind])
        return f'id="{m["id"]}"{m["between"]}<{m["tag"]}>{lead}'

    out = _ELEMENT.sub(caption, html)

    def resolve(m: re.Match[str]) -> str:
        if m["id"] not in labels:
            raise KeyError(f"reference to {m['id']}, which the report does not contain")
        return labels[m["id"]]

    return _REF.sub(resolve, out), labels
