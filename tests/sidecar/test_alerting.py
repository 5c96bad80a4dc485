"""Built-in alerting inside the sidecar: rules see what the sidecar labels, per host."""

from __future__ import annotations

import time
from collections import Counter
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
