"""Deliver notifications to webhooks from a background thread, with retries.

``Notifier.submit`` only puts the notification on a bounded queue and returns;
when the queue is full the oldest item is dropped (``stats["dropped"]``).
Delivery retries connection errors, timeouts, 429 and 5xx with capped
exponential backoff (``initial_backoff_s * 2**attempt``, at most
``max_backoff_s``); other 4xx answers are not retried.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from logtriage.alerts.model import Notification
from logtriage.config.alerts import ReceiverSettings

__all__ = ["Notifier", "generic_payload", "slack_payload"]

log = logging.getLogger("logtriage.alerts")


def generic_payload(n: Notification) -> dict[str, Any]:
    """The generic JSON body (one notification per request)."""
    return {
        "version": "1",
        "status": n.status,
        "rule": n.rule_id,
        "kind": n.kind,
        "severity": n.severity,
        "summary": n.summary,
        "group": n.group,
        "labels": n.labels,
        "value": n.value,
        "threshold": n.threshold,
        "window_s": n.window_s,
        "starts_at": n.starts_at_iso,
        "ends_at": n.ends_at_iso,
        "fingerprint": n.fingerprint,
    }


def slack_payload(n: Notification) -> dict[str, Any]:
    """A Slack incoming-webhook body (``text`` + one coloured attachment)."""
    icon = ":white_check_mark:" if n.status == "resolved" else ":rotating_light:"
    where = ", ".join(f"{k}={v}" for k, v in n.group.items()) or "all"
    fields = [{"title": k, "value": str(v), "short": True} for k, v in n.labels.items()]
    fields.append(
        {"title": "value", "value": f"{n.value:g} (threshold {n.threshold:g})", "short": True}
    )
    return {
        "text": f"{icon} [{n.status.upper()}] {n.rule_id} ({where}): {n.summary}",
        "attachments": [
            {
                "color": "good" if n.status == "resolved" else "danger",
                "title": n.rule_id,
                "text": n.summary,
                "fields": fields,
                "footer": f"logtriage · {n.fingerprint}",
                "ts": int(n.ends_at or n.starts_at),
            }
        ],
    }


_FORMATS: dict[str, Callable[[Notification], dict[str, Any]]] = {
    "json": generic_payload,
    "slack": slack_payload,
}


@dataclass
class _Item:
    receiver: ReceiverSettings
    notification: Notification
    attempt: int = 0
    not_before: float = 0.0


@dataclass
class Notifier:
    """Background delivery to every receiver. Call :meth:`close` on shutdown."""

    receivers: list[ReceiverSettings]
    max_retries: int = 5
    initial_backoff_s: float = 0.5
    max_backoff_s: float = 30.0
    queue_size: int = 1000
    stats: dict[str, int] = field(
        default_factory=lambda: {"sent": 0, "failed": 0, "retried": 0, "dropped": 0}
    )

    def __post_init__(self) -> None:
        self._queue: queue.Queue[_Item | None] = queue.Queue(maxsize=self.queue_size)
        self._retry: list[_Item] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="logtriage-alerts", daemon=True)
        self._thread.start()

    def submit(self, notification: Notification) -> None:
        """Queue a notification for every receiver; never blocks."""
        for r in self.receivers:
            self._put(_Item(r, notification))

    def _put(self, item: _Item) -> None:
        while True:
            try:
                self._queue.put_nowait(item)
                return
            except queue.Full:
                try:
                    self._queue.get_nowait()
                    with self._lock:
                        self.stats["dropped"] += 1
                except queue.Empty:
                    pass

    def _run(self) -> None:
        while not (self._stop.is_set() and self._queue.empty() and not self._retry):
            now = time.monotonic()
            due = [i for i in self._retry if i.not_before <= now]
            self._retry = [i for i in self._retry if i.not_before > now]
            for item in due:
                self._busy = True
                self._deliver(item)
                self._busy = False
            wait = min((i.not_before for i in self._retry), default=now + 0.2) - now
            try:
                queued = self._queue.get(timeout=max(0.01, min(wait, 0.2)))
            except queue.Empty:
                if self._stop.is_set() and self._retry and self._give_up_on_stop:
                    self._retry.clear()
                continue
            if queued is not None:
                self._busy = True
                self._deliver(queued)
                self._busy = False

    _give_up_on_stop = False
    _busy = False

    def _deliver(self, item: _Item) -> None:
        body = json.dumps(_FORMATS[item.receiver.format](item.notification)).encode()
        secrets = {name: value.get_secret_value() for name, value in item.receiver.headers.items()}
        headers = {"Content-Type": "application/json", **secrets}
        req = urllib.request.Request(str(item.receiver.url), data=body, headers=headers)
        retry = False
        try:
            with urllib.request.urlopen(req, timeout=item.receiver.timeout_s) as resp:
                resp.read()
            with self._lock:
                self.stats["sent"] += 1
            return
        except urllib.error.HTTPError as exc:
            retry = exc.code == 429 or exc.code >= 500
            reason = f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError) as exc:
            retry = True
            reason = str(exc)
        if retry and item.attempt < self.max_retries:
            delay = min(self.initial_backoff_s * 2**item.attempt, self.max_backoff_s)
            item.attempt += 1
            item.not_before = time.monotonic() + delay
            self._retry.append(item)
            with self._lock:
                self.stats["retried"] += 1
            return
        with self._lock:
            self.stats["failed"] += 1
        log.warning(
            "alert %s to %s failed after %d attempts: %s",
            item.notification.fingerprint,
            item.receiver.name,
            item.attempt + 1,
            reason,
        )

    def flush(self, timeout_s: float = 10.0) -> bool:
        """Wait until nothing is queued or waiting for a retry; True if drained in time."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._queue.empty() and not self._retry and not self._busy:
                return True
            time.sleep(0.02)
        return False

    def close(self, timeout_s: float = 5.0) -> None:
        """Stop after pending deliveries (pending retries are abandoned at the deadline)."""
        self._stop.set()
        self._thread.join(timeout_s)
        if self._thread.is_alive():
            self._give_up_on_stop = True
            self._thread.join(1.0)
