"""Write labels back to Elasticsearch/OpenSearch with ``_bulk``, helpers-style.

- ``update`` mode: actions sent to the concrete (backing) index of each hit and
  guarded by its ``if_seq_no``/``if_primary_term``: either an ``index`` of the
  ``_source`` exactly as read plus ``logtriage.*`` (:func:`rewrite_action`; no
  get-and-merge on the server, several times cheaper for the engine), or a partial
  ``update`` carrying only ``logtriage.*`` (:func:`update_action`). A 409 means the
  document changed since it was read (or another worker labelled it): it is
  reported as a conflict to be re-read, never overwritten.
- ``index`` mode: one ``create`` per source document into a labels index, id
  ``<index>:<id>``; a 409 means it is already labelled.
- Actions are chunked by count (``chunk_size``) and by bytes (``max_chunk_bytes``).
- Only documents rejected with 429 are retried, alone, with exponential backoff
  (``initial_backoff_s * 2**attempt``, capped at ``max_backoff_s``, equal jitter).
  A whole chunk is retried the same way when the request itself gets 429/5xx or
  no answer; after ``max_retries`` the :class:`EngineRequestError` propagates.
- Every other per-document failure is collected in :attr:`WriteResult.errors`;
  :meth:`WriteResult.raise_for_errors` turns them into a :class:`SinkError`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson

from logtriage.config import SinkSettings
from logtriage.errors import SinkError
from logtriage.search import jsonio
from logtriage.search.client import EngineRequestError, SearchClient
from logtriage.wording import counted

__all__ = [
    "SearchSink",
    "WriteAction",
    "WriteResult",
    "backoff_delay",
    "labels_action",
    "labels_doc_id",
    "merge_fields",
    "rewrite_action",
    "update_action",
]

log = logging.getLogger(__name__)

_FILTER = "errors,items.*.status,items.*.error.type,items.*.error.reason"


@dataclass(slots=True)
class WriteAction:
    """One bulk action. ``key`` identifies the *source* document ``(index, id)``;
    ``body`` is a dict, or its JSON already encoded (a re-indexed source is encoded once,
    when :func:`rewrite_action` checks that it can be written back exactly), or ``None``
    when ``encoded`` holds the whole action (:func:`splice_action`).
    Read-only by convention (not ``frozen``: made once per document written, see
    :class:`~logtriage.sources.search.Hit`)."""

    op: Literal["update", "create", "index"]
    index: str
    id: str
    body: dict[str, Any] | bytes | None
    key: tuple[str, str]
    seq_no: int | None = None
    primary_term: int | None = None
    routing: str | None = None
    encoded: bytes | None = None

    def encode(self) -> bytes:
        """The action's NDJSON lines (made up front when ``encoded`` is set)."""
        if self.encoded is not None:
            return self.encoded
        meta: dict[str, Any] = {"_index": self.index, "_id": self.id}
        if self.seq_no is not None and self.primary_term is not None:
            meta["if_seq_no"] = self.seq_no
            meta["if_primary_term"] = self.primary_term
        if self.routing is not None:
            meta["routing"] = self.routing
        head = jsonio.dumps({self.op: meta})
        if isinstance(self.body, bytes):
            return b"%s\n%s\n" % (head, self.body)
        try:
            tail = jsonio.dumps(self.body)
        except jsonio.SourceEncodeError:  # labels of a hostile line: escape what orjson refuses
            tail = json.dumps(self.body, separators=(",", ":")).encode()
        return b"%s\n%s\n" % (head, tail)


def update_action(
    index: str,
    doc_id: str,
    seq_no: int,
    primary_term: int,
    fields: dict[str, Any],
    routing: str | None = None,
) -> WriteAction:
    """Partial update of ``logtriage.*`` on the source document, guarded by its version."""
    return WriteAction(
        op="update",
        index=index,
        id=doc_id,
        body={"doc": {"logtriage": fields}},
        key=(index, doc_id),
        seq_no=seq_no,
        primary_term=primary_term,
        routing=routing,
    )


def merge_fields(old: Any, new: dict[str, Any]) -> dict[str, Any]:
    """``new`` merged into ``old`` the way the engines merge a partial update's ``doc``:
    objects key by key, recursively; any other value replaces."""
    if not isinstance(old, dict):
        return new
    merged = dict(old)
    for key, value in new.items():
        merged[key] = merge_fields(merged.get(key), value) if isinstance(value, dict) else value
    return merged


