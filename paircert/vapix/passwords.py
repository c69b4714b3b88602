"""The one walk over JSON for fields named ``password`` (find their values, or copy without them),
and the one rule that removes known secrets from text and JSON (:class:`Redactor`).

Transcripts, schema messages, observations, labels of generated cases and the suites' "no password
came back" checks all need it, and a copy per caller had drifted (some matched the name
case-insensitively, some not). The walk keeps its own stack instead of recursing, because the JSON
may come from a hostile device: nesting 100,000 levels deep must not raise ``RecursionError``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

__all__ = [
    "MIN_FREE_TEXT_SECRET",
    "REDACTED",
    "Redactor",
    "has_password_field",
    "is_password_key",
    "password_values",
    "redact_url",
    "replace_passwords",
]


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
    return _rebuild(value, replace, None)


def _rebuild(value: Any, password: Callable[[Any], Any], string: Callable[[str], str] | None) -> Any:
    """The walk behind :func:`replace_passwords` and :meth:`Redactor.json`: password fields' values
    go through ``password``, every other string value (never a key) through ``string``."""
    holder: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(value, holder, 0)]
    while stack:
        node, parent, slot = stack.pop()
        if isinstance(node, dict):
            copied: dict[Any, Any] = {}
            parent[slot] = copied
            for key, child in node.items():
                copied[key] = password(child) if is_password_key(key) else None
                if not is_password_key(key):
                    stack.append((child, copied, key))
        elif isinstance(node, list):
            items: list[Any] = [None] * len(node)
            parent[slot] = items
            stack.extend((child, items, index) for index, child in enumerate(node))
        elif isinstance(node, str) and string is not None:
            parent[slot] = string(node)
        else:
            parent[slot] = node
    return holder[0]


REDACTED = "<redacted>"
# A shorter secret cannot be told from the words and numbers of a report ("ok", "200"): it is
# removed where structure carries it (headers, password fields, userinfo), not looked for in text.
MIN_FREE_TEXT_SECRET = 4
_WORD = re.compile(r"\w")


def _is_word(char: str) -> bool:
    return _WORD.match(char) is not None


def _whole(form: str) -> str:
    """A pattern for one whole occurrence: a word character at either edge of the secret may not
    continue into a word character of the text, so ``pass`` never matches inside ``password``,
    ``passed`` or ``pass_``; a punctuation edge needs no boundary (``"p@ss!"`` is still found)."""
    left = r"(?<!\w)" if _is_word(form[0]) else ""
    right = r"(?!\w)" if _is_word(form[-1]) else ""
    return left + re.escape(form) + right


def _forms(secret: str) -> set[str]:
    """The texts a secret takes in a report: as is, escaped inside a JSON string, percent-encoded."""
    return {
        secret,
        json.dumps(secret, ensure_ascii=False)[1:-1],
        json.dumps(secret)[1:-1],
        quote(secret, safe=""),
    }


class Redactor:
    """The known secrets of a run and the one rule that removes them from what it writes.

    Text loses only whole occurrences (see :func:`_whole`), so a secret can never eat part of a
    verdict, a node id or a key: ``"outcome": "passed"`` survives the password ``pass``. JSON
    loses values, never keys: a password field's value, and each whole occurrence inside a string
    value. Secrets shorter than :data:`MIN_FREE_TEXT_SECRET`, or of whitespace only, are not
    looked for in text at all.
    """

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None

    def add(self, secret: str) -> None:
        if len(secret) < MIN_FREE_TEXT_SECRET or secret.isspace() or secret in self._secrets:
            return
        self._secrets.add(secret)
        forms = sorted({form for s in self._secrets for form in _forms(s)}, key=len, reverse=True)
        self._pattern = re.compile("|".join(_whole(form) for form in forms))

    def __contains__(self, secret: object) -> bool:
        return secret in self._secrets

    def text(self, text: str, *, keep: Collection[str] = ()) -> str:
        """``text`` without whole occurrences of a secret, except inside one of ``keep`` (public
        names such as the test's node id, which may contain the secret as a word: ``[admin]``)."""
        pattern = self._pattern
        if pattern is None or not text:
            return text
        kept = [(start, start + len(name)) for name in keep if name for start in _starts(text, name)]

        def replace(match: re.Match[str]) -> str:
            inside = any(start <= match.start() and match.end() <= end for start, end in kept)
            return match.group(0) if inside else REDACTED

        return pattern.sub(replace, text)

    def json(self, value: Any, *, keep: Collection[str] = ()) -> Any:
        """A copy of a JSON value: password fields' values replaced, secrets removed from every
        other string value (as :meth:`text`), keys and the document's shape untouched."""
        return _rebuild(value, lambda _secret: REDACTED, lambda text: self.text(text, keep=keep))


def _starts(text: str, name: str) -> list[int]:
    found, start = [], text.find(name)
    while start != -1:
        found.append(start)
        start = text.find(name, start + 1)
    return found


def redact_url(url: str) -> str:
    """A URL without the password of its userinfo and without the values of password parameters."""
    parts = urlsplit(url)
    if parts.password is not None:
        userinfo, _, host = parts.netloc.rpartition("@")
        user = userinfo.partition(":")[0]
        parts = parts._replace(netloc=f"{user}:{REDACTED}@{host}")
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if any(is_password_key(k) for k, _ in pairs):
        parts = parts._replace(query=urlencode([(k, REDACTED if is_password_key(k) else v) for k, v in pairs]))
    return urlunsplit(parts)
