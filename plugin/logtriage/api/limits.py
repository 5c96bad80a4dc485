"""Request body limit, enforced while the body streams in (not only by Content-Length)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from logtriage.api.errors import ApiError

__all__ = ["BodyLimitMiddleware"]


class BodyLimitMiddleware:
    """Answer 413 ``request_too_large`` once a request body passes ``max_bytes``.

    A declared ``Content-Length`` over the limit is refused before the body is read;
    otherwise reading stops (an :class:`ApiError` raised from ``receive``) as soon as
    the running total passes the limit.
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
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.max_bytes:
                    await self._error().response()(scope, receive, send)
                    return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
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
