"""The sidecar's state in its own index, every write guarded by optimistic concurrency.

Three kinds of documents, one set per sidecar ``name`` and worker slot (and, with more
than one worker, ``<name>:alerts:<slot>``: see :mod:`logtriage.sidecar.alert_windows`):

- ``<name>:lease:<slot>`` — which process owns a slot, until ``expires_at``.
  Claimed with ``create`` (free slot) or ``if_seq_no``/``if_primary_term``
  (expired, or already ours); renewed the same way. A 409 means another process
  won: the loser never works on that slot.
- ``<name>:checkpoint:<slot>of<workers>`` — timestamp (epoch ms) up to which every
  document of the slot has been written. The next pass starts there (inclusive),
  minus ``checkpoint_overlap_s``. A slot whose checkpoint is missing (``workers``
  changed) or older than where every slot of another worker count had got to starts
  there instead (:func:`handover_position`).
- ``<name>:miner:<slot>`` — the template miner state (base64), saved before any
  label that uses a new template is written, so template ids survive restarts.
"""

from __future__ import annotations

import base64
import contextlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from logtriage.errors import StateError
from logtriage.replacing import write_replacing
from logtriage.search.client import EngineRequestError, SearchClient
from logtriage.sidecar.documents import utc_now_iso
from logtriage.sources.search import Hit

__all__ = [
    "Checkpoint",
    "Lease",
    "LeaseLost",
    "MinerStore",
    "SlotHeld",
    "StateDoc",
    "StateStore",
    "checkpoints_by_layout",
    "handover_position",
    "stored_position",
]


class LeaseLost(StateError):
    """Another process holds (or took over) this worker slot."""


class SlotHeld(LeaseLost):
    """No slot could be claimed: the wanted one (or every one) is held."""


@dataclass(frozen=True)
class StateDoc:
    id: str
    source: dict[str, Any]
    seq_no: int
    primary_term: int


class StateStore:
    """Get and conditionally put documents of the state index."""

    def __init__(self, client: SearchClient, index: str) -> None:
        self.client = client
        self.index = index

    def get(self, doc_id: str) -> StateDoc | None:
        resp = self.client.request("GET", f"/{self.index}/_doc/{doc_id}", ignore=(404,))
        if not resp.get("found"):
            return None
        return StateDoc(doc_id, resp["_source"], resp["_seq_no"], resp["_primary_term"])

    def put(
        self, doc_id: str, source: dict[str, Any], expected: StateDoc | None
    ) -> StateDoc | None:
        """Write ``source`` if the stored document is still ``expected`` (``None``: absent).

        Returns the new version, or ``None`` when someone else changed it first (409).
        """
        if expected is None:
            path, params = f"/{self.index}/_create/{doc_id}", {}
        else:
            path = f"/{self.index}/_doc/{doc_id}"
            params = {"if_seq_no": expected.seq_no, "if_primary_term": expected.primary_term}
        resp = self.client.request("PUT", path, params=params, body=source, ignore=(409,))
        if resp.get("status") == 409:
            return None
        return StateDoc(doc_id, source, resp["_seq_no"], resp["_primary_term"])


