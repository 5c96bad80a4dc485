"""The ``logtriage.*`` mapping the sidecar installs, on both real engines.

Some label fields are doc-values only (``index: false``: cheaper writes); the
filters, ranges, term lookups and aggregations that the dashboards, alert rules and
the sidecar itself run on them must still answer correctly. Existing mappings it
cannot work with are found before anything is written (``mapping_conflicts``).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from logtriage.search.client import EngineInfo, EngineRequestError, SearchClient
from logtriage.search.mapping_checks import mapping_conflicts
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


def _under_logtriage(**fields: dict[str, Any]) -> dict[str, Any]:
    return {"logtriage": {"properties": fields}}


#: Mappings of indices without ``logtriage.processed_at`` (so ``run`` puts the mapping
#: on them) and the conflicts expected there.
_BEFORE_RUN = {
    "logtriage a keyword": (
        {"logtriage": {"type": "keyword"}},
        ["logtriage is keyword, expected object"],
    ),
    "label a long": (
        _under_logtriage(label={"type": "long"}),
        ["logtriage.label is long, expected keyword"],
    ),
    "label an object": (
        _under_logtriage(label={"properties": {"name": {"type": "keyword"}}}),
        ["logtriage.label is object, expected keyword"],
    ),
    "session length a long": (
        _under_logtriage(session={"properties": {"length": {"type": "long"}}}),
        ["logtriage.session.length is long, expected integer"],
    ),
    "confidence indexed": (
        _under_logtriage(confidence={"type": "float"}),
        ["logtriage.confidence is float (indexed), expected float (index: false)"],
    ),
    "label a keyword, ignore_above aside": (
        _under_logtriage(label={"type": "keyword", "ignore_above": 256}),
        [],
    ),
}


@pytest.mark.parametrize("case", list(_BEFORE_RUN))
def test_mapping_conflicts_are_what_the_engine_refuses_to_merge(
    client: SearchClient, case: str
) -> None:
    """Each conflict named is one that makes ``ensure_field_mappings`` (the start of
    ``run``) fail on the index; with none named, it succeeds."""
    properties, expected = _BEFORE_RUN[case]
    index = unique("conflict")
    client.request("PUT", f"/{index}", body={"mappings": {"properties": properties}})

    conflicts = mapping_conflicts(client, f"{index},{unique('missing')}")

    assert [str(c) for c in conflicts] == [f"{index}: {e}" for e in expected]
    if expected:
        refused = f"cannot add logtriage.. mappings to index {index}"
        with pytest.raises(EngineRequestError, match=refused):
            ensure_field_mappings(client, index)
    else:
        assert ensure_field_mappings(client, index) == [index]
        assert mapping_conflicts(client, index) == []


def test_labels_mapped_dynamically_are_a_conflict_and_break_aggregations(
    client: SearchClient,
) -> None:
    """Labels written without the mappings: ``logtriage.processed_at`` is a date, so
    ``run`` adds no mapping, but labels and model versions are text."""
    index = unique("dynamic")
    client.request("PUT", f"/{index}/_doc/1", body=_labelled(1), params={"refresh": "true"})

    found = {(c.field, c.found, c.expected) for c in mapping_conflicts(client, index)}

    assert ("logtriage.label", "text", "keyword") in found
    assert ("logtriage.model.version", "text", "keyword") in found
    labels = {"size": 0, "aggs": {"labels": {"terms": {"field": "logtriage.label"}}}}
    with pytest.raises(EngineRequestError) as err:
        client.search(labels, index=index)
    assert err.value.status == 400


def test_a_wider_number_type_is_no_conflict_where_the_mappings_are_in_place(
    client: SearchClient,
) -> None:
    properties = copy.deepcopy(label_properties(client.info))
    session = properties["logtriage"]["properties"]["session"]["properties"]
    session["length"] = {"type": "long"}
    index = unique("wider")
    client.request("PUT", f"/{index}", body={"mappings": {"properties": properties}})

    assert mapping_conflicts(client, index) == []
    assert ensure_field_mappings(client, index) == []  # mapped already: nothing to merge
    doc = _labelled(1)
    doc["logtriage"]["session"] = {"anomaly": True, "length": 3, "position": 1}
    client.request("PUT", f"/{index}/_doc/1", body=doc, params={"refresh": "true"})
    assert _count(client, index, {"range": {"logtriage.session.length": {"gte": 3}}}) == 1
