"""The user-facing names the artifacts depend on (index pattern and source fields)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_NAMES", "LOGTRIAGE_FIELDS", "FieldNames"]

# Fields the sidecar writes (DESIGN.md); they are never renamed.
LOGTRIAGE_FIELDS: dict[str, str] = {
    "logtriage.label": "keyword",
    "logtriage.confidence": "float",
    "logtriage.anomaly": "boolean",
    "logtriage.anomaly_score": "float",
    "logtriage.template.id": "long",
    "logtriage.template.text": "keyword",
    "logtriage.rule": "keyword",
    "logtriage.model.version": "keyword",
    "logtriage.processed_at": "date",
    "logtriage.error.reason": "keyword",
}


@dataclass(frozen=True)
class FieldNames:
    """Index pattern and source-field names substituted into every artifact.

    The defaults follow ECS and the sidecar's defaults (``SearchSettings``).
    """

    index: str = "logs-*"
    message: str = "message"
    timestamp: str = "@timestamp"
    service: str = "service.name"
    host: str = "host.name"

    def source_fields(self) -> dict[str, str]:
        """Source field name -> Elasticsearch type, as the dashboards use them."""
        return {
            self.timestamp: "date",
            self.message: "text",
            self.service: "keyword",
            self.host: "keyword",
        }


DEFAULT_NAMES = FieldNames()
