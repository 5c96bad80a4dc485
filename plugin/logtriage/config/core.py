"""Settings of the Rust core stages: masking, mining, rules."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from logtriage.config.types import StringList


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MaskSpec(_Section):
    """A mask as data: stable name, regex, placeholder written in its place."""

    name: str = Field(min_length=1)
    regex: str = Field(min_length=1)
    placeholder: str = Field(min_length=1)


class MaskingSettings(_Section):
    """Masks applied before mining. Start from the built-in set unless
    ``use_defaults`` is false, drop the names in ``remove``; a mask in ``add``
    takes the place of the default of its name, or else runs before the defaults
    (which would otherwise mask part of its text first). A regex that matches the
    empty string is refused."""

    use_defaults: bool = True
    remove: StringList = []
    add: list[MaskSpec] = []


class MiningSettings(_Section):
    """Template miner settings (see rust_core/src/miner)."""

    sim_threshold: float = Field(0.5, ge=0.0, le=1.0)
    depth: int = Field(4, ge=3, le=16)
    max_children: int = Field(100, ge=2)
    max_templates: int = Field(100_000, ge=1)
    max_tokens: int = Field(256, ge=8)


class RulesSettings(_Section):
    """Regex rules. ``use_defaults`` loads the shipped rules first; ``path``
    adds a YAML file of your own (same ``rules:`` format)."""

    use_defaults: bool = True
    path: Path | None = None
