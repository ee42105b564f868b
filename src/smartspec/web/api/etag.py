"""ETags on the API's reads: a hash of the body, and 304 Not Modified when the client already has it.

A pure ASGI middleware (not Starlette's BaseHTTPMiddleware, which wraps every response in a stream): for a GET
under the API's prefix that answers 200, it holds the body back, sets ``ETag`` to a SHA-256 of it and
``Cache-Control: no-cache`` (keep, but ask again), and answers 304 without the body when ``If-None-Match``
names that tag. The data changes only with imports, so a client polling an unchanged result gets 304s.
"""

from __future__ import annotations

import hashlib
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def matches(if_none_match: str | None, tag: str) -> bool:
    """Whether an If-None-Match header names ``tag`` (weak comparison, as RFC 9110 asks for this header)."""
    if not if_none_match:
        return False
    wanted = tag.removeprefix("W/")
    return any(part.strip() == "*" or part.strip().removeprefix("W/") == wanted for part in if_none_match.split(","))


class ETagMiddleware:
    def __init__(self, app: ASGIApp, prefix: str) -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        request_headers = Headers(scope=scope)
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def hold(message: Message) -> None:
            if message["type"] == "http.response.start":
                if message["status"] != 200:  # errors and redirects pass as they are
                    start["passthrough"] = True
                    await send(message)
                    return
                start.update(message)
                return
            if start.get("passthrough") or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            tag = etag_of(body)
            headers = MutableHeaders(raw=list(start["headers"]))
            headers["ETag"] = tag
            headers.setdefault("Cache-Control", "no-cache")
            if matches(request_headers.get("if-none-match"), tag):
                for name in ("content-length", "content-type", "content-disposition"):
                    del headers[name]
                await send({"type": "http.response.start", "status": 304, "headers": headers.raw})
                await send({"type": "http.response.body", "body": b""})
                return
            await send({"type": "http.response.start", "status": 200, "headers": headers.raw})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, hold)