def rewrite_action(
    index: str,
    doc_id: str,
    seq_no: int,
    primary_term: int,
    source: dict[str, Any],
    fields: dict[str, Any],
    routing: str | None = None,
    fields_json: bytes | None = None,
) -> WriteAction | None:
    """``index`` of ``source`` (the complete ``_source`` as read, decoded with
    :func:`jsonio.loads`) with ``fields`` merged into ``logtriage`` as a partial update
    would, guarded by the version read. The same outcome as :func:`update_action`
    without the engine's get-and-merge. ``None`` when the source cannot be written
    back exactly (see :func:`jsonio.dumps`): use :func:`update_action`.

    ``fields_json``: ``fields`` already encoded with :func:`jsonio.dumps` (the lines of a
    page that share labels share one encoding); written as is when the source has no
    ``logtriage`` object to merge into."""
    old = source.get("logtriage")
    if fields_json is not None and not isinstance(old, dict):
        labels: Any = orjson.Fragment(fields_json)
    else:
        labels = merge_fields(old, fields)
    body = {**source, "logtriage": labels}
    try:
        encoded = jsonio.dumps(body)
    except jsonio.SourceEncodeError:
        return None
    return WriteAction(
        op="index",
        index=index,
        id=doc_id,
        body=encoded,
        key=(index, doc_id),
        seq_no=seq_no,
        primary_term=primary_term,
        routing=routing,
    )


def splice_action(
    index: str,
    doc_id: str,
    seq_no: int,
    primary_term: int,
    rewrite_head: bytes,
    fields_json: bytes,
    routing: str | None = None,
) -> WriteAction:
    """:func:`rewrite_action` for a source kept as the text read: ``rewrite_head`` is the
    action line of this guarded re-index (``index``, ``doc_id``, ``seq_no``,
    ``primary_term``, ``routing``) followed by the source text without its closing brace
    (``Hit.rewrite_head``, made by the Rust reader; the source has no ``logtriage``
    key), ``fields_json`` the encoded labels. The user's fields go back byte for byte.
    One is made per document labelled, so its NDJSON lines are finished here in one
    step, and only there (``body`` is ``None``): the same bytes :meth:`WriteAction.encode`
    makes, without a copy of the source per document."""
    encoded = b'%s"logtriage":%s}\n' % (rewrite_head, fields_json)
    return WriteAction(
        "index", index, doc_id, None, (index, doc_id), seq_no, primary_term, routing, encoded
    )


#: The longest ``_id`` Elasticsearch and OpenSearch accept, in UTF-8 bytes.
MAX_ID_BYTES = 512


