"""Read documents from Elasticsearch/OpenSearch in timestamp order, page by page.

:func:`iter_pages` is a generator over a point in time (PIT) with ``search_after``;
it closes the PIT in ``finally:``, whether the caller exhausts it, breaks out or
fails. Without PIT (``use_pit=False``) it pages with plain ``search_after`` on the
timestamp plus a tie-breaker. Each hit keeps its concrete ``_index``, ``_seq_no``,
``_primary_term`` and ``_routing`` so the sink can write back to exactly that version.
With ``message_field``, a page is read by the Rust core (``parse_search_page``): each
``_source`` stays the exact text the engine sent (decoded only when asked for) and the
message is taken out of it; pages of another shape are decoded the exact Python way.

:func:`extract_message` turns a hit's message field into a ``str`` or a
:class:`MessageProblem` (missing, not a string, not UTF-8, control characters,
empty, too large): bad documents are reported, never skipped.
"""

from __future__ import annotations

import contextlib
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

from logtriage._core import message_problem, parse_search_page
from logtriage.config.search import DEFAULT_MAX_MESSAGE_BYTES
from logtriage.search import jsonio
from logtriage.search.client import EngineRequestError, SearchClient
from logtriage.wording import counted

__all__ = [
    "Hit",
    "MessageProblem",
    "PageSizer",
    "check_message",
    "extract_message",
    "get_path",
    "hit_message",
    "iter_pages",
    "next_page_size",
    "timestamp_sort",
]

_MISSING_SORT = -(2**63)


class Hit:
    """One document as read: where it lives, which version, and its source.

    ``source`` is the decoded ``_source`` (the fields asked for). A hit read by the
    Rust core keeps the exact JSON text instead, decoded on first use: as
    ``rewrite_head`` when the labels can be appended to it (the ``_bulk`` lines of its
    guarded re-index up to where the labels go, see ``parse_search_page``), else as
    ``raw_source``; and ``message`` when the message field holds a JSON string that
    passes :func:`check_message` (the reader checked it).
    Read-only by convention; a plain slotted class because one is made per document."""

    __slots__ = (
        "_source",
        "id",
        "index",
        "message",
        "primary_term",
        "raw_source",
        "rewrite_head",
        "routing",
        "seq_no",
        "sort",
    )

    def __init__(
        self,
        index: str,
        id: str,
        seq_no: int,
        primary_term: int,
        sort: list[Any],
        routing: str | None = None,
        raw_source: bytes | None = None,
        rewrite_head: bytes | None = None,
        message: str | None = None,
        source: dict[str, Any] | None = None,
    ) -> None:
        self.index = index
        self.id = id
        self.seq_no = seq_no
        self.primary_term = primary_term
        self.sort = sort
        self.routing = routing
        self.raw_source = raw_source
        self.rewrite_head = rewrite_head
        self.message = message
        self._source = source

    @property
    def source(self) -> dict[str, Any]:
        if self._source is None:
            text = self.raw_source
            if text is None and self.rewrite_head is not None:
                text = _source_of_head(self.rewrite_head)
            decoded = jsonio.loads(text) if text is not None else None
            self._source = decoded if isinstance(decoded, dict) else {}
        return self._source

    @property
    def timestamp_ms(self) -> int | None:
        """The sort timestamp in epoch milliseconds; ``None`` when the document has none."""
        if not self.sort:
            return None
        value = self.sort[0]
        if not isinstance(value, int) or value in (_MISSING_SORT, 2**63 - 1):
            return None
        return value


def _source_of_head(head: bytes) -> bytes:
    """The source text in a ``rewrite_head``: after the action line, up to the comma
    the labels would follow (``{`` alone: an empty object)."""
    text = head[head.index(b"\n") + 1 :]
    return b"{}" if text == b"{" else text[:-1] + b"}"


@dataclass(frozen=True, slots=True)
class MessageProblem:
    """Why a document cannot be labelled: a stable ``reason`` code and a short ``detail``."""

    reason: str
    detail: str


_ABSENT = object()


def get_path(source: dict[str, Any], path: str) -> Any:
    """Value at a dotted ``path``: a literal dotted key first, then nested objects.
    Returns a private sentinel when absent (``None`` is a present JSON null)."""
    if path in source:
        return source[path]
    node: Any = source
    parts = path.split(".")
    for i, part in enumerate(parts):
        if not isinstance(node, dict):
            return _ABSENT
        rest = ".".join(parts[i:])
        if rest in node:
            return node[rest]
        if part not in node:
            return _ABSENT
        node = node[part]
    return node


