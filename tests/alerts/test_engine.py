"""Built-in alerting end to end: real Pipeline batches -> AlertEngine -> Notifier ->
a local HTTP receiver (see conftest), including dedup, resolve, Slack payloads,
retries, and receivers that fail or refuse without blocking ``observe()``."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from logtriage.alerts import (
    AlertEngine,
    Notification,
    Notifier,
    load_rules_file,
    parse_rules,
)
from logtriage.config import RulesSettings, Settings, load_settings
from logtriage.config.alerts import ReceiverSettings
from logtriage.errors import ConfigError
from logtriage.labels import LabelColumns
from logtriage.pipeline import LabeledBatch, Pipeline
from pydantic import ValidationError

from tests.alerts.conftest import Receiver

T0 = 1_700_000_000.0


class KeywordLabeler:
    """Model stage for the tests: label by keyword (the Labeler protocol)."""

    model_version = "test-keywords"

    def label_batch(
        self,
        messages: list[str],
        template_ids: npt.NDArray[np.uint32],
        template_texts: list[str],
        changes: npt.NDArray[np.uint8],
    ) -> LabelColumns:
        labels = [
            "Critical Error" if "failed" in m else "Security Alert" if "password" in m
            else "HTTP Status"
            for m in messages
        ]  # fmt: skip
        anomaly = np.array([lab == "Critical Error" for lab in labels], dtype=np.bool_)
        return LabelColumns(
            label=labels,
            confidence=np.full(len(messages), 0.9, dtype=np.float32),
            anomaly=anomaly,
            anomaly_score=anomaly.astype(np.float32),
        )


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    """The real Pipeline (Rust miner + rules) with a keyword model stage."""
    return Pipeline(Settings(), labeler=KeywordLabeler())


def _rules(text: str, tmp_path: Path) -> list:  # type: ignore[type-arg]
    p = tmp_path / "alerts.yaml"
    p.write_text(text)
    return load_rules_file(p)


def _notifier(url: str, fmt: str = "json", **kw: float) -> Notifier:
    return Notifier(
        receivers=[ReceiverSettings(name="test", url=url, format=fmt)],  # type: ignore[arg-type]
        initial_backoff_s=kw.get("backoff", 0.05),
        max_backoff_s=0.2,
        max_retries=int(kw.get("retries", 5)),
    )


def _batch(pipeline: Pipeline, messages: list[str]) -> LabeledBatch:
    return pipeline.process_batch(messages)


def test_label_count_fires_once_per_group_then_resolves(
    pipeline: Pipeline, receiver: Receiver, tmp_path: Path
) -> None:
    rules = _rules(
        "rules:\n  - id: crit-burst\n    kind: label_count\n    label: Critical Error\n"
        "    threshold: 3\n    window_s: 60\n    group_by: [service]\n",
        tmp_path,
    )
    engine = AlertEngine(rules, _notifier(receiver.url))
    msgs = [f"disk sda{i} failed with code {i}" for i in range(5)] + ["GET / 200"] * 3
    batch = _batch(pipeline, msgs)
    assert batch.labels.label[:5] == ["Critical Error"] * 5
    services = ["api"] * 5 + ["web"] * 3
    fired = engine.observe(batch, services, ["h1"] * 8, [T0 + i for i in range(8)])
    assert [(n.status, n.group) for n in fired] == [("firing", {"service": "api"})]
    assert fired[0].value == 5
    # Same condition again: deduplicated, nothing new is sent.
    again = engine.observe(batch, services, ["h1"] * 8, [T0 + 10 + i for i in range(8)])
    assert again == []
    # Time passes with no Critical Error: resolved once.
    resolved = engine.evaluate(T0 + 200)
    assert [(n.status, n.fingerprint) for n in resolved] == [("resolved", fired[0].fingerprint)]
    assert engine.evaluate(T0 + 300) == []
    bodies = receiver.wait_for(2)
    engine.close()
    assert [b["status"] for b in bodies] == ["firing", "resolved"]
    assert bodies[0]["rule"] == "crit-burst" and bodies[0]["group"] == {"service": "api"}
    assert bodies[0]["fingerprint"] == bodies[1]["fingerprint"]
    assert bodies[1]["ends_at"] is not None and bodies[0]["ends_at"] is None


def test_new_template_rule_uses_first_sighting_and_label_set(
    pipeline: Pipeline, receiver: Receiver, tmp_path: Path
) -> None:
    rules = _rules(
        "rules:\n  - id: new-severe\n    kind: new_template\n"
        "    labels: [Critical Error, Security Alert]\n    window_s: 30\n    group_by: [host]\n",
        tmp_path,
    )
    engine = AlertEngine(rules, _notifier(receiver.url))
    batch = _batch(pipeline, ["invalid password for user 17", "GET /index.html 200"])
    fired = engine.observe(batch, ["auth", "web"], ["h1", "h2"], [T0, T0])
    assert len(fired) == 1
    assert fired[0].labels["label"] == "Security Alert" and fired[0].group == {"host": "h1"}
    # The same template again is not new: no second notification.
    batch2 = _batch(pipeline, ["invalid password for user 42"])
    assert int(batch2.changes[0]) != 1
    assert engine.observe(batch2, ["auth"], ["h1"], [T0 + 5]) == []
    assert engine.evaluate(T0 + 20) == []  # seen 15 s ago, window 30 s: still firing
    resolved = engine.evaluate(T0 + 40)
    assert [n.status for n in resolved] == ["resolved"]
    assert [b["status"] for b in receiver.wait_for(2)] == ["firing", "resolved"]
    engine.close()


def test_a_workers_new_template_alert_names_the_id_its_documents_carry(tmp_path: Path) -> None:
    """Sidecar worker slot 1 writes its miner's ids plus 2**32 (each slot mines its
    own); its alerts name the same ids, and recurrences keep them firing."""
    rules = _rules(
        "rules:\n  - id: new-severe\n    kind: new_template\n"
        "    labels: [Security Alert]\n    window_s: 30\n",
        tmp_path,
    )
    engine = AlertEngine(rules, template_id_offset=2**32)
    pipeline = Pipeline(Settings(), labeler=KeywordLabeler())  # its own miner: all new
    batch = _batch(pipeline, ["invalid password for user 17"])
    fired = engine.observe(batch, ["auth"], ["h1"], [T0])
    assert fired[0].labels["template_id"] == str(2**32 + int(batch.template_ids[0]))
    engine.observe(_batch(pipeline, ["invalid password for user 42"]), ["auth"], ["h1"], [T0 + 5])
    assert engine.evaluate(T0 + 32) == []  # the recurrence at T0 + 5 was counted
    assert [n.status for n in engine.evaluate(T0 + 36)] == ["resolved"]


def test_anomaly_rate_with_min_count_and_slack_payload(
    pipeline: Pipeline, receiver: Receiver, tmp_path: Path
) -> None:
    rules = _rules(
        "rules:\n  - id: anomalies\n    kind: anomaly_rate\n    threshold: 0.3\n"
        "    min_count: 4\n    window_s: 60\n",
        tmp_path,
    )
    engine = AlertEngine(rules, _notifier(receiver.url, fmt="slack"))
    few = _batch(pipeline, ["disk sdb failed badly", "GET /a 200"])
    assert engine.observe(few, ["a", "a"], ["h", "h"], [T0, T0]) == []  # 2 < min_count
    more = _batch(pipeline, ["disk sdc failed badly", "GET /b 200", "GET /c 200"])
    fired = engine.observe(more, ["a"] * 3, ["h"] * 3, [T0 + 1] * 3)
    assert [n.status for n in fired] == ["firing"] and fired[0].value == pytest.approx(0.4)
    assert [n.status for n in engine.evaluate(T0 + 120)] == ["resolved"]
    bodies = receiver.wait_for(2)
    engine.close()
    assert bodies[0]["text"].startswith(":rotating_light: [FIRING] anomalies")
    assert bodies[0]["attachments"][0]["color"] == "danger"
    assert bodies[1]["attachments"][0]["color"] == "good"


def test_retries_5xx_until_delivered(pipeline: Pipeline, tmp_path: Path) -> None:
    flaky = Receiver(fail_first=2, fail_status=503)
    try:
        rules = parse_rules(
            {
                "rules": [
                    {"id": "c", "kind": "label_count", "label": "Critical Error", "threshold": 0}
                ]
            }
        )
        notifier = _notifier(flaky.url)
        engine = AlertEngine(rules, notifier)
        engine.observe(_batch(pipeline, ["disk sdd failed now"]), ["s"], ["h"], [T0])
        assert [b["status"] for b in flaky.wait_for(1)] == ["firing"]
        assert notifier.flush(5.0)
        assert flaky.attempts == 3
        assert notifier.stats["retried"] == 2 and notifier.stats["sent"] == 1
        engine.close()
    finally:
        flaky.close()


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.mark.parametrize("kind", ["refused", "5xx", "hanging"])
def test_broken_receiver_never_blocks_observe(pipeline: Pipeline, kind: str) -> None:
    server = None
    if kind == "refused":
        url = f"http://127.0.0.1:{_closed_port()}/hook"
    else:
        server = Receiver(
            fail_first=10**6, fail_status=500, delay_s=2.0 if kind == "hanging" else 0.0
        )
        url = server.url
    try:
        rules = parse_rules(
            {
                "rules": [
                    {
                        "id": "c",
                        "kind": "label_count",
                        "label": "Critical Error",
                        "threshold": 0,
                        "group_by": ["service"],
                        "window_s": 1,
                    }
                ]
            }
        )
        notifier = _notifier(url, retries=3, backoff=0.05)
        engine = AlertEngine(rules, notifier)
        batch = _batch(pipeline, ["disk sde failed now"] * 50)
        started = time.perf_counter()
        sent = 0
        for i in range(40):  # 40 fire/resolve cycles, each a notification
            sent += len(engine.observe(batch, [f"s{i}"] * 50, ["h"] * 50, [T0 + 10 * i] * 50))
        elapsed = time.perf_counter() - started
        assert sent >= 40
        assert elapsed < 1.0, f"observe() was blocked by the receiver ({elapsed:.2f} s)"
        notifier.close(timeout_s=0.5)
        assert notifier.stats["sent"] == 0
    finally:
        if server is not None:
            server.close()


def test_queue_full_drops_oldest_instead_of_blocking() -> None:
    notifier = Notifier(
        receivers=[ReceiverSettings(name="x", url=f"http://127.0.0.1:{_closed_port()}/")],  # type: ignore[arg-type]
        queue_size=2,
        max_retries=0,
    )
    rules = parse_rules({"rules": [{"id": "a", "kind": "anomaly_rate", "threshold": 0.0}]})
    engine = AlertEngine(rules)
    from logtriage.alerts.model import Notification

    note = Notification(
        "firing", "a", "anomaly_rate", "warning", "s", {}, {}, 1, 0, 60, T0, None, "f"
    )
    started = time.perf_counter()
    for _ in range(500):
        notifier.submit(note)
    assert time.perf_counter() - started < 0.5
    notifier.close(timeout_s=1.0)
    assert notifier.stats["dropped"] > 0
    assert engine.firing == []


def test_rules_file_errors_are_reported_together(tmp_path: Path) -> None:
    bad = tmp_path / "a.yaml"
    bad.write_text(
        "rules:\n  - id: x\n    kind: label_count\n    threshold: -1\n  - id: y\n    kind: nope\n"
    )
    with pytest.raises(ConfigError) as err:
        load_rules_file(bad)
    msg = str(err.value)
    assert "rule 1 ('x') label: Field required" in msg, msg
    assert "rule 1 ('x') threshold: Input should be greater than or equal to 0" in msg, msg
    assert "rule 2 ('y'): Input tag 'nope' found" in msg, msg


def test_settings_section_and_engine_from_settings(tmp_path: Path, receiver: Receiver) -> None:
    rules = tmp_path / "alerts.yaml"
    rules.write_text("rules:\n  - id: a\n    kind: anomaly_rate\n    threshold: 0.5\n")
    cfg = tmp_path / "logtriage.yaml"
    cfg.write_text(
        f"alerts:\n  enabled: true\n  rules_file: {rules}\n"
        f"  receivers:\n    - name: hook\n      url: {receiver.url}\n      format: slack\n"
    )
    settings = load_settings(cfg)
    assert settings.alerts.receivers[0].format == "slack"
    engine = AlertEngine.from_settings(settings.alerts)
    assert engine is not None and [r.id for r in engine.rules] == ["a"]
    engine.close()
    assert AlertEngine.from_settings(Settings().alerts) is None
    shipped = AlertEngine.from_settings(
        Settings(alerts={"enabled": True, "receivers": [{"name": "r", "url": receiver.url}]}).alerts
    )
    assert shipped is not None
    assert [r.id for r in shipped.rules] == [
        "new-severe-template",
        "critical-burst",
        "anomaly-rate",
    ]
    shipped.close()
    with pytest.raises(ValidationError, match="enabled needs at least one entry in alerts"):
        Settings(alerts={"enabled": True})
    with pytest.raises(ConfigError):
        load_settings_text = tmp_path / "bad.yaml"
        load_settings_text.write_text("alerts:\n  enabled: true\n  max_retries: -1\n")
        load_settings(load_settings_text)


def test_receiver_headers_are_sent_and_never_shown(receiver: Receiver) -> None:
    """Header values (``Authorization: Bearer ...``) are secrets in the settings and
    still go out as written."""
    settings = ReceiverSettings.model_validate(
        {"name": "hook", "url": receiver.url, "headers": {"Authorization": "Bearer t0ken"}}
    )
    assert "t0ken" not in repr(settings)
    notifier = Notifier(receivers=[settings])
    notifier.submit(
        Notification("firing", "a", "anomaly_rate", "warning", "s", {}, {}, 1, 0, 60, T0, None, "f")
    )
    assert len(receiver.wait_for(1)) == 1
    notifier.close()
    assert receiver.headers[0]["Authorization"] == "Bearer t0ken"


def test_observe_rejects_misaligned_columns(pipeline: Pipeline) -> None:
    engine = AlertEngine(parse_rules({"rules": []}))
    batch = _batch(pipeline, ["GET / 200", "GET / 200"])
    with pytest.raises(ValueError, match="one value per line"):
        engine.observe(batch, ["a"], ["h", "h"], [T0, T0])


def test_columns_from_sources_reads_dotted_paths_and_dates() -> None:
    from logtriage.sources.columns import columns_from_sources

    services, hosts, ts = columns_from_sources(
        [
            {"@timestamp": "2023-11-14T22:13:20Z", "service": {"name": "api"}, "host.name": "h1"},
            {"@timestamp": 1_700_000_001_000, "service": {"name": 7}},
        ]
    )
    assert services == ["api", "7"] and hosts == ["h1", None]
    assert ts.tolist() == [T0, T0 + 1]


def test_sample_logs_through_pipeline_and_engine(receiver: Receiver) -> None:
    """Realistic sample lines -> real Pipeline -> engine, per-service Critical Error counts."""
    from logtriage.samples import generate
    from logtriage.sources.columns import columns_from_sources

    lines = generate(1500, seed=3)
    truth = {ln.message: ln.label for ln in lines}

    class Truth(KeywordLabeler):
        def label_batch(self, messages, template_ids, template_texts, changes):  # type: ignore[no-untyped-def]
            cols = super().label_batch(messages, template_ids, template_texts, changes)
            return LabelColumns([truth[m] for m in messages], cols.confidence, cols.anomaly,
                                cols.anomaly_score)  # fmt: skip

    # No regex rules: every line takes its ground-truth label from the labeler.
    settings = Settings(rules=RulesSettings(use_defaults=False))
    pipeline = Pipeline(settings, labeler=Truth())
    batch = pipeline.process_batch([ln.message for ln in lines])
    services, hosts, ts = columns_from_sources(
        [
            {"@timestamp": ln.timestamp, "service": {"name": ln.service}, "host": {"name": ln.host}}
            for ln in lines
        ]
    )
    per_service: dict[str, int] = {}
    for ln in lines:
        if ln.label == "Critical Error":
            per_service[ln.service] = per_service.get(ln.service, 0) + 1
    rules = parse_rules(
        {
            "rules": [
                {
                    "id": "crit",
                    "kind": "label_count",
                    "label": "Critical Error",
                    "threshold": 0,
                    "window_s": 86400,
                    "group_by": ["service"],
                }
            ]
        }
    )
    engine = AlertEngine(rules, _notifier(receiver.url))
    fired = engine.observe(batch, services, hosts, ts)
    assert {n.group["service"]: n.value for n in fired} == per_service
    assert len(receiver.wait_for(len(per_service))) == len(per_service)
    engine.close()


def _columns(labels: list[str], changes: list[int] | None = None) -> LabeledBatch:
    n = len(labels)
    return LabeledBatch(
        template_ids=np.arange(n, dtype=np.uint32),
        template_texts=[f"t{i}" for i in range(n)],
        changes=np.array(changes or [0] * n, dtype=np.uint8),
        labels=LabelColumns(
            label=labels,
            confidence=np.ones(n, dtype=np.float32),
            anomaly=np.zeros(n, dtype=np.bool_),
            anomaly_score=np.zeros(n, dtype=np.float32),
        ),
        rules=[None] * n,
        model_version="m",
    )


def test_window_edges_out_of_order_lines_and_missing_group_values() -> None:
    rules = parse_rules(
        {
            "rules": [
                {
                    "id": "e",
                    "kind": "label_count",
                    "label": "Error",
                    "threshold": 2,
                    "window_s": 10,
                    "group_by": ["service", "host"],
                }
            ]
        }
    )
    engine = AlertEngine(rules)
    batch = _columns(["Error", "Error", "Info", "Error"])
    # Out of order within the batch; None and "" are the same group value.
    out = engine.observe(batch, [None, "", None, None], ["h"] * 4, [T0 + 9, T0, T0 + 9, T0 + 5])
    assert [(n.status, n.group, n.value) for n in out] == [
        ("firing", {"service": "", "host": "h"}, 3.0)
    ]
    # At T0+10.5 the line at T0 has left the 10 s window: 2 left, not above 2.
    assert [(n.status, n.value) for n in engine.evaluate(T0 + 10.5)] == [("resolved", 2.0)]
    # A late line older than the window changes nothing.
    assert engine.observe(_columns(["Error"]), [""], ["h"], [T0 - 100]) == []
    assert engine.firing == []


def test_a_timestamp_in_the_future_does_not_blind_the_windows(pipeline: Pipeline) -> None:
    """One line from a host whose clock runs a day ahead used to move the watermark a
    day forward: every window then ended in the future and 30 Critical Errors of the
    last minute fired nothing. A future timestamp now counts as now."""
    rules = parse_rules(
        {
            "rules": [
                {"id": "c", "kind": "label_count", "label": "Critical Error", "threshold": 20},
                {"id": "t", "kind": "new_template", "labels": ["Critical Error"]},
            ]
        }
    )
    engine = AlertEngine(rules)
    msgs = [f"disk sdq{i} failed with code {i}" for i in range(30)] + ["GET /health 200"]
    batch = _batch(pipeline, msgs)
    now = time.time()
    ts = [now - 60 + i for i in range(30)] + [now + 86400]
    fired = engine.observe(batch, ["s"] * 31, ["h"] * 31, ts)
    assert [(n.status, n.value) for n in fired if n.rule_id == "c"] == [("firing", 30.0)]
    new_templates = [n.status for n in fired if n.rule_id == "t"]
    assert new_templates and set(new_templates) == {"firing"}, "not resolved at once"
    assert engine.watermark <= time.time()
    assert engine.evaluate(time.time()) == [], "nothing resolves while it is still true"
    # 10 minutes on, the burst is over and every instance resolves.
    later = engine.evaluate(now + 600)
    assert len(later) == len(fired) and {n.status for n in later} == {"resolved"}
