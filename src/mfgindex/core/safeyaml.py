"""The one YAML reader of the product: YAML's safe subset with bounded size, nesting and aliases.

Every YAML file a user gives (frameworks, column maps, assumptions, workspace settings) is read here.
Plain ``yaml.safe_load`` expands an alias bomb (a 377-byte file referring to its anchors nine levels
deep) into a billion nodes when the result is walked; here the composed document's *expanded* size is
counted with shared nodes counted every time they are referred to, and the document is refused once it
passes :data:`MAX_NODES`, before anything is built. Nesting deeper than :data:`MAX_DEPTH` is refused
while composing (Python's recursion would fail near 500 levels), and texts over :data:`MAX_BYTES`.
Measured in ``benchmarks/bench_bombs.py``; stated in ``docs/security.md``.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from mfgindex.core.errors import Problem, UserError

MAX_BYTES = 2_000_000  # the largest shipped YAML (the caict2023 preset) has 12 kB
MAX_DEPTH = 64  # a framework of 10 levels nests about 30 deep (children: - ...)
MAX_NODES = 200_000  # expanded nodes (aliases counted each time they are used)
MAX_ALIASES = 1_000


class _Limit(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class _Loader(yaml.SafeLoader):
    """SafeLoader that counts nesting and aliases while composing."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise _Limit(f"more than {MAX_ALIASES:,} aliases (*name)", mark.line + 1)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise _Limit(f"nested more than {MAX_DEPTH} levels deep", mark.line + 1)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _expanded_size(root: Node) -> int:
    """Nodes of the document with every alias expanded (memoised: linear in the composed graph)."""
    size: dict[int, int] = {}
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if key in size:
            continue
        if isinstance(node, SequenceNode):
            kids: list[Node] = list(node.value)
        elif isinstance(node, MappingNode):
            kids = [n for pair in node.value for n in pair]
        else:
            size[key] = 1
            continue
        if done:
            total = 1 + sum(size.get(id(k), 0) for k in kids)
            size[key] = total
            if total > MAX_NODES:
                return total
            continue
        stack.append((node, True))
        stack.extend((k, False) for k in kids if id(k) not in size)
    return size[id(root)]


_QUOTED_OR_COMMENT = re.compile(r"""'(?:[^']|'')*'|"(?:[^"\\]|\\.)*"|#[^\n]*""")
_BRACKET = re.compile(r"[\[\]{}]")


def _check_flow_depth(text: str, file: str) -> None:
    """Refuse flow nesting (``[[[[…``) deeper than :data:`MAX_DEPTH` before PyYAML's scanner, whose time
    grows with the square of the nesting (2,000 levels: 10 s)."""
    depth = 0
    for m in _BRACKET.finditer(_QUOTED_OR_COMMENT.sub("", text)):
        depth += 1 if m.group() in "[{" else -1
        if depth > MAX_DEPTH:
            line = text.count("\n", 0, m.start()) + 1 if depth == MAX_DEPTH + 1 else None
            raise UserError(
                Problem(
                    f"YAML refused: nested more than {MAX_DEPTH} levels deep",
                    file=file,
                    row=line,
                    expected="a plain YAML file",
                )
            )


def load_yaml(text: str, file: str = "") -> Any:
    """Parse ``text`` (YAML's safe subset) within the limits; ``UserError`` located at ``file`` otherwise."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise UserError(
            Problem(f"YAML file larger than {MAX_BYTES:,} bytes", file=file, expected="a smaller file")
        )
    _check_flow_depth(text, file)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        n = _expanded_size(node)
        if n > MAX_NODES:
            raise _Limit(
                f"expands to more than {MAX_NODES:,} values (aliases referring to aliases: a YAML bomb?)",
                None,
            )
        return loader.construct_document(node)
    except _Limit as exc:
        raise UserError(
            Problem(f"YAML refused: {exc.message}", file=file, row=exc.line, expected="a plain YAML file")
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise UserError(
            Problem(f"invalid YAML: {getattr(exc, 'problem', exc)}", file=file, row=row)
        ) from None
    except RecursionError:  # a safety net: the depth limit is far below Python's recursion limit
        raise UserError(Problem(f"YAML nested too deep (over {MAX_DEPTH} levels)", file=file)) from None
    finally:
        loader.dispose()