class Lease:
    """Ownership of one worker slot for ``ttl_s`` seconds, renewed by the owner."""

    def __init__(self, store: StateStore, name: str, owner: str, ttl_s: float) -> None:
        self.store = store
        self.name = name
        self.owner = owner
        self.ttl_s = ttl_s
        self.slot: int | None = None
        self._doc: StateDoc | None = None
        self._renewed_at = 0.0

    def _id(self, slot: int) -> str:
        return f"{self.name}:lease:{slot}"

    def _source(self, slot: int, ttl_s: float) -> dict[str, Any]:
        return {
            "kind": "lease",
            "name": self.name,
            "slot": slot,
            "owner": self.owner,
            "expires_at": time.time() + ttl_s,
            "updated_at": utc_now_iso(),
        }

    def claim(self, workers: int, wanted: int | None = None) -> int | None:
        """Claim ``wanted`` (or the first free slot); ``None`` when all are held."""
        candidates = [wanted] if wanted is not None else list(range(workers))
        for slot in candidates:
            current = self.store.get(self._id(slot))
            if current is not None:
                src = current.source
                free = (
                    src.get("owner") == self.owner or float(src.get("expires_at", 0)) < time.time()
                )
                if not free:
                    continue
            doc = self.store.put(self._id(slot), self._source(slot, self.ttl_s), current)
            if doc is not None:
                self.slot, self._doc = slot, doc
                self._renewed_at = time.monotonic()
                return slot
        return None

    def holder(self, slot: int) -> dict[str, Any] | None:
        doc = self.store.get(self._id(slot))
        return doc.source if doc is not None else None

    def renew(self, *, force: bool = True) -> None:
        """Extend the lease (unless ``force`` is false and a third of the TTL has not
        passed yet). Raises :class:`LeaseLost` if another process took it."""
        if self.slot is None or self._doc is None:
            raise LeaseLost("no lease held")
        if not force and time.monotonic() - self._renewed_at < self.ttl_s / 3:
            return
        doc_id = self._id(self.slot)
        doc = self.store.put(doc_id, self._source(self.slot, self.ttl_s), self._doc)
        if doc is None:
            # A renewal that timed out (engine paused, overloaded) may still have been
            # applied: the lease then names us at a newer version. Only another owner
            # there means it was taken over.
            current = self.store.get(doc_id)
            if current is not None and current.source.get("owner") == self.owner:
                doc = self.store.put(doc_id, self._source(self.slot, self.ttl_s), current)
        if doc is None:
            slot, self.slot, self._doc = self.slot, None, None
            raise LeaseLost(f"lease on worker slot {slot} of {self.name!r} was taken over")
        self._doc = doc
        self._renewed_at = time.monotonic()

    def release(self) -> None:
        """Give the slot up now (graceful stop), so a restart need not wait for expiry."""
        if self.slot is None or self._doc is None:
            return
        with contextlib.suppress(EngineRequestError):  # else it expires by itself
            self.store.put(self._id(self.slot), self._source(self.slot, -1.0), self._doc)
        self.slot, self._doc = None, None


class Checkpoint:
    """Position (epoch ms) of one slot, saved only by the lease holder."""

    def __init__(self, store: StateStore, name: str, slot: int, workers: int) -> None:
        self.store = store
        self.doc_id = f"{name}:checkpoint:{slot}of{workers}"
        self.name, self.slot = name, slot
        self._doc: StateDoc | None = None
        self.position_ms: int | None = None

    def load(self) -> int | None:
        self._doc = self.store.get(self.doc_id)
        self.position_ms = None
        if self._doc is not None:
            value = self._doc.source.get("position_ms")
            self.position_ms = int(value) if value is not None else None
        return self.position_ms

    def save(self, position_ms: int, processed: int = 0) -> None:
        """Store a new position. Raises :class:`LeaseLost` if someone else wrote it meanwhile."""
        if position_ms == self.position_ms:
            return
        source = {
            "kind": "checkpoint",
            "name": self.name,
            "slot": self.slot,
            "position_ms": position_ms,
            "processed": processed,
            "updated_at": utc_now_iso(),
        }
        doc = self.store.put(self.doc_id, source, self._doc)
        if doc is None:
            raise LeaseLost(f"checkpoint {self.doc_id} was written by another process")
        self._doc, self.position_ms = doc, position_ms


