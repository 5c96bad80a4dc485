"""Alert windows shared by sidecar workers, so count rules see every worker's documents.

With ``sidecar.workers: N > 1`` each worker labels about 1/N of the documents (split
by timestamp). Every worker keeps the per-second windows of its ``label_count`` and
``anomaly_rate`` rules as with one worker; workers other than slot 0 publish theirs
(only the buckets inside each rule's window, their watermark and a wall-clock
``updated_at``) to the state document ``<sidecar.name>:alerts:<slot>``. The worker of
slot 0 reads the others' documents (one ``_mget``), adds their buckets to its own and
is the only one that fires those rules, with windows ending at the latest watermark
of all. A document older than ``sidecar.lease_ttl_s`` (its worker stopped or cannot
reach the engine), or written with another ``workers`` setting, is left out.
``new_template`` rules stay per worker.

Both sides talk to the engine at most once per :attr:`SharedWindows.interval_s` (and a
worker publishes once more when it stops). A failure is logged once per outage and
never stops labelling: slot 0 goes on with the documents it read last, as long as
they are not stale.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from logtriage.alerts.engine import AlertEngine, Buckets, GroupKey
from logtriage.search.client import EngineRequestError
from logtriage.sidecar.checkpoint import StateDoc, StateStore
from logtriage.sidecar.documents import utc_now_iso

__all__ = [
    "MAX_BUCKETS",
    "PUBLISH_INTERVAL_S",
    "SharedWindows",
    "decode_windows",
    "encode_windows",
    "merge_windows",
]

log = logging.getLogger("logtriage.sidecar")

#: Longest time between two publications (or reads) of a worker; shorter with a lease
#: TTL under 15 s, so that a document is renewed three times before it is stale.
PUBLISH_INTERVAL_S = 5.0

#: Most buckets in one published document (about 10 bytes each in JSON). Past it the
#: buckets are coarsened (see :func:`encode_windows`).
MAX_BUCKETS = 10_000

#: Bucket widths tried in turn when a document would hold more than ``MAX_BUCKETS``.
_RESOLUTIONS_S = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600)


def encode_windows(
    buckets: Buckets, watermark: float, max_buckets: int = MAX_BUCKETS
) -> dict[str, Any]:
    """The JSON form of one worker's buckets: per rule, a list of
    ``{"group": {...}, "b": [age, matched, anomalies, age, ...]}`` where ``age`` is
    ``base`` (the watermark's second) minus the bucket's second.

    Past ``max_buckets`` the buckets of each group are merged into wider ones (2 s,
    5 s, ... up to an hour, the first width that fits), each carrying its newest
    second: such a bucket stays in a window up to its width minus one second longer
    than its oldest line would. If one bucket per group is still too many, the groups
    with the fewest documents are left out (``dropped_groups`` says how many); slot 0
    then does not see that worker's share of them."""
    base = math.floor(watermark) if math.isfinite(watermark) else 0
    rows = [(rule_id, g, b) for rule_id, groups in buckets.items() for g, b in groups.items()]
    resolution = 1
    for resolution in _RESOLUTIONS_S:
        coarse = [(rule_id, g, _coarsen(b, resolution)) for rule_id, g, b in rows]
        if sum(len(b) for _, _, b in coarse) <= max_buckets:
            break
    dropped = 0
    if sum(len(b) for _, _, b in coarse) > max_buckets:
        coarse.sort(key=lambda row: -sum(m for _, m, _ in row[2]))
        kept, total = [], 0
        for row in coarse:
            if total + len(row[2]) > max_buckets:
                dropped += 1
                continue
            kept.append(row)
            total += len(row[2])
        coarse = kept
    rules: dict[str, list[dict[str, Any]]] = {rule_id: [] for rule_id in buckets}
    for rule_id, g, b in coarse:
        flat = [v for s, m, a in b for v in (base - s, m, a)]
        rules[rule_id].append({"group": dict(g), "b": flat})
    return {
        "watermark": watermark if math.isfinite(watermark) else None,
        "base": base,
        "resolution_s": resolution,
        "dropped_groups": dropped,
        "rules": rules,
    }


def _coarsen(buckets: list[tuple[int, int, int]], width: int) -> list[tuple[int, int, int]]:
    """``buckets`` merged per ``width`` seconds, each keyed by its newest second."""
    if width == 1:
        return buckets
    merged: dict[int, list[int]] = {}
    for s, m, a in buckets:
        cell = merged.setdefault(s // width, [s, 0, 0])
        cell[0], cell[1], cell[2] = max(cell[0], s), cell[1] + m, cell[2] + a
    return [(s, m, a) for s, m, a in merged.values()]


def decode_windows(source: Mapping[str, Any]) -> tuple[Buckets, float]:
    """The buckets and watermark of a document written from :func:`encode_windows`."""
    base = int(source.get("base") or 0)
    out: Buckets = {}
    for rule_id, groups in (source.get("rules") or {}).items():
        decoded: dict[GroupKey, list[tuple[int, int, int]]] = {}
        for entry in groups:
            g: GroupKey = tuple((str(k), str(v)) for k, v in entry["group"].items())
            flat = entry["b"]
            decoded[g] = [
                (base - int(flat[i]), int(flat[i + 1]), int(flat[i + 2]))
                for i in range(0, len(flat) - 2, 3)
            ]
        out[str(rule_id)] = decoded
    watermark = source.get("watermark")
    return out, float(watermark) if watermark is not None else -math.inf


def merge_windows(
    sources: Mapping[int, Mapping[str, Any]], workers: int, max_age_s: float, now: float
) -> tuple[Buckets, float]:
    """The sum of the buckets of the documents in ``sources`` (by slot) and their
    latest watermark, leaving out a document whose slot is not below ``workers``, that
    was written with another ``workers`` setting, whose ``updated_at`` is more than
    ``max_age_s`` before ``now`` (epoch seconds), or that does not read as
    :func:`encode_windows` writes (edited by hand, say: logged)."""
    total: dict[str, dict[GroupKey, dict[int, list[int]]]] = {}
    watermark = -math.inf
    for slot, source in sources.items():
        if slot >= workers or source.get("workers") != workers:
            continue
        updated = _epoch(source.get("updated_at"))
        if updated is None or now - updated > max_age_s:
            continue
        try:
            buckets, mark = decode_windows(source)
        except (AttributeError, IndexError, KeyError, TypeError, ValueError) as exc:
            log.warning("alert windows of worker slot %d left out: unreadable (%r)", slot, exc)
            continue
        watermark = max(watermark, mark)
        for rule_id, groups in buckets.items():
            rule = total.setdefault(rule_id, {})
            for g, rows in groups.items():
                cells = rule.setdefault(g, {})
                for s, m, a in rows:
                    cell = cells.setdefault(s, [0, 0])
                    cell[0] += m
                    cell[1] += a
    merged: Buckets = {
        rule_id: {
            g: [(s, m, a) for s, (m, a) in sorted(cells.items())] for g, cells in groups.items()
        }
        for rule_id, groups in total.items()
    }
    return merged, watermark


def _epoch(value: Any) -> float | None:
    """Epoch seconds of an ISO-8601 ``updated_at`` (``None``: missing or unreadable)."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


class SharedWindows:
    """One worker's side of the shared count windows (see the module docstring).

    Arguments:
        store: the sidecar's state index.
        name: ``sidecar.name``.
        slot: this worker's slot; slot 0 reads and evaluates, the others publish.
        workers: ``sidecar.workers`` (more than 1).
        ttl_s: ``sidecar.lease_ttl_s``: a document older than this is stale.
    """

    def __init__(self, store: StateStore, name: str, slot: int, workers: int, ttl_s: float):
        self.store = store
        self.name = name
        self.slot = slot
        self.workers = workers
        self.ttl_s = ttl_s
        self.interval_s = min(PUBLISH_INTERVAL_S, ttl_s / 3)
        self._done_at = -math.inf  # monotonic time of the last publication or read
        self._doc: StateDoc | None = None
        self._peers: dict[int, dict[str, Any]] = {}
        self._failing = False

    @property
    def leader(self) -> bool:
        """Whether this worker evaluates the count rules (slot 0)."""
        return self.slot == 0

    def doc_id(self, slot: int) -> str:
        return f"{self.name}:alerts:{slot}"

    def _due(self, force: bool) -> bool:
        now = time.monotonic()
        if not force and now - self._done_at < self.interval_s:
            return False
        self._done_at = now  # failures wait for the next interval too
        return True

    def publish(self, engine: AlertEngine, *, force: bool = False) -> None:
        """Write this worker's buckets (at most once per ``interval_s`` unless
        ``force``). Never raises for the engine: a failure is logged once."""
        if not self._due(force):
            return
        source = {
            "kind": "alerts",
            "name": self.name,
            "slot": self.slot,
            "workers": self.workers,
            **encode_windows(engine.count_buckets(), engine.watermark),
            "updated_at": utc_now_iso(),
        }
        if source["dropped_groups"] and not self._failing:
            log.warning(
                "alert windows of worker slot %d hold more than %d buckets: %d group(s) "
                "with the fewest documents left out of what slot 0 adds up",
                self.slot,
                MAX_BUCKETS,
                source["dropped_groups"],
            )
        try:
            doc = self.store.put(self.doc_id(self.slot), source, self._doc)
            if doc is None:
                # Written since our last write: one of ours that timed out but was
                # applied, or the slot's previous holder. We hold the lease: replace it.
                doc = self.store.put(
                    self.doc_id(self.slot), source, self.store.get(self.doc_id(self.slot))
                )
        except EngineRequestError as exc:
            self._failed("publish", exc)
            return
        self._doc = doc
        self._recovered()

    def pull(self, engine: AlertEngine) -> None:
        """Read the other workers' documents (at most once per ``interval_s``) and hand
        the live ones' sum to ``engine``. On failure the documents read before are used
        while they are not stale; never raises for the engine."""
        if not self._due(False):
            return
        ids = [self.doc_id(k) for k in range(self.workers) if k != self.slot]
        try:
            resp = self.store.client.request(
                "POST", f"/{self.store.index}/_mget", body={"ids": ids}
            )
        except EngineRequestError as exc:
            self._failed("read", exc)
        else:
            self._peers = {
                int(d["_source"]["slot"]): d["_source"]
                for d in resp.get("docs") or []
                if d.get("found") and isinstance(d["_source"].get("slot"), int)
            }
            self._recovered()
        buckets, watermark = merge_windows(self._peers, self.workers, self.ttl_s, time.time())
        engine.set_peer_buckets(buckets, watermark)

    def _failed(self, what: str, exc: EngineRequestError) -> None:
        if not self._failing:
            log.warning(
                "cannot %s the alert windows shared by workers in %s (%s): labelling goes on; %s",
                what,
                self.store.index,
                exc,
                "slot 0 counts what it has"
                if self.leader
                else "slot 0 leaves this worker's counts out once they are stale",
            )
        self._failing = True

    def _recovered(self) -> None:
        if self._failing:
            log.info("alert windows shared by workers: %s reachable again", self.store.index)
        self._failing = False
