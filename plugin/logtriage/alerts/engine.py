"""Evaluate alert rules on labelled batches: grouping, dedup and resolve.

Time is *event time*: windows are measured on the documents' timestamps (one in
the future counts as now) and end at the watermark (newest timestamp seen, or the
``now`` given to
:meth:`AlertEngine.evaluate` when the sidecar is idle and caught up). Each alert
instance (rule + group values [+ template id]) notifies when it starts firing,
again every ``repeat_interval_s`` of wall-clock time while it keeps firing (as
Alertmanager's ``repeat_interval``: a notification lost to a receiver outage, or
sent before a restart, is not the last word), and once when it resolves.

The sidecar calls, per written batch::

    engine.observe(batch, services, hosts, timestamps)   # LabeledBatch + per-line columns

and on idle polls ``engine.evaluate(time.time())``. Delivery happens in the
:class:`~logtriage.alerts.delivery.Notifier` thread, so neither call waits on
the network.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from logtriage.alerts.delivery import Notifier
from logtriage.alerts.model import Notification, fingerprint
from logtriage.alerts.rules import (
    AlertRule,
    AnomalyRateRule,
    LabelCountRule,
    NewTemplateRule,
    load_rules_file,
)
from logtriage.config.alerts import AlertsSettings
from logtriage.pipeline import LabeledBatch

__all__ = ["CHANGE_CREATED", "DEFAULT_RULES", "AlertEngine", "Buckets", "GroupKey"]

DEFAULT_RULES = Path(__file__).with_name("default_rules.yaml")

CHANGE_CREATED = 1  # the miner's change code for a template's first sighting

GroupKey = tuple[tuple[str, str], ...]

#: Per rule id and group, per-second buckets ``(second, matched, anomalies)``.
Buckets = dict[str, dict[GroupKey, list[tuple[int, int, int]]]]


@dataclass
class _Instance:
    rule: AlertRule
    group: dict[str, str]
    labels: dict[str, str]
    fingerprint: str
    starts_at: float
    value: float
    last_seen: float
    #: the ``clock`` reading when it was last sent as firing
    notified_at: float = 0.0


@dataclass
class _Window:
    """Per-second buckets ``[second, matched, anomalies]`` of one group."""

    buckets: deque[list[int]] = field(default_factory=deque)

    def add(self, second: int, matched: int, anomalies: int) -> None:
        if self.buckets and self.buckets[-1][0] == second:
            self.buckets[-1][1] += matched
            self.buckets[-1][2] += anomalies
            return
        if self.buckets and self.buckets[-1][0] > second:
            # Out-of-order second: merge into its bucket (rare; linear scan).
            for b in self.buckets:
                if b[0] == second:
                    b[1] += matched
                    b[2] += anomalies
                    return
            self.buckets.append([second, matched, anomalies])
            self.buckets = deque(sorted(self.buckets))
            return
        self.buckets.append([second, matched, anomalies])

    def totals(self, start: float) -> tuple[int, int]:
        while self.buckets and self.buckets[0][0] < start:
            self.buckets.popleft()
        return sum(b[1] for b in self.buckets), sum(b[2] for b in self.buckets)


class _Groups:
    """Factorises per-line (service, host) values into integer codes per ``group_by``."""

    def __init__(self, services: Sequence[str | None], hosts: Sequence[str | None]) -> None:
        self._cols = {"service": services, "host": hosts}
        self._cache: dict[tuple[str, ...], tuple[np.ndarray[Any, Any], list[GroupKey]]] = {}

    def codes(self, by: tuple[str, ...]) -> tuple[np.ndarray[Any, Any], list[GroupKey]]:
        if by not in self._cache:
            n = len(self._cols["service"])
            if not by:
                self._cache[by] = (np.zeros(n, dtype=np.int64), [()])
            else:
                lookup: dict[tuple[str, ...], int] = {}
                rows = zip(*(self._cols[k] for k in by), strict=True)
                codes = np.fromiter(
                    (lookup.setdefault(tuple(v or "" for v in row), len(lookup)) for row in rows),
                    dtype=np.int64,
                    count=n,
                )
                keys = [tuple(zip(by, values, strict=True)) for values in lookup]
                self._cache[by] = (codes, keys)
        return self._cache[by]


class AlertEngine:
    """Rules + state + a notifier.

    Arguments:
        rules: parsed rules (see :mod:`logtriage.alerts.rules`).
        notifier: where notifications go; ``None`` only collects them (returned).
        send_resolved: also notify when an instance resolves.
        repeat_interval_s: send a firing instance again after this many seconds
            of ``clock`` since it was last sent (0: never).
        clock: monotonic seconds (tests pass a fake one).
        template_id_offset: added to the batches' template ids in what is sent (a
            sidecar worker's, see :func:`logtriage.sidecar.documents.template_id_offset`).

    A document's timestamp later than the wall clock counts as now: one line from a
    host whose clock runs ahead must not move the watermark into the future, where
    every window would miss the present.
    """

    def __init__(
        self,
        rules: Sequence[AlertRule],
        notifier: Notifier | None = None,
        send_resolved: bool = True,
        repeat_interval_s: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
        template_id_offset: int = 0,
    ) -> None:
        self.rules = list(rules)
        self.template_id_offset = template_id_offset
        self.notifier = notifier
        self.send_resolved = send_resolved
        self.repeat_interval_s = repeat_interval_s
        self._clock = clock
        self.watermark = -math.inf
        self._windows: dict[str, dict[GroupKey, _Window]] = {r.id: {} for r in self.rules}
        self._firing: dict[str, _Instance] = {}
        #: Whether ``label_count``/``anomaly_rate`` rules fire here (see
        #: :meth:`set_fires_counts`).
        self._fires_counts = True
        #: Other sidecar workers' buckets of those rules (see :meth:`set_peer_buckets`).
        self._peers: dict[str, dict[GroupKey, _Window]] = {}

    @classmethod
    def from_settings(cls, settings: AlertsSettings) -> AlertEngine | None:
        """The engine configured by ``settings``; ``None`` when alerting is off."""
        if not settings.enabled:
            return None
        notifier = Notifier(
            receivers=list(settings.receivers),
            max_retries=settings.max_retries,
            initial_backoff_s=settings.initial_backoff_s,
            max_backoff_s=settings.max_backoff_s,
            queue_size=settings.queue_size,
        )
        path = settings.rules_file or DEFAULT_RULES
        return cls(
            load_rules_file(Path(path)),
            notifier,
            settings.send_resolved,
            settings.repeat_interval_s,
        )

    # ------------------------------------------------------------------ input

    def observe(
        self,
        batch: LabeledBatch,
        services: Sequence[str | None],
        hosts: Sequence[str | None],
        timestamps: Sequence[float] | np.ndarray[Any, Any],
        counted: np.ndarray[Any, Any] | None = None,
    ) -> list[Notification]:
        """Account one labelled batch and evaluate; returns the notifications sent.

        ``services``/``hosts``/``timestamps`` (epoch seconds) are per line, in the
        batch's order. ``counted`` (one bool per line, ``None``: all) says which lines
        count: the sidecar leaves out those whose labels were not stored (already
        labelled, or re-read later), so no document is counted twice. A template's
        first sighting still starts a ``new_template`` alert when its line does not
        count, since the miner reports it only once. Never blocks on delivery. Work
        per batch is vectorised: Python loops run over distinct (group, second)
        cells, not over lines.
        """
        n = len(batch)
        if not (len(services) == len(hosts) == len(timestamps) == n):
            raise ValueError("services, hosts and timestamps must have one value per line")
        if counted is not None and len(counted) != n:
            raise ValueError("counted must have one value per line")
        if n == 0:
            return self.evaluate()
        mask = np.ones(n, dtype=np.bool_) if counted is None else np.asarray(counted, np.bool_)
        ts = np.minimum(np.asarray(timestamps, dtype=np.float64), time.time())
        seconds = np.floor(ts).astype(np.int64)
        labels = np.asarray(batch.labels.label, dtype=object)
        anomaly = np.asarray(batch.labels.anomaly, dtype=np.bool_)
        groups = _Groups(services, hosts)
        out: list[Notification] = []
        for rule in self.rules:
            codes, keys = groups.codes(tuple(rule.group_by))
            if isinstance(rule, NewTemplateRule):
                out += self._observe_new_templates(rule, batch, labels, codes, keys, ts, mask)
                continue
            sel = (labels == rule.label) & mask if isinstance(rule, LabelCountRule) else mask
            c, sec, an = codes[sel], seconds[sel], anomaly[sel]
            if not len(c):
                continue
            smin = int(sec.min())
            span = int(sec.max()) - smin + 1
            cells, inverse = np.unique(c * span + (sec - smin), return_inverse=True)
            counts = np.bincount(inverse)
            anomalies = np.bincount(inverse, weights=an.astype(np.float64))
            windows = self._windows[rule.id]
            for cell, count, anom in zip(
                cells.tolist(), counts.tolist(), anomalies.tolist(), strict=True
            ):
                g = keys[cell // span]
                windows.setdefault(g, _Window()).add(cell % span + smin, count, int(anom))
        self.watermark = max(self.watermark, float(ts.max()))
        return out + self.evaluate()

    def _observe_new_templates(
        self,
        rule: NewTemplateRule,
        batch: LabeledBatch,
        labels: np.ndarray[Any, Any],
        codes: np.ndarray[Any, Any],
        keys: list[GroupKey],
        ts: np.ndarray[Any, Any],
        counted: np.ndarray[Any, Any],
    ) -> list[Notification]:
        tids = np.asarray(batch.template_ids, dtype=np.int64) + self.template_id_offset
        wanted = np.isin(labels, rule.labels)
        new: list[_Instance] = []
        for i in np.flatnonzero((batch.changes == CHANGE_CREATED) & wanted).tolist():
            group = dict(keys[int(codes[i])])
            fp = fingerprint(rule.id, group, str(int(tids[i])))
            if fp in self._firing:
                continue
            inst = _Instance(
                rule=rule,
                group=group,
                labels={
                    "label": str(labels[i]),
                    "template_id": str(int(tids[i])),
                    "template": batch.template_texts[i],
                },
                fingerprint=fp,
                starts_at=float(ts[i]),
                value=0,
                last_seen=float(ts[i]),
            )
            self._firing[fp] = inst
            new.append(inst)
        # Keep firing instances alive (and count their lines) while the template recurs.
        live = {
            int(inst.labels["template_id"]) for inst in self._firing.values() if inst.rule is rule
        }
        if live:
            for i in np.flatnonzero(np.isin(tids, list(live)) & counted).tolist():
                fp = fingerprint(rule.id, dict(keys[int(codes[i])]), str(int(tids[i])))
                seen = self._firing.get(fp)
                if seen is not None:
                    seen.last_seen = max(seen.last_seen, float(ts[i]))
                    seen.value += 1
        return [self._notify(inst, "firing", threshold=0) for inst in new]

    # ------------------------------------------------------------------ evaluation

    def evaluate(self, now: float | None = None) -> list[Notification]:
        """Re-check every window at the watermark (advanced to ``now`` if later)."""
        if now is not None:
            self.watermark = max(self.watermark, now)
        if self.watermark == -math.inf:
            return []
        out: list[Notification] = []
        for rule in self.rules:
            start = self.watermark - rule.window_s
            if isinstance(rule, NewTemplateRule):
                for fp, seen in list(self._firing.items()):
                    if seen.rule is rule and seen.last_seen < start:
                        del self._firing[fp]
                        out += self._resolve(seen)
                continue
            windows = self._windows[rule.id]
            if not self._fires_counts:
                for g, window in list(windows.items()):
                    window.totals(start)  # drops the buckets behind the window
                    if not window.buckets:
                        del windows[g]
                continue
            threshold = _threshold(rule)
            peers = self._peers.get(rule.id, {})
            for g in [*windows, *(g for g in peers if g not in windows)]:
                # A group only other workers saw gets an empty window here: it stays
                # while it fires, so its instance resolves even once they drop it.
                window = windows.setdefault(g, _Window())
                matched, anomalies = window.totals(start)
                if g in peers:
                    more, more_anomalies = peers[g].totals(start)
                    matched, anomalies = matched + more, anomalies + more_anomalies
                if isinstance(rule, LabelCountRule):
                    value = float(matched)
                    on = matched > rule.threshold
                    labels = {"label": rule.label}
                else:
                    assert isinstance(rule, AnomalyRateRule)
                    value = anomalies / matched if matched else 0.0
                    on = matched >= rule.min_count and value > rule.threshold
                    labels = {"documents": str(matched), "anomalies": str(anomalies)}
                group = dict(g)
                fp = fingerprint(rule.id, group)
                inst = self._firing.get(fp)
                if on and inst is None:
                    new = _Instance(rule, group, labels, fp, self.watermark, value, self.watermark)
                    self._firing[fp] = new
                    out.append(self._notify(new, "firing", threshold))
                elif on and inst is not None:
                    inst.value = value
                elif not on and inst is not None:
                    inst.value = value
                    del self._firing[fp]
                    out += self._resolve(inst, threshold)
                if not window.buckets and fp not in self._firing:
                    del windows[g]
        return out + self._repeat_due()

    # ------------------------------------------------------------------ shared windows

    def set_fires_counts(self, on: bool) -> None:
        """Whether ``label_count``/``anomaly_rate`` rules fire here (default: yes).

        A sidecar worker other than slot 0 keeps their windows (for slot 0 to add up,
        see :mod:`logtriage.sidecar.alert_windows`) but does not evaluate them. Turning it off
        forgets their firing instances without a notification: the worker that
        evaluates them now sends the same fingerprints, and resolves them."""
        self._fires_counts = on
        if not on:
            self._peers = {}
            for fp, inst in list(self._firing.items()):
                if not isinstance(inst.rule, NewTemplateRule):
                    del self._firing[fp]

    def count_buckets(self) -> Buckets:
        """The buckets of the ``label_count``/``anomaly_rate`` rules inside each rule's
        window at the watermark (what another worker adds to its own)."""
        out: Buckets = {}
        for rule in self.rules:
            if isinstance(rule, NewTemplateRule):
                continue
            start = self.watermark - rule.window_s
            out[rule.id] = {
                g: [(b[0], b[1], b[2]) for b in window.buckets if b[0] >= start]
                for g, window in self._windows[rule.id].items()
            }
            out[rule.id] = {g: b for g, b in out[rule.id].items() if b}
        return out

    def set_peer_buckets(
        self,
        buckets: Mapping[str, Mapping[GroupKey, Iterable[Sequence[int]]]],
        watermark: float,
    ) -> None:
        """Count other workers' buckets (replacing those set before) with this engine's
        own in its ``label_count``/``anomaly_rate`` rules, and end windows at
        ``watermark`` if it is later than this engine's. Unknown rule ids are ignored."""
        self._peers = {
            rule_id: {
                g: _Window(deque(sorted([int(s), int(m), int(a)] for s, m, a in rows)))
                for g, rows in groups.items()
            }
            for rule_id, groups in buckets.items()
            if rule_id in self._windows
        }
        self.watermark = max(self.watermark, watermark)

    def _repeat_due(self) -> list[Notification]:
        """Send again the firing instances last sent ``repeat_interval_s`` ago."""
        if not self.repeat_interval_s:
            return []
        due = self._clock() - self.repeat_interval_s
        return [
            self._notify(inst, "firing", _threshold(inst.rule))
            for inst in list(self._firing.values())
            if inst.notified_at <= due
        ]

    def _resolve(self, inst: _Instance, threshold: float = 0) -> list[Notification]:
        if not self.send_resolved:
            return []
        return [self._notify(inst, "resolved", threshold, ends_at=self.watermark)]

    def _notify(
        self, inst: _Instance, status: str, threshold: float, ends_at: float | None = None
    ) -> Notification:
        rule = inst.rule
        summary = rule.summary or _default_summary(rule)
        n = Notification(
            status="firing" if status == "firing" else "resolved",
            rule_id=rule.id,
            kind=rule.kind,
            severity=rule.severity,
            summary=summary,
            group=inst.group,
            labels=inst.labels,
            value=inst.value,
            threshold=threshold,
            window_s=rule.window_s,
            starts_at=inst.starts_at,
            ends_at=ends_at,
            fingerprint=inst.fingerprint,
        )
        if status == "firing":
            inst.notified_at = self._clock()
        if self.notifier is not None:
            self.notifier.submit(n)
        return n

    @property
    def firing(self) -> list[str]:
        """Fingerprints of the instances firing now."""
        return sorted(self._firing)

    def close(self, timeout_s: float = 5.0) -> None:
        if self.notifier is not None:
            self.notifier.close(timeout_s)


def _threshold(rule: AlertRule) -> float:
    """The threshold a rule's notifications carry (0 for ``new_template``)."""
    if isinstance(rule, NewTemplateRule):
        return 0.0
    return float(rule.threshold)


def _default_summary(rule: AlertRule) -> str:
    if isinstance(rule, NewTemplateRule):
        return f"new template labelled {' or '.join(rule.labels)}"
    if isinstance(rule, LabelCountRule):
        return f"more than {rule.threshold} '{rule.label}' documents in {rule.window_s:g} s"
    return f"anomaly rate above {rule.threshold:.0%} over {rule.window_s:g} s"
