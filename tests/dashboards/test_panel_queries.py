"""Every Elasticsearch panel query and alert query runs against a real engine.

Realistic sample logs, labelled by the real Pipeline, are bulk-indexed into a
fresh index. Each panel's Grafana query (query string + bucket aggregations +
metrics) is then translated by ``dashboards.translate.to_search_body`` -- the
request Grafana's Elasticsearch backend builds -- and executed with ``_search``;
this is how a panel's query is executed here. Each must return
hits or non-empty buckets. ``es_client`` is the session engine from
``tests/conftest.py`` (Elasticsearch 8.x, elasticsearch-py 8.x).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from elasticsearch import Elasticsearch, helpers
from logtriage.config import Settings
from logtriage.labels import LabelColumns
from logtriage.pipeline import Pipeline
from logtriage.samples import generate
from logtriage.search.templates import LOGTRIAGE_PROPERTIES

from dashboards import grafana_gen
from dashboards.names import FieldNames
from dashboards.translate import to_search_body

NAMES = FieldNames(index="unused", service="service.name", host="host.name")


def _mapping(names: FieldNames) -> dict[str, Any]:
    """The source fields, plus ``logtriage.*`` exactly as the sidecar maps them (some
    are doc-values only: the panels' filters and aggregations must work on those)."""
    props: dict[str, Any] = {}
    for name, es_type in names.source_fields().items():
        node = props
        *parents, leaf = name.split(".")
        for p in parents:
            node = node.setdefault(p, {"properties": {}})["properties"]
        node[leaf] = {"type": es_type}
    return {"properties": {**props, **LOGTRIAGE_PROPERTIES}}


class GroundTruthLabeler:
    """Model stage that answers with the sample generator's ground truth."""

    model_version = "samples-ground-truth"

    def __init__(self, truth: dict[str, tuple[str, bool]]) -> None:
        self.truth = truth

    def label_batch(
        self,
        messages: list[str],
        template_ids: npt.NDArray[np.uint32],
        template_texts: list[str],
        changes: npt.NDArray[np.uint8],
    ) -> LabelColumns:
        labels = [self.truth[m][0] for m in messages]
        anomaly = np.array([self.truth[m][1] for m in messages], dtype=np.bool_)
        return LabelColumns(
            label=labels,
            confidence=np.linspace(0.05, 0.95, len(messages), dtype=np.float32),
            anomaly=anomaly,
            anomaly_score=anomaly.astype(np.float32),
        )


def _docs(index: str, n: int = 2000) -> list[dict[str, Any]]:
    """Realistic sample logs (logtriage.samples) of the last ~15 minutes, labelled by
    the real Pipeline (Rust masking + template miner) with a ground-truth model stage."""
    now = datetime.now(timezone.utc)
    lines = generate(n, seed=11, start=(now - timedelta(minutes=15)).replace(tzinfo=None))
    truth = {ln.message: (ln.label, ln.anomaly) for ln in lines}
    pipeline = Pipeline(Settings(), labeler=GroundTruthLabeler(truth))
    batch = pipeline.process_batch([ln.message for ln in lines])
    processed = now.isoformat()
    return [
        {
            "_index": index,
            "_source": {
                "@timestamp": ln.timestamp,
                "message": ln.message,
                "service": {"name": ln.service},
                "host": {"name": ln.host},
                "logtriage": {
                    "label": batch.labels.label[i],
                    "confidence": float(batch.labels.confidence[i]),
                    "anomaly": bool(batch.labels.anomaly[i]),
                    "anomaly_score": float(batch.labels.anomaly_score[i]),
                    "template": {
                        "id": str(int(batch.template_ids[i])),
                        "text": batch.template_texts[i],
                    },
                    "model": {"version": batch.model_version},
                    "processed_at": processed,
                },
            },
        }
        for i, ln in enumerate(lines)
    ]


@pytest.fixture(scope="module")
def labelled_index(es_client: Elasticsearch) -> Iterator[str]:
    index = f"logtriage-test-dashboards-{uuid.uuid4().hex[:8]}"
    es_client.indices.create(index=index, mappings=_mapping(NAMES))
    docs = _docs(index)
    ok, errors = helpers.bulk(es_client, docs, refresh="wait_for")
    assert ok == len(docs) and not errors
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
    body = to_search_body(target, time_from="now-6h", time_to="now", variables=_all_values())
    resp = es_client.search(index=labelled_index, body=body).body
    assert resp["_shards"]["failed"] == 0, name
    assert _non_empty(resp), f"{name} returned nothing: {json.dumps(body)}"


def test_panel_query_respects_label_variable(es_client: Elasticsearch, labelled_index: str) -> None:
    target = next(t for n, t in _es_targets() if n.startswith("logtriage-overview: Logs"))
    body = to_search_body(target, variables={"label": '"Security Alert"'})
    hits = es_client.search(index=labelled_index, body=body).body["hits"]["hits"]
    assert hits and {h["_source"]["logtriage"]["label"] for h in hits} == {"Security Alert"}


def test_critical_count_panel_counts_exactly_the_labelled_documents(
    es_client: Elasticsearch, labelled_index: str
) -> None:
    panel = next(t for n, t in _es_targets() if "Critical Error and Security" in n)
    assert panel["refId"] == "A"
    body = to_search_body(panel, time_from="now-1d", time_to="now")
    buckets = es_client.search(index=labelled_index, body=body).body["aggregations"]["2"]
    total = sum(b["doc_count"] for b in buckets["buckets"])
    expected = es_client.count(
        index=labelled_index, query={"term": {"logtriage.label": "Critical Error"}}
    ).body["count"]
    assert total == expected > 0


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


def test_variable_queries_list_values(es_client: Elasticsearch, labelled_index: str) -> None:
    """The Label/Service/Host variables' terms queries answer with real values."""
    from dashboards.translate import variable_query_body

    board = grafana_gen.dashboards(NAMES)["logtriage-overview"]
    queries = {v["name"]: v["query"] for v in board["templating"]["list"] if v["type"] == "query"}
    assert set(queries) == {"label", "service", "host"}
    for name, query in queries.items():
        body = variable_query_body(query, NAMES.timestamp, time_from="now-1d")
        buckets = es_client.search(index=labelled_index, body=body).body["aggregations"]["1"]
        values = [b["key"] for b in buckets["buckets"]]
        assert len(values) >= 2, (name, values)
    labels = variable_query_body(queries["label"], NAMES.timestamp, time_from="now-1d")
    got = es_client.search(index=labelled_index, body=labels).body["aggregations"]["1"]
    assert "Critical Error" in [b["key"] for b in got["buckets"]]


def _all_values() -> dict[str, str]:
    """Each variable's value with "All" selected, as Grafana inserts it (a custom all
    value as written)."""
    board = grafana_gen.dashboards(NAMES)["logtriage-overview"]
    return {
        v["name"]: v.get("allValue") or v.get("query", "*")
        for v in board["templating"]["list"]
        if v["type"] in ("query", "textbox")
    }


def test_all_includes_documents_without_service_or_host(es_client: Elasticsearch) -> None:
    """Logs without ``service.name`` or ``host.name`` (plain syslog, many shippers) are
    labelled too; with Service and Host on "All" every panel counts them. Before, "All"
    was ``service.name:*``, which hid them: 30 of 100 Critical Errors were shown."""
    index = f"logtriage-test-dashboards-missing-{uuid.uuid4().hex[:8]}"
    es_client.indices.create(index=index, mappings=_mapping(NAMES))
    now = datetime.now(timezone.utc)
    kinds = (
        [("checkout", "h1")] * 3 + [(None, "h1")] * 2 + [("checkout", None)] * 2 + [(None, None)]
    )
    docs = []
    for i, (service, host) in enumerate(kinds):
        source: dict[str, Any] = {
            "@timestamp": (now - timedelta(minutes=5, seconds=i)).isoformat(),
            "message": f"Kernel panic - not syncing {i}",
            "logtriage": {"label": "Critical Error", "anomaly": True},
        }
        if service:
            source["service"] = {"name": service}
        if host:
            source["host"] = {"name": host}
        docs.append({"_index": index, "_source": source})
    helpers.bulk(es_client, docs, refresh="wait_for")
    panel = next(t for n, t in _es_targets() if "Critical Error and Security" in n)
    try:

        def count(**chosen: str) -> int:
            body = to_search_body(panel, time_from="now-1h", variables={**_all_values(), **chosen})
            buckets = es_client.search(index=index, body=body).body["aggregations"]["2"]
            return int(sum(b["doc_count"] for b in buckets["buckets"]))

        assert count() == 8
        # Grafana's lucene format of a multi-value selection: ("a" OR "b").
        assert count(service='("checkout")') == 5
        assert count(host='("h1")') == 5
        assert count(service='("checkout")', host='("h1")') == 3
        assert count(service='("checkout" OR "other")', host='("h1" OR "h2")') == 3
    finally:
        es_client.indices.delete(index=index)


def _series(resp: dict[str, Any]) -> list[float]:
    """The values Grafana reads from an alert query's answer: one per date-histogram
    bucket (empty ones dropped, as ``dropNN`` does), or the one of a ``filters`` bucket."""
    buckets = resp["aggregations"]["2"]["buckets"]
    rows = buckets if isinstance(buckets, list) else list(buckets.values())
    return [float(b["1"]["value"]) for b in rows if b["1"]["value"] is not None]


def test_anomaly_rate_rule_is_the_share_of_anomalous_documents(es_client: Elasticsearch) -> None:
    """1 anomaly among 1,001 documents in 10 minutes is 0.1 %. The rule averaged per
    time bucket and then took the mean of the buckets: the quiet minute with the one
    anomaly weighed as much as the busy one, and the rule saw 50 % (fired)."""
    index = f"logtriage-test-anomaly-rate-{uuid.uuid4().hex[:8]}"
    es_client.indices.create(index=index, mappings=_mapping(NAMES))
    now = datetime.now(timezone.utc)
    docs = [{"@timestamp": (now - timedelta(minutes=8)).isoformat(), "anomaly": False}] * 1000 + [
        {"@timestamp": (now - timedelta(minutes=2)).isoformat(), "anomaly": True}
    ]
    helpers.bulk(
        es_client,
        (
            {
                "_index": index,
                "_source": {
                    "@timestamp": d["@timestamp"],
                    "message": "m",
                    "logtriage": {"label": "Error", "anomaly": d["anomaly"]},
                },
            }
            for d in docs
        ),
        refresh="wait_for",
    )
    rule = next(r for r in grafana_gen.alert_rules(NAMES) if r["uid"] == "logtriage-anomaly-rate")
    data = {q["refId"]: q for q in rule["data"]}
    query = data["A"]
    try:
        body = to_search_body(query["model"], time_from="now-600s", time_to="now")
        values = _series(es_client.search(index=index, body=body).body)
    finally:
        es_client.indices.delete(index=index)
    reducer = data["B"]["model"]["reducer"]
    value = {"mean": sum(values) / len(values), "last": values[-1]}[reducer]
    assert value == pytest.approx(1 / 1001)
    threshold = float(data["C"]["model"]["expression"].split(">")[1])
    assert not value > threshold