def labels_doc_id(index: str, doc_id: str) -> str:
    """The id of the labels document of source document ``doc_id`` in ``index``:
    ``<index>:<id>``, or ``<index>:sha256:<hex of id>`` where that would be longer than
    an engine accepts (the labels document names its source in ``source.*`` either way)."""
    plain = f"{index}:{doc_id}"
    if len(plain.encode("utf-8", "surrogatepass")) <= MAX_ID_BYTES:
        return plain
    digest = hashlib.sha256(doc_id.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{index}:sha256:{digest}"


def labels_action(
    labels_index: str,
    index: str,
    doc_id: str,
    fields: dict[str, Any],
    timestamp: Any = None,
) -> WriteAction:
    """A labels document for ``index`` write mode; ``create`` so it is written once."""
    body: dict[str, Any] = {"source": {"index": index, "id": doc_id}, "logtriage": fields}
    if timestamp is not None:
        body["@timestamp"] = timestamp
    return WriteAction(
        op="create",
        index=labels_index,
        id=labels_doc_id(index, doc_id),
        body=body,
        key=(index, doc_id),
    )


@dataclass
class WriteResult:
    """What happened to each action of a :meth:`SearchSink.write` call."""

    written: list[tuple[str, str]] = field(default_factory=list)
    conflicts: list[tuple[str, str]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    retries: int = 0
    requests: int = 0

    def raise_for_errors(self) -> None:
        if self.errors:
            first = self.errors[0]
            raise SinkError(
                f"{counted(len(self.errors), 'document')} failed to write "
                f"(first: {first.get('index')}/{first.get('id')}: {first.get('type')}: "
                f"{first.get('reason')})",
                errors=self.errors,
            )


def backoff_delay(
    attempt: int, initial_s: float, max_s: float, rand: Callable[[], float] = random.random
) -> float:
    """``min(max_s, initial_s * 2**attempt)`` with equal jitter (half fixed, half random)."""
    cap = min(max_s, initial_s * (2**attempt))
    return cap / 2 + rand() * cap / 2


class SearchSink:
    """Send :class:`WriteAction` lists with ``_bulk``.

    Arguments:
        client: the engine adapter.
        settings: ``chunk_size`` (actions, default 10,000), ``max_chunk_bytes`` (default
            10 MiB), ``concurrency`` (bulk requests in flight, default 2), ``max_retries``
            (default 5), ``initial_backoff_s`` (0.5 s),
            ``max_backoff_s`` (30 s).
        sleep: how to wait between retries (tests pass a recorder).
        refresh: ``refresh`` parameter of each bulk request (default none).
    """

    def __init__(
        self,
        client: SearchClient,
        settings: SinkSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        rand: Callable[[], float] = random.random,
        refresh: str | None = None,
    ) -> None:
        self.client = client
        self.settings = settings
        self._sleep = sleep
        self._rand = rand
        self.refresh = refresh

    def chunks(
        self, encoded: Sequence[tuple[WriteAction, bytes]]
    ) -> Iterator[list[tuple[WriteAction, bytes]]]:
        """Split by ``chunk_size`` actions and ``max_chunk_bytes`` bytes (a single
        action larger than the byte limit goes alone)."""
        chunk: list[tuple[WriteAction, bytes]] = []
        size = 0
        for item in encoded:
            n = len(item[1])
            if chunk and (
                len(chunk) >= self.settings.chunk_size or size + n > self.settings.max_chunk_bytes
            ):
                yield chunk
                chunk, size = [], 0
            chunk.append(item)
            size += n
        if chunk:
            yield chunk

    def write(self, actions: Sequence[WriteAction]) -> WriteResult:
        """Write all actions; per-document outcomes in the result.

        Raises:
            EngineRequestError: a bulk request kept failing as a whole (no answer,
                429 or 5xx after ``max_retries``), or failed with another status.
        """
        result = WriteResult()
        encoded = [(a, a.encode()) for a in actions]
        chunks = list(self.chunks(encoded))
        workers = min(self.settings.concurrency, len(chunks))
        if workers <= 1:
            for chunk in chunks:
                self._write_chunk(chunk, result)
            return result
        # Chunks are independent (each action is guarded by its own version), so they
        # can be in flight together; results are merged in chunk order. A chunk the
        # engine kept refusing with 429 (too many requests in flight: backpressure)
        # is sent again afterwards, one chunk at a time, with a fresh retry budget,
        # instead of failing the whole write while the parallel load caused it.
        parts: list[WriteResult] = []
        throttled: list[list[tuple[WriteAction, bytes]]] = []
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="bulk") as pool:
            futures = [pool.submit(self._write_chunk_alone, c) for c in chunks]
            for chunk, future in zip(chunks, futures, strict=True):
                try:
                    parts.append(future.result())
                except EngineRequestError as exc:
                    if exc.status != 429:
                        raise
                    throttled.append(chunk)
        if throttled:
            log.warning(
                "%d bulk chunk(s) rejected with 429 under concurrency %d; resending them "
                "one at a time",
                len(throttled),
                workers,
            )
        for chunk in throttled:
            parts.append(self._write_chunk_alone(chunk))
        for part in parts:
            result.written += part.written
            result.conflicts += part.conflicts
            result.errors += part.errors
            result.retries += part.retries
            result.requests += part.requests
        return result

    def _write_chunk_alone(self, chunk: list[tuple[WriteAction, bytes]]) -> WriteResult:
        part = WriteResult()
        self._write_chunk(chunk, part)
        return part

    def _send(
        self, chunk: list[tuple[WriteAction, bytes]], result: WriteResult
    ) -> tuple[list[Any], bool]:
        """One bulk request (retried as a whole): its items, and whether any failed."""
        attempt = 0
        payload = b"".join(b for _, b in chunk)
        while True:
            try:
                result.requests += 1
                params: dict[str, Any] = {"filter_path": _FILTER}
                if self.refresh is not None:
                    params["refresh"] = self.refresh
                resp = self.client.bulk(payload, **params)
                items: list[Any] = resp.get("items", [])
                if len(items) != len(chunk):
                    raise EngineRequestError(
                        f"bulk answered {len(items)} items for {len(chunk)} actions", 500
                    )
                return items, resp.get("errors", True) is not False
            except EngineRequestError as exc:
                if not exc.retryable or attempt >= self.settings.max_retries:
                    raise
                result.retries += 1
                delay = backoff_delay(
                    attempt,
                    self.settings.initial_backoff_s,
                    self.settings.max_backoff_s,
                    self._rand,
                )
                log.warning("bulk request failed (%s); retry %d in %.2fs", exc, attempt + 1, delay)
                self._sleep(delay)
                attempt += 1

    def _write_chunk(self, chunk: list[tuple[WriteAction, bytes]], result: WriteResult) -> None:
        attempt = 0
        pending = chunk
        while pending:
            items, failures = self._send(pending, result)
            if not failures:
                result.written += [action.key for action, _ in pending]
                return
            retry: list[tuple[WriteAction, bytes]] = []
            for (action, raw), item in zip(pending, items, strict=True):
                outcome = next(iter(item.values()))
                status = int(outcome.get("status", 500))
                if 200 <= status < 300:
                    result.written.append(action.key)
                elif status == 409:
                    result.conflicts.append(action.key)
                elif status == 429 and attempt < self.settings.max_retries:
                    retry.append((action, raw))
                else:
                    err = outcome.get("error") or {}
                    result.errors.append(
                        {
                            "index": action.index,
                            "id": action.id,
                            "key": action.key,
                            "status": status,
                            "type": err.get("type", "unknown"),
                            "reason": err.get("reason", ""),
                        }
                    )
            if retry:
                result.retries += len(retry)
                self._sleep(
                    backoff_delay(
                        attempt,
                        self.settings.initial_backoff_s,
                        self.settings.max_backoff_s,
                        self._rand,
                    )
                )
                attempt += 1
            pending = retry
