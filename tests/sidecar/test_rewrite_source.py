"""Labels written by re-indexing the source as read (``sink.rewrite_source``).

The document must come out exactly as it went in plus ``logtriage.*``: numbers keep
their text (``1.50``, ``1e400``, ``-0``, integers beyond 64 bits), existing
``logtriage.*`` fields are merged like a partial update. A source read by the Rust
core goes back as the text read with the labels appended; a decoded one that cannot be
written back exactly (a lone surrogate) falls back to a partial update. Indices where a
re-index would not give the same document (ingest pipelines, partial or synthetic
``_source``) are never re-indexed.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from logtriage._core import json_integers_only, parse_search_page
from logtriage.errors import ConfigError
from logtriage.labels import LabelColumns
from logtriage.local_engine import LocalEngine
from logtriage.pipeline import LabeledBatch
from logtriage.search import jsonio
from logtriage.search.client import SearchClient
from logtriage.search.templates import LOGTRIAGE_PROPERTIES, rewritable_indices
from logtriage.sidecar import Sidecar
from logtriage.sidecar.documents import label_fields
from logtriage.sinks.search import WriteAction, merge_fields, rewrite_action, splice_action
from logtriage.sources.search import Hit

from tests._search_helpers import fetch_all, load, make_docs, make_index, settings_for, unique

# Raw JSON documents: number texts a float round trip would change.
_ODD = [
    '{"seq": 0, "message": "disk full on /dev/sda1", "payload": {"f": 1.50, "e": 1e400}}',
    '{"seq": 1, "message": "disk full on /dev/sda2", "payload": {"z": -0, "big": '
    + str(2**70)
    + ', "g": 0.30000000000000000001}}',
    '{"seq": 2, "message": "disk full on /dev/sda3", "payload": {"u": "caf\\u00e9 \\ud83d\\ude42"},'
    ' "logtriage": {"session": {"key": "s-1"}}}',
    '{"seq": 3, "message": "disk full on /dev/sda4", "payload": {"bad": "half \\ud800 pair",'
    ' "f": 2.50}}',
]


def test_merge_fields_is_a_partial_update() -> None:
    old = {"session": {"key": "s"}, "label": "Old", "error": {"reason": "x"}}
    new = {"label": "New", "error": None, "template": {"id": 1}}
    assert merge_fields(old, new) == {
        "session": {"key": "s"},
        "label": "New",
        "error": None,
        "template": {"id": 1},
    }
    assert merge_fields("not an object", new) == new
    assert merge_fields(None, new) == new


def test_source_numbers_round_trip_verbatim() -> None:
    text = '{"a": 1.50, "b": 1e400, "c": -0, "d": -0.0, "e": 123456789012345678901234567890}'
    assert jsonio.dumps(jsonio.loads(text)) == text.replace(" ", "").encode()
    action = rewrite_action("i", "1", 3, 1, jsonio.loads('{"x": "\\ud800"}'), {"label": "L"})
    assert action is None  # a lone surrogate: partial update instead


def test_pre_encoded_labels_give_the_same_document() -> None:
    fields = {"label": "Error", "confidence": 0.5, "template": {"id": 7, "text": "a <*>"}}
    encoded = jsonio.dumps(fields)
    plain = jsonio.loads('{"message": "m", "n": 1.50, "logtriage": null}')
    fast = rewrite_action("i", "1", 3, 1, plain, fields, fields_json=encoded)
    slow = rewrite_action("i", "1", 3, 1, plain, fields)
    assert fast is not None and slow is not None
    assert (
        fast.body
        == slow.body
        == (
            b'{"message":"m","n":1.50,"logtriage":{"label":"Error","confidence":0.5,'
            b'"template":{"id":7,"text":"a <*>"}}}'
        )
    )
    # Existing ``logtriage`` fields are merged, never replaced by the encoded labels.
    labelled = jsonio.loads('{"message": "m", "logtriage": {"session": {"key": "s"}}}')
    merged = rewrite_action("i", "1", 3, 1, labelled, fields, fields_json=encoded)
    assert merged is not None
    assert json.loads(merged.body)["logtriage"] == {"session": {"key": "s"}, **fields}


def test_spliced_actions_encode_like_any_other_action() -> None:
    """The Rust reader writes each hit's action line, ``splice_action`` appends the
    labels: the same bytes as the generic :meth:`WriteAction.encode`, escapes and
    routing included, and the hit's source is still the one read."""
    source = '{"message":"caf\\u00e9 \\"x\\"","n":1.50}'
    for index, doc_id, routing in [
        (".ds-logs-a-000001", "AZ1", None),
        ("idx", 'id "quoted" \\ é \x01', "shard\n7"),
    ]:
        hit = {"_index": index, "_id": doc_id, "_seq_no": 12, "_primary_term": 3}
        if routing is not None:
            hit["_routing"] = routing
        body = json.dumps({"hits": {"hits": [{**hit, "sort": [5]}]}})[:-4]
        body = body.encode() + b',"_source":' + source.encode() + b"}]}}"
        parsed = parse_search_page(body, "message", 1024)
        assert parsed is not None
        (read,) = (Hit(*row) for row in parsed[1])
        assert read.rewrite_head is not None and read.raw_source is None
        assert read.source == json.loads(source)
        action = splice_action(index, doc_id, 12, 3, read.rewrite_head, b'{"label":"L"}', routing)
        generic = WriteAction(
            op="index",
            index=index,
            id=doc_id,
            body=source[:-1].encode() + b',"logtriage":{"label":"L"}}',
            key=(index, doc_id),
            seq_no=12,
            primary_term=3,
            routing=routing,
        )
        assert action.encode() == generic.encode()
        meta, line, end = action.encode().split(b"\n")
        assert json.loads(meta)["index"]["_id"] == doc_id and end == b""
        assert json.loads(line) == {
            "message": 'caf\u00e9 "x"',
            "n": 1.5,
            "logtriage": {"label": "L"},
        }


