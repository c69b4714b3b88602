"""Strings at and across length boundaries, counted in characters.

JSON Schema's ``maxLength``/``minLength`` count characters (Unicode code points), and so does the
documentation's "Maximum: 64". A device that counts UTF-8 bytes or UTF-16 code units rejects 64
characters of '漢' (192 bytes) or of '😀' (64 code points, 128 UTF-16 units, 256 bytes), so every
boundary is drawn with multi-byte text too: 'é' (2 bytes), '漢' (3 bytes) and characters outside
the Basic Multilingual Plane (4 bytes, a surrogate pair in UTF-16).

Generated characters are printable and never whitespace or controls, so that "the device trimmed
or refused a control character" can never be mistaken for a length verdict.
"""

from __future__ import annotations

from functools import cache
from typing import Final, NamedTuple

from hypothesis import strategies as st

__all__ = [
    "ALPHABETS",
    "BoundaryString",
    "boundary_lengths",
    "boundary_strings",
    "printable_text",
    "text_of_length",
]

ALPHABETS: Final = {
    "ascii": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.",
    "latin": "éüßñøÅ",
    "cjk": "漢字東京カメラ",
    "astral": "😀🎥🦊𝄞𠀋",
}
"""Named alphabets: 1-byte, 2-byte, 3-byte and 4-byte UTF-8 characters."""

_ALL = "".join(ALPHABETS.values())
_PRINTABLE = st.characters(categories=("L", "N", "P", "S"), exclude_characters="\ufeff") | st.sampled_from(_ALL)


class BoundaryString(NamedTuple):
    """A string and whether its length (in characters) is within the bounds it was drawn for."""

    value: str
    within_bounds: bool


@cache
def printable_text(min_size: int = 0, max_size: int | None = None) -> st.SearchStrategy[str]:
    """Text of printable non-space characters (letters, digits, punctuation, symbols, any plane)."""
    return st.text(alphabet=_PRINTABLE, min_size=min_size, max_size=max_size)


@cache
def text_of_length(length: int, *, alphabet: str | None = None) -> st.SearchStrategy[str]:
    """Strings of exactly ``length`` characters.

    Without ``alphabet``, draws one of the named alphabets or a mix of all of them for the whole
    string, so that some strings are entirely 4-byte characters.
    """
    if length < 0:
        raise ValueError("length must be >= 0")
    if alphabet is not None:
        return st.text(alphabet=alphabet, min_size=length, max_size=length)
    choices = st.sampled_from((*ALPHABETS.values(), _ALL))
    return choices.flatmap(lambda chars: st.text(alphabet=chars, min_size=length, max_size=length))


def boundary_lengths(max_length: int, *, min_length: int = 0) -> tuple[int, ...]:
    """0, 1, min-1, min, min+1, max-1, max, max+1 (the non-negative ones, sorted, no repeats)."""
    if min_length < 0 or max_length < min_length:
        raise ValueError(f"bad bounds {min_length}..{max_length}")
    candidates = {0, 1, min_length - 1, min_length, min_length + 1, max_length - 1, max_length, max_length + 1}
    return tuple(sorted(n for n in candidates if n >= 0))


@cache
def boundary_strings(
    max_length: int, *, min_length: int = 0, alphabet: str | None = None
) -> st.SearchStrategy[BoundaryString]:
    """``(value, within_bounds)`` at every boundary length of ``min_length..max_length``."""
    lengths = boundary_lengths(max_length, min_length=min_length)
    return st.sampled_from(lengths).flatmap(
        lambda n: text_of_length(n, alphabet=alphabet).map(
            lambda value: BoundaryString(value, min_length <= len(value) <= max_length)
        )
    )
