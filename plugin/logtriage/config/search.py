"""Settings of the search-engine source, the sink and the sidecar loop."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SearchSettings(_Section):
    """Connection to Elasticsearch 8 / OpenSearch 2 and what to read."""

    hosts: list[str] = ["http://127.0.0.1:9200"]
    api_key: SecretStr | None = None
    username: str | None = None
    password: SecretStr | None = None
    bearer_token: SecretStr | None = None
    ca_certs: Path | None = None
    verify_certs: bool = True
    request_timeout_s: float = Field(30.0, gt=0)
    index: str = "logs-*"
    message_field: str = "message"
    timestamp_field: str = "@timestamp"
    query: dict[str, Any] | None = None


class SinkSettings(_Section):
    """How labels are written back (bulk helpers' habits)."""

    write_mode: Literal["update", "index"] = "update"
    labels_index: str = "logtriage-labels"
    chunk_size: int = Field(500, ge=1)
    max_chunk_bytes: int = Field(10 * 1024 * 1024, ge=1024)
    max_retries: int = Field(5, ge=0)
    initial_backoff_s: float = Field(0.5, gt=0)
    max_backoff_s: float = Field(30.0, gt=0)


class SidecarSettings(_Section):
    """The polling loop."""

    state_index: str = "logtriage-state"
    batch_size: int = Field(1000, ge=1)
    poll_interval_s: float = Field(5.0, gt=0)
    workers: int = Field(1, ge=1)
    relabel_older_models: bool = False
    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(9464, ge=0, le=65535)