def test_lines_with_the_same_labels_share_one_encoding() -> None:
    batch = LabeledBatch(
        template_ids=np.array([1, 1, 2], dtype=np.uint32),
        template_texts=["a <*>", "a <*>", "b \ud800 <*>"],
        changes=np.zeros(3, dtype=np.uint8),
        labels=LabelColumns(
            label=["Error", "Error", "Error"],
            confidence=np.full(3, 0.5, dtype=np.float32),
            anomaly=np.ones(3, dtype=bool),
            anomaly_score=np.full(3, 0.25, dtype=np.float32),
        ),
        rules=[None, None, None],
        model_version="m@1",
    )
    rows = label_fields(batch, "2026-01-01T00:00:00.000Z", clear_error=True)
    assert rows[0] is rows[1]
    fields, encoded = rows[0]
    assert encoded is not None and json.loads(encoded) == fields
    assert fields["error"] is None  # re-labelling clears an older run's error
    assert rows[2][1] is None  # a lone surrogate: no encoding, the dict path decides


def test_fast_decoding_only_when_every_number_is_a_plain_integer() -> None:
    plain = b'{"a": [1, -5, 18446744073709551615, -9223372036854775808], "s": "1.5 -0 1e3"}'
    assert json_integers_only(plain)
    assert jsonio.loads(plain) == json.loads(plain)
    for odd in ('{"a":1.50}', '{"a":-0}', '{"a":18446744073709551616}', '{"a":1e3}'):
        assert not json_integers_only(odd.encode()), odd
        assert jsonio.dumps(jsonio.loads(odd)) == odd.encode()
    # Integers only, but orjson refuses the lone surrogate: the exact decoder reads it.
    assert jsonio.loads(b'{"n": 1, "x": "\\ud800"}') == {"n": 1, "x": "\ud800"}
    assert jsonio.loads('{"n": 2}') == {"n": 2}  # opensearch-py hands over str


def test_rewrite_keeps_the_source_verbatim(engine: LocalEngine, client: SearchClient) -> None:
    index = unique("rewrite")
    make_index(client, index, shards=1)
    # ``payload`` is stored, not indexed (any number loads); labels mapped up front.
    client.request(
        "PUT",
        f"/{index}/_mapping",
        body={"properties": {"payload": {"enabled": False}, **LOGTRIAGE_PROPERTIES}},
    )
    lines = []
    for doc in _ODD:
        lines += [json.dumps({"index": {"_index": index}}), doc]
    resp = client.bulk(("\n".join(lines) + "\n").encode(), refresh="true")
    assert not resp.get("errors"), resp
    docs = make_docs(50, seed=4)
    for d in docs:
        d["seq"] += len(_ODD)
    load(client, index, docs, op="index")

    summary = Sidecar(settings_for(engine.url, index), client=client).run(once=True)

    assert summary.labelled == len(docs) + len(_ODD)
    hits = fetch_all(client, index)
    assert all(h["_version"] == 2 for h in hits)
    src = [h["_source"] for h in hits]
    assert all(s["logtriage"]["label"] and s["logtriage"]["processed_at"] for s in src)
    assert src[0]["payload"]["f"].text == "1.50" and src[0]["payload"]["e"].text == "1e400"
    assert src[1]["payload"]["z"].text == "-0" and src[1]["payload"]["big"] == 2**70
    assert src[1]["payload"]["g"].text == "0.30000000000000000001"
    assert src[2]["payload"]["u"] == "café 🙂"
    assert src[2]["logtriage"]["session"] == {"key": "s-1"}  # merged, not replaced
    assert "label" in src[3]["logtriage"]
    assert src[3]["payload"] == {"bad": "half \ud800 pair", "f": 2.5}
    by_seq = {d["seq"]: d for d in docs}
    for s in src[len(_ODD) :]:
        assert {k: v for k, v in s.items() if k != "logtriage"} == by_seq[s["seq"]]


