"""``logtriage doctor`` fails where ``logtriage run`` would, and says why.

Each test sets up what an operator could have and checks doctor's verdict against
what the sidecar does with the same settings.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from logtriage.cli.doctor import Check, run_checks
from logtriage.config import SearchSettings, SessionsSettings, Settings
from logtriage.errors import ConfigError, ModelBundleError
from logtriage.local_engine import LocalEngine
from logtriage.model import Classifier
from logtriage.model.bundle import default_bundle_path, load_bundle
from logtriage.search.client import EngineRequestError, SearchClient
from logtriage.search.templates import PARTIAL_SOURCE_ADVICE
from logtriage.sessions import NgramDetector
from logtriage.sidecar import Sidecar

from tests._search_helpers import load, make_docs, make_index, settings_for, unique


def _checks(settings: Settings) -> dict[str, Check]:
    return {c.name: c for c in run_checks(settings)}


def test_an_index_with_logtriage_mapped_otherwise_fails_the_mappings_check(
    engine: LocalEngine, client: SearchClient
) -> None:
    """``logtriage`` a keyword: run cannot add its mappings. Labels written without the
    mappings (text): run would write, but aggregations and re-labelling break."""
    prefix = unique("clash")
    keyword, dynamic, fine = f"{prefix}-keyword", f"{prefix}-dynamic", f"{prefix}-fine"
    client.request(
        "PUT", f"/{keyword}", body={"mappings": {"properties": {"logtriage": {"type": "keyword"}}}}
    )
    make_index(client, fine)
    labelled = {
        **make_docs(1)[0],
        "logtriage": {"label": "Error", "processed_at": "2026-01-01T00:00:00Z"},
    }
    load(client, dynamic, [labelled], op="index")
    settings = settings_for(engine.url, f"{prefix}-*")

    check = _checks(settings)["mappings"]

    assert check.status == "fail", check.render()
    assert f"{keyword}: logtriage is keyword, expected object" in check.detail
    assert f"{dynamic}: logtriage.label is text, expected keyword" in check.detail
    assert fine not in check.detail
    assert check.fix is not None and "reindex those indices" in check.fix
    assert "leave them out of search.index" in check.fix
    with pytest.raises(
        EngineRequestError, match=f"cannot add logtriage.. mappings to index {keyword}"
    ):
        Sidecar(settings, client=client).run(once=True)


def test_indices_whose_source_leaves_fields_out_fail_in_update_mode_only(
    engine: LocalEngine, client: SearchClient
) -> None:
    index = unique("excludes")
    client.request("PUT", f"/{index}", body={"mappings": {"_source": {"excludes": ["secret"]}}})
    load(client, index, make_docs(5), op="index")
    update = settings_for(engine.url, index)

    check = _checks(update)["_source"]

    assert check.status == "fail", check.render()
    assert check.detail == (
        f"_source leaves fields out in 1 index: {index} (_source.excludes: secret)"
    )
    assert check.fix is not None and check.fix.endswith(PARTIAL_SOURCE_ADVICE)
    with pytest.raises(ConfigError, match=re.escape(PARTIAL_SOURCE_ADVICE)):
        Sidecar(update, client=client).run(once=True)

    index_mode = settings_for(
        engine.url, index, sink={"write_mode": "index", "labels_index": f"labels-{index}"}
    )
    checks = _checks(index_mode)
    assert "_source" not in checks
    assert [c.render() for c in checks.values() if c.status == "fail"] == []


def test_the_backlog_counts_documents_an_older_model_labelled_when_relabelling(
    engine: LocalEngine, client: SearchClient
) -> None:
    """The README: turn ``relabel_older_models`` off once doctor shows no backlog."""
    bundle = load_bundle(default_bundle_path() or "missing: no shipped default bundle")
    index = unique("relabel")
    make_index(client, index)
    load(client, index, make_docs(40, seed=3), op="index")
    Sidecar(settings_for(engine.url, index), client=client).run(once=True)  # no model
    relabel = settings_for(
        engine.url, index, model={"enabled": True}, sidecar={"relabel_older_models": True}
    )

    backlog = _checks(relabel)["backlog"]
    assert backlog.render() == (
        f"ok    backlog: 40 documents not labelled yet or labelled by another model than "
        f"{bundle.version}, 0 with logtriage.error"
    )
    without_model = settings_for(engine.url, index, sidecar={"relabel_older_models": True})
    assert _checks(without_model)["backlog"].detail.startswith("0 documents")
    recent = settings_for(
        engine.url,
        index,
        model={"enabled": True},
        sidecar={"relabel_older_models": True, "start_from": "2026-01-02T00:00:00Z"},
    )
    assert _checks(recent)["backlog"].detail.startswith(  # all 40 are from 2026-01-01
        "0 documents from 2026-01-02T00:00:00Z not labelled yet or labelled by another model"
    )

    labeler = Classifier.from_settings(relabel.model)
    assert Sidecar(relabel, client=client, labeler=labeler).run(once=True).labelled == 40
    assert _checks(relabel)["backlog"].detail.startswith("0 documents")


def test_index_mode_without_pit_on_elasticsearch_needs_a_tiebreaker(
    es_engine: LocalEngine,
) -> None:
    """Elasticsearch pages without PIT by timestamp alone unless a tie-breaker is set.
    In ``index`` write mode each pass read the same first page of documents sharing a
    timestamp again: 40 of 60 were never labelled and ``run --once`` said complete.
    Both doctor and run now refuse the settings; with a tie-breaker every one is read."""
    client = SearchClient.connect(SearchSettings(hosts=[es_engine.url]))
    index = unique("nopit")
    make_index(client, index)
    docs = [
        {"@timestamp": "2026-01-01T00:00:00Z", "message": f"disk {i} full", "seq": i}
        for i in range(60)
    ]
    load(client, index, docs)
    sink = {"write_mode": "index", "labels_index": f"labels-{index}"}
    page = {"batch_size": 20, "first_page_size": 20}
    settings = settings_for(
        es_engine.url, index, search={"use_pit": False}, sink=sink, sidecar=page
    )

    check = _checks(settings)["point in time"]
    assert check.status == "fail"
    assert "needs search.tiebreaker_field" in check.detail
    with pytest.raises(ConfigError, match=r"needs search\.tiebreaker_field"):
        Sidecar(settings, client=client).run(once=True)
    tied = settings_for(
        es_engine.url,
        index,
        search={"use_pit": False, "tiebreaker_field": "seq"},
        sink=sink,
        sidecar=page,
    )
    assert _checks(tied)["point in time"].status == "warn"
    summary = Sidecar(tied, client=client).run(once=True)
    assert summary.complete and summary.labelled == 60
    client.close()


def test_the_session_model_is_loaded_as_run_loads_it(
    es_engine: LocalEngine, tmp_path: Path
) -> None:
    index = unique("sessions")
    base = settings_for(es_engine.url, index)
    assert "sessions model" not in _checks(base)  # sessions off
    missing = base.model_copy(
        update={"sessions": SessionsSettings(key_regex=r"(blk_\d+)", model_path=tmp_path / "x")}
    )

    check = _checks(missing)["sessions model"]

    assert check.render() == (
        f"fail  sessions model: {tmp_path / 'x'}: sequence bundle directory does not exist\n"
        "      fix: train one with `logtriage sequences train LOGS --key-regex ... --out DIR` "
        "and set sessions.model_path to DIR"
    )
    with pytest.raises(ModelBundleError, match="sequence bundle directory does not exist"):
        Sidecar(missing)
    unset = base.model_copy(update={"sessions": SessionsSettings(key_regex=r"(blk_\d+)")})
    assert _checks(unset)["sessions model"].detail == (
        "sessions: set sessions.model_path to a model written by `logtriage sequences train`"
    )
    trained = tmp_path / "ngram"
    NgramDetector.from_settings(SessionsSettings()).fit([[1, 2, 3]] * 5).save(trained)
    present = base.model_copy(
        update={"sessions": SessionsSettings(key_regex=r"(blk_\d+)", model_path=trained)}
    )
    assert _checks(present)["sessions model"].render() == (
        f"ok    sessions model: ngram model from {trained}"
    )


@contextmanager
def _serving(handler: Callable[..., BaseHTTPRequestHandler]) -> Iterator[str]:
    """An HTTP server on a free port, answering with ``handler``; its URL."""
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()


class _EchoAuthorization(BaseHTTPRequestHandler):
    """Answers every GET with the Authorization header it was sent."""

    def do_GET(self) -> None:
        body = f"you sent Authorization: {self.headers['Authorization']}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_a_server_that_is_no_engine_is_named_as_such(tmp_path: Path) -> None:
    """``python -m http.server`` on the port: doctor said "Expecting value: line 1
    column 1 (char 0)"."""
    with _serving(partial(SimpleHTTPRequestHandler, directory=str(tmp_path))) as url:
        (check,) = run_checks(settings_for(url, "logs"))

    assert check.status == "fail"
    assert check.detail.startswith(
        f"no search engine reachable: the server at {url} did not answer as "
        "Elasticsearch or OpenSearch (GET / answered HTTP 200 with '<!DOCTYPE HTML>"
    ), check.detail
    assert check.fix == (
        "set search.hosts (or LOGTRIAGE_ES_URL) to the HTTP address of Elasticsearch or "
        "OpenSearch (port 9200 unless changed), not to another service"
    )


