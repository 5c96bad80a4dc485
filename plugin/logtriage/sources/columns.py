"""Per-line columns read from search hits' ``_source``: service, host and event time.

Built-in alerting and session tracking both need them for every labelled line; the
sidecar reads them once per page with :func:`columns_from_sources`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

import numpy as np

from logtriage.sources.search import get_path

__all__ = ["columns_from_sources", "epoch_seconds"]


def epoch_seconds(value: Any, default: float) -> float:
    """A document date as epoch seconds: numbers are epoch millis (Elasticsearch's
    numeric dates), strings ISO 8601 (``Z`` or offset; naive means UTC); anything
    else, or unparsable, gives ``default``."""
    if isinstance(value, bool) or value is None:
        return default
    if isinstance(value, int | float):
        return float(value) / 1000.0
    try:
        dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return default
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


def columns_from_sources(
    sources: Sequence[dict[str, Any]],
    service_field: str = "service.name",
    host_field: str = "host.name",
    timestamp_field: str = "@timestamp",
) -> tuple[list[str | None], list[str | None], np.ndarray[Any, Any]]:
    """Per-line ``services``, ``hosts``, ``timestamps`` (epoch seconds) from ``_source``
    dicts (dotted paths, nested or flat). A missing or unparsable timestamp counts as now."""
    now = time.time()
    services = [_text(get_path(s, service_field)) for s in sources]
    hosts = [_text(get_path(s, host_field)) for s in sources]
    ts = np.array(
        [epoch_seconds(_present(get_path(s, timestamp_field)), now) for s in sources],
        dtype=np.float64,
    )
    return services, hosts, ts


def _present(value: Any) -> Any:
    """``get_path``'s absent sentinel as ``None``."""
    return value if isinstance(value, str | int | float | bool) or value is None else None


def _text(value: Any) -> str | None:
    value = _present(value)
    return None if value is None else str(value)
