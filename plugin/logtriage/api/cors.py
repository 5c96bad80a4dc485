"""CORS: Starlette's middleware, with its refusals in the API's JSON error shape."""

from __future__ import annotations

from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import Headers

from logtriage.api.errors import error_body

__all__ = ["JsonCORSMiddleware"]


class JsonCORSMiddleware(CORSMiddleware):
    """Answers a refused preflight ("Disallowed CORS origin") with ``cors_refused``."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code != 400:
            return response
        headers = {
            k: v for k, v in response.headers.items() if k not in ("content-length", "content-type")
        }
        why = bytes(response.body).decode()
        return JSONResponse(
            error_body("cors_refused", f"{why} (allowed: api.cors_origins)"),
            status_code=400,
            headers=headers,
        )
