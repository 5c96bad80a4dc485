"""The PIT/search_after source on real engines, and message extraction."""

from __future__ import annotations

import pytest
from logtriage.search.client import SearchClient
from logtriage.sources.search import MessageProblem, extract_message, iter_pages

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


def _read(client: SearchClient, index: str, **kw) -> list[int]:
    return _seqs(
        iter_pages(
            client,
            index=index,
            query={"match_all": {}},
            timestamp_field="@timestamp",
            page_size=70,
            source_fields=["seq", "@timestamp"],
            **kw,
        )
    )


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


def test_missing_index_yields_nothing(client) -> None:
    assert _read(client, unique("nothing-here")) == []
    assert _read(client, unique("nothing-here") + "*") == []


@pytest.mark.parametrize(
    ("source", "field", "expected"),
    [
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
    ],
)
def test_extract_message(source: dict, field: str, expected: str) -> None:
    got = extract_message(source, field, max_bytes=256)
    if isinstance(got, MessageProblem):
        assert got.reason == expected
        assert got.detail
    else:
        assert got == expected
