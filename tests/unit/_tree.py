"""Walk a Dash component tree in tests: all text, all components, components by id or class."""

from __future__ import annotations

from collections.abc import Callable, Iterator


def walk(node) -> Iterator:
    """Every component in the tree (depth first), the root included."""
    if node is None or isinstance(node, (str, int, float)):
        return
    if isinstance(node, (list, tuple)):
        for child in node:
            yield from walk(child)
        return
    yield node
    yield from walk(getattr(node, "children", None))


def text(node) -> str:
    """All visible text in the tree, joined with spaces."""
    if node is None:
        return ""
    if isinstance(node, (str, int, float)):
        return str(node)
    if isinstance(node, (list, tuple)):
        return " ".join(text(n) for n in node)
    return text(getattr(node, "children", None))


def find(node, predicate: Callable) -> list:
    return [c for c in walk(node) if predicate(c)]


def by_id(node, component_id) -> object | None:
    hits = find(node, lambda c: getattr(c, "id", None) == component_id)
    return hits[0] if hits else None


def with_class(node, cls: str) -> list:
    return find(node, lambda c: cls in (getattr(c, "className", None) or "").split())


def links(node) -> list[str]:
    return [c.href for c in walk(node) if getattr(c, "href", None)]
