"""The outermost middleware: an unexpected exception becomes a 500 in the API's own envelope.

A reference device that crashes or answers a bare HTML 500 would make the suite report the
emulator's bug as the device's. The exception is logged by type and location only; its text may
quote request data, and request data may hold a password.
"""

from __future__ import annotations

import logging
import traceback

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .envelopes import error_response

__all__ = ["CatchAllMiddleware"]

log = logging.getLogger("paircert.emulator")


class CatchAllMiddleware:
    def __init__(self, app: ASGIApp, *, radar_version: str) -> None:
        self.app = app
        self.radar_version = radar_version

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            log.error(
                "internal error %s at %s:%s in %s %s",
                type(exc).__name__,
                frame.filename,
                frame.lineno,
                scope.get("method"),
                scope.get("path"),
            )
            if started:
                return
            response = error_response(scope["path"], 500, radar_version=self.radar_version)
            await response(scope, receive, send)
