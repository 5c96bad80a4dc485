"""Settings of the HTTP API (``logtriage serve``)."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from logtriage.config.types import StringList


class ApiSettings(BaseModel):
    """The HTTP door.

    ``auth`` ``"auto"`` requires the bearer ``token`` when ``host`` is not a loopback
    address (the server refuses to start without one), ``"on"`` always requires it,
    ``"off"`` never does. ``bundles_dir`` holds one model bundle per sub-directory
    (each with a ``manifest.json``), offered by ``GET /v1/models`` beside
    ``model.bundle``. ``cors_origins`` empty means CORS is off.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    token: SecretStr | None = None
    auth: Literal["auto", "on", "off"] = "auto"
    max_request_bytes: int = Field(50 * 1024 * 1024, ge=1024)
    max_lines: int = Field(200_000, ge=1)
    batch_lines: int = Field(4096, ge=1)
    bundles_dir: Path | None = None
    cors_origins: StringList = []

    def auth_required(self) -> bool:
        """Whether requests must carry ``Authorization: Bearer <token>``."""
        if self.auth == "auto":
            return not is_loopback(self.host)
        return self.auth == "on"


def is_loopback(host: str) -> bool:
    """``localhost``, ``127.0.0.0/8`` or ``::1``; anything else (``0.0.0.0`` too) is not."""
    name = host.strip().strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False
