"""The PIT/search_after source on real engines, and message extraction."""

from __future__ import annotations

import json

import pytest
from logtriage._core import parse_search_page
from logtriage.search.client import SearchClient
from logtriage.sources.search import (
    Hit,
    MessageProblem,
    PageSizer,
    extract_message,
    hit_message,
    iter_pages,
    next_page_size,
)

from tests._search_helpers import load, make_docs, make_index, unique


def _open_contexts(client: SearchClient) -> int:
    stats = client.request("GET", "/_nodes/stats/indices/search")
    return sum(n["indices"]["search"]["open_contexts"] for n in stats["nodes"].values())


def _seqs(pages) -> list[int]:
    return [h.source["seq"] for page in pages for h in page]


@pytest.fixture
def loaded(client: SearchClient) -> tuple[str, list[dict]]:
    index = unique("src")
    make_index(client, index, shards=2)
    docs = make_docs(1000, seed=11)
    load(client, index, docs, op="index")
    return index, docs


def _pages(client: SearchClient, index: str, **kw) -> list[list[Hit]]:
    """Every page of ``index`` (match_all, pages of 70 unless ``kw`` says otherwise)."""
    kw = {"query": {"match_all": {}}, "timestamp_field": "@timestamp", "page_size": 70, **kw}
    return list(iter_pages(client, index=index, **kw))


def _read(client: SearchClient, index: str, **kw) -> list[int]:
    return _seqs(_pages(client, index, source_fields=["seq", "@timestamp"], **kw))


def test_pit_pages_cover_everything_in_timestamp_order(client, loaded) -> None:
    index, docs = loaded
    seqs = _read(client, index)
    assert sorted(seqs) == list(range(len(docs)))
    ts = [docs[s]["@timestamp"] for s in seqs]
    assert ts == sorted(ts)


def test_plain_search_after_fallback_reads_the_same(client, loaded) -> None:
    index, docs = loaded
    seqs = _read(client, index, use_pit=False, tiebreaker_field="seq")
    assert seqs == sorted(seqs, key=lambda s: (docs[s]["@timestamp"], s))
    assert sorted(seqs) == list(range(len(docs)))


def test_slices_partition_the_documents(client, loaded) -> None:
    index, docs = loaded
    parts = [set(_read(client, index, slice_id=i, slice_max=3)) for i in range(3)]
    assert all(parts)
    assert sum(len(p) for p in parts) == len(docs)
    assert set().union(*parts) == set(range(len(docs)))


def test_pit_is_closed_when_the_reader_stops_early(client, loaded) -> None:
    index, _ = loaded
    before = _open_contexts(client)
    pages = iter_pages(
        client, index=index, query={"match_all": {}}, timestamp_field="@timestamp", page_size=10
    )
    next(pages)
    assert _open_contexts(client) > before  # the PIT holds search contexts
    pages.close()  # like a `break` or an exception in the consumer
    assert _open_contexts(client) == before


def _sized_pages(
    client: SearchClient, index: str, page_size: int, sizer: PageSizer
) -> list[list[Hit]]:
    return _pages(client, index, page_size=page_size, message_field="message", sizer=sizer)


def test_the_first_page_is_small_and_the_next_ones_as_big_as_fit(client, loaded) -> None:
    """The sizer starts at 10; the first page shows the documents are small, so the
    next pages are full size, and the next read starts at full size."""
    index, docs = loaded
    sizer = PageSizer(10, max_page_bytes=1 << 30)
    pages = _sized_pages(client, index, 70, sizer)
    assert [len(p) for p in pages[:3]] == [10, 70, 70]
    assert sorted(_seqs(pages)) == list(range(len(docs)))
    assert sizer.size == 70
    again = _sized_pages(client, index, 70, sizer)
    assert len(again[0]) == 70
    assert sorted(_seqs(again)) == list(range(len(docs)))


def test_pages_of_big_documents_shrink_to_the_byte_budget(client) -> None:
    """~8 KB documents, a 64 KiB budget: after the first page (50 documents, ~400 KB)
    each page asks for what fits, and every document is still read once, in order."""
    index = unique("src-big")
    make_index(client, index, shards=1)
    docs = [{**d, "payload": "x" * 8000} for d in make_docs(300, seed=5)]
    load(client, index, docs, op="index")
    budget = 64 * 1024
    pages = _sized_pages(client, index, 200, PageSizer(50, max_page_bytes=budget))
    sizes = [len(p) for p in pages]
    assert sizes[0] == 50
    assert 1 <= max(sizes[1:]) <= budget // 8000, sizes
    seqs = _seqs(pages)
    assert sorted(seqs) == list(range(len(docs)))
    assert [docs[s]["@timestamp"] for s in seqs] == sorted(d["@timestamp"] for d in docs)


@pytest.mark.parametrize(
    ("hits", "page_bytes", "limit", "budget", "expected"),
    [
        (100, 5_000, 1000, None, 1000),  # no budget: the limit
        (100, 0, 1000, 10_000, 1000),  # size unknown (decoded page): the limit
        (100, 5_000, 1000, 1_000_000, 1000),  # small documents: the limit
        (100, 8_000, 1000, 10_000, 125),  # what fits
        (100, 400_000, 1000, 100_000, 25),  # over: shrinks to fit
        (3, 1_500, 10_000, 32 << 20, 10_000),  # a short page tells the size too
        (10, 50_000_000, 1000, 1_000_000, 1),  # one huge document: one per page
    ],
)
def test_next_page_size(hits, page_bytes, limit, budget, expected) -> None:
    assert next_page_size(hits, page_bytes, limit, budget) == expected