def extract_message(source: dict[str, Any], field: str, max_bytes: int) -> str | MessageProblem:
    """The message to label, or why there is none worth labelling."""
    return check_message(get_path(source, field), field, max_bytes)


def hit_message(hit: Hit, field: str, max_bytes: int) -> str | MessageProblem:
    """:func:`extract_message` of ``hit``, without decoding a source whose message
    the reader already took out and checked (with the same ``field`` and ``max_bytes``)."""
    if hit.message is not None:
        return hit.message
    return extract_message(hit.source, field, max_bytes)


def check_message(value: Any, field: str, max_bytes: int) -> str | MessageProblem:
    """``value`` (the message field's value, or absent) as a message to label, or the
    problem with it."""
    if value is _ABSENT:
        return MessageProblem("message_missing", f"field {field!r} is absent")
    if value is None:
        return MessageProblem("message_missing", f"field {field!r} is null")
    if not isinstance(value, str):
        kind = {dict: "object", list: "array", bool: "boolean"}.get(type(value), "number")
        return MessageProblem("message_not_string", f"field {field!r} is a JSON {kind}")
    try:
        problem = message_problem(value, field, max_bytes)
    except UnicodeEncodeError as exc:  # lone surrogates from \ud800-style JSON escapes
        return MessageProblem("message_not_utf8", f"invalid UTF-8 at offset {exc.start}")
    if problem is not None:
        return MessageProblem(*problem)
    return value


def timestamp_sort(field: str, *, millis: bool = False) -> dict[str, Any]:
    """Ascending timestamp; documents without one first; indices without the field ok.

    ``millis`` (for a field some index maps as ``date_nanos``, every one as a date
    or a number) makes every sort value epoch milliseconds (``numeric_type: date``):
    a ``date_nanos`` field would otherwise sort, and checkpoint, in nanoseconds, which
    the next pass's range in milliseconds turns into a date past the year 2262 (HTTP
    400 on every pass); and an index mapping it ``date`` would not sort together with
    one mapping it ``date_nanos``. The engines refuse it on other types (a ``keyword``
    timestamp); plain ``date`` fields sort in milliseconds without it."""
    sort = {"order": "asc", "missing": "_first", "unmapped_type": "date"}
    if millis:
        sort["numeric_type"] = "date"
    return {field: sort}


def iter_pages(
    client: SearchClient,
    *,
    index: str,
    query: dict[str, Any],
    timestamp_field: str,
    page_size: int,
    source_fields: list[str] | None = None,
    use_pit: bool = True,
    keep_alive: str = "5m",
    slice_id: int | None = None,
    slice_max: int = 1,
    tiebreaker_field: str | None = None,
    max_pages: int | None = None,
    message_field: str | None = None,
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
    sizer: PageSizer | None = None,
    timestamp_millis: bool = False,
) -> Generator[list[Hit], None, None]:
    """Yield pages of hits matching ``query``, oldest first, until none are left.

    With ``use_pit`` the pages come from one consistent snapshot (documents
    written after the PIT opened wait for the next call). ``slice_id``/``slice_max``
    split the PIT by a hash of the timestamp so workers never share a document.
    Without PIT the sort is timestamp + ``tiebreaker_field`` (``_id`` on
    OpenSearch when unset); ties at a page boundary without a tie-breaker are
    picked up by the next call, not lost, because callers only read unlabelled
    documents from a checkpoint (inclusive) onwards. With ``message_field`` the hits
    carry their source as text and the message taken out of it when it passes
    :func:`check_message` with ``max_message_bytes`` (see :class:`Hit`).

    Every page asks for ``page_size`` hits; with a ``sizer``, for ``sizer.size`` (at
    most ``page_size``), which each page updates (see :class:`PageSizer`).
    ``timestamp_millis``: see :func:`timestamp_sort`.

    Raises:
        EngineRequestError: the engine failed a request (PIT closed anyway).
    """
    size = page_size if sizer is None else max(1, min(sizer.size, page_size))
    sort: list[Any] = [timestamp_sort(timestamp_field, millis=timestamp_millis)]
    body: dict[str, Any] = {
        "query": query,
        "seq_no_primary_term": True,
        "track_total_hits": False,
    }
    if source_fields is not None:
        body["_source"] = source_fields
    pit_id: str | None = None
    if use_pit:
        try:
            pit_id = client.open_pit(index, keep_alive)
        except EngineRequestError as exc:
            if exc.status == 404:  # nothing matches the pattern yet
                return
            raise
        sort.extend(client.pit_tiebreaker)
        if slice_max > 1 and slice_id is not None:
            body["slice"] = {"field": timestamp_field, "id": slice_id, "max": slice_max}
    else:
        if slice_max > 1:
            raise ValueError("sliced reading needs point in time (search.use_pit)")
        if tiebreaker_field:
            sort.append({tiebreaker_field: "asc"})
        elif client.engine == "opensearch":
            sort.append({"_id": "asc"})
    body["sort"] = sort
    search_after: list[Any] | None = None
    pages = 0
    try:
        while max_pages is None or pages < max_pages:
            if search_after is not None:
                body["search_after"] = search_after
            body["size"] = size
            if pit_id is not None:
                body["pit"] = {"id": pit_id, "keep_alive": keep_alive}
                new_pit, page, page_bytes = _read_page(
                    client, body, None, index, message_field, max_message_bytes
                )
                pit_id = new_pit or pit_id
            else:
                try:
                    _, page, page_bytes = _read_page(
                        client, body, index, index, message_field, max_message_bytes
                    )
                except EngineRequestError as exc:
                    if exc.status == 404:
                        return
                    raise
            if not page:
                return
            search_after = page[-1].sort
            pages += 1
            full = len(page) == size
            if sizer is not None:
                size = sizer.update(len(page), page_bytes, page_size)
            yield page
            if not full:
                return
    finally:
        if pit_id is not None:
            with contextlib.suppress(EngineRequestError):  # else expires after keep_alive
                client.close_pit(pit_id)


