"""Kibana saved objects (``_import`` ndjson): a data view, one saved search per label,
and a dashboard made of those searches. Plain data, no extra dependency."""

from __future__ import annotations

import json
from typing import Any

from dashboards.names import DEFAULT_NAMES, LOGTRIAGE_FIELDS, FieldNames

__all__ = ["DATA_VIEW_ID", "DEFAULT_LABELS", "saved_objects", "to_ndjson"]

DATA_VIEW_ID = "logtriage-logs"
DEFAULT_LABELS = (
    "Critical Error",
    "Error",
    "Security Alert",
    "User Action",
    "HTTP Status",
    "Resource Usage",
    "System Notification",
)
_KIBANA_TYPE = {
    "keyword": "string",
    "text": "string",
    "float": "number",
    "long": "number",
    "boolean": "boolean",
    "date": "date",
}
_INDEX_REF = "kibanaSavedObjectMeta.searchSourceJSON.index"


def _slug(label: str) -> str:
    return label.lower().replace(" ", "-")


def _data_view(names: FieldNames) -> dict[str, Any]:
    fields = [
        {
            "name": name,
            "type": _KIBANA_TYPE[es_type],
            "esTypes": [es_type],
            "searchable": True,
            "aggregatable": es_type != "text",
        }
        for name, es_type in {**names.source_fields(), **LOGTRIAGE_FIELDS}.items()
    ]
    return {
        "id": DATA_VIEW_ID,
        "type": "index-pattern",
        "attributes": {
            "title": names.index,
            "name": "logtriage logs",
            "timeFieldName": names.timestamp,
            "fields": json.dumps(fields),
        },
        "references": [],
        "coreMigrationVersion": "8.8.0",
        "typeMigrationVersion": "8.0.0",
    }


def _search(names: FieldNames, sid: str, title: str, kql: str) -> dict[str, Any]:
    source = {
        "query": {"query": kql, "language": "kuery"},
        "filter": [],
        "indexRefName": _INDEX_REF,
    }
    return {
        "id": sid,
        "type": "search",
        "attributes": {
            "title": title,
            "description": f"logtriage: {kql or 'all labelled documents'}",
            "columns": [
                names.service,
                names.host,
                "logtriage.label",
                "logtriage.confidence",
                "logtriage.anomaly",
                "logtriage.template.id",
                names.message,
            ],
            "sort": [[names.timestamp, "desc"]],
            "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(source)},
        },
        "references": [{"name": _INDEX_REF, "type": "index-pattern", "id": DATA_VIEW_ID}],
        "coreMigrationVersion": "8.8.0",
        "typeMigrationVersion": "8.0.0",
    }


def saved_objects(
    names: FieldNames = DEFAULT_NAMES, labels: tuple[str, ...] = DEFAULT_LABELS
) -> list[dict[str, Any]]:
    """All objects, data view first (Kibana imports references before referrers)."""
    searches = [
        _search(names, "logtriage-anomalies", "logtriage: anomalies", "logtriage.anomaly : true"),
        *(
            _search(
                names,
                f"logtriage-label-{_slug(label)}",
                f"logtriage: {label}",
                f'logtriage.label : "{label}"',
            )
            for label in labels
        ),
    ]
    panels = []
    refs = []
    for i, s in enumerate(searches):
        ref = f"panel_{i}"
        panels.append(
            {
                "type": "search",
                "panelIndex": str(i),
                "gridData": {"x": (i % 2) * 24, "y": (i // 2) * 15, "w": 24, "h": 15, "i": str(i)},
                "embeddableConfig": {},
                "panelRefName": ref,
            }
        )
        refs.append({"name": ref, "type": "search", "id": s["id"]})
    dashboard = {
        "id": "logtriage-overview",
        "type": "dashboard",
        "attributes": {
            "title": "logtriage / overview",
            "description": "Documents labelled by logtriage, one saved search per label.",
            "panelsJSON": json.dumps(panels),
            "optionsJSON": json.dumps({"useMargins": True, "hidePanelTitles": False}),
            "timeRestore": True,
            "timeFrom": "now-24h",
            "timeTo": "now",
            "kibanaSavedObjectMeta": {
                "searchSourceJSON": json.dumps(
                    {"query": {"query": "", "language": "kuery"}, "filter": []}
                )
            },
        },
        "references": refs,
        "coreMigrationVersion": "8.8.0",
        "typeMigrationVersion": "8.9.0",
    }
    return [_data_view(names), *searches, dashboard]


def to_ndjson(objects: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(o, sort_keys=True) + "\n" for o in objects)
