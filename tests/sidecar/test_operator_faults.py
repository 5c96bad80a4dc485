"""What an operator's cluster throws at the sidecar, on real engines: indices whose
_source leaves fields out, indices that appear mid-run, late documents, long ids in
``index`` mode, a misspelt message field."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest
from logtriage.cli.doctor import run_checks
from logtriage.config import Settings
from logtriage.errors import ConfigError
from logtriage.local_engine import LocalEngine
from logtriage.search.client import SearchClient
from logtriage.search.templates import concrete_indices
from logtriage.sidecar import Sidecar
from logtriage.sidecar.stats import PassStats, RunSummary

from tests._search_helpers import fetch_all, load, make_docs, make_index, settings_for, unique


def _iso(ts: datetime) -> str:
    return ts.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def test_an_index_whose_source_leaves_fields_out_is_refused_untouched(
    engine: LocalEngine, client: SearchClient
) -> None:
    """Labels written onto such a document re-index it from _source, which would drop
    the excluded field from the index (a search on it stops finding the document)."""
    index = unique("excl")
    client.request(
        "PUT",
        f"/{index}",
        body={
            "settings": {"number_of_shards": 1, "number_of_replicas": 0},
            "mappings": {
                "_source": {"excludes": ["secret"]},
                "properties": {"secret": {"type": "keyword"}, "message": {"type": "text"}},
            },
        },
    )
    docs = [{**d, "secret": "s3cr3t"} for d in make_docs(20, seed=11)]
    load(client, index, docs, op="index")

    with pytest.raises(ConfigError, match=rf"{index} \(_source.excludes: secret\)"):
        Sidecar(settings_for(engine.url, index), client=client).run(once=True)

    found = client.request(
        "GET", f"/{index}/_count", body={"query": {"term": {"secret": "s3cr3t"}}}
    )
    assert found["count"] == 20
    assert all("logtriage" not in h["_source"] for h in fetch_all(client, index))


def test_an_index_that_appears_mid_run_gets_the_label_mappings_first(
    engine: LocalEngine, client: SearchClient
) -> None:
    prefix = unique("grow")
    make_index(client, f"{prefix}-1")
    load(client, f"{prefix}-1", make_docs(30, seed=12), op="index")
    sidecar = Sidecar(settings_for(engine.url, f"{prefix}-*"), client=client)

    def add_index(stats: PassStats) -> None:
        if stats.labelled == 30 and not passes:  # the mappings were checked before pass 1
            make_index(client, f"{prefix}-2")
            load(client, f"{prefix}-2", make_docs(30, seed=13), op="index")
        passes.append(stats)

    passes: list[PassStats] = []

    sidecar.run(max_passes=2, on_pass=add_index)
    assert [p.labelled for p in passes] == [30, 30]

    mapping = client.request("GET", f"/{prefix}-2/_mapping/field/logtriage.label")
    field = mapping[f"{prefix}-2"]["mappings"]["logtriage.label"]["mapping"]["label"]
    assert field["type"] == "keyword"
    assert all("logtriage" in h["_source"] for h in fetch_all(client, f"{prefix}-2"))


def _labelled_per_pass(sidecar: Sidecar, after_first: Callable[[], None]) -> list[int]:
    """Documents labelled by each of two passes, ``after_first`` run between them."""
    passes: list[PassStats] = []

    def on_pass(stats: PassStats) -> None:
        if not passes:
            after_first()
        passes.append(stats)

    sidecar.run(max_passes=2, on_pass=on_pass)
    return [p.labelled for p in passes]


def _label_type(client: SearchClient, index: str) -> str:
    """How ``index`` maps ``logtriage.label``."""
    mapping = client.request("GET", f"/{index}/_mapping/field/logtriage.label")
    return str(mapping[index]["mappings"]["logtriage.label"]["mapping"]["label"]["type"])


def test_an_index_deleted_and_created_again_mid_run_gets_the_label_mappings_first(
    engine: LocalEngine, client: SearchClient
) -> None:
    """The index was deleted and created again under the same name while the sidecar
    ran (a re-import, a cleanup script): its name was known, so its next labels were
    written before the mappings were checked again (every 60 s), and the engine mapped
    ``logtriage.label`` as text, which breaks the dashboards' aggregations for good."""
    index = unique("recreated")
    make_index(client, index)
    load(client, index, make_docs(30, seed=17), op="index")
    sidecar = Sidecar(settings_for(engine.url, index), client=client)

    def recreate() -> None:
        client.request("DELETE", f"/{index}")
        make_index(client, index)
        load(client, index, make_docs(30, seed=18), op="index")

    assert _labelled_per_pass(sidecar, after_first=recreate) == [30, 30]
    assert _label_type(client, index) == "keyword"