@dataclass
class PageSizer:
    """Page sizes that follow the documents' size, kept across reads.

    The first read asks for ``size`` hits (small: the documents' size is not known
    yet); after each page the size is what fits ``max_page_bytes`` at that page's bytes
    per hit (:func:`next_page_size`), up to the caller's ``page_size``. Pages of big
    documents therefore shrink to about ``max_page_bytes`` of response from the page
    after the first big ones. The sidecar keeps one for its life, so only its first
    page is small."""

    size: int
    max_page_bytes: int | None = None

    def update(self, hits: int, page_bytes: int, limit: int) -> int:
        """Record a page of ``hits`` (at least one) and ``page_bytes``; the next size."""
        self.size = next_page_size(hits, page_bytes, limit, self.max_page_bytes)
        return self.size


def next_page_size(hits: int, page_bytes: int, limit: int, max_page_bytes: int | None) -> int:
    """The page size that fits ``max_page_bytes`` at the last page's bytes per hit
    (``hits`` hits, at least one, in ``page_bytes``), at least 1 and at most ``limit``;
    ``limit`` without a budget or when the page's size is unknown (0)."""
    if max_page_bytes is None or page_bytes <= 0:
        return limit
    return max(1, min(limit, hits * max_page_bytes // page_bytes))


def _read_page(
    client: SearchClient,
    body: dict[str, Any],
    index: str | None,
    pattern: str,
    message_field: str | None,
    max_message_bytes: int,
) -> tuple[str | None, list[Hit], int]:
    """One search request (over ``index``, or the PIT in ``body`` when ``None``; both
    opened on ``pattern``): the PIT id it answers with, its hits, and the response's
    size in bytes (0 where the client decoded it)."""
    params = {"ignore_unavailable": "true", "allow_no_indices": "true"} if index else {}
    page_bytes = 0
    if message_field is not None:
        raw = client.search_raw(body, index=index, **params)
        page_bytes = len(raw)
        parsed = parse_search_page(raw, message_field, max_message_bytes)
        if parsed is not None:
            pit_id, rows = parsed
            return pit_id, [Hit(*row) for row in rows], page_bytes
        resp = jsonio.loads(raw)  # an unusual page: decoded the exact way
    else:
        resp = client.search(body, index=index, **params)
    shards = resp.get("_shards", {})
    if shards.get("failed"):
        failures = shards.get("failures") or []
        reason = failures[0].get("reason") if failures else "unknown"
        raise EngineRequestError(
            f"search failed on {counted(shards['failed'], 'shard')} of {pattern}: {reason}",
            503,
            "shard_failure",
        )
    hits = [
        Hit(
            index=h["_index"],
            id=h["_id"],
            seq_no=h["_seq_no"],
            primary_term=h["_primary_term"],
            sort=h.get("sort") or [],
            routing=h.get("_routing"),
            source=h.get("_source") or {},
        )
        for h in resp["hits"]["hits"]
    ]
    return resp.get("pit_id"), hits, page_bytes
