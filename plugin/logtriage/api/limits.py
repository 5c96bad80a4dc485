"""Request body limit, enforced while the body streams in (not only by Content-Length)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from logtriage.api.errors import ApiError

__all__ = ["BodyLimitMiddleware"]


class BodyLimitMiddleware:
    """Answer 413 ``request_too_large`` once a request body passes ``max_bytes``.

    The refusal is an :class:`ApiError` raised from ``receive``, so the route that reads
    the body answers it (and the metrics count it under that route): at the first read
    when the declared ``Content-Length`` is over the limit, before a byte is taken in;
    otherwise as soon as the running total passes the limit.
    """

    def __init__(
        self, app: ASGIApp, max_bytes: int, on_reject: Callable[[], None] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.on_reject = on_reject

    def _error(self) -> ApiError:
        if self.on_reject is not None:
            self.on_reject()
        return ApiError(
            413,
            "request_too_large",
            f"request body is larger than {self.max_bytes} bytes",
            headers={"Connection": "close"},
            limit_bytes=self.max_bytes,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            if declared > self.max_bytes:
                raise self._error()
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise self._error()
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except ApiError as exc:  # raised outside the app's own handlers
            if started or exc.type != "request_too_large":
                raise
            await exc.response()(scope, receive, send)


def _declared_length(scope: Scope) -> int:
    """The request's ``Content-Length`` (0 when absent or not a number)."""
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            return int(value) if value.isdigit() else 0
    return 0
