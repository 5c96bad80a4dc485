"""Every Elasticsearch panel query and alert query runs against a real engine.

Labelled documents are bulk-indexed into a fresh index, then each panel's
Grafana query (query string + bucket aggregations + metrics) is translated by
``dashboards.translate.to_search_body`` -- the same request Grafana's
Elasticsearch backend builds -- and executed with ``_search``. Each must return
hits or non-empty buckets. ``es_client`` is the session engine from
``tests/conftest.py`` (Elasticsearch 8.x, elasticsearch-py 8.x).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from elasticsearch import Elasticsearch, helpers

from dashboards import grafana_gen
from dashboards.names import LOGTRIAGE_FIELDS, FieldNames
from dashboards.translate import to_search_body

LABELS = ["Critical Error", "Error", "Security Alert", "User Action", "HTTP Status"]
NAMES = FieldNames(index="unused", service="service.name", host="host.name")


def _mapping(names: FieldNames) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for name, es_type in {**names.source_fields(), **LOGTRIAGE_FIELDS}.items():
        node = props
        *parents, leaf = name.split(".")
        for p in parents:
            node = node.setdefault(p, {"properties": {}})["properties"]
        node[leaf] = {"type": es_type}
    return {"properties": props}


def _docs(index: str, n: int = 200) -> Iterator[dict[str, Any]]:
    now = datetime.now(timezone.utc)
    for i in range(n):
        label = LABELS[i % len(LABELS)]
        yield {
            "_index": index,
            "_source": {
                "@timestamp": (now - timedelta(seconds=30 * i)).isoformat(),
                "message": f"request {i} from 10.0.0.{i % 7} failed",
                "service": {"name": f"svc-{i % 3}"},
                "host": {"name": f"host-{i % 2}"},
                "logtriage": {
                    "label": label,
                    "confidence": (i % 10) / 10 + 0.05,
                    "anomaly": i % 9 == 0,
                    "anomaly_score": (i % 9) / 9,
                    "template": {"id": str(i % 12), "text": f"request <*> from <*> t{i % 12}"},
                    "rule": None,
                    "model": {"version": "test-1"},
                    "processed_at": now.isoformat(),
                },
            },
        }


@pytest.fixture(scope="module")
def labelled_index(es_client: Elasticsearch) -> Iterator[str]:
    index = f"logs-dashboards-{uuid.uuid4().hex[:8]}"
    es_client.indices.create(index=index, mappings=_mapping(NAMES))
    ok, errors = helpers.bulk(es_client, _docs(index), refresh="wait_for")
    assert ok == 200 and not errors
    yield index
    es_client.indices.delete(index=index)


def _non_empty(resp: dict[str, Any]) -> bool:
    if resp["hits"]["hits"]:
        return True

    def walk(node: Any) -> bool:
        if isinstance(node, dict):
            buckets = node.get("buckets")
            if isinstance(buckets, list) and any(b.get("doc_count", 0) > 0 for b in buckets):
                return True
            if isinstance(buckets, dict) and any(
                b.get("doc_count", 0) > 0 for b in buckets.values()
            ):
                return True
            if node.get("value") not in (None, 0):
                return True
            return any(walk(v) for v in node.values())
        return False

    return walk(resp.get("aggregations", {}))


def _es_targets() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for stem, board in grafana_gen.dashboards(NAMES).items():
        for panel in board["panels"]:
            for t in panel.get("targets", []):
                if t.get("datasource", {}).get("type") == "elasticsearch":
                    out.append((f"{stem}: {panel['title']} [{t['refId']}]", t))
    return out


def test_every_overview_panel_has_elasticsearch_queries() -> None:
    titles = {name.split(" [")[0] for name, _ in _es_targets()}
    assert len(titles) == 7, titles


@pytest.mark.parametrize(("name", "target"), _es_targets(), ids=[n for n, _ in _es_targets()])
def test_panel_query_returns_data(
    es_client: Elasticsearch, labelled_index: str, name: str, target: dict[str, Any]
) -> None:
    body = to_search_body(target, time_from="now-6h", time_to="now")
    resp = es_client.search(index=labelled_index, body=body).body
    assert resp["_shards"]["failed"] == 0, name
    assert _non_empty(resp), f"{name} returned nothing: {json.dumps(body)}"


def test_panel_query_respects_label_variable(es_client: Elasticsearch, labelled_index: str) -> None:
    target = next(t for n, t in _es_targets() if n.startswith("logtriage-overview: Logs"))
    body = to_search_body(target, variables={"label": '"Security Alert"'})
    hits = es_client.search(index=labelled_index, body=body).body["hits"]["hits"]
    assert hits and {h["_source"]["logtriage"]["label"] for h in hits} == {"Security Alert"}


def _alert_targets() -> list[tuple[str, dict[str, Any], int, int]]:
    out = []
    for rule in grafana_gen.alert_rules(NAMES):
        for q in rule["data"]:
            if q["datasourceUid"] == grafana_gen.ES_DS_UID:
                rng = q["relativeTimeRange"]
                out.append((f"{rule['uid']}/{q['refId']}", q["model"], rng["from"], rng["to"]))
    return out


@pytest.mark.parametrize(("name", "model", "frm", "to"), _alert_targets())
def test_alert_rule_query_runs(
    es_client: Elasticsearch,
    labelled_index: str,
    name: str,
    model: dict[str, Any],
    frm: int,
    to: int,
) -> None:
    body = to_search_body(model, time_from=f"now-{frm}s", time_to=f"now-{to}s")
    resp = es_client.search(index=labelled_index, body=body).body
    assert resp["_shards"]["failed"] == 0
    assert _non_empty(resp), name


def test_kibana_data_view_fields_exist_in_the_engine(
    es_client: Elasticsearch, labelled_index: str
) -> None:
    """Every field the Kibana data view (and so each saved search) names is a real,
    searchable field of labelled documents, with the type the data view claims."""
    from dashboards import kibana_gen

    view = kibana_gen.saved_objects(NAMES)[0]
    fields = json.loads(view["attributes"]["fields"])
    caps = es_client.field_caps(index=labelled_index, fields="*").body["fields"]
    for f in fields:
        assert f["name"] in caps, f["name"]
        es_type = f["esTypes"][0]
        assert es_type in caps[f["name"]], (f["name"], caps[f["name"]])
        assert caps[f["name"]][es_type]["aggregatable"] == f["aggregatable"], f["name"]
