"""The bulk sink: guarded partial updates on real engines; retry policy.

The 429 tests use a scripted stand-in for the engine's ``bulk`` answer: a real
server cannot be made to reject *chosen* documents with 429 on demand (it does
so under queue pressure, which the chaos suite exercises). Everything else runs
against the real engines.
"""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from logtriage.config import SinkSettings
from logtriage.errors import SinkError
from logtriage.search.client import EngineRequestError, SearchClient
from logtriage.search.templates import ensure_field_mappings
from logtriage.sinks.search import SearchSink, WriteAction, backoff_delay, update_action

from tests._search_helpers import fetch_all, load, make_docs, make_index, unique


def _hits(client: SearchClient, index: str) -> list[dict[str, Any]]:
    client.refresh(index)
    return client.search({"size": 100, "seq_no_primary_term": True, "sort": ["seq"]}, index=index)[
        "hits"
    ]["hits"]


def test_partial_updates_touch_only_logtriage_and_respect_versions(client) -> None:
    index = unique("sink")
    make_index(client, index)
    docs = make_docs(30, seed=12)
    load(client, index, docs, op="index")
    hits = _hits(client, index)
    stale = hits[0]
    # Someone else changes document 0 after we read it.
    client.request(
        "POST",
        f"/{index}/_update/{stale['_id']}",
        body={"doc": {"extra": 1}},
        params={"refresh": "true"},
    )
    actions = [
        update_action(h["_index"], h["_id"], h["_seq_no"], h["_primary_term"], {"label": "L"})
        for h in hits
    ]
    sink = SearchSink(client, SinkSettings(chunk_size=7, concurrency=1))
    result = sink.write(actions)
    assert result.conflicts == [(stale["_index"], stale["_id"])]
    assert len(result.written) == 29 and not result.errors
    assert result.requests == 5  # 30 actions in chunks of 7
    after = {h["_id"]: h for h in fetch_all(client, index)}
    assert "logtriage" not in after[stale["_id"]]["_source"]  # never overwritten
    for h in hits[1:]:
        src = after[h["_id"]]["_source"]
        assert src["logtriage"] == {"label": "L"}
        assert {k: v for k, v in src.items() if k != "logtriage"} == h["_source"]


def test_rejected_documents_are_collected_in_sink_error(client) -> None:
    index = unique("sinkerr")
    make_index(client, index)
    load(client, index, make_docs(3, seed=1), op="index")
    ensure_field_mappings(client, index)
    hits = _hits(client, index)
    bad = update_action(
        hits[0]["_index"],
        hits[0]["_id"],
        hits[0]["_seq_no"],
        hits[0]["_primary_term"],
        {"confidence": "not a number"},
    )
    missing = WriteAction("update", index, "no-such-id", {"doc": {"logtriage": {}}}, (index, "x"))
    result = SearchSink(client, SinkSettings()).write([bad, missing])
    assert {e["status"] for e in result.errors} == {400, 404}
    with pytest.raises(SinkError) as info:
        result.raise_for_errors()
    assert len(info.value.errors) == 2
    clone = pickle.loads(pickle.dumps(info.value))
    assert clone.errors == info.value.errors and str(clone) == str(info.value)


def test_chunks_split_by_count_and_bytes() -> None:
    sink = SearchSink(None, SinkSettings(chunk_size=3, max_chunk_bytes=1024))  # type: ignore[arg-type]
    small = [(None, b"x" * 100)] * 7
    assert [len(c) for c in sink.chunks(small)] == [3, 3, 1]  # type: ignore[arg-type]
    big = [(None, b"x" * 600)] * 3 + [(None, b"x" * 5000)]
    assert [len(c) for c in sink.chunks(big)] == [1, 1, 1, 1]  # type: ignore[arg-type]


class _ScriptedBulk:
    """Answers bulk requests from a script: per call, a status per action or an exception."""

    engine = "elasticsearch"

    def __init__(self, script: list[Any]) -> None:
        self.script = script
        self.calls: list[int] = []

    def bulk(self, payload: bytes, **params: Any) -> dict[str, Any]:
        n = payload.count(b"\n") // 2
        self.calls.append(n)
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        assert len(step) == n
        return {"items": [{"update": {"status": s}} for s in step]}


def _actions(n: int) -> list[WriteAction]:
    return [update_action("i", str(k), k, 1, {"label": "L"}) for k in range(n)]


