"""Values derived once per (immutable) object: a framework's compiled formulas, positions and weights.

Frameworks are frozen pydantic models, compared by value, so a derived value cannot be kept on the
instance (it would take part in equality); it is kept here instead, keyed by the object's identity and
holding the object itself, so that an identity is never reused while its entry lives. The store keeps
the most recently used entries only.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from threading import Lock
from typing import TypeVar

T = TypeVar("T")

SIZE = 256
_store: OrderedDict[tuple[int, str], tuple[object, object]] = OrderedDict()
_lock = Lock()


def per_object(obj: object, name: str, build: Callable[[], T]) -> T:
    """``build()`` for ``obj``, computed once while ``obj`` stays among the recently used objects."""
    key = (id(obj), name)
    with _lock:
        hit = _store.get(key)
        if hit is not None and hit[0] is obj:
            _store.move_to_end(key)
            return hit[1]  # type: ignore[return-value]
    value = build()
    with _lock:
        _store[key] = (obj, value)
        while len(_store) > SIZE:
            _store.popitem(last=False)
    return value
