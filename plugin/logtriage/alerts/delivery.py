"""Deliver notifications to webhooks from a background thread, with retries.

``Notifier.submit`` only puts the notification on a bounded queue and returns;
when the queue is full the oldest item is dropped (``stats["dropped"]``).
Delivery retries connection errors, timeouts, 429 and 5xx with capped
exponential backoff (``initial_backoff_s * 2**attempt``, at most
``max_backoff_s``); other 4xx answers are not retried. Redirects are not
followed: urllib would resend a POST as a GET without its body (the alert lost,
yet counted as sent) and pass the receiver's secret headers on to wherever the
redirect points; a 3xx fails, naming the URL to configure instead.
"""

from __future__ import annotations

import base64
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
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from logtriage.alerts.model import Notification
from logtriage.config.alerts import ReceiverSettings
from logtriage.config.redact import webhook_url_shown
from logtriage.wording import counted

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


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Answer a 3xx with an ``HTTPError`` instead of following it."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)

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
    last_error: str = ""


@dataclass
class Notifier:
    """Background delivery to every receiver. Call :meth:`close` on shutdown."""

    receivers: list[ReceiverSettings]
    max_retries: int = 5
    initial_backoff_s: float = 0.5
    max_backoff_s: float = 30.0
    queue_size: int = 1000
    stats: dict[str, int] = field(
        default_factory=lambda: {
            "sent": 0,
            "failed": 0,
            "retried": 0,
            "dropped": 0,
            "abandoned": 0,
        }
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
                    old = self._queue.get_nowait()
                except queue.Empty:
                    continue
                if old is not None:
                    with self._lock:
                        self.stats["dropped"] += 1
                    _warn_lost(old, f"dropped: more than {self.queue_size} queued")

    def _run(self) -> None:
        while True:
            if self._stop.is_set():
                if self._give_up_on_stop:
                    self._abandon()
                    return
                if self._queue.empty() and not self._retry:
                    return
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
                continue
            if queued is not None:
                self._busy = True
                self._deliver(queued)
                self._busy = False

    _give_up_on_stop = False
    _busy = False

    def _abandon(self) -> None:
        """At the close deadline: what is still queued or waiting for a retry is not
        delivered; each is logged (fingerprint, receiver, last error) and counted."""
        left = list(self._retry)
        self._retry.clear()
        while True:
            try:
                queued = self._queue.get_nowait()
            except queue.Empty:
                break
            if queued is not None:
                left.append(queued)
        with self._lock:
            self.stats["abandoned"] += len(left)
        for item in left:
            why = f"last error: {item.last_error}" if item.last_error else "never sent"
            _warn_lost(item, f"not delivered before shutdown ({why})")

    def _deliver(self, item: _Item) -> None:
        body = json.dumps(_FORMATS[item.receiver.format](item.notification)).encode()
        url, basic = _split_userinfo(str(item.receiver.url))
        secrets = {name: value.get_secret_value() for name, value in item.receiver.headers.items()}
        headers = {"Content-Type": "application/json", **basic, **secrets}
        req = urllib.request.Request(url, data=body, headers=headers)
        retry = False
        try:
            with _OPENER.open(req, timeout=item.receiver.timeout_s) as resp:
                resp.read()
            with self._lock:
                self.stats["sent"] += 1
            return
        except urllib.error.HTTPError as exc:
            retry = exc.code == 429 or exc.code >= 500
            reason = f"HTTP {exc.code}"
            location = exc.headers.get("Location") if 300 <= exc.code < 400 else None
            if location:
                target = webhook_url_shown(urljoin(str(item.receiver.url), location))
                reason += f" (a redirect to {target}: configure the URL it redirects to)"
        except (urllib.error.URLError, OSError) as exc:
            retry = True
            reason = str(exc)
        item.last_error = reason
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
        _warn_lost(item, f"failed after {counted(item.attempt + 1, 'attempt')}: {reason}")

    def flush(self, timeout_s: float = 10.0) -> bool:
        """Wait until nothing is queued or waiting for a retry; True if drained in time."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._queue.empty() and not self._retry and not self._busy:
                return True
            time.sleep(0.02)
        return False

    def close(self, timeout_s: float = 5.0) -> None:
        """Stop after pending deliveries; what is still pending at the deadline is
        abandoned, each logged as a warning and counted (``stats["abandoned"]``)."""
        self._stop.set()
        self._thread.join(timeout_s)
        if self._thread.is_alive():
            self._give_up_on_stop = True
            self._thread.join(1.0)
        if self._thread.is_alive():  # stuck in one request: what waits behind it is lost
            log.warning(
                "alert delivery still busy at shutdown: %d notifications not delivered",
                self._queue.qsize() + len(self._retry) + 1,
            )


def _split_userinfo(url: str) -> tuple[str, dict[str, str]]:
    """``url`` without its ``user:password@`` and the basic-auth header they stand for
    (urllib would take them for part of the host name). A configured
    ``Authorization`` header wins over them."""
    parts = urlsplit(url)
    if parts.username is None:
        return url, {}
    user, password = unquote(parts.username), unquote(parts.password or "")
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=host)), {"Authorization": f"Basic {token}"}


def _warn_lost(item: _Item, why: str) -> None:
    n = item.notification
    log.warning(
        "alert %s %s (%s) to %s %s", n.rule_id, n.status, n.fingerprint, item.receiver.name, why
    )
