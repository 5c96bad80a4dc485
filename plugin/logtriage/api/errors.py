"""Error responses of the HTTP API: one JSON shape for every 4xx/5xx.

``{"error": {"type": "<stable slug>", "message": "<one sentence>", ...data}}``
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from logtriage.api.methods import allowed_methods
from logtriage.errors import ModelBundleError

__all__ = ["ApiError", "error_body", "install_error_handlers"]

log = logging.getLogger("logtriage.api")


class ApiError(StarletteHTTPException):
    """An error answered as JSON with ``status`` and a stable ``type`` slug.

    An HTTP exception, so it passes through FastAPI's body reading untouched."""

    def __init__(
        self,
        status: int,
        type_: str,
        message: str,
        headers: dict[str, str] | None = None,
        **data: Any,
    ) -> None:
        super().__init__(status_code=status, detail=message, headers=headers)
        self.status = status
        self.type = type_
        self.message = message
        self.headers = headers
        self.data = data

    def response(self) -> JSONResponse:
        return JSONResponse(
            error_body(self.type, self.message, **self.data),
            status_code=self.status,
            headers=self.headers,
        )


def error_body(type_: str, message: str, **data: Any) -> dict[str, Any]:
    return {"error": {"type": type_, "message": message, **jsonable_encoder(data)}}


_HTTP_TYPES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "request_too_large",
    415: "unsupported_media_type",
}


BodyProblem = Callable[[Any], str | None]
"""Says in one sentence why a route's parsed body is invalid (``None``: leave it to
pydantic's words)."""


def _line_column(text: str, offset: int) -> tuple[int, int]:
    """Line and column (both from 1) of ``offset`` in ``text``."""
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


def _invalid_json(why: str, text: str, offset: int, **data: Any) -> JSONResponse:
    """422 for a body that is not JSON, naming the line and column of ``offset``."""
    line, column = _line_column(text, offset)
    message = f"the body is not valid JSON: {why} at line {line}, column {column}"
    return JSONResponse(
        error_body("invalid_request", message, line=line, column=column, **data),
        status_code=422,
    )


def install_error_handlers(app: FastAPI, body_problems: Mapping[str, BodyProblem]) -> None:
    """Answer API errors, validation errors and HTTP errors in the one JSON shape.

    ``body_problems`` maps a route path to a function that words the message when
    that route's body fails validation (the ``details`` stay pydantic's)."""

    async def on_api_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return exc.response()

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = exc.errors()
        details = [
            {
                "loc": list(err.get("loc", ())),
                "msg": str(err.get("msg", "")),
                "type": err.get("type"),
            }
            for err in errors
        ]
        if errors and errors[0].get("type") == "json_invalid":
            # FastAPI puts the character offset in the loc and the text in the body.
            why = str(errors[0].get("ctx", {}).get("error", "JSON decode error"))
            return _invalid_json(why, str(exc.body), int(details[0]["loc"][1]), details=details)
        first = details[0] if details else {"loc": [], "msg": "invalid request"}
        message = ".".join(str(p) for p in first["loc"]) + f": {first['msg']}"
        describe = body_problems.get(getattr(request.scope.get("route"), "path", ""))
        if describe and details and all(d["loc"][:1] == ["body"] for d in details):
            message = describe(exc.body) or message
        return JSONResponse(
            error_body("invalid_request", message, details=details),
            status_code=422,
        )

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        headers = dict(exc.headers or {})
        if exc.status_code == 405 and "Allow" in headers:
            headers["Allow"] = allowed_methods(headers["Allow"])
            if request.method == "OPTIONS":  # the path exists: say what it takes
                return Response(status_code=204, headers=headers)
        cause = exc.__cause__
        if isinstance(cause, UnicodeDecodeError):  # FastAPI's 400 for a JSON body's bytes
            why = f"byte 0x{cause.object[cause.start]:02x} is not UTF-8"
            # Latin-1 keeps one character per byte: the column counts bytes.
            return _invalid_json(why, bytes(cause.object).decode("latin-1"), cause.start)
        type_ = _HTTP_TYPES.get(exc.status_code, "http_error")
        return JSONResponse(
            error_body(type_, str(exc.detail)), status_code=exc.status_code, headers=headers
        )

    async def on_bundle(_request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(error_body("model_unavailable", str(exc)), status_code=503)

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Starlette raises the exception again once answered: uvicorn logs it as well.
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        message = "the server failed to answer this request; its log has the details"
        return JSONResponse(error_body("internal_error", message), status_code=500)

    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(ModelBundleError, on_bundle)
    app.add_exception_handler(Exception, on_unexpected)
