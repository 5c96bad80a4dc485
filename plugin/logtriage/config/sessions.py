"""Settings of session grouping and sequence anomaly detection (``sessions:``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class SessionsSettings(BaseModel):
    """Group labelled lines into sessions and flag anomalous template sequences.

    A line's session key is taken, in this order, from ``key_field`` (a document
    or header field such as ``trace.id`` or ``host.name``) and then from
    ``key_regex`` applied to the message (its group ``key`` or its first group,
    e.g. ``(blk_-?\\d+)`` for HDFS block ids). Lines without a key are not grouped.
    With ``window_s`` a key's session is also cut every ``window_s`` seconds
    (host + time window). Sessions close after ``idle_timeout_s`` without lines;
    ones that never go quiet are flushed at ``max_session_s`` or ``max_length``.
    Sessioning is off while neither ``key_field`` nor ``key_regex`` is set.
    ``detector`` is the kind ``logtriage sequences train`` trains without
    ``--detector``; the sidecar runs whatever kind ``model_path`` holds.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    key_field: str | None = None
    key_regex: str | None = None
    window_s: float | None = Field(None, gt=0)
    idle_timeout_s: float = Field(60.0, gt=0)
    max_session_s: float = Field(3600.0, gt=0)
    max_length: int = Field(10_000, ge=1)
    max_open_sessions: int = Field(100_000, ge=1)
    detector: Literal["ngram", "lstm"] = "ngram"
    model_path: Path | None = None
    # n-gram baseline (rust_core/src/sequences.rs); defaults equal the Rust Default.
    history: int = Field(4, ge=1, le=64)
    top_g: int = Field(9, ge=1)
    min_count: int = Field(1, ge=1)
    check_end: bool = True

    @property
    def enabled(self) -> bool:
        return self.key_field is not None or self.key_regex is not None

    @model_validator(mode="after")
    def _check_regex(self) -> SessionsSettings:
        if self.key_regex is not None:
            import re

            try:
                re.compile(self.key_regex)
            except re.error as exc:
                raise ValueError(f"key_regex does not compile: {exc}") from exc
        return self
