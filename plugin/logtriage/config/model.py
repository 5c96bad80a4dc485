"""Settings of the model stage (runtime classifier)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class ModelSettings(BaseModel):
    """Which bundle labels the lines and how cautious it is.

    ``enabled`` False labels with templates and rules only. ``bundle`` None means the
    default bundle shipped with logtriage (if present), else templates and rules only.
    ``min_confidence``/``anomaly_threshold`` None take the bundle's own thresholds
    (manifest.json). ``max_seq_len`` caps the encoder's tokens per template: templates
    are short (LogHub-2k: median 18 tokens), and 32 labels LogHub's templates as well
    as 64 while making a cold 512-template batch about 25% faster. ``max_message_bytes``
    is how much of a template (UTF-8 bytes) the model and its cache keep: mining already
    cuts a line at ``mining.max_tokens`` tokens, and this bounds the rest when that is
    raised (a template's tail does not change a label the encoder reads 32 tokens of)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    bundle: Path | None = None
    min_confidence: float | None = Field(None, ge=0.0, le=1.0)
    anomaly_threshold: float | None = Field(None, ge=0.0, le=1.0)
    cache_size: int = Field(100_000, ge=1)
    cache_path: Path | None = None
    max_seq_len: int = Field(32, ge=8, le=512)
    batch_size: int = Field(64, ge=1)
    threads: int | None = Field(None, ge=1)
    max_message_bytes: int = Field(16_384, ge=256)
