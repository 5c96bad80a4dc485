"""``doctor`` and ``demo`` output, and the sidecar's own /metrics and /health."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from logtriage.local_engine import LocalEngine, free_port
from logtriage.model.bundle import default_bundle_path, load_bundle
from logtriage.search.client import SearchClient
from logtriage.sidecar import Sidecar

from tests._search_helpers import (
    SidecarProcess,
    assert_labelled_once,
    fetch_all,
    load,
    make_docs,
    make_index,
    settings_for,
    unique,
    write_config,
)


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from logtriage.cli import run; run()", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def test_doctor_reports_engine_mappings_and_backlog(
    engine: LocalEngine, client: SearchClient, tmp_path
) -> None:
    index = unique("doctor")
    make_index(client, index)
    load(client, index, make_docs(120, seed=8), op="index")
    settings = settings_for(engine.url, index)
    config = write_config(settings, tmp_path / "c.yaml")

    before = _cli("doctor", "--config", str(config))
    assert before.returncode == 0, before.stdout + before.stderr
    out = before.stdout
    assert f"ok    engine: {engine.kind} {engine.version}" in out
    assert "ok    cluster health:" in out
    assert f"ok    source indices: 1 index under '{index}', 120 docs" in out
    assert "warn  mappings: logtriage.* not mapped yet" in out
    assert "fix: `logtriage run` adds them" in out
    assert "ok    backlog: 120 documents not labelled yet, 0 with logtriage.error" in out
    assert "warn  model bundle: model disabled" in out
    assert "ok    point in time: open/close works" in out

    Sidecar(settings, client=client).run(once=True)
    after = _cli("doctor", "--config", str(config)).stdout
    assert "ok    mappings: logtriage.* mapped in all 1 index" in after
    assert "ok    backlog: 0 documents not labelled yet" in after
    assert "ok    state index: state-" in after


def test_doctor_names_the_fields_the_message_and_timestamp_could_be(
    engine: LocalEngine, client: SearchClient, tmp_path
) -> None:
    index = unique("fields")
    client.request(
        "PUT",
        f"/{index}",
        body={
            "mappings": {
                "properties": {
                    "event": {"properties": {"created": {"type": "date"}}},
                    "log": {"properties": {"original": {"type": "text"}}},
                    "level": {"type": "keyword"},
                }
            }
        },
    )
    settings = settings_for(engine.url, index)
    res = _cli("doctor", "--config", str(write_config(settings, tmp_path / "c.yaml")))
    assert "warn  fields: message field 'message' is not mapped in any index" in res.stdout
    assert (
        "      fix: set search.message_field / search.timestamp_field (dotted paths ok); "
        "text fields there: log.original; date fields there: event.created\n"
    ) in res.stdout, res.stdout


def test_doctor_counts_the_backlog_within_search_query_and_names_a_bad_one(
    engine: LocalEngine, client: SearchClient, tmp_path
) -> None:
    index = unique("query")
    make_index(client, index)
    docs = make_docs(90, seed=12)
    load(client, index, docs, op="index")
    wanted = sum(d["seq"] < 30 for d in docs)
    good = settings_for(engine.url, index, search={"query": {"range": {"seq": {"lt": 30}}}})
    res = _cli("doctor", "--config", str(write_config(good, tmp_path / "good.yaml")))
    assert f"ok    backlog: {wanted} documents matching search.query not labelled yet" in (
        res.stdout
    ), res.stdout
    bad = settings_for(engine.url, index, search={"query": {"termz": {"seq": 1}}})
    res = _cli("doctor", "--config", str(write_config(bad, tmp_path / "bad.yaml")))
    assert res.returncode == 1
    assert "fail  backlog: the engine refuses search.query: " in res.stdout, res.stdout
    assert "fix: search.query must be a query DSL object" in res.stdout
    run = _cli("run", "--once", "--config", str(tmp_path / "bad.yaml"))
    assert run.returncode == 1
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("error: POST /_search -> HTTP 400")
    assert last.endswith("(check search.query; `logtriage doctor` tests it)")


def test_doctor_and_run_find_the_engine_from_es_url_alone(
    engine: LocalEngine, client: SearchClient
) -> None:
    index = unique("esurl")
    make_index(client, index)
    docs = make_docs(30, seed=9)
    load(client, index, docs, op="index")
    env = {
        "LOGTRIAGE_ES_URL": engine.url,
        "LOGTRIAGE_SEARCH__INDEX": index,
        "LOGTRIAGE_SIDECAR__STATE_INDEX": f"state-{index}",
        "LOGTRIAGE_SIDECAR__METRICS_ENABLED": "false",
        "LOGTRIAGE_MODEL__ENABLED": "false",
    }
    doctor = _cli("doctor", env=env)
    assert f"ok    engine: {engine.kind} {engine.version}" in doctor.stdout, doctor.stdout
    assert "ok    backlog: 30 documents not labelled yet" in doctor.stdout
    run = _cli("run", "--once", env=env)
    assert run.returncode == 0, run.stderr[-3000:]
    assert_labelled_once(fetch_all(client, index), docs)


def test_doctor_fails_clearly_without_an_engine(tmp_path) -> None:
    port = free_port()
    (tmp_path / "c.yaml").write_text(f"search:\n  hosts: ['http://127.0.0.1:{port}']\n")
    res = _cli("doctor", "--config", str(tmp_path / "c.yaml"))
    assert res.returncode == 1
    assert "fail  connection: no search engine reachable" in res.stdout
    assert "fix: is the engine up at" in res.stdout
    assert res.stdout.rstrip().endswith("1 check: 1 failed, 0 warnings")


def test_demo_on_a_named_cluster_that_is_down_says_where_the_name_came_from(tmp_path) -> None:
    """With a cluster named the demo does not start its own engine; when that cluster
    does not answer, the error says which setting named it."""
    url = f"http://127.0.0.1:{free_port()}"
    res = _cli("demo", "--docs", "10", env={"LOGTRIAGE_ES_URL": url})
    assert res.returncode == 1
    (line,) = res.stderr.strip().splitlines()
    assert line.startswith(f"error: no search engine reachable: {url}")
    assert line.endswith(
        "(the cluster comes from the LOGTRIAGE_* environment; without one the demo starts "
        "a local engine)"
    )
    config = tmp_path / "c.yaml"
    config.write_text(f"search:\n  hosts: ['{url}']\n")
    res = _cli("demo", "--docs", "10", "--config", str(config))
    assert res.returncode == 1 and f"(the cluster comes from --config {config};" in res.stderr


def test_a_demo_stopped_by_sigterm_stops_its_local_engine() -> None:
    """The local engine runs in its own process group (Ctrl-C in a terminal does not
    reach it), so only the demo can stop it; before, SIGTERM or Ctrl-C left it running."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOGTRIAGE_")}
    with subprocess.Popen(
        [sys.executable, "-c", "from logtriage.cli import run; run()", "demo", "--docs", "200000"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
    ) as proc:
        assert proc.stderr is not None
        try:
            up = next((line for line in proc.stderr if " up at " in line), "")
            assert up, "the demo's local engine did not start"
            url = up.split(" up at ")[1].strip()
            urllib.request.urlopen(f"{url}/_cluster/health", timeout=10).close()
        finally:
            proc.send_signal(signal.SIGTERM)
        rest = proc.stderr.read()
        assert proc.wait(timeout=120) == 130, rest
    assert "interrupted; stopping the local engine" in rest
    with pytest.raises(OSError):  # refused: the engine is gone
        urllib.request.urlopen(f"{url}/_cluster/health", timeout=10).close()


def test_run_once_stopped_before_the_backlog_is_done_exits_1(tmp_path) -> None:
    """Nothing answers on the port, so ``run --once`` waits for the engine; SIGTERM stops
    it, and the exit code says the backlog is not labelled (cron must not see success)."""
    port = free_port()
    config = tmp_path / "c.yaml"
    config.write_text(
        f"search:\n  hosts: ['http://127.0.0.1:{port}']\n"
        "sidecar:\n  metrics_enabled: false\nmodel:\n  enabled: false\n"
    )
    proc = SidecarProcess(config, "--once")
    try:
        deadline = time.monotonic() + 60
        while "engine unavailable" not in proc.stderr:
            assert proc.proc.poll() is None, proc.stderr[-3000:]
            assert time.monotonic() < deadline, proc.stderr[-3000:]
            time.sleep(0.1)
    finally:
        proc.signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 1, proc.stderr[-3000:]
    assert proc.summary()["complete"] is False
    assert (
        "error: the backlog is not fully labelled (stopped by a signal); run again" in proc.stderr
    )


def test_demo_labels_everything_and_prints_a_summary(engine: LocalEngine) -> None:
    script = Path(sys.executable).with_name("logtriage")  # as `make demo` runs it,
    # with the venv not on PATH (a plain `logtriage` would not be found)
    path = os.pathsep.join(
        d for d in os.environ["PATH"].split(os.pathsep) if Path(d) != script.parent
    )
    res = subprocess.run(
        [str(script), "demo", "--docs", "3000"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "LOGTRIAGE_ES_URL": engine.url, "PATH": path},
    )
    assert res.returncode == 0, res.stderr[-3000:]
    out = res.stdout
    assert f"logtriage demo on {engine.kind} {engine.version}" in out
    assert "documents: 3000  labelled: 3000  with logtriage.error: 0  still unlabelled: 0" in out
    assert "top templates:" in out and "throughput:" in out and "docs/s" in out
    assert "where to look next:" in out
    assert f"`{script} dashboards export --out logtriage-dashboards --kibana` writes" in out
    # Every pointer works after the demo exits and can be pasted as printed: no port of
    # its own run, no file it never wrote, the command as it was typed.
    stream = "logs-logtriage.demo-default"
    assert f"query the labels: GET {engine.url}/{stream}/_search?q=logtriage.anomaly:true" in out
    assert (
        f"`{script} run -c logtriage.yaml`, which serves /metrics and /health on port 9464" in out
    )


def test_a_taken_metrics_port_is_one_error_line(tmp_path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        config = tmp_path / "c.yaml"
        config.write_text(
            f"search:\n  hosts: ['http://127.0.0.1:{free_port()}']\n"
            f"sidecar:\n  metrics_port: {port}\nmodel:\n  enabled: false\n"
        )
        res = _cli("run", "--once", "--config", str(config))
    assert res.returncode == 1
    assert res.stderr.strip().splitlines()[-1] == (
        f"error: cannot serve metrics on 127.0.0.1:{port}: Address already in use "
        "(set sidecar.metrics_port, or sidecar.metrics_enabled: false)"
    )
    assert "Traceback" not in res.stderr


def test_metrics_and_health_while_running(engine: LocalEngine, client: SearchClient) -> None:
    index = unique("metrics")
    make_index(client, index)
    load(client, index, [*make_docs(500, seed=10), {"seq": 500, "message": 1}], op="index")
    port = free_port()
    settings = settings_for(
        engine.url, index, sidecar={"metrics_enabled": True, "metrics_port": port}
    )
    sidecar = Sidecar(settings, client=client)
    seen: dict[str, str] = {}

    def probe(_stats) -> None:
        base = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"{base}/health") as r:
            seen["health"] = f"{r.status} {r.read().decode()}"
        with urllib.request.urlopen(f"{base}/metrics") as r:
            seen["metrics"] = r.read().decode()

    sidecar.serve_metrics()
    sidecar.run(once=True, on_pass=probe)
    assert seen["health"].startswith('200 {"live": true, "ready": true')
    m = seen["metrics"]
    from prometheus_client.parser import text_string_to_metric_families

    labelled = {
        s.labels["label"]: s.value
        for fam in text_string_to_metric_families(m)
        if fam.name == "logtriage_documents_labelled"
        for s in fam.samples
        if s.name.endswith("_total")
    }
    assert sum(labelled.values()) == 500, labelled
    assert 'logtriage_document_errors_total{reason="message_not_string"} 1.0' in m
    assert "logtriage_batch_seconds_count" in m
    assert "logtriage_model_inference_seconds_count" in m
    assert "logtriage_lag_seconds 0.0" in m
    assert "logtriage_template_cache_hit_ratio" in m
    assert "logtriage_engine_up 1.0" in m


def test_run_once_labels_with_the_shipped_model(
    engine: LocalEngine, client: SearchClient, tmp_path
) -> None:
    """``logtriage run`` loads the shipped default bundle when none is configured."""
    bundle = load_bundle(default_bundle_path() or "missing: no shipped default bundle")
    index = unique("model")
    make_index(client, index)
    load(client, index, make_docs(300, seed=12), op="index")
    settings = settings_for(engine.url, index, model={"enabled": True})
    config = write_config(settings, tmp_path / "c.yaml")

    doctor = _cli("doctor", "--config", str(config))
    assert f"ok    model bundle: {bundle.version}" in doctor.stdout, doctor.stdout
    res = _cli("run", "--once", "--config", str(config))
    assert res.returncode == 0, res.stderr[-3000:]
    hits = fetch_all(client, index)
    assert_labelled_once(hits)
    versions = {h["_source"]["logtriage"]["model"]["version"] for h in hits}
    assert versions == {bundle.version}
    labels = {h["_source"]["logtriage"]["label"] for h in hits}
    assert labels <= {*bundle.labels, "Unclassified"}
    confidences = {h["_source"]["logtriage"]["confidence"] for h in hits}
    assert len(confidences) > 1, "a model gives graded confidences, rules and templates do not"