def test_what_a_server_echoes_is_quoted_without_the_credentials() -> None:
    key = "echo-Secret-123"
    with _serving(_EchoAuthorization) as url:
        settings = settings_for(url, "logs", search={"api_key": key})
        (check,) = run_checks(settings)

    assert check.detail.endswith(
        "(GET / answered HTTP 200 with 'you sent Authorization: ApiKey ***')"
    ), check.detail
    assert key not in check.render()


def test_a_list_naming_a_missing_index_reports_the_others(
    engine: LocalEngine, client: SearchClient
) -> None:
    a, b, nope = unique("list-a"), unique("list-b"), unique("nope")
    for index in (a, b):
        make_index(client, index)
        load(client, index, make_docs(10, seed=4), op="index")
    settings = settings_for(
        engine.url, f"{a},{b},{nope}", sidecar={"name": a, "state_index": f"state-{a}"}
    )

    checks = _checks(settings)

    assert checks["source indices"].render() == (
        f"warn  source indices: 2 indices under '{a},{b},{nope}', 20 docs; "
        f"nothing matches '{nope}'\n"
        "      fix: correct or remove those names in search.index"
    )
    assert checks["fields"].status == "ok", checks["fields"].render()
    assert checks["mappings"].detail.startswith("logtriage.* not mapped yet in 2 indices")
    assert checks["backlog"].detail == "20 documents not labelled yet, 0 with logtriage.error"
