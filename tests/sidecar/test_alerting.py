"""Built-in alerting inside the sidecar: rules see what the sidecar labels, per host."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

from logtriage.config.alerts import AlertsSettings
from logtriage.local_engine import LocalEngine
from logtriage.search.client import SearchClient
from logtriage.sidecar import Sidecar

from tests._search_helpers import fetch_all, load, make_docs, make_index, settings_for, unique
from tests.alerts.conftest import Receiver

RULES = """
rules:
  - id: crit-per-host
    kind: label_count
    label: Critical Error
    threshold: 0
    window_s: 86400
    group_by: [host]
"""


def test_sidecar_fires_alerts_on_the_labels_it_writes(
    engine: LocalEngine, client: SearchClient, tmp_path: Path
) -> None:
    index = unique("alerting")
    make_index(client, index)
    docs = make_docs(400, seed=21)
    for i in range(0, 400, 37):  # kernel panics on a few hosts (the shipped rules catch them)
        docs[i]["message"] = f"Kernel panic - not syncing: Fatal exception in interrupt {i}"
    load(client, index, docs, op="index")
    rules = tmp_path / "alerts.yaml"
    rules.write_text(RULES)
    receiver = Receiver()
    try:
        alerts = AlertsSettings.model_validate(
            {
                "enabled": True,
                "rules_file": str(rules),
                "receivers": [{"name": "test", "url": receiver.url}],
                "initial_backoff_s": 0.05,
            }
        )
        # One page: each host's alert fires once, with the count of the whole batch.
        settings = settings_for(
            engine.url, index, sidecar={"batch_size": 1000, "first_page_size": 1000}
        )
        settings = settings.model_copy(update={"alerts": alerts})
        Sidecar(settings, client=client).run(once=True)
        hits = fetch_all(client, index)
        expected = Counter(
            h["_source"]["host"]["name"]
            for h in hits
            if h["_source"]["logtriage"].get("label") == "Critical Error"
        )
        assert sum(expected.values()) >= 11, "the panics are labelled Critical Error"
        bodies = receiver.wait_for(len(expected))
        firing = [b for b in bodies if b["status"] == "firing"]
        assert {b["group"]["host"]: b["value"] for b in firing} == dict(expected)
        assert {b["rule"] for b in firing} == {"crit-per-host"}
        assert len(firing) == len(expected), "one notification per host, no repeats"
    finally:
        receiver.close()


def test_documents_read_again_are_not_counted_twice(
    engine: LocalEngine, client: SearchClient, tmp_path: Path
) -> None:
    """``index`` write mode re-reads the overlap window, labelled documents too: their
    labels documents exist already (a conflict), so alerting must not count them again.
    Before, the second pass of ``run --once`` doubled every count: 30 Critical Errors
    fired a rule for "more than 30"."""
    index = unique("alerting-sweep")
    make_index(client, index)
    docs = make_docs(30, seed=5)
    for i, doc in enumerate(docs):
        doc["message"] = f"Kernel panic - not syncing: Fatal exception in interrupt {i}"
    load(client, index, docs, op="index")
    rules = tmp_path / "alerts.yaml"
    rules.write_text(
        "rules:\n"
        "  - {id: at-least-30, kind: label_count, label: Critical Error, threshold: 29,"
        " window_s: 86400}\n"
        "  - {id: more-than-30, kind: label_count, label: Critical Error, threshold: 30,"
        " window_s: 86400}\n"
    )
    receiver = Receiver()
    try:
        alerts = AlertsSettings.model_validate(
            {
                "enabled": True,
                "rules_file": str(rules),
                "receivers": [{"name": "test", "url": receiver.url}],
                "send_resolved": False,
            }
        )
        labels_index = unique("labels-sweep")
        settings = settings_for(
            engine.url,
            index,
            sink={"write_mode": "index", "labels_index": labels_index},
            sidecar={"overlap_sweep_interval_s": 0, "batch_size": 10, "first_page_size": 10},
        )
        settings = settings.model_copy(update={"alerts": alerts})
        summary = Sidecar(settings, client=client).run(once=True)
        assert summary.complete
        labels = [h["_source"]["logtriage"]["label"] for h in fetch_all(client, labels_index)]
        assert labels == ["Critical Error"] * 30, "every panic is a Critical Error (rules)"
        bodies = receiver.wait_for(1)
        time.sleep(0.5)  # a second notification would arrive by now
        assert [(b["rule"], b["value"]) for b in bodies] == [("at-least-30", 30.0)]
    finally:
        receiver.close()


def test_two_workers_fire_count_rules_on_their_sum_once(
    engine: LocalEngine, client: SearchClient, tmp_path: Path
) -> None:
    """Each worker labels about half of the documents (split by id). Before, each
    evaluated ``label_count`` on its own share: 30 Critical Errors of one service in
    the window over 2 workers, threshold 20, fired nothing (each counted about 15).
    Slot 0 now adds slot 1's published window to its own: one firing notification,
    from slot 0 only, and one resolve when the window has passed."""
    index = unique("alerting-workers")
    make_index(client, index, shards=2)
    start = datetime.now(timezone.utc) - timedelta(seconds=2)
    docs = []
    for i in range(100):
        panic = i % 10 < 3  # 30 of them
        message = (
            f"Kernel panic - not syncing: Fatal exception in interrupt {i}"
            if panic
            else f"GET /api/v1/items/{i} HTTP/1.1 200 512"
        )
        ts = start + timedelta(milliseconds=10 * i)
        docs.append(
            {
                "@timestamp": ts.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "message": message,
                "service": {"name": "api" if panic else "web"},
                "host": {"name": f"node-{i % 4}"},
            }
        )
    load(client, index, docs, op="index")
    rules = tmp_path / "alerts.yaml"
    window_s = 15
    rules.write_text(
        "rules:\n"
        "  - {id: crit-burst, kind: label_count, label: Critical Error, threshold: 20,"
        f" window_s: {window_s}, group_by: [service]}}\n"
    )
    receivers = [Receiver(), Receiver()]
    sidecars = []
    for slot, receiver in enumerate(receivers):
        alerts = AlertsSettings.model_validate(
            {
                "enabled": True,
                "rules_file": str(rules),
                "receivers": [{"name": f"slot-{slot}", "url": receiver.url}],
                "initial_backoff_s": 0.05,
            }
        )
        sidecar = {"workers": 2, "worker_id": slot, "batch_size": 10, "first_page_size": 10}
        settings = settings_for(engine.url, index, sidecar=sidecar)
        sidecars.append(Sidecar(settings.model_copy(update={"alerts": alerts}), client=client))
    threads = [threading.Thread(target=s.run, daemon=True) for s in sidecars]
    try:
        for t in threads:
            t.start()
        firing = receivers[0].wait_for(1, timeout_s=window_s)
        assert [(b["status"], b["group"]) for b in firing] == [("firing", {"service": "api"})]
        assert 20 < firing[0]["value"] <= 30
        # The window ends at the newest timestamp, then at wall-clock time when idle.
        bodies = receivers[0].wait_for(2, timeout_s=window_s + 10)
        assert [b["status"] for b in bodies] == ["firing", "resolved"]
        assert bodies[1]["fingerprint"] == bodies[0]["fingerprint"]
        assert receivers[1].bodies == [], "slot 1 does not fire count rules"
    finally:
        for s in sidecars:
            s.request_stop()
        for t in threads:
            t.join(timeout=30)
        for r in receivers:
            r.close()
    slots = Counter(
        h["_source"]["logtriage"]["template"]["id"] >> 32
        for h in fetch_all(client, index)
        if h["_source"]["logtriage"]["label"] == "Critical Error"
    )
    assert sum(slots.values()) == 30
    assert 0 < slots[0] <= 20 and 0 < slots[1] <= 20, f"neither share fires alone: {slots}"
