"""``logtriage run`` left running as a service: signals, counters over many passes."""

from __future__ import annotations

import logging
import signal
import time

from logtriage.local_engine import LocalEngine
from logtriage.search.client import SearchClient
from logtriage.search.templates import ensure_state_index
from logtriage.sidecar import Sidecar
from logtriage.sidecar.checkpoint import StateStore

from tests._search_helpers import (
    SidecarProcess,
    count_labelled,
    load,
    make_docs,
    make_index,
    settings_for,
    unique,
    write_config,
)


def test_sighup_stops_like_sigterm(es_engine: LocalEngine, tmp_path) -> None:
    """SIGHUP (a closed terminal, a habitual `kill -HUP`) killed the sidecar mid-batch:
    exit -1, checkpoint not saved, lease held until it expired. Now, like SIGTERM and
    SIGINT, it finishes the batch, saves the checkpoint, releases the lease and exits 0."""
    sig = signal.SIGHUP
    client = SearchClient.connect(settings_for(es_engine.url, "x").search)
    index = unique("signal")
    make_index(client, index, shards=1)
    load(client, index, make_docs(6000, seed=21), op="index")
    settings = settings_for(es_engine.url, index, sidecar={"batch_size": 50})
    proc = SidecarProcess(write_config(settings, tmp_path / "c.yaml"))
    try:
        proc.wait_labelled(client, index, 300)
    finally:
        proc.signal(sig)
    assert proc.wait(timeout=60) == 0, proc.stderr[-3000:]
    assert f"{sig.name}: finishing the batch, then stopping" in proc.stderr
    labelled = count_labelled(client, index)
    assert labelled < 6000, "stopped only after the whole backlog"
    ensure_state_index(client, settings.sidecar.state_index)
    store = StateStore(client, settings.sidecar.state_index)
    checkpoint = store.get(f"{settings.sidecar.name}:checkpoint:0of1")
    assert checkpoint is not None and checkpoint.source["processed"] > 0
    lease = store.get(f"{settings.sidecar.name}:lease:0")
    assert lease is not None and lease.source["expires_at"] < time.time()
    client.close()


def test_index_mode_re_reads_are_not_counted_or_logged_as_conflicts(
    engine: LocalEngine, client: SearchClient, caplog
) -> None:
    """``index`` write mode re-reads the overlap (and at least the checkpoint's own
    document) on every pass; each re-read is a 409 on a labels document that exists.
    They were counted in ``logtriage_write_conflicts_total`` (1,511 after 8 s for 300
    documents) and logged at info on every poll ("pass: seen=1 labelled=0
    conflicts=1"). Now neither: only what was written counts."""
    index = unique("idxquiet")
    make_index(client, index)
    load(client, index, make_docs(120, seed=22), op="index")
    settings = settings_for(
        engine.url,
        index,
        sink={"write_mode": "index", "labels_index": f"labels-{index}"},
        sidecar={"overlap_sweep_interval_s": 0, "poll_interval_s": 0.05},
    )
    sidecar = Sidecar(settings, client=client)
    passes = []
    with caplog.at_level(logging.INFO, logger="logtriage.sidecar"):
        sidecar.run(max_passes=6, on_pass=passes.append)
    assert passes[0].labelled == 120
    assert all(p.labelled == 0 and p.already_labelled > 0 for p in passes[1:]), passes
    registry = sidecar.metrics.registry
    assert registry.get_sample_value("logtriage_write_conflicts_total") == 0
    labelled = sum(
        s.value
        for m in registry.collect()
        if m.name == "logtriage_documents_labelled"
        for s in m.samples
        if s.name.endswith("_total")
    )
    assert labelled == 120
    pass_lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("pass:")]
    assert len(pass_lines) == 1 and "labelled=120" in pass_lines[0], pass_lines


def test_a_stop_while_the_engine_hangs_does_not_wait_for_it_again(
    es_engine: LocalEngine, tmp_path
) -> None:
    """The engine hung (frozen with SIGSTOP: requests time out) and the sidecar had seen
    it; SIGTERM then waited once more for the lease release to time out
    (``search.request_timeout_s``, 30 s by default: 58 s to exit in all, at the edge
    of the README's systemd TimeoutStopSec=60) and logged "retrying". Now it stops at
    once; the lease expires by itself after ``sidecar.lease_ttl_s``."""
    client = SearchClient.connect(settings_for(es_engine.url, "x").search)
    index = unique("hungstop")
    make_index(client, index, shards=1)
    load(client, index, make_docs(50, seed=23), op="index")
    settings = settings_for(
        es_engine.url,
        index,
        search={"request_timeout_s": 4.0},
        sidecar={"max_backoff_s": 30.0},
    )
    proc = SidecarProcess(write_config(settings, tmp_path / "c.yaml"))
    try:
        proc.wait_labelled(client, index, 50, poll_s=0.1)
        client.close()
        es_engine.pause()
        try:
            deadline = time.monotonic() + 30
            while "engine unavailable" not in proc.stderr:
                assert time.monotonic() < deadline, proc.stderr[-3000:]
                time.sleep(0.1)
            stopped_at = time.monotonic()
            proc.signal(signal.SIGTERM)
            rc = proc.wait(timeout=60)
            took = time.monotonic() - stopped_at
        finally:
            es_engine.resume()
    finally:
        if proc.proc.poll() is None:
            proc.proc.kill()
    assert rc == 0, proc.stderr[-3000:]
    # At most the one request that was hanging when the signal came, no second wait.
    assert took < 4.0 + 1.5, f"{took:.1f}s to stop:\n{proc.stderr[-3000:]}"
    assert "worker slot 0 not released (the engine is unavailable)" in proc.stderr
