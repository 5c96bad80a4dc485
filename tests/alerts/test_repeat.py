"""``alerts.repeat_interval_s``: an alert that keeps firing is sent again (as
Alertmanager's ``repeat_interval``), so a notification lost while the receiver was
down is not the last word. Before, it was sent once and never again: a receiver
outage longer than the retries meant the alert was never seen while it lasted.

The engine's clock is a fake one (the repeat is about wall-clock time, which the
test should not sleep through); the batches come from the real Pipeline and the
notifications go to a real local HTTP receiver."""

from __future__ import annotations

from pathlib import Path

import pytest
from logtriage.alerts import AlertEngine, Notifier, load_rules_file
from logtriage.config import Settings
from logtriage.config.alerts import AlertsSettings, ReceiverSettings
from logtriage.pipeline import Pipeline

from tests.alerts.conftest import Receiver
from tests.alerts.test_engine import T0, KeywordLabeler


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline(Settings(), labeler=KeywordLabeler())


def _engine(tmp_path: Path, url: str, clock: FakeClock, repeat_s: float) -> AlertEngine:
    rules = tmp_path / "alerts.yaml"
    rules.write_text(
        "rules:\n"
        "  - {id: crit, kind: label_count, label: Critical Error, threshold: 1, window_s: 600}\n"
        "  - {id: new-crit, kind: new_template, labels: [Critical Error], window_s: 600}\n"
    )
    notifier = Notifier(
        [ReceiverSettings(name="ops", url=url)],  # type: ignore[arg-type]
        max_retries=0,
        initial_backoff_s=0.01,
    )
    return AlertEngine(load_rules_file(rules), notifier, True, repeat_s, clock=clock)


def test_a_firing_alert_lost_to_a_receiver_outage_is_sent_again(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    receiver = Receiver(fail_first=2, fail_status=503)  # down for the first two alerts
    clock = FakeClock()
    engine = _engine(tmp_path, receiver.url, clock, repeat_s=300)
    try:
        batch = pipeline.process_batch([f"disk {i} failed hard" for i in range(3)])
        fired = engine.observe(batch, ["s"] * 3, ["h"] * 3, [T0, T0 + 1, T0 + 2])
        assert sorted(n.rule_id for n in fired) == ["crit", "new-crit"]
        assert engine.notifier is not None and engine.notifier.flush(5.0)
        assert receiver.bodies == [] and engine.notifier.stats["failed"] == 2

        clock.now += 299
        assert engine.evaluate(T0 + 10) == []  # not yet due
        clock.now += 1
        again = engine.evaluate(T0 + 11)
        assert sorted((n.rule_id, n.status) for n in again) == [
            ("crit", "firing"),
            ("new-crit", "firing"),
        ]
        assert {n.fingerprint for n in again} == {n.fingerprint for n in fired}
        assert {n.starts_at for n in again} == {n.starts_at for n in fired}
        bodies = receiver.wait_for(2)
        assert sorted(b["rule"] for b in bodies) == ["crit", "new-crit"]
        assert engine.evaluate(T0 + 12) == []  # sent again just now

        clock.now += 300
        assert len(engine.evaluate(T0 + 13)) == 2  # every interval while it lasts
        resolved = engine.evaluate(T0 + 2000)
        assert sorted(n.status for n in resolved) == ["resolved", "resolved"]
        clock.now += 10_000
        assert engine.evaluate(T0 + 2001) == []  # resolved alerts are not repeated
    finally:
        engine.close()
        receiver.close()


def test_repeat_interval_zero_never_sends_again(pipeline: Pipeline, tmp_path: Path) -> None:
    receiver = Receiver()
    clock = FakeClock()
    engine = _engine(tmp_path, receiver.url, clock, repeat_s=0)
    try:
        batch = pipeline.process_batch(["fan 7 failed twice", "fan 8 failed twice"])
        assert len(engine.observe(batch, ["s"] * 2, ["h"] * 2, [T0, T0])) == 2
        clock.now += 10**7
        assert engine.evaluate(T0 + 5) == []
    finally:
        engine.close()
        receiver.close()


def test_the_setting_defaults_to_four_hours_and_reaches_the_engine(tmp_path: Path) -> None:
    receivers = [{"name": "ops", "url": "http://127.0.0.1:9/hook"}]
    assert AlertsSettings(enabled=True, receivers=receivers).repeat_interval_s == 4 * 3600
    settings = AlertsSettings(enabled=True, receivers=receivers, repeat_interval_s=60)
    engine = AlertEngine.from_settings(settings)
    assert engine is not None and engine.repeat_interval_s == 60
    engine.close()
    with pytest.raises(ValueError, match="greater than or equal to 0"):
        AlertsSettings(enabled=True, receivers=receivers, repeat_interval_s=-1)
