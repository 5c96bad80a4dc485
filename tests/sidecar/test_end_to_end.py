"""End to end on real engines: a data stream and a plain index get labelled in place."""

from __future__ import annotations

import gc
from datetime import datetime, timezone
from typing import Any

from logtriage.config import ModelSettings, Settings
from logtriage.local_engine import LocalEngine
from logtriage.model import Classifier
from logtriage.search.client import SearchClient
from logtriage.sidecar import Sidecar
from logtriage.sidecar.stats import PassStats

from tests._search_helpers import (
    assert_labelled_once,
    fetch_all,
    load,
    make_data_stream,
    make_docs,
    make_index,
    settings_for,
    unique,
)


def test_data_stream_is_labelled_in_place(engine: LocalEngine, client: SearchClient) -> None:
    ds = unique("logs-e2e")
    make_data_stream(client, ds)
    docs = make_docs(1500, seed=1)
    load(client, ds, docs)
    settings = settings_for(engine.url, ds)

    summary = Sidecar(settings, client=client).run(once=True)

    assert summary.complete
    assert summary.labelled == 1500
    assert summary.errored == 0
    hits = fetch_all(client, ds)
    assert all(h["_index"].startswith(".ds-") for h in hits)
    assert_labelled_once(hits, docs)
    # Same message template -> same template id; fields have the mapped types.
    first = hits[0]["_source"]["logtriage"]
    assert isinstance(first["template"]["id"], int)
    assert first["model"]["version"] == "none"
    mapping = client.request("GET", f"/{ds}/_mapping/field/logtriage.label")
    assert all(
        m["mappings"]["logtriage.label"]["mapping"]["label"]["type"] == "keyword"
        for m in mapping.values()
    )


def test_plain_index_is_labelled_and_new_documents_are_picked_up(
    engine: LocalEngine, client: SearchClient
) -> None:
    index = unique("plain-e2e")
    make_index(client, index)
    docs = make_docs(800, seed=2)
    load(client, index, docs[:500], op="index")
    settings = settings_for(engine.url, index)
    sidecar = Sidecar(settings, client=client)
    summary = sidecar.run(once=True)
    assert summary.labelled == 500

    # New documents after the first run are picked up from the checkpoint on.
    load(client, index, docs[500:], op="index")
    summary = Sidecar(settings, client=client).run(once=True)
    assert summary.labelled == 300
    assert_labelled_once(fetch_all(client, index), docs)
    # A third run has nothing left to do.
    assert Sidecar(settings, client=client).run(once=True).labelled == 0


def test_pages_stay_within_an_index_max_result_window(
    engine: LocalEngine, client: SearchClient, caplog
) -> None:
    """An index that caps searches at 60 hits: pages of batch_size 10,000 (or even the
    first page of 100) would be refused; the sidecar reads the cap and stays under it."""
    index = unique("window-e2e")
    make_index(client, index)
    client.request("PUT", f"/{index}/_settings", body={"index": {"max_result_window": 60}})
    docs = make_docs(400, seed=4)
    load(client, index, docs, op="index")
    settings = settings_for(engine.url, index, sidecar={"batch_size": 10_000})
    sidecar = Sidecar(settings, client=client)
    with caplog.at_level("INFO", logger="logtriage.sidecar"):
        summary = sidecar.run(once=True)
    assert summary.labelled == 400
    assert "pages capped at 60 documents" in caplog.text
    # Lifted: the same sidecar, run again (it reconnects), says pages are back to full size.
    client.request("PUT", f"/{index}/_settings", body={"index": {"max_result_window": None}})
    caplog.clear()
    more = make_docs(500, seed=5, start=datetime(2026, 2, 1, tzinfo=timezone.utc))
    for d in more:
        d["seq"] += len(docs)
    load(client, index, more, op="index")
    with caplog.at_level("INFO", logger="logtriage.sidecar"):
        summary = sidecar.run(once=True)
    assert summary.labelled == 500
    assert "no longer caps pages: back to sidecar.batch_size 10000" in caplog.text
    assert "pages capped" not in caplog.text
    assert_labelled_once(fetch_all(client, index), docs + more)


def test_an_index_pattern_that_matches_nothing_is_said_not_silent(
    engine: LocalEngine, client: SearchClient, caplog
) -> None:
    """A typo in search.index would look like an idle sidecar: it warns, once, and says
    when the index appears."""
    index = unique("not-yet")
    settings = settings_for(engine.url, index)
    sidecar = Sidecar(settings, client=client)
    with caplog.at_level("INFO", logger="logtriage.sidecar"):
        assert sidecar.run(once=True).labelled == 0
        assert sidecar.run(once=True).labelled == 0
    warning = f"search.index '{index}' matches no index or data stream"
    assert caplog.text.count(warning) == 1
    caplog.clear()
    make_index(client, index)
    docs = make_docs(50, seed=6)
    load(client, index, docs, op="index")
    with caplog.at_level("INFO", logger="logtriage.sidecar"):
        assert sidecar.run(once=True).labelled == 50
    assert f"search.index '{index}' matches an index now" in caplog.text
    assert warning not in caplog.text
    assert_labelled_once(fetch_all(client, index), docs)


