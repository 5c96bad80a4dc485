"""HEAD wherever GET is answered, and OPTIONS wherever a path exists.

Starlette's own routes take HEAD wherever they take GET; FastAPI's take only the
methods they name, so ``curl -I /health`` was a 405. An OPTIONS request (other than
a CORS preflight, which the CORS middleware answers) gets 204 and the methods the
path takes, from the 405 the router raises (see the HTTP error handler).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["HeadAsGetMiddleware", "allowed_methods"]


class HeadAsGetMiddleware:
    """Answer ``HEAD`` as ``GET`` with the same headers and no body (RFC 9110 9.3.2).

    Put outermost: the routes, the metrics and CORS see a GET; the server keeps its
    own scope, with HEAD (uvicorn sends no body for it either).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


def allowed_methods(allow: str) -> str:
    """The ``Allow`` of a 405 (the methods a route names) with the HEAD and OPTIONS
    this app answers too."""
    methods = [m.strip() for m in allow.split(",") if m.strip()]
    if "GET" in methods:
        methods.append("HEAD")
    methods.append("OPTIONS")
    return ", ".join(dict.fromkeys(methods))
