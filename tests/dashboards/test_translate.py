"""The Grafana-query -> ``_search`` translator used to execute panel queries."""

from __future__ import annotations

import pytest

from dashboards.translate import interpolate, to_search_body


def test_interpolate_like_grafana() -> None:
    q = "logtriage.label:$label AND service.name:${service} AND host.name:$host"
    assert interpolate(q, {"label": '"Error"'}) == (
        'logtriage.label:"Error" AND service.name:* AND host.name:*'
    )


def test_nested_buckets_metrics_and_order_by_metric() -> None:
    target = {
        "refId": "A",
        "timeField": "@timestamp",
        "query": "x:1",
        "metrics": [
            {"id": "1", "type": "min", "field": "@timestamp"},
            {"id": "5", "type": "count"},
        ],
        "bucketAggs": [
            {"id": "2", "type": "terms", "field": "a",
             "settings": {"size": "20", "order": "desc", "orderBy": "1", "min_doc_count": "1"}},
            {"id": "3", "type": "terms", "field": "b", "settings": {"size": "1"}},
        ],
    }  # fmt: skip
    body = to_search_body(target, "now-1h", "now")
    outer = body["aggs"]["2"]
    assert outer["terms"] == {"field": "a", "size": 20, "min_doc_count": 1, "order": {"1": "desc"}}
    # The ordering metric sits beside the inner bucket, as Grafana builds it.
    assert outer["aggs"]["1"] == {"min": {"field": "@timestamp"}}
    assert outer["aggs"]["3"]["aggs"] == {"1": {"min": {"field": "@timestamp"}}}
    assert body["query"]["bool"]["filter"][1] == {
        "query_string": {"query": "x:1", "analyze_wildcard": True}
    }


def test_logs_query_is_a_sorted_hits_query() -> None:
    body = to_search_body(
        {"timeField": "ts", "metrics": [{"id": "1", "type": "logs", "settings": {"limit": "5"}}]}
    )
    assert body["size"] == 5 and "aggs" not in body
    assert body["sort"] == [{"ts": {"order": "desc", "unmapped_type": "boolean"}}]


def test_unknown_aggregation_is_refused() -> None:
    with pytest.raises(ValueError, match="geohash_grid"):
        to_search_body(
            {"timeField": "t", "metrics": [], "bucketAggs": [{"id": "1", "type": "geohash_grid"}]}
        )