def test_index_write_mode_writes_one_labels_document_per_source(
    engine: LocalEngine, client: SearchClient
) -> None:
    index = unique("idxmode")
    make_index(client, index)
    docs = make_docs(300, seed=3)
    load(client, index, docs, op="index")
    labels_index = f"labels-{index}"
    settings = settings_for(
        engine.url, index, sink={"write_mode": "index", "labels_index": labels_index}
    )
    assert Sidecar(settings, client=client).run(once=True).labelled == 300
    # Source documents untouched (version 1, no logtriage field).
    src = fetch_all(client, index)
    assert all(h["_version"] == 1 and "logtriage" not in h["_source"] for h in src)
    client.refresh(labels_index)
    resp = client.search(
        {"size": 0, "aggs": {"ids": {"cardinality": {"field": "source.id"}}}}, index=labels_index
    )
    assert resp["aggregations"]["ids"]["value"] == 300
    # Running again re-reads the overlap but creates nothing twice.
    again = Sidecar(settings, client=client).run(once=True)
    assert again.labelled == 0
    client.refresh(labels_index)
    assert client.request("GET", f"/{labels_index}/_count")["count"] == 300


def test_index_write_mode_rereads_the_overlap_only_when_a_sweep_is_due(
    engine: LocalEngine, client: SearchClient
) -> None:
    """``index`` mode cannot skip labelled documents in its query, so the overlap window
    (late documents) is re-read on start and once per ``overlap_sweep_interval_s``,
    not on every pass."""
    index = unique("idxsweep")
    make_index(client, index)
    docs = make_docs(300, seed=4)
    load(client, index, docs, op="index")

    def late(seq: int) -> dict[str, Any]:  # older than the checkpoint, inside the overlap
        return {**docs[0], "seq": seq, "message": f"late arrival number {seq} from node-9"}

    def settings(interval: float) -> Settings:
        return settings_for(
            engine.url,
            index,
            sink={"write_mode": "index", "labels_index": f"labels-{index}"},
            sidecar={"overlap_sweep_interval_s": interval},
        )

    def one_pass(sidecar: Sidecar) -> PassStats:
        passes: list[PassStats] = []
        sidecar.run(max_passes=1, on_pass=passes.append)
        return passes[0]

    hourly = Sidecar(settings(3600), client=client)
    assert hourly.run(once=True).labelled == 300
    load(client, index, [late(300)], op="index")
    quick = one_pass(hourly)
    assert quick.labelled == 0 and quick.seen < 10  # from the checkpoint: no late doc
    restarted = Sidecar(settings(3600), client=client)
    assert restarted.run(once=True).labelled == 1  # a start re-reads the overlap
    every_pass = Sidecar(settings(0), client=client)
    every_pass.run(once=True)
    load(client, index, [late(301)], op="index")
    assert one_pass(every_pass).labelled == 1
    client.refresh(f"labels-{index}")
    assert client.request("GET", f"/labels-{index}/_count")["count"] == 302


def test_relabel_older_models_rewrites_only_older_versions(
    engine: LocalEngine, client: SearchClient
) -> None:
    """Documents labelled by templates + rules (version ``none``) are labelled again by the
    shipped model when ``relabel_older_models`` is on; source fields stay as they were."""
    index = unique("relabel")
    make_index(client, index)
    docs = make_docs(600, seed=4)
    load(client, index, docs, op="index")
    Sidecar(settings_for(engine.url, index), client=client).run(once=True)
    assert {h["_source"]["logtriage"]["model"]["version"] for h in fetch_all(client, index)} == {
        "none"
    }

    settings = settings_for(engine.url, index, sidecar={"relabel_older_models": True})
    classifier = Classifier.from_settings(ModelSettings())
    assert classifier is not None, "the shipped default bundle is missing"
    summary = Sidecar(settings, client=client, labeler=classifier).run(once=True)

    assert summary.labelled == 600
    hits = fetch_all(client, index)
    assert {h["_source"]["logtriage"]["model"]["version"] for h in hits} == {
        classifier.model_version
    }
    assert {h["_version"] for h in hits} == {3}, "each document updated once per model"
    for hit, doc in zip(hits, docs, strict=True):
        assert {k: v for k, v in hit["_source"].items() if k != "logtriage"} == doc
    # A third run with the same model finds nothing to do.
    again = Sidecar(settings, client=client, labeler=classifier).run(once=True)
    assert again.labelled == 0


def test_model_cache_survives_a_restart(
    engine: LocalEngine, client: SearchClient, tmp_path
) -> None:
    """With ``model.cache_path`` the template cache is written on close and loaded by the
    next sidecar, so known templates are not encoded again."""
    index = unique("cache")
    make_index(client, index)
    load(client, index, make_docs(300, seed=6), op="index")
    cache = tmp_path / "templates.json"
    settings = settings_for(engine.url, index, model={"enabled": True, "cache_path": str(cache)})
    first = Classifier.from_settings(settings.model)
    assert first is not None and len(first.cache) == 0
    Sidecar(settings, client=client, labeler=first).run(once=True)

    assert cache.is_file()
    assert len(first.cache) > 0
    second = Classifier.from_settings(settings.model)
    assert second is not None
    assert len(second.cache) == len(first.cache)


def test_run_freezes_what_setup_left_alive_only_while_running(
    engine: LocalEngine, client: SearchClient
) -> None:
    """The run keeps its long-lived objects out of the cyclic GC, collects the young
    generation less often, and hands both back."""
    index = unique("gc-freeze")
    make_index(client, index)
    load(client, index, make_docs(50, seed=5), op="index")
    assert gc.get_freeze_count() == 0
    thresholds = gc.get_threshold()
    during: list[tuple[int, tuple[int, int, int]]] = []

    summary = Sidecar(settings_for(engine.url, index), client=client).run(
        once=True, on_pass=lambda _stats: during.append((gc.get_freeze_count(), gc.get_threshold()))
    )

    assert summary.labelled == 50
    assert during and min(f for f, _ in during) > 1000, during  # modules, settings, pipeline
    assert all(t[0] >= 10_000 and t[1:] == thresholds[1:] for _, t in during), during
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == thresholds
