"""Timestamp fields the sidecar orders and checkpoints by, on real engines."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from logtriage.local_engine import LocalEngine
from logtriage.search.client import SearchClient
from logtriage.sidecar import Sidecar

from tests._search_helpers import assert_labelled_once, fetch_all, load, settings_for, unique


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
