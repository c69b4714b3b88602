"""Ending background tasks within a bound, for every shell that starts them.

On Python 3.11 ``asyncio.wait_for`` can swallow a cancellation that races with its inner result,
so a single ``cancel()`` is not a guarantee; repeating it a bounded number of times is, and a
shell's close never waits longer than ``rounds * timeout``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

__all__ = ["cancel_and_wait"]


async def cancel_and_wait(tasks: Iterable[asyncio.Task[Any]], *, timeout: float = 1.0, rounds: int = 3) -> bool:
    """Cancel ``tasks`` and wait for them; True when all ended within the bound."""
    pending = {task for task in tasks if not task.done()}
    for _ in range(rounds):
        if not pending:
            break
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=timeout)
    return not pending