def test_a_labels_index_deleted_mid_run_is_created_again_with_its_mappings(
    engine: LocalEngine, client: SearchClient
) -> None:
    """``index`` write mode: the labels index was deleted while the sidecar ran (to
    start over); the next labels write created it again with dynamic mappings
    (``logtriage.label`` as text). Now the sidecar creates it with its own first."""
    index = unique("labelsgone")
    labels_index = f"labels-{index}"
    make_index(client, index)
    load(client, index, make_docs(30, seed=19), op="index")
    settings = settings_for(
        engine.url, index, sink={"write_mode": "index", "labels_index": labels_index}
    )
    sidecar = Sidecar(settings, client=client)

    def delete_labels() -> None:
        client.request("DELETE", f"/{labels_index}")
        later = datetime(2026, 1, 2, tzinfo=timezone.utc)
        load(client, index, make_docs(30, seed=20, start=later), op="index")

    # The new documents, and the checkpoint's own one, which lost its labels too.
    assert _labelled_per_pass(sidecar, after_first=delete_labels) == [30, 31]
    assert _label_type(client, labels_index) == "keyword"


def test_a_list_naming_a_missing_index_still_resolves_the_others(
    engine: LocalEngine, client: SearchClient
) -> None:
    a, b = unique("list-a"), unique("list-b")
    make_index(client, a)
    make_index(client, b)
    pattern = f"{a},{b},{unique('nope')}"
    assert concrete_indices(client, pattern) == sorted([a, b])
    load(client, a, make_docs(20, seed=19), op="index")
    load(client, b, make_docs(30, seed=20), op="index")
    # OpenSearch's point in time over such a list was a 404: nothing labelled, "complete".
    state = {"name": a, "state_index": f"state-{a}"}
    settings = settings_for(engine.url, pattern, sidecar=state)
    summary = Sidecar(settings, client=client).run(once=True)
    assert summary.labelled == 50 and summary.complete


def test_documents_further_back_than_the_overlap_are_labelled(
    engine: LocalEngine, client: SearchClient
) -> None:
    """A shipper catching up, a re-import: documents whose timestamps lie behind the
    checkpoint minus the overlap. ``run --once`` ends with a pass from start_from."""
    index = unique("late")
    settings = settings_for(engine.url, index)
    summary = _label_then_deliver_late(client, settings, seed=14)
    assert summary.labelled == 40 and summary.complete
    assert all("logtriage" in h["_source"] for h in fetch_all(client, index))


def _label_then_deliver_late(client: SearchClient, settings: Settings, seed: int) -> RunSummary:
    """Label 50 documents of the last minute in ``search.index`` (created here), then load
    40 stamped two hours back, as a shipper catching up delivers them; the summary of
    the ``run --once`` after that."""
    index = settings.search.index
    make_index(client, index)
    now = datetime.now(timezone.utc)
    load(client, index, make_docs(50, seed=seed, start=now - timedelta(minutes=1)), op="index")
    assert Sidecar(settings, client=client).run(once=True).labelled == 50
    late = make_docs(40, seed=seed + 1, start=now - timedelta(hours=2))
    for d in late:
        d["seq"] += 50
    load(client, index, late, op="index")
    return Sidecar(settings, client=client).run(once=True)


def test_index_mode_labels_documents_further_back_than_the_overlap(
    engine: LocalEngine, client: SearchClient
) -> None:
    """``index`` write mode had no pass behind the overlap: a backlog delivered an hour
    late was never labelled and ``run --once`` said complete. Where the sources behind
    the overlap outnumber their labels documents it reads from start_from; where they
    do not, it does not re-read them."""
    index = unique("idxlate")
    sink = {"write_mode": "index", "labels_index": f"labels-{index}"}
    settings = settings_for(engine.url, index, sink=sink)
    summary = _label_then_deliver_late(client, settings, seed=20)
    assert summary.labelled == 40 and summary.complete
    client.refresh(f"labels-{index}")
    assert client.request("GET", f"/labels-{index}/_count")["count"] == 90

    again = Sidecar(settings, client=client).run(once=True)
    assert again.complete and again.labelled == 0
    assert again.conflicts < 60  # the overlap's 50 re-read; the 40 late ones are not


def test_index_mode_deletions_in_one_index_do_not_hide_late_documents_in_another(
    engine: LocalEngine, client: SearchClient
) -> None:
    """The check behind the overlap compared totals over all source indices: 40
    documents deleted from one index (retention, a GDPR request) balanced 40 delivered
    late into another, which were then never labelled. It compares per index now."""
    prefix = unique("idxdel")
    old, new = f"{prefix}-old", f"{prefix}-new"
    now = datetime.now(timezone.utc)
    for name, seed, age in ((old, 30, timedelta(hours=1)), (new, 31, timedelta(minutes=1))):
        make_index(client, name)
        load(client, name, make_docs(50, seed=seed, start=now - age), op="index")
    sink = {"write_mode": "index", "labels_index": f"labels-{prefix}"}
    settings = settings_for(engine.url, f"{prefix}-*", sink=sink)
    assert Sidecar(settings, client=client).run(once=True).labelled == 100

    doomed = [h["_id"] for h in fetch_all(client, old)[:40]]
    client.bulk(
        "".join(json.dumps({"delete": {"_index": old, "_id": i}}) + "\n" for i in doomed).encode(),
        refresh="true",
    )
    late = make_docs(40, seed=32, start=now - timedelta(hours=2))
    for d in late:
        d["seq"] += 50
    load(client, new, late, op="index")
    summary = Sidecar(settings, client=client).run(once=True)
    assert summary.labelled == 40 and summary.complete
    labelled = {h["_source"]["source"]["id"] for h in fetch_all(client, f"labels-{prefix}")}
    assert {h["_id"] for h in fetch_all(client, new)} <= labelled


