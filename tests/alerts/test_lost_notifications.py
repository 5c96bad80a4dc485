"""A notification that is never delivered leaves a warning in the log, whatever the
reason: retries used up, queue overflow, or the sidecar stopping while a retry
waits (before, that last case left no trace at all: ``run --once`` exited 0 and the
alert was gone). The receiver's secrets never appear in those lines."""

from __future__ import annotations

import logging

import pytest
from logtriage.alerts import Notification, Notifier
from logtriage.config.alerts import ReceiverSettings

from tests.alerts.conftest import Receiver

SECRET = "s3cr3t-token"
NOTE = Notification(
    "firing", "crit", "label_count", "critical", "s", {"host": "h1"}, {}, 30, 20, 300,
    1_700_000_000.0, None, "fp-1",
)  # fmt: skip


def _receiver(url: str) -> ReceiverSettings:
    return ReceiverSettings.model_validate(
        {"name": "ops", "url": f"{url}/{SECRET}", "headers": {"Authorization": SECRET}}
    )


def test_stopping_while_a_retry_waits_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    down = Receiver(fail_first=10**6, fail_status=500)
    try:
        notifier = Notifier([_receiver(down.url)], max_retries=5, initial_backoff_s=10.0)
        with caplog.at_level(logging.WARNING, logger="logtriage.alerts"):
            notifier.submit(NOTE)
            notifier.close(timeout_s=0.5)
        assert down.attempts == 1
        lines = [r.getMessage() for r in caplog.records]
        assert lines == [
            "alert crit firing (fp-1) to ops not delivered before shutdown (last error: HTTP 500)"
        ]
        assert notifier.stats["abandoned"] == 1 and notifier.stats["sent"] == 0
        assert SECRET not in caplog.text
    finally:
        down.close()


def test_retries_used_up_and_overflow_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    down = Receiver(fail_first=10**6, fail_status=503)
    try:
        notifier = Notifier(
            [_receiver(down.url)], max_retries=1, initial_backoff_s=0.01, queue_size=1
        )
        with caplog.at_level(logging.WARNING, logger="logtriage.alerts"):
            for _ in range(50):
                notifier.submit(NOTE)
            assert notifier.flush(10.0)
            notifier.close()
        stats = notifier.stats
        lines = [r.getMessage() for r in caplog.records]
        assert stats["dropped"] > 0 and stats["failed"] > 0
        assert stats["dropped"] + stats["failed"] == 50
        dropped = [x for x in lines if x.endswith("dropped: more than 1 queued")]
        failed = [x for x in lines if x.endswith("failed after 2 attempts: HTTP 503")]
        assert (len(dropped), len(failed)) == (stats["dropped"], stats["failed"])
        assert SECRET not in caplog.text
    finally:
        down.close()


def test_a_redirect_is_not_followed(caplog: pytest.LogCaptureFixture) -> None:
    """urllib followed a 301 by sending a GET without the body (the alert lost, yet
    counted as sent) and passed the receiver's headers on to the redirect's target."""
    target = Receiver()
    moved = Receiver(fail_first=10**6, fail_status=301)
    moved.location = f"{target.url}/{SECRET}"
    try:
        notifier = Notifier([_receiver(moved.url)], max_retries=3, initial_backoff_s=0.01)
        with caplog.at_level(logging.WARNING, logger="logtriage.alerts"):
            notifier.submit(NOTE)
            assert notifier.flush(10.0)
            notifier.close()
        assert (moved.attempts, target.attempts, target.gets) == (1, 0, 0)
        assert notifier.stats["sent"] == 0 and notifier.stats["failed"] == 1
        host = target.url.split("/hook")[0]
        assert [r.getMessage() for r in caplog.records] == [
            "alert crit firing (fp-1) to ops failed after 1 attempt: HTTP 301 (a redirect to "
            f"{host}/**********: configure the URL it redirects to)"
        ]
        assert SECRET not in caplog.text
    finally:
        moved.close()
        target.close()


def test_basic_auth_in_the_webhook_url_is_sent_as_a_header(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """``https://user:pw@host/path`` passed validation, then every delivery failed with
    "Name or service not known": urllib took ``user:pw@host`` for the host name."""
    hook = Receiver()
    try:
        url = hook.url.replace("http://", "http://ops%40corp:p%3Ass@")
        notifier = Notifier(
            [ReceiverSettings.model_validate({"name": "ops", "url": url})], max_retries=0
        )
        with caplog.at_level(logging.WARNING, logger="logtriage.alerts"):
            notifier.submit(NOTE)
            assert notifier.flush(10.0)
            notifier.close()
        assert caplog.records == [] and notifier.stats["sent"] == 1
        assert [b["fingerprint"] for b in hook.bodies] == ["fp-1"]
        # base64("ops@corp:p:ss")
        assert hook.headers[0]["Authorization"] == "Basic b3BzQGNvcnA6cDpzcw=="
    finally:
        hook.close()
