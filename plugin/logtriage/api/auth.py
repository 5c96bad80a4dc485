"""Optional bearer-token auth.

Required when ``api.auth`` says so (by default: when bound to a non-loopback
address). ``GET /``, ``/static``, ``/health`` and the OpenAPI pages stay open;
every ``/v1`` route and ``/metrics`` need ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from logtriage.api.errors import ApiError
from logtriage.config import ApiSettings
from logtriage.errors import ConfigError

__all__ = ["BearerAuth", "check_auth_settings"]

_bearer = HTTPBearer(auto_error=False, description="Set api.token (LOGTRIAGE_API__TOKEN).")


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
    """A FastAPI dependency checking the bearer token (constant-time compare)."""

    def __init__(self, api: ApiSettings) -> None:
        self.required = api.auth_required()
        token = api.token.get_secret_value() if api.token is not None else ""
        self._token = token.encode("utf-8")

    async def __call__(
        self, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
    ) -> None:
        if not self.required:
            return
        challenge = {"WWW-Authenticate": "Bearer"}
        if creds is None:
            raise ApiError(401, "unauthorized", "missing bearer token", headers=challenge)
        if not secrets.compare_digest(creds.credentials.encode("utf-8"), self._token):
            raise ApiError(401, "unauthorized", "invalid bearer token", headers=challenge)
