"""Settings of the HTTP API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class ApiSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    token: SecretStr | None = None
    max_request_bytes: int = Field(50 * 1024 * 1024, ge=1024)
    max_lines: int = Field(200_000, ge=1)
