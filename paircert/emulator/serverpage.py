"""The web server's own 401 page in front of a CGI, for the alternate choices.

On Axis firmware the web server checks credentials before a CGI runs, so a 401 on the radar CGI
may carry the server's HTML page instead of the CGI's 2106 envelope (PROTOCOL-NOTES §2). This
middleware sits outside the auth middleware and swaps the body of every 401 on its paths for such
a page, keeping the status and the ``WWW-Authenticate`` challenges.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["HtmlUnauthorizedPage"]

PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>401 Unauthorized</title></head>"
    b"<body><h1>401 Unauthorized</h1></body></html>\n"
)
_REPLACED = (b"content-type", b"content-length")


class HtmlUnauthorizedPage:
    def __init__(self, app: ASGIApp, *, paths: Iterable[str]) -> None:
        self.app = app
        self.paths = frozenset(paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        replacing = False

        async def send_page(message: Message) -> None:
            nonlocal replacing
            if message["type"] == "http.response.start" and message["status"] == 401:
                replacing = True
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _REPLACED]
                headers += [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", b"%d" % len(PAGE))]
                await send({**message, "headers": headers})
            elif replacing and message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": PAGE})
            else:
                await send(message)

        await self.app(scope, receive, send_page)
