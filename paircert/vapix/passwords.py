"""The one walk over JSON for fields named ``password``: find their values, or copy without them.

Transcripts, schema messages, observations, labels of generated cases and the suites' "no password
came back" checks all need it, and a copy per caller had drifted (some matched the name
case-insensitively, some not). The walk keeps its own stack instead of recursing, because the JSON
may come from a hostile device: nesting 100,000 levels deep must not raise ``RecursionError``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["has_password_field", "is_password_key", "password_values", "replace_passwords"]


def is_password_key(key: object) -> bool:
    """Whether a member name is a password field (any case: ``Password`` leaks as much as ``password``)."""
    return isinstance(key, str) and key.lower() == "password"


def _children(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return list(node.values())
    if isinstance(node, list):
        return list(node)
    return []


def password_values(value: Any) -> list[str]:
    """The string values of every password field at any depth, outer fields first."""
    found: list[str] = []
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            found += [child for key, child in node.items() if is_password_key(key) and isinstance(child, str)]
        stack.extend(reversed(_children(node)))
    return found


def has_password_field(value: Any) -> bool:
    """Whether a password field (of any value) appears at any depth."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict) and any(is_password_key(key) for key in node):
            return True
        stack.extend(_children(node))
    return False


def replace_passwords(value: Any, replace: Callable[[Any], Any]) -> Any:
    """A copy of ``value`` in which each password field's value is ``replace(value)``.

    Containers are copied, member order kept; everything else is shared with the original."""
    holder: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(value, holder, 0)]
    while stack:
        node, parent, slot = stack.pop()
        if isinstance(node, dict):
            copied: dict[Any, Any] = {}
            parent[slot] = copied
            for key, child in node.items():
                copied[key] = replace(child) if is_password_key(key) else None
                if not is_password_key(key):
                    stack.append((child, copied, key))
        elif isinstance(node, list):
            items: list[Any] = [None] * len(node)
            parent[slot] = items
            stack.extend((child, items, index) for index, child in enumerate(node))
        else:
            parent[slot] = node
    return holder[0]
