"""``model build --data es:...``: labelled training data read from a real index."""

from __future__ import annotations

import pytest
from logtriage.local_engine import LocalEngine
from logtriage.search.client import SearchClient

from exporters.data import load_spec
from tests._search_helpers import load, unique


def test_labelled_documents_of_an_index_become_examples(
    engine: LocalEngine, client: SearchClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = unique("train")
    docs = [
        {"@timestamp": "2026-01-01T00:00:01Z", "log": {"msg": "disk full on /var"},
         "category": "Resource Usage", "bad": True},
        {"@timestamp": "2026-01-01T00:00:02Z", "log": {"msg": "user bob logged in"},
         "category": "User Action", "bad": "false"},
        {"@timestamp": "2026-01-01T00:00:03Z", "log": {"msg": "no label here"}},
        {"@timestamp": "2026-01-01T00:00:04Z", "log": {"msg": 42}, "category": "Error"},
        {"@timestamp": "2026-01-01T00:00:05Z", "log": {"msg": "kernel panic"},
         "category": "Critical Error"},
    ]  # fmt: skip
    load(client, index, docs, op="index")

    spec = f"es:{engine.url}/{index}?message=log.msg&label=category&anomaly=bad"
    examples = load_spec(spec)
    assert [(e.message, e.label, e.anomaly) for e in examples] == [
        ("disk full on /var", "Resource Usage", True),
        ("user bob logged in", "User Action", False),
        ("kernel panic", "Critical Error", None),
    ]
    # Hosts from the config/environment when the spec names only the index.
    monkeypatch.setenv("LOGTRIAGE_SEARCH__HOSTS", f'["{engine.url}"]')
    again = load_spec(f"es:{index}?message=log.msg&label=category")
    assert [e.label for e in again] == ["Resource Usage", "User Action", "Critical Error"]


def test_an_index_without_labelled_documents_is_a_clear_error(
    engine: LocalEngine, client: SearchClient
) -> None:
    with pytest.raises(ValueError, match="holds no labelled messages"):
        load_spec(f"es:{engine.url}/{unique('missing')}")