def test_missing_index_yields_nothing(client) -> None:
    assert _read(client, unique("nothing-here")) == []
    assert _read(client, unique("nothing-here") + "*") == []


def test_pages_read_by_the_core_match_the_decoded_ones(client, loaded) -> None:
    index, docs = loaded
    kw = {"query": {"match_all": {}}, "timestamp_field": "@timestamp", "page_size": 70}
    decoded = [h for p in iter_pages(client, index=index, **kw) for h in p]
    fast = [h for p in iter_pages(client, index=index, message_field="message", **kw) for h in p]
    assert [(h.index, h.id, h.seq_no, h.sort) for h in fast] == [
        (h.index, h.id, h.seq_no, h.sort) for h in decoded
    ]
    assert all(h.raw_source is None and h.rewrite_head is not None for h in fast)
    assert [h.message for h in fast] == [docs[h.source["seq"]]["message"] for h in fast]
    assert [h.source for h in fast] == [h.source for h in decoded]


def test_a_page_the_core_does_not_read_is_decoded_the_exact_way(client) -> None:
    """Sort values that are floats (here a float tie-breaker) are not the core's shape:
    the page is decoded by ``jsonio`` and every hit still has its source and message."""
    index = unique("src-float")
    make_index(client, index, shards=1)
    docs = [{**d, "score": d["seq"] + 0.5} for d in make_docs(30, seed=3)]
    load(client, index, docs, op="index")
    pages = iter_pages(
        client,
        index=index,
        query={"match_all": {}},
        timestamp_field="@timestamp",
        page_size=7,
        use_pit=False,
        tiebreaker_field="score",
        message_field="message",
    )
    hits = [h for p in pages for h in p]
    assert sorted(h.source["seq"] for h in hits) == list(range(30))
    assert all(h.raw_source is None and h.message is None for h in hits)
    assert [hit_message(h, "message", 1024) for h in hits] == [
        docs[h.source["seq"]]["message"] for h in hits
    ]


_MESSAGE_CASES = [
    ({"message": "hello"}, "message", "hello"),
    ({"log": {"message": "nested"}}, "log.message", "nested"),
    ({"log.message": "literal dotted"}, "log.message", "literal dotted"),
    ({"log": {"message.text": "mixed"}}, "log.message.text", "mixed"),
    ({"log": "not an object"}, "log.message", "message_missing"),
    ({"message": 7}, "message", "message_not_string"),
    ({"message": [1]}, "message", "message_not_string"),
    ({"message": "\ud800"}, "message", "message_not_utf8"),
    ({"message": "a\x00b"}, "message", "message_control_chars"),
    ({"message": "x" * 300}, "message", "message_too_large"),
    ({"message": "\x1b[1mbold\x1b[0m"}, "message", "\x1b[1mbold\x1b[0m"),
    ({"message": None}, "message", "message_missing"),
    ({"message": "  "}, "message", "message_empty"),
    ({"message": "\u3000\xa0\n"}, "message", "message_empty"),
    ({"message": "\x7fdel"}, "message", "message_control_chars"),
    ({"message": "é" * 128}, "message", "é" * 128),
    ({"message": "é" * 129}, "message", "message_too_large"),
]


def _check(got: str | MessageProblem, expected: str) -> None:
    if isinstance(got, MessageProblem):
        assert got.reason == expected
        assert got.detail
    else:
        assert got == expected


@pytest.mark.parametrize(("source", "field", "expected"), _MESSAGE_CASES)
def test_extract_message(source: dict, field: str, expected: str) -> None:
    _check(extract_message(source, field, max_bytes=256), expected)


def test_message_problems_say_where() -> None:
    def detail(message: str) -> str:
        got = extract_message({"m": message}, "m", max_bytes=256)
        assert isinstance(got, MessageProblem)
        return got.detail

    assert detail("éé\x7fx") == "control character U+007F at offset 2"  # characters, not bytes
    assert detail("é" * 200) == "400 bytes > max_message_bytes 256"
    assert detail("ok\ud800") == "invalid UTF-8 at offset 2"
    assert detail(" \t") == "field 'm' is empty or blank"


@pytest.mark.parametrize(("source", "field", "expected"), _MESSAGE_CASES)
def test_the_core_reader_finds_the_same_message(source: dict, field: str, expected: str) -> None:
    hit = {"_index": "i", "_id": "1", "_seq_no": 0, "_primary_term": 1, "_source": source}
    body = json.dumps({"hits": {"hits": [{**hit, "sort": [1, "k"]}]}}).encode()
    parsed = parse_search_page(body, field, 256)
    assert parsed is not None
    (row,) = parsed[1]
    # The core hands over exactly the messages that pass the checks; Python says why
    # the others fail.
    assert row[8] == (None if expected.startswith("message_") else expected)
    _check(hit_message(Hit(*row), field, max_bytes=256), expected)
    assert Hit(*row).source == source
