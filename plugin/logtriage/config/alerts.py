"""Settings of the built-in alerting (rules evaluated by the sidecar on what it labels)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, SecretStr, model_validator


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReceiverSettings(_Section):
    """One webhook. ``format``: ``json`` (generic payload) or ``slack`` (incoming webhook).
    ``headers`` values are secrets (``Authorization: Bearer ...``); so is the path of a
    Slack webhook ``url``, which ``config show`` masks."""

    name: str = Field(min_length=1)
    url: HttpUrl
    format: Literal["json", "slack"] = "json"
    headers: dict[str, SecretStr] = {}
    timeout_s: float = Field(5.0, gt=0)


class AlertsSettings(_Section):
    """Built-in alerting. Off unless ``enabled``; ``rules_file`` defaults to the shipped
    rules (``logtriage/alerts/default_rules.yaml``).

    Delivery runs in a background thread with a bounded queue: a slow or broken
    receiver never blocks labelling; when the queue is full the oldest
    notification is dropped (and counted).
    """

    enabled: bool = False
    rules_file: Path | None = None
    receivers: list[ReceiverSettings] = []
    send_resolved: bool = True
    #: send a still-firing alert again after this long (Alertmanager's default, 4 h); 0: never
    repeat_interval_s: float = Field(4 * 3600.0, ge=0)
    max_retries: int = Field(5, ge=0)
    initial_backoff_s: float = Field(0.5, gt=0)
    max_backoff_s: float = Field(30.0, gt=0)
    queue_size: int = Field(1000, ge=1)
    service_field: str = "service.name"
    host_field: str = "host.name"

    @model_validator(mode="after")
    def _receivers_when_enabled(self) -> AlertsSettings:
        if self.enabled and not self.receivers:
            raise ValueError("enabled needs at least one entry in alerts.receivers")
        return self