class MinerStore:
    """Miner state of one slot: in the state index (base64) or in a local file."""

    def __init__(self, store: StateStore, name: str, slot: int, path: Path | None = None) -> None:
        self.store = store
        self.doc_id = f"{name}:miner:{slot}"
        self.name, self.slot = name, slot
        self.path = path.with_name(f"{path.name}.{slot}") if path is not None and slot else path
        self._doc: StateDoc | None = None

    @property
    def where(self) -> str:
        """Where the state is kept, for messages (delete it there to start afresh)."""
        if self.path is not None:
            return f"file {self.path}"
        return f"document {self.doc_id} of index {self.store.index}"

    def load(self) -> bytes | None:
        if self.path is not None:
            try:
                return self.path.read_bytes()
            except FileNotFoundError:
                return None
            except OSError as exc:
                raise StateError(f"cannot read miner state {self.path}: {exc.strerror}") from exc
        self._doc = self.store.get(self.doc_id)
        if self._doc is None:
            return None
        try:
            return base64.b64decode(self._doc.source.get("miner_state") or "")
        except ValueError as exc:
            raise StateError(
                f"miner state {self.doc_id} in {self.store.index} is corrupt; delete it to "
                "start with fresh template ids"
            ) from exc

    def save(self, data: bytes) -> None:
        if self.path is not None:
            write_replacing(self.path, data)
            return
        source = {
            "kind": "miner",
            "name": self.name,
            "slot": self.slot,
            "miner_state": base64.b64encode(data).decode("ascii"),
            "updated_at": utc_now_iso(),
        }
        doc = self.store.put(self.doc_id, source, self._doc)
        if doc is None:
            raise LeaseLost(f"miner state {self.doc_id} was written by another process")
        self._doc = doc


def checkpoints_by_layout(
    store: StateStore, name: str, *, refresh: bool = True
) -> dict[int, dict[int, int | None]]:
    """The stored checkpoints of sidecar ``name``: position (epoch ms) by worker count
    (``sidecar.workers`` when they were written) and slot. ``refresh``: make the latest
    writes searchable first (needs more than read access to the state index)."""
    if refresh:
        store.client.refresh(store.index)
    query = {"bool": {"filter": [{"term": {"kind": "checkpoint"}}, {"term": {"name": name}}]}}
    body = {"size": 10_000, "query": query, "_source": ["position_ms"]}
    hits = store.client.search(body, index=store.index)["hits"]["hits"]
    prefix = f"{name}:checkpoint:"
    layouts: dict[int, dict[int, int | None]] = {}
    for hit in hits:
        slot, sep, workers = str(hit["_id"]).removeprefix(prefix).partition("of")
        if not (hit["_id"].startswith(prefix) and sep and slot.isdigit() and workers.isdigit()):
            continue
        position = hit["_source"].get("position_ms")
        layouts.setdefault(int(workers), {})[int(slot)] = (
            int(position) if position is not None else None
        )
    return layouts


def handover_position(
    layouts: dict[int, dict[int, int | None]], workers: int
) -> tuple[int, int] | None:
    """Where a slot of ``workers`` may start at the latest, by the checkpoints of the
    other worker counts, and the count that says so: under any count whose every slot
    has a checkpoint, every document before the smallest of them was written, whichever
    slice it is in now (``None``: no such count)."""
    best: tuple[int, int] | None = None
    for count, slots in layouts.items():
        positions = [slots.get(slot) for slot in range(count)]
        if count == workers or any(p is None for p in positions):
            continue
        position = min(p for p in positions if p is not None)
        if best is None or position > best[0]:
            best = (position, count)
    return best


def stored_position(page: list[Hit], done: set[tuple[str, str]] | None) -> tuple[int | None, bool]:
    """How far the checkpoint may move after ``page``: the newest timestamp among its
    hits before the first one not stored (``done``: the source keys stored; ``None``:
    all of them), and whether there is such a hit. Pages are in timestamp order, so
    that is the last timestamp of the stored run (never beyond the largest)."""
    upto = len(page)
    if done is not None:
        upto = next((i for i, h in enumerate(page) if (h.index, h.id) not in done), upto)
    for i in range(upto - 1, -1, -1):
        ts = page[i].timestamp_ms
        if ts is not None:
            return ts, upto < len(page)
    return None, upto < len(page)
