"""Hypothesis strategies for paircert: valid and invalid values and requests for both APIs.

Parts, smallest first: :mod:`strategies.text` (strings at length boundaries) and
:mod:`strategies.addresses` (addresses that never reach a real host) -> :mod:`strategies.camera_pairing`
and :mod:`strategies.radar` (valid bodies, then invalid variants labelled by the rule they break,
as :class:`InvalidCase`).
"""

from strategies import addresses, camera_pairing, radar, text
from strategies._cases import InvalidCase
from strategies.text import BoundaryString

__all__ = ["BoundaryString", "InvalidCase", "addresses", "camera_pairing", "radar", "text"]
