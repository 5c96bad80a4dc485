"""The engine stops answering mid-run and comes back: the sidecar waits, then finishes.

The engine process group is frozen (SIGSTOP) for ``DOWN_S`` seconds (default 20,
``LOGTRIAGE_TEST_OUTAGE_S``): it accepts nothing, requests time out, exactly as
a hung or partitioned node; then it continues (SIGCONT). A full stop/start would
add 1-2 minutes of JVM start-up per engine on this machine. The sidecar process
keeps running throughout. Then SIGTERM stops it gracefully: it finishes its
batch, releases its lease and exits 0.
"""

from __future__ import annotations

import os
import signal
import time

from logtriage.local_engine import LocalEngine
from logtriage.search.client import SearchClient
from logtriage.search.templates import ensure_state_index
from logtriage.sidecar.checkpoint import StateStore

from tests._search_helpers import (
    SidecarProcess,
    assert_labelled_once,
    count_labelled,
    fetch_all,
    load,
    make_docs,
    make_index,
    settings_for,
    unique,
    write_config,
)

DOWN_S = float(os.environ.get("LOGTRIAGE_TEST_OUTAGE_S", "20"))


def test_engine_stopped_mid_run_then_resumed(
    engine: LocalEngine, client: SearchClient, tmp_path
) -> None:
    index = unique("outage")
    make_index(client, index, shards=1)
    docs = make_docs(3000, seed=6)
    load(client, index, docs, op="index")
    settings = settings_for(
        engine.url,
        index,
        search={"request_timeout_s": 5.0},
        sidecar={"batch_size": 50, "max_backoff_s": 4.0, "poll_interval_s": 0.5},
        sink={"chunk_size": 25},
    )
    config = write_config(settings, tmp_path / "logtriage.yaml")
    proc = SidecarProcess(config)
    try:
        deadline = time.monotonic() + 60
        while count_labelled(client, index) < 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        client.close()
        down_since = time.monotonic()
        engine.pause()
        try:
            time.sleep(DOWN_S)
            alive = proc.proc.poll() is None
        finally:
            engine.resume()
        outage_s = time.monotonic() - down_since
        assert alive, f"sidecar died while the engine was down:\n{proc.stderr[-3000:]}"
        fresh = SearchClient.connect(settings.search)
        deadline = time.monotonic() + 120
        while count_labelled(fresh, index) < len(docs) and time.monotonic() < deadline:
            assert proc.proc.poll() is None, f"sidecar exited:\n{proc.stderr[-3000:]}"
            time.sleep(0.5)
    finally:
        proc.signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 0, proc.stderr[-3000:]
    # The outage was seen and waited out (by the sink's or the loop's retries).
    assert "bulk request failed" in proc.stderr or "engine unavailable" in proc.stderr
    assert outage_s >= DOWN_S
    assert_labelled_once(fetch_all(fresh, index), docs)
    # Graceful stop released the lease (a restart need not wait for it to expire).
    ensure_state_index(fresh, settings.sidecar.state_index)
    lease = StateStore(fresh, settings.sidecar.state_index).get(f"{settings.sidecar.name}:lease:0")
    assert lease is not None and lease.source["expires_at"] < time.time()
    fresh.close()
