"""The notification record shared by the engine and the delivery."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Literal

__all__ = ["Notification", "fingerprint"]


def fingerprint(rule_id: str, group: dict[str, str], extra: str = "") -> str:
    """Stable id of one alert instance (rule + group [+ template]); receivers may dedup on it."""
    key = rule_id + "|" + "|".join(f"{k}={v}" for k, v in sorted(group.items())) + "|" + extra
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, tz=timezone.utc).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Notification:
    """One state change of one alert instance: ``firing`` or ``resolved``."""

    status: Literal["firing", "resolved"]
    rule_id: str
    kind: str
    severity: str
    summary: str
    group: dict[str, str]
    labels: dict[str, str]
    value: float
    threshold: float
    window_s: float
    starts_at: float
    ends_at: float | None
    fingerprint: str

    @property
    def starts_at_iso(self) -> str | None:
        return _iso(self.starts_at)

    @property
    def ends_at_iso(self) -> str | None:
        return _iso(self.ends_at)
