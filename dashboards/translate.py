"""Turn a Grafana Elasticsearch-datasource query into the ``_search`` body Grafana sends.

This is how the tests execute each panel's query against a real engine: the
panel target (Lucene query string, ``bucketAggs``, ``metrics``) is translated
the way Grafana's Elasticsearch backend builds its request (query_string over
the time range on the time field, nested bucket aggregations in order, metrics
inside the innermost bucket, ``logs``/``raw_data`` as a plain hits query).

Template variables are replaced by their "All" value (``*``) unless given.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["interpolate", "to_search_body", "variable_query_body"]

_METRIC_ES_TYPE = {
    "avg": "avg",
    "sum": "sum",
    "min": "min",
    "max": "max",
    "cardinality": "cardinality",
    "extended_stats": "extended_stats",
    "percentiles": "percentiles",
}


def interpolate(query: str, variables: dict[str, str] | None = None) -> str:
    """Replace ``$name`` / ``${name}`` like Grafana does; unknown variables become ``*``."""
    values = variables or {}

    def sub(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(2)
        return values.get(name, "*")

    return re.sub(r"\$\{(\w+)\}|\$(\w+)", sub, query)


def _bucket(agg: dict[str, Any], time_field: str, interval: str) -> dict[str, Any]:
    kind = agg["type"]
    settings: dict[str, Any] = agg.get("settings", {})
    if kind == "date_histogram":
        iv = settings.get("interval", "auto")
        return {
            "date_histogram": {
                "field": agg.get("field", time_field),
                "fixed_interval": interval if iv == "auto" else iv,
                "min_doc_count": int(settings.get("min_doc_count", "0")),
            }
        }
    if kind == "terms":
        order_by = settings.get("orderBy", "_count")
        body: dict[str, Any] = {
            "field": agg["field"],
            "size": int(settings.get("size", "10")),
            "min_doc_count": int(settings.get("min_doc_count", "1")),
            "order": {order_by: settings.get("order", "desc")},
        }
        if "missing" in settings:
            body["missing"] = settings["missing"]
        return {"terms": body}
    if kind == "histogram":
        return {
            "histogram": {
                "field": agg["field"],
                "interval": float(settings.get("interval", "1")),
                "min_doc_count": int(settings.get("min_doc_count", "0")),
            }
        }
    if kind == "filters":
        return {
            "filters": {
                "filters": {
                    (f.get("label") or f["query"]): {
                        "query_string": {"query": f["query"], "analyze_wildcard": True}
                    }
                    for f in settings["filters"]
                }
            }
        }
    raise ValueError(f"bucket aggregation {kind!r} is not supported by the translator")


def _metric(metric: dict[str, Any]) -> dict[str, Any] | None:
    kind = metric["type"]
    if kind == "count":
        return None  # doc_count of the enclosing bucket
    if kind not in _METRIC_ES_TYPE:
        raise ValueError(f"metric {kind!r} is not supported by the translator")
    return {_METRIC_ES_TYPE[kind]: {"field": metric["field"]}}


def to_search_body(
    target: dict[str, Any],
    time_from: str = "now-6h",
    time_to: str = "now",
    variables: dict[str, str] | None = None,
    interval: str = "1m",
) -> dict[str, Any]:
    """The ``_search`` body for one Grafana Elasticsearch target (panel query)."""
    time_field = target["timeField"]
    query = interpolate(target.get("query") or "*", variables)
    filters: list[dict[str, Any]] = [
        {
            "range": {
                time_field: {
                    "gte": time_from,
                    "lte": time_to,
                    "format": "strict_date_optional_time||epoch_millis",
                }
            }
        },
        {"query_string": {"query": query, "analyze_wildcard": True}},
    ]
    body: dict[str, Any] = {"size": 0, "query": {"bool": {"filter": filters}}}
    metrics = target.get("metrics", [])
    if metrics and metrics[0]["type"] in ("logs", "raw_data", "raw_document"):
        settings = metrics[0].get("settings", {})
        limit = int(settings.get("limit", settings.get("size", "500")))
        body["size"] = limit
        body["sort"] = [{time_field: {"order": "desc", "unmapped_type": "boolean"}}]
        return body
    inner: dict[str, Any] = {}
    for m in metrics:
        agg = _metric(m)
        if agg is not None:
            inner[m["id"]] = agg
    by_id = {m["id"]: m for m in metrics}
    level = body
    for agg in target.get("bucketAggs", []):
        node = _bucket(agg, time_field, interval)
        order_by = agg.get("settings", {}).get("orderBy")
        if agg["type"] == "terms" and order_by in by_id:
            # As Grafana does: a terms bucket ordered by a metric carries that metric.
            ordered = _metric(by_id[order_by])
            if ordered is not None:
                node["aggs"] = {order_by: ordered}
        level.setdefault("aggs", {})[agg["id"]] = node
        level = node
    if inner:
        if level is body:
            body["aggs"] = inner
        else:
            level.setdefault("aggs", {}).update(inner)
    return body


def variable_query_body(
    query: str, time_field: str, time_from: str = "now-6h", time_to: str = "now"
) -> dict[str, Any]:
    """The ``_search`` body for a Grafana Elasticsearch variable query
    (``{"find": "terms", "field": ..., "size": ...}``)."""
    spec = json.loads(query)
    if spec.get("find") != "terms":
        raise ValueError(f"variable query {query!r} is not supported by the translator")
    return {
        "size": 0,
        "query": {"range": {time_field: {"gte": time_from, "lte": time_to}}},
        "aggs": {
            "1": {
                "terms": {
                    "field": spec["field"],
                    "size": int(spec.get("size", 500)),
                    "order": {"_key": "asc"},
                }
            }
        },
    }