def test_only_indices_where_a_reindex_is_exact_are_rewritten(
    engine: LocalEngine, client: SearchClient
) -> None:
    base = unique("rw-sel")
    client.request("PUT", f"/_ingest/pipeline/{base}", body={"processors": []})
    bodies = {
        "plain": {},
        "default-pipeline": {"settings": {"index.default_pipeline": base}},
        "final-pipeline": {"settings": {"index.final_pipeline": base}},
        "excludes": {"mappings": {"_source": {"excludes": ["secret"]}}},
        "no-source": {"mappings": {"_source": {"enabled": False}}},
    }
    for name, body in bodies.items():
        client.request("PUT", f"/{base}-{name}", body=body)
        load(client, f"{base}-{name}", make_docs(5, seed=5), op="index")

    assert rewritable_indices(client, f"{base}-*") == {f"{base}-plain"}

    # Those whose _source is partial are refused (any write would re-index them from
    # _source, losing what it leaves out: tests/sidecar/test_operator_faults.py); the
    # others are labelled, with partial updates where a re-index would not be exact.
    with pytest.raises(ConfigError, match=rf"{base}-excludes .*{base}-no-source"):
        Sidecar(settings_for(engine.url, f"{base}-*"), client=client).run(once=True)
    client.request("DELETE", f"/{base}-no-source,{base}-excludes")
    summary = Sidecar(settings_for(engine.url, f"{base}-*"), client=client).run(once=True)
    assert summary.complete
    assert summary.labelled == 5 * (len(bodies) - 2)
    for name in ("plain", "default-pipeline", "final-pipeline"):
        hits = fetch_all(client, f"{base}-{name}")
        assert all("label" in h["_source"]["logtriage"] for h in hits), name


def test_sources_read_as_text_go_back_byte_for_byte(
    engine: LocalEngine, client: SearchClient
) -> None:
    """The user's bytes (spacing, key order, escapes, number texts, a lone surrogate)
    are sent back as read, the labels appended; a source with line breaks (a bulk
    body is one line) or its own ``logtriage`` object takes the decoded path."""
    index = unique("rewrite-raw")
    make_index(client, index, shards=1)
    client.request(
        "PUT",
        f"/{index}/_mapping",
        body={"properties": {"payload": {"enabled": False}, **LOGTRIAGE_PROPERTIES}},
    )
    texts = {
        "spaced": '{ "seq" : 0,  "message": "disk full on /dev/sda1" ,"payload":{"f":1.50}}',
        "escaped": '{"message":"caf\\u00e9 disk full","seq":1,"payload":{"e":1e400,"s":"\\ud800"}}',
        "empty-ish": '{"seq":2,"message":"disk full on /dev/sda3","payload":{}}',
    }
    pretty = '{\n  "seq": 3,\n  "message": "disk full on /dev/sda4"\n}'
    merged = '{"seq":4,"message":"disk full on /dev/sda5","logtriage":{"session":{"key":"k"}}}'
    for doc_id, text in [*texts.items(), ("pretty", pretty), ("merged", merged)]:
        # The raw text through the bulk API (one line per source; pretty is sent alone).
        resp = client.request(
            "PUT", f"/{index}/_doc/{doc_id}", body=text.encode(), params={"refresh": "true"}
        )
        assert resp["result"] == "created", resp

    summary = Sidecar(settings_for(engine.url, index), client=client).run(once=True)

    assert summary.labelled == 5
    client.refresh(index)
    raw = client.search_raw({"size": 10, "query": {"match_all": {}}}, index=index)
    stored = {}
    for chunk in raw.split(b'"_id":"')[1:]:
        doc_id = chunk.split(b'"', 1)[0].decode()
        stored[doc_id] = chunk.split(b'"_source":', 1)[1]
    for doc_id, text in texts.items():
        head = text.encode()[: text.rindex("}")]
        assert stored[doc_id].startswith(head + b',"logtriage":{"label":'), doc_id
    hits = {h["_id"]: h["_source"] for h in fetch_all(client, index)}
    assert hits["pretty"]["seq"] == 3 and "label" in hits["pretty"]["logtriage"]
    assert hits["merged"]["logtriage"]["session"] == {"key": "k"}
    assert "label" in hits["merged"]["logtriage"]
