"""What the state index says about the worker slots of one sidecar, for ``doctor``:
each slot's checkpoint and whether a live process holds it."""

from __future__ import annotations

import time
from dataclasses import dataclass

from logtriage.search.client import SearchClient
from logtriage.sidecar.checkpoint import StateStore, checkpoints_by_layout, handover_position
from logtriage.sidecar.documents import iso_ms

__all__ = ["SlotsReport", "slots_report"]


@dataclass(frozen=True)
class SlotsReport:
    detail: str
    #: What is wrong while the workers run (``None``: nothing).
    problem: str | None = None
    fix: str | None = None


def _live_leases(store: StateStore, name: str, workers: int, now: float) -> dict[int, str]:
    """Owner of each slot whose lease has not expired: the slots of ``workers`` and any
    other the search finds, each read by id (real time; a search lags a refresh
    behind, and a lease released a moment ago would still look held)."""
    query = {"bool": {"filter": [{"term": {"kind": "lease"}}, {"term": {"name": name}}]}}
    body = {"size": 10_000, "query": query, "_source": ["slot"]}
    hits = store.client.search(body, index=store.index)["hits"]["hits"]
    slots = set(range(workers))
    slots.update(h["_source"]["slot"] for h in hits if isinstance(h["_source"].get("slot"), int))
    live: dict[int, str] = {}
    for slot in sorted(slots):
        doc = store.get(f"{name}:lease:{slot}")
        if doc is not None and float(doc.source.get("expires_at") or 0) > now:
            live[slot] = str(doc.source.get("owner"))
    return live


def slots_report(
    client: SearchClient, index: str, name: str, workers: int, now: float | None = None
) -> SlotsReport:
    """Per slot of ``workers``: where its next pass starts and who runs it; checkpoints
    left by other worker counts; a problem when some slots have a worker and others not
    (their share waits), or a worker of another count still runs."""
    now = time.time() if now is None else now
    store = StateStore(client, index)
    layouts = checkpoints_by_layout(store, name, refresh=False)
    live = _live_leases(store, name, workers, now)
    current = layouts.get(workers, {})
    handover = handover_position(layouts, workers)
    parts = []
    for slot in range(workers):
        own = current.get(slot)
        where = "no checkpoint" if own is None else f"checkpoint {iso_ms(own)}"
        if handover is not None and (own is None or handover[0] > own):
            position, count = handover
            where += f", starts at {iso_ms(position)} (sidecar.workers: {count})"
        elif own is None:
            where += ", starts at sidecar.start_from"
        owner = live.get(slot)
        parts.append(f"slot {slot}: {where}, {f'run by {owner}' if owner else 'no worker'}")
    detail = "; ".join(parts)
    others = sorted(count for count in layouts if count != workers)
    if others:
        counts = ", ".join(map(str, others))
        detail += f" (checkpoints of sidecar.workers: {counts} are no longer used)"
    beyond = sorted(slot for slot in live if slot >= workers)
    idle = [slot for slot in range(workers) if slot not in live]
    if beyond:
        owners = ", ".join(f"slot {slot} by {live[slot]}" for slot in beyond)
        return SlotsReport(
            detail,
            f"a worker of another sidecar.workers still runs ({owners})",
            "stop it: every worker of a sidecar.name needs the same sidecar.workers",
        )
    if live and idle:
        slots = ", ".join(map(str, idle))
        return SlotsReport(
            detail,
            f"slot {slots} {'has' if len(idle) == 1 else 'have'} no worker while others run: "
            "that share of the documents is not labelled",
            f"start `logtriage run --worker-id N` for N in {slots}",
        )
    return SlotsReport(detail)
