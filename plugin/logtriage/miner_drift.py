"""How a stored miner state's settings differ from the configured ones.

A restored miner keeps the settings it was saved with (its templates and ids were
mined with them); the configured ``mining``/``masking`` settings do not apply to
it. Saying so beats a silent no-op: an operator who adds a mask and restarts
would otherwise see nothing change.
"""

from __future__ import annotations

from typing import Any

import orjson

from logtriage.config import MaskingSettings, MiningSettings
from logtriage.core import build_miner

__all__ = ["miner_settings_drift"]


def miner_settings_drift(
    state: bytes, mining: MiningSettings, masking: MaskingSettings
) -> list[str]:
    """One phrase per setting in which ``state`` (a saved miner, already loaded once,
    so well formed) differs from ``mining``/``masking``; empty when they agree."""
    stored = orjson.loads(state)
    configured = orjson.loads(build_miner(mining, masking).to_bytes())
    drift = [
        f"mining.{key} {stored['config'].get(key)!r} (configured {value!r})"
        for key, value in configured["config"].items()
        if stored["config"].get(key) != value
    ]
    masks = _masks_drift(stored["masks"], configured["masks"])
    if masks:
        drift.append(f"masks: {masks}")
    return drift


def _masks_drift(stored: list[list[str]], configured: list[list[str]]) -> str:
    """``configured adds A; drops B; changes C`` (or ``order``) for two mask lists of
    ``[name, regex, placeholder]``; empty when equal."""
    if stored == configured:
        return ""
    old: dict[str, Any] = {m[0]: m for m in stored}
    new: dict[str, Any] = {m[0]: m for m in configured}
    parts = [
        f"{verb} {', '.join(names)}"
        for verb, names in (
            ("configured adds", [n for n in new if n not in old]),
            ("drops", [n for n in old if n not in new]),
            ("changes", [n for n in new if n in old and new[n] != old[n]]),
        )
        if names
    ]
    return "; ".join(parts) or "the configured masks run in another order"