def test_only_429_documents_are_retried_with_capped_backoff() -> None:
    fake = _ScriptedBulk([[200, 429, 200, 429], [429, 200], [200]])
    waits: list[float] = []
    settings = SinkSettings(initial_backoff_s=1.0, max_backoff_s=1.5, max_retries=5)
    sink = SearchSink(fake, settings, sleep=waits.append, rand=lambda: 1.0)  # type: ignore[arg-type]
    result = sink.write(_actions(4))
    assert fake.calls == [4, 2, 1]  # only the rejected documents go again
    assert sorted(k for _, k in result.written) == ["0", "1", "2", "3"]
    assert waits == [1.0, 1.5]  # 1.0 * 2**attempt, capped at 1.5


def test_429_after_max_retries_becomes_an_error() -> None:
    fake = _ScriptedBulk([[429, 200], [429], [429]])
    sink = SearchSink(fake, SinkSettings(max_retries=2), sleep=lambda _: None)  # type: ignore[arg-type]
    result = sink.write(_actions(2))
    assert result.written == [("i", "1")]
    assert [e["status"] for e in result.errors] == [429]


def test_whole_request_failures_retry_then_propagate() -> None:
    down = EngineRequestError("no answer", None)
    fake = _ScriptedBulk([down, EngineRequestError("busy", 503), [200, 200]])
    result = SearchSink(fake, SinkSettings(), sleep=lambda _: None).write(_actions(2))  # type: ignore[arg-type]
    assert len(result.written) == 2 and result.retries == 2
    fake = _ScriptedBulk([EngineRequestError("bad", 400)])
    with pytest.raises(EngineRequestError):
        SearchSink(fake, SinkSettings(), sleep=lambda _: None).write(_actions(1))  # type: ignore[arg-type]


def test_backoff_has_bounded_jitter() -> None:
    for attempt in range(8):
        lo = backoff_delay(attempt, 0.5, 10.0, rand=lambda: 0.0)
        hi = backoff_delay(attempt, 0.5, 10.0, rand=lambda: 1.0)
        cap = min(10.0, 0.5 * 2**attempt)
        assert lo == cap / 2 and hi == cap


class _OneAtATime:
    """Stand-in for an engine whose write pool holds one bulk: a bulk that arrives while
    another is in flight is refused as a whole with 429. (bench/chaos.py shows the same
    against a real engine started with ``thread_pool.write.size=1``/``queue_size=1``;
    there the overlap is not deterministic enough for a unit test.)"""

    def __init__(self) -> None:
        import threading

        self._lock = threading.Lock()
        self.in_flight = 0
        self.refused = 0
        self.accepted = 0

    def bulk(self, payload: bytes, **_: Any) -> dict[str, Any]:
        import time

        with self._lock:
            busy = self.in_flight > 0
            self.in_flight += 1
        try:
            if busy:
                with self._lock:
                    self.refused += 1
                raise EngineRequestError("POST /_bulk -> HTTP 429: rejected execution", 429)
            time.sleep(0.02)  # long enough for the other threads to collide
            n = payload.count(b"\n") // 2
            with self._lock:
                self.accepted += n
            return {"items": [{"update": {"status": 200}}] * n}
        finally:
            with self._lock:
                self.in_flight -= 1


def test_chunks_refused_with_429_under_concurrency_are_resent_one_at_a_time() -> None:
    fake = _OneAtATime()
    settings = SinkSettings(chunk_size=5, concurrency=8, max_retries=1)
    sink = SearchSink(fake, settings, sleep=lambda _: None)  # type: ignore[arg-type]
    result = sink.write(_actions(80))
    assert fake.refused > 0  # the parallel phase really was throttled
    assert sorted(int(k) for _, k in result.written) == list(range(80))
    assert not result.errors and fake.accepted == 80


def test_finished_bulk_bodies_are_sent_as_they_are() -> None:
    """The sink's payloads (bytes ending in a newline) are not copied by the NDJSON
    serializer; anything else is still serialized as elasticsearch-py does."""
    from logtriage.search.client import _es_serializers

    serializers = _es_serializers()
    payload = b'{"index":{}}\n{"a":1}\n'
    for mimetype in ("application/x-ndjson", "application/vnd.elasticsearch+x-ndjson"):
        ndjson = serializers[mimetype]
        assert ndjson.dumps(payload) is payload
        assert ndjson.dumps([{"index": {}}, {"a": 1}]) == payload
        assert ndjson.dumps(b'{"a":1}') == b'{"a":1}\n'
