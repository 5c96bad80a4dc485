"""Timestamp fields the sidecar orders and checkpoints by, on real engines."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from logtriage.local_engine import LocalEngine
from logtriage.search.client import SearchClient
from logtriage.sidecar import Sidecar

from tests._search_helpers import (
    assert_labelled_once,
    fetch_all,
    load,
    make_index,
    settings_for,
    unique,
)


def _iso_micros(t: datetime) -> str:
    return t.isoformat(timespec="microseconds").replace("+00:00", "Z")


def test_date_nanos_timestamps_checkpoint_in_milliseconds(
    engine: LocalEngine, client: SearchClient
) -> None:
    """One index maps the timestamp ``date_nanos``, the other ``date``: every document is
    labelled once, the checkpoint is epoch ms (a nanosecond checkpoint made every later
    pass fail with HTTP 400), and a document arriving after the first run is labelled."""
    prefix = unique("nanos")
    for suffix, kind in (("a", "date_nanos"), ("b", "date")):
        client.request(
            "PUT",
            f"/{prefix}-{suffix}",
            body={
                "settings": {"number_of_shards": 1, "number_of_replicas": 0},
                "mappings": {"properties": {"@timestamp": {"type": kind}}},
            },
        )
    start = datetime.now(timezone.utc) - timedelta(minutes=30)
    docs = [
        {"@timestamp": _iso_micros(start + timedelta(microseconds=7 * i)), "message": m, "seq": i}
        for i, m in enumerate(["User bob changed password", "disk full", "GET /x 200"] * 4)
    ]
    load(client, f"{prefix}-a", docs[:6])
    load(client, f"{prefix}-b", docs[6:])
    settings = settings_for(engine.url, f"{prefix}-*", sidecar={"batch_size": 5})

    summary = Sidecar(settings, client=client).run(once=True)

    assert summary.complete and summary.labelled == 12
    cp = client.request("GET", f"/state-{prefix}-/_doc/{prefix}-:checkpoint:0of1")
    newest_ms = int((start + timedelta(microseconds=7 * 11)).timestamp() * 1000)
    assert cp["_source"]["position_ms"] == newest_ms
    late = {"@timestamp": _iso_micros(datetime.now(timezone.utc)), "message": "late", "seq": 12}
    load(client, f"{prefix}-a", [late])
    summary = Sidecar(settings, client=client).run(once=True)
    assert summary.complete and summary.labelled == 1
    assert_labelled_once(fetch_all(client, f"{prefix}-*"), [*docs, late])


def test_keyword_timestamp_still_reads(engine: LocalEngine, client: SearchClient) -> None:
    """A timestamp mapped ``keyword`` (doctor warns) cannot be sorted as a date; the
    sidecar sorts it as it is rather than failing every search."""
    index = unique("kwts")
    client.request(
        "PUT", f"/{index}", body={"mappings": {"properties": {"@timestamp": {"type": "keyword"}}}}
    )
    docs = [
        {"@timestamp": f"2026-01-01T00:00:0{i}", "message": "disk full", "seq": i} for i in range(3)
    ]
    load(client, index, docs)

    summary = Sidecar(settings_for(engine.url, index), client=client).run(once=True)

    assert summary.complete and summary.labelled == 3
    assert_labelled_once(fetch_all(client, index), docs)


@pytest.mark.parametrize("write_mode", ["update", "index"])
def test_a_document_stamped_in_the_future_does_not_carry_the_checkpoint_past_now(
    engine: LocalEngine, client: SearchClient, write_mode: str
) -> None:
    """A host east of UTC writing local time without a zone stamps its lines hours ahead.
    The checkpoint followed it, so correctly stamped documents indexed after it lay
    behind the checkpoint's overlap: never read in ``index`` mode, read only by the next
    backfill pass (15 min) in ``update`` mode. The checkpoint now stops at now."""
    index = unique(f"future-{write_mode}")
    make_index(client, index)
    now = datetime.now(timezone.utc)
    ahead = {
        "@timestamp": (now + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S"),
        "message": "from a host in UTC+2",
        "seq": 0,
    }
    load(client, index, [ahead], op="index")
    settings = settings_for(
        engine.url, index, sink={"write_mode": write_mode, "labels_index": f"labels-{index}"}
    )
    sidecar = Sidecar(settings, client=client)
    assert sidecar.run(max_passes=1).labelled == 1
    assert sidecar.checkpoint is not None and sidecar.checkpoint.position_ms is not None
    assert sidecar.checkpoint.position_ms <= datetime.now(timezone.utc).timestamp() * 1000

    current = {"@timestamp": _iso_micros(datetime.now(timezone.utc)), "message": "ok", "seq": 1}
    load(client, index, [current], op="index")
    # Passes from the checkpoint only (no backfill pass is due).
    assert Sidecar(settings, client=client).run(max_passes=1).labelled == 1


def test_index_mode_labels_documents_carry_the_source_timestamp(
    engine: LocalEngine, client: SearchClient
) -> None:
    """The labels document's ``@timestamp`` is the source's, as the engine read it: with
    a dotted ``search.timestamp_field`` (``event.created``) labels documents had none
    (only a top-level key was looked up), and a timestamp in a custom ``format`` made
    every labels write fail (the labels index could not parse the source's text)."""
    prefix = unique("lts")
    client.request(
        "PUT",
        f"/{prefix}-nanos",
        body={"mappings": {"properties": {"event.created": {"type": "date_nanos"}}}},
    )
    client.request(
        "PUT",
        f"/{prefix}-custom",
        body={
            "mappings": {
                "properties": {"event.created": {"type": "date", "format": "dd/MM/yyyy HH:mm:ss"}}
            }
        },
    )
    nanos = ["2026-01-01T00:00:00.123456789Z", 1767225600001, "2026-01-01T00:00:02"]
    docs = [
        {"event": {"created": t}, "message": "disk full", "seq": i} for i, t in enumerate(nanos)
    ]
    load(client, f"{prefix}-nanos", docs)
    custom = {"event": {"created": "01/01/2026 00:00:03"}, "message": "disk full", "seq": 3}
    load(client, f"{prefix}-custom", [custom])
    labels = f"labels-{prefix}"
    settings = settings_for(
        engine.url,
        f"{prefix}-*",
        search={"timestamp_field": "event.created"},
        sink={"write_mode": "index", "labels_index": labels},
    )

    summary = Sidecar(settings, client=client).run(once=True)

    assert summary.complete and summary.labelled == 4 and summary.failed == 0
    client.refresh(labels)
    body = {"size": 10, "query": {"range": {"@timestamp": {"gte": "2026-01-01"}}}}
    hits = client.search(body, index=labels)["hits"]["hits"]
    start = 1767225600000
    assert sorted(h["_source"]["@timestamp"] for h in hits) == [
        start + 1,
        start + 123,
        start + 2000,
        start + 3000,
    ]
