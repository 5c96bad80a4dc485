"""Optional bearer-token auth.

Required when ``api.auth`` says so (by default: when bound to a non-loopback
address). ``GET /``, ``/static``, ``/health`` and the OpenAPI pages stay open;
every ``/v1`` route and ``/metrics`` need ``Authorization: Bearer <token>``.

The token is checked before the request body is read (FastAPI reads and parses a
body before it runs any dependency), so a caller without it learns nothing about
its body, and an upload is not taken in for nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer

from logtriage.api.errors import ApiError
from logtriage.config import ApiSettings
from logtriage.errors import ConfigError

__all__ = ["BearerAuth", "bearer_scheme", "check_auth_settings"]

bearer_scheme = HTTPBearer(auto_error=False, description="Set api.token (LOGTRIAGE_API__TOKEN).")
"""The scheme as OpenAPI shows it; :class:`BearerAuth` does the checking."""

RouteHandler = Callable[[Request], Coroutine[Any, Any, Response]]


def check_auth_settings(api: ApiSettings) -> None:
    """Refuse a configuration that would serve without auth where auth is required.

    Raises:
        ConfigError: auth is required but no token is set, or the token is too short.
    """
    if not api.auth_required():
        return
    token = api.token.get_secret_value() if api.token is not None else ""
    if not token:
        why = f"bound to non-loopback address {api.host!r}" if api.auth == "auto" else "auth='on'"
        raise ConfigError(
            f"api.token is required ({why}); set LOGTRIAGE_API__TOKEN or api.token, "
            "or bind to 127.0.0.1"
        )
    if len(token) < 16:
        raise ConfigError("api.token must be at least 16 characters")


class BearerAuth:
    """Checks the bearer token (constant-time compare); :meth:`route_class` applies it."""

    def __init__(self, api: ApiSettings) -> None:
        self.required = api.auth_required()
        token = api.token.get_secret_value() if api.token is not None else ""
        self._token = token.encode("utf-8")

    async def check(self, request: Request) -> None:
        """Refuse a request without the right token, when one is required.

        Raises:
            ApiError: 401 ``unauthorized``, with ``WWW-Authenticate: Bearer``.
        """
        if not self.required:
            return
        creds = await bearer_scheme(request)
        challenge = {"WWW-Authenticate": "Bearer"}
        if creds is None:
            raise ApiError(401, "unauthorized", "missing bearer token", headers=challenge)
        if not secrets.compare_digest(creds.credentials.encode("utf-8"), self._token):
            raise ApiError(401, "unauthorized", "invalid bearer token", headers=challenge)

    def route_class(self) -> type[APIRoute]:
        """A route class whose routes check the token before anything else."""
        auth = self

        class AuthFirstRoute(APIRoute):
            def get_route_handler(self) -> RouteHandler:
                handler = super().get_route_handler()

                async def checked(request: Request) -> Response:
                    await auth.check(request)
                    return await handler(request)

                return checked

        return AuthFirstRoute
