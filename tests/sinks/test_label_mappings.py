"""The ``logtriage.*`` mapping the sidecar installs, on both real engines.

Some label fields are doc-values only (``index: false``: cheaper writes); the
filters, ranges, term lookups and aggregations that the dashboards, alert rules and
the sidecar itself run on them must still answer correctly.
"""

from __future__ import annotations

from typing import Any

from logtriage.search.client import EngineInfo, SearchClient
from logtriage.search.templates import (
    LOGTRIAGE_PROPERTIES,
    ensure_field_mappings,
    label_properties,
)

from tests._search_helpers import unique


def _labelled(i: int) -> dict[str, Any]:
    return {
        "message": f"line {i}",
        "logtriage": {
            "label": "Error" if i % 2 else "System Notification",
            "confidence": i / 10,
            "anomaly": i >= 8,
            "anomaly_score": i / 20,
            "template": {"id": 100 + i % 3, "text": f"template <*> {i % 3}"},
            "model": {"version": "m1"},
            "processed_at": f"2026-01-{i + 1:02d}T00:00:00Z",
        },
    }


def _count(client: SearchClient, index: str, query: dict[str, Any]) -> int:
    resp = client.search({"query": query, "size": 0, "track_total_hits": True}, index=index)
    return int(resp["hits"]["total"]["value"])


def test_doc_values_only_label_fields_answer_queries_and_aggregations(client) -> None:
    index = unique("mapping")
    client.request("PUT", f"/{index}", body={"settings": {"number_of_replicas": 0}})
    assert ensure_field_mappings(client, index) == [index]
    mapping = client.request("GET", f"/{index}/_mapping")[index]["mappings"]["properties"]
    assert mapping["logtriage"] == LOGTRIAGE_PROPERTIES["logtriage"]  # as shipped
    for i in range(10):
        client.request("PUT", f"/{index}/_doc/{i}", body=_labelled(i))
    client.request("PUT", f"/{index}/_doc/unlabelled", body={"message": "new"})
    client.refresh(index)

    assert _count(client, index, {"range": {"logtriage.confidence": {"gte": 0.5}}}) == 5
    assert _count(client, index, {"range": {"logtriage.anomaly_score": {"gt": 0.3}}}) == 3
    assert _count(client, index, {"term": {"logtriage.template.id": 101}}) == 3
    assert _count(client, index, {"query_string": {"query": "logtriage.template.id:102"}}) == 3
    assert _count(client, index, {"range": {"logtriage.processed_at": {"gte": "2026-01-08"}}}) == 3
    unlabelled = {"bool": {"must_not": [{"exists": {"field": "logtriage.processed_at"}}]}}
    assert _count(client, index, unlabelled) == 1

    aggs = client.search(
        {
            "size": 0,
            "aggs": {
                "templates": {"terms": {"field": "logtriage.template.id"}},
                "mean_confidence": {"avg": {"field": "logtriage.confidence"}},
                "per_day": {
                    "date_histogram": {
                        "field": "logtriage.processed_at",
                        "calendar_interval": "day",
                    }
                },
            },
        },
        index=index,
    )["aggregations"]
    assert {b["key"]: b["doc_count"] for b in aggs["templates"]["buckets"]} == {
        100: 4,
        101: 3,
        102: 3,
    }
    assert abs(aggs["mean_confidence"]["value"] - 0.45) < 1e-6
    assert len(aggs["per_day"]["buckets"]) == 10


def _unindexed(properties: dict[str, Any], path: str = "") -> set[str]:
    out = set()
    for name, spec in properties.items():
        if "properties" in spec:
            out |= _unindexed(spec["properties"], f"{path}{name}.")
        elif spec.get("index") is False:
            out.add(f"{path}{name}")
    return out


def test_engines_that_cannot_query_doc_values_keep_the_fields_indexed() -> None:
    doc_values_only = {
        "logtriage.confidence",
        "logtriage.anomaly_score",
        "logtriage.template.id",
        "logtriage.processed_at",
    }
    for engine, version, expected in [
        ("elasticsearch", "8.15.3", doc_values_only),
        ("elasticsearch", "8.1.0", doc_values_only),
        ("elasticsearch", "8.0.1", set()),
        ("opensearch", "2.18.0", doc_values_only),
        ("opensearch", "3.1.0", doc_values_only),
        ("opensearch", "2.11.1", set()),
        ("opensearch", "unknown", set()),
    ]:
        properties = label_properties(EngineInfo(engine, version, "http://x"))
        assert _unindexed(properties) == expected, (engine, version)