def test_documents_arriving_behind_start_from_are_reported(
    engine: LocalEngine, client: SearchClient, caplog: pytest.LogCaptureFixture
) -> None:
    """No pass reads behind ``sidecar.start_from``: a backlog delivered later than the
    lookback stays unlabelled. ``run --once`` used to call that complete without a word
    and doctor counted no backlog; now a warning, a gauge and doctor say how many."""
    index = unique("behind")
    make_index(client, index)
    now = datetime.now(timezone.utc)
    load(client, index, make_docs(10, seed=17, start=now - timedelta(minutes=1)), op="index")
    settings = settings_for(engine.url, index, sidecar={"start_from": "now-7d"})
    assert Sidecar(settings, client=client).run(once=True).labelled == 10
    assert "older than sidecar.start_from" not in caplog.text

    too_old = make_docs(3, seed=18, start=now - timedelta(days=8))
    load(client, index, too_old, op="index")
    sidecar = Sidecar(settings, client=client)
    summary = sidecar.run(once=True)

    assert summary.labelled == 0
    assert (
        "3 documents older than sidecar.start_from (now-7d) are not labelled: no pass reads "
        "behind start_from; set it earlier, or unset it, to label them"
    ) in caplog.text
    gauge = sidecar.metrics.before_start._value.get()  # type: ignore[attr-defined]
    assert gauge == 3
    backlog = {c.name: c for c in run_checks(settings)}["backlog"]
    assert backlog.status == "warn"
    assert backlog.detail == (
        "0 documents from now-7d not labelled yet, 0 with logtriage.error; 3 documents older "
        "than sidecar.start_from not labelled (no pass reads them)"
    )
    load(client, index, make_docs(1, seed=19, start=now - timedelta(days=9)), op="index")
    Sidecar(settings, client=client).run(once=True)
    assert "4 documents older than sidecar.start_from (now-7d) are not labelled" in caplog.text


def test_index_mode_once_is_complete_when_every_document_has_labels(
    engine: LocalEngine, client: SearchClient
) -> None:
    index = unique("idxonce")
    make_index(client, index)
    load(client, index, make_docs(40, seed=16), op="index")
    settings = settings_for(
        engine.url, index, sink={"write_mode": "index", "labels_index": f"labels-{index}"}
    )
    assert Sidecar(settings, client=client).run(once=True).complete
    again = Sidecar(settings, client=client).run(once=True)
    assert again.labelled == 0 and again.conflicts > 0
    assert again.complete  # the documents it read again already have their labels


def test_index_mode_labels_a_document_whose_id_is_near_the_limit(
    engine: LocalEngine, client: SearchClient
) -> None:
    index = unique("longid-index-with-a-long-name")
    make_index(client, index)
    long_id = "a" * 510
    body = {"@timestamp": "2026-01-01T00:00:00Z", "message": "user bob logged in", "seq": 1}
    client.request("PUT", f"/{index}/_doc/{long_id}", body=body, params={"refresh": "true"})
    load(client, index, make_docs(3, seed=17), op="index")
    labels = f"labels-{index}"
    settings = settings_for(engine.url, index, sink={"write_mode": "index", "labels_index": labels})
    summary = Sidecar(settings, client=client).run(once=True)
    assert summary.labelled == 4 and summary.complete
    client.refresh(labels)
    hit = client.search({"query": {"term": {"source.id": long_id}}}, index=labels)["hits"]["hits"]
    assert len(hit) == 1 and hit[0]["_id"].startswith(f"{index}:sha256:")


def test_a_misspelt_message_field_is_refused_before_any_document_is_marked(
    engine: LocalEngine, client: SearchClient
) -> None:
    index = unique("typo")
    make_index(client, index)
    load(client, index, make_docs(20, seed=18), op="index")
    settings = settings_for(engine.url, index, search={"message_field": "msg"})
    with pytest.raises(
        ConfigError, match=r"search\.message_field 'msg' is not a field of any index"
    ):
        Sidecar(settings, client=client).run(once=True)
    assert all("logtriage" not in h["_source"] for h in fetch_all(client, index))
