"""Overlapping page writes (``sidecar.pages_in_flight``) on a real engine: the writes of
several pages are in flight at once, yet the checkpoint never passes a document whose
page is not written yet, even when a later page's write finishes first.

``SearchSink.write`` and ``Checkpoint.save`` are wrapped, not replaced: every write and
every checkpoint still goes to the engine. The wrapper only records what is in flight
and holds the first page's write back, so that the second page's write finishes first.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import datetime

import pytest
from logtriage.local_engine import LocalEngine
from logtriage.search.client import SearchClient
from logtriage.sidecar import Sidecar
from logtriage.sidecar.checkpoint import Checkpoint
from logtriage.sinks.search import SearchSink, WriteAction, WriteResult

from tests._search_helpers import (
    assert_labelled_once,
    fetch_all,
    load,
    make_docs,
    make_index,
    settings_for,
    unique,
)


@pytest.mark.parametrize("pages_in_flight", [1, 2, 3])
def test_page_writes_overlap_and_the_checkpoint_follows_the_written_prefix(
    engine: LocalEngine, client: SearchClient, monkeypatch: pytest.MonkeyPatch, pages_in_flight: int
) -> None:
    index = unique("inflight")
    make_index(client, index)
    docs = make_docs(1200, seed=6)
    load(client, index, docs, op="index")
    settings = settings_for(
        engine.url,
        index,
        sidecar={
            "batch_size": 200,
            "first_page_size": 200,
            "pages_in_flight": pages_in_flight,
            "checkpoint_interval_s": 0,
        },
    )

    lock = threading.Lock()
    in_flight = peak = calls = 0
    written: set[str] = set()
    saves: list[tuple[int, frozenset[str]]] = []
    real_write, real_save = SearchSink.write, Checkpoint.save

    def write(self: SearchSink, actions: Sequence[WriteAction]) -> WriteResult:
        nonlocal in_flight, peak, calls
        with lock:
            calls += 1
            first = calls == 1
            in_flight += 1
            peak = max(peak, in_flight)
        try:
            # The first page's write is held back: with more than one page in flight
            # the next page's write finishes before it.
            time.sleep(1.0 if first else 0.1)
            result = real_write(self, actions)
        finally:
            with lock:
                in_flight -= 1
        with lock:
            written.update(a.id for a in actions)
        return result

    def save(self: Checkpoint, position_ms: int, processed: int = 0) -> None:
        with lock:
            saves.append((position_ms, frozenset(written)))
        real_save(self, position_ms, processed)

    monkeypatch.setattr(SearchSink, "write", write)
    monkeypatch.setattr(Checkpoint, "save", save)
    summary = Sidecar(settings, client=client).run(once=True)

    assert summary.labelled == 1200
    assert peak == pages_in_flight
    hits = fetch_all(client, index)
    assert_labelled_once(hits, docs)
    ts_of = {
        h["_id"]: int(datetime.fromisoformat(h["_source"]["@timestamp"]).timestamp() * 1000)
        for h in hits
    }
    assert saves, "the checkpoint was never saved"
    for position_ms, done in saves:
        behind = [i for i, ts in ts_of.items() if ts < position_ms and i not in done]
        assert not behind, f"checkpoint {position_ms} passed {len(behind)} unwritten documents"
    assert saves[-1][0] == max(ts_of.values())
