"""Hostile documents get ``logtriage.error`` with a reason; nothing is skipped."""

from __future__ import annotations

import json

from logtriage.local_engine import LocalEngine
from logtriage.search.client import SearchClient
from logtriage.sidecar import Sidecar

from tests._search_helpers import fetch_all, make_messages, settings_for, unique

HUGE = "x" * (1024 * 1024 + 10)


def _hostile_docs() -> list[tuple[dict, str | None]]:
    """(document, expected error reason or None for a normal label)."""
    normal = make_messages(20, seed=9)
    cases: list[tuple[dict, str | None]] = [
        ({}, "message_missing"),
        ({"message": None}, "message_missing"),
        ({"message": 42}, "message_not_string"),
        ({"message": 3.5}, "message_not_string"),
        ({"message": True}, "message_not_string"),
        ({"message": ["a", "b"]}, "message_not_string"),
        ({"message": {"text": "nested"}}, "message_not_string"),
        ({"message": {"a": {"b": {"c": [1, {"d": 2}]}}}}, "message_not_string"),
        ({"message": ""}, "message_empty"),
        ({"message": "   "}, "message_empty"),
        ({"message": HUGE}, "message_too_large"),
        ({"message": "boot\x00loader"}, "message_control_chars"),
        ({"message": "bell \x07 rang"}, "message_control_chars"),
        ({"message": "\x1b[31mERROR\x1b[0m colored but fine"}, None),
        ({"message": "tab\tand\nnewline are fine"}, None),
        ({"message": "unicode ünïcødé 日本語 ok"}, None),
    ]
    cases += [({"message": m}, None) for m in normal]
    return cases


def test_hostile_documents_get_an_error_reason(engine: LocalEngine, client: SearchClient) -> None:
    index = unique("hostile")
    # ``message`` is stored but not indexed, so any JSON value can be loaded.
    client.request(
        "PUT",
        f"/{index}",
        body={
            "settings": {"number_of_shards": 1, "number_of_replicas": 0},
            "mappings": {
                "properties": {
                    "@timestamp": {"type": "date"},
                    "message": {"type": "object", "enabled": False},
                    "seq": {"type": "long"},
                }
            },
        },
    )
    cases = _hostile_docs()
    lines = []
    for i, (doc, _) in enumerate(cases):
        body = {**doc, "seq": i}
        if i % 5 != 0:  # some documents have no timestamp at all
            body["@timestamp"] = f"2026-01-01T00:00:{i % 60:02d}Z"
        lines += [json.dumps({"index": {"_index": index}}), json.dumps(body)]
    # A lone surrogate escape: valid JSON, not encodable as UTF-8.
    lines += [
        json.dumps({"index": {"_index": index}}),
        '{"seq": ' + str(len(cases)) + ', "@timestamp": "2026-01-01T00:01:00Z", '
        '"message": "bad \\ud800 half"}',
    ]
    resp = client.bulk(("\n".join(lines) + "\n").encode(), refresh="true")
    assert not resp.get("errors"), resp
    expected = {i: reason for i, (_, reason) in enumerate(cases)}

    summary = Sidecar(settings_for(engine.url, index), client=client).run(once=True)

    hits = fetch_all(client, index)
    assert len(hits) == len(cases) + 1
    got = {}
    for h in hits:
        lt = h["_source"]["logtriage"]  # every document was processed
        assert h["_version"] == 2
        got[h["_source"]["seq"]] = lt.get("error", {}).get("reason")
        if "error" in lt:
            assert lt["error"]["detail"]
        else:
            assert lt["label"] and "template" in lt
    surrogate = got.pop(len(cases))
    assert surrogate in ("message_not_utf8", None)  # engines may repair the escape
    assert got == expected
    n_errors = sum(r is not None for r in expected.values()) + (surrogate is not None)
    assert summary.errored == n_errors
    assert sum(summary.error_reasons.values()) == n_errors
    assert summary.labelled == len(hits) - n_errors


def test_mapping_conflict_is_reported_with_the_index_name(
    engine: LocalEngine, client: SearchClient, tmp_path
) -> None:
    from tests._search_helpers import SidecarProcess, write_config

    index = unique("conflict")
    client.request(
        "PUT",
        f"/{index}",
        body={"mappings": {"properties": {"logtriage": {"type": "keyword"}}}},
    )
    client.request(
        "POST",
        f"/{index}/_doc",
        params={"refresh": "true"},
        body={"message": "hello", "@timestamp": "2026-01-01T00:00:00Z"},
    )
    config = write_config(settings_for(engine.url, index), tmp_path / "c.yaml")
    proc = SidecarProcess(config, "--once")
    assert proc.wait(timeout=120) == 1
    assert "error: cannot add logtriage.* mappings to index " + index in proc.stderr
