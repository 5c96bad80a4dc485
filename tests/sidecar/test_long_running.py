"""``logtriage run`` left running as a service: signals, counters over many passes."""

from __future__ import annotations

import signal
import time

from logtriage.local_engine import LocalEngine
from logtriage.search.client import SearchClient
from logtriage.search.templates import ensure_state_index
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
        deadline = time.monotonic() + 60
        while count_labelled(client, index) < 300:
            assert proc.proc.poll() is None, proc.stderr[-3000:]
            assert time.monotonic() < deadline, proc.stderr[-3000:]
            time.sleep(0.05)
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
