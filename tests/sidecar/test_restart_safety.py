"""kill -9 at arbitrary points, then resume: nothing unlabelled, nothing applied twice.

The sidecar runs as a real subprocess (``python -m logtriage.cli.run``) against the
real engine; "applied twice" is measured by ``_version`` (1 at load, 2 after the
single labelling update) and source fields are compared with what was loaded.
"""

from __future__ import annotations

import random
import signal
import time

from logtriage.local_engine import LocalEngine
from logtriage.search.client import SearchClient
from logtriage.sidecar.checkpoint import stored_position
from logtriage.sources.search import Hit

from tests._search_helpers import (
    SidecarProcess,
    assert_labelled_once,
    count_labelled,
    fetch_all,
    load,
    make_data_stream,
    make_docs,
    settings_for,
    unique,
    write_config,
)


def _wait_for_progress(client: SearchClient, index: str, at_least: int, timeout_s: float) -> int:
    deadline = time.monotonic() + timeout_s
    n = 0
    while time.monotonic() < deadline:
        n = count_labelled(client, index)
        if n >= at_least:
            return n
        time.sleep(0.2)
    raise AssertionError(f"only {n} labelled after {timeout_s}s (wanted {at_least})")


def test_kill_9_mid_run_then_resume(engine: LocalEngine, client: SearchClient, tmp_path) -> None:
    ds = unique("logs-kill")
    make_data_stream(client, ds)
    docs = make_docs(2500, seed=4)
    load(client, ds, docs)
    settings = settings_for(
        engine.url, ds, sidecar={"batch_size": 50, "lease_ttl_s": 2.0}, sink={"chunk_size": 25}
    )
    config = write_config(settings, tmp_path / "logtriage.yaml")
    rng = random.Random(7)

    killed_at = []
    for target in (200, 1000):
        proc = SidecarProcess(config)
        try:
            _wait_for_progress(client, ds, target, timeout_s=90)
            time.sleep(rng.uniform(0.0, 0.3))  # land anywhere, including mid-bulk
        finally:
            proc.signal(signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
        killed_at.append(count_labelled(client, ds))
    assert 0 < killed_at[0] < len(docs), killed_at
    assert killed_at[-1] < len(docs), "killed too late to prove anything"

    # Resume: the dead process's lease expires, the new one finishes the backlog.
    proc = SidecarProcess(config, "--once")
    assert proc.wait(timeout=180) == 0, proc.stderr[-3000:]
    summary = proc.summary()
    assert summary["complete"], summary
    # Documents labelled just before the kill (not yet visible) are refused (409), not redone.
    assert summary["labelled"] <= len(docs) - killed_at[-1], summary
    assert_labelled_once(fetch_all(client, ds), docs)


def test_the_checkpoint_stops_before_the_first_document_not_stored() -> None:
    """The position a page lets the checkpoint reach: the newest timestamp before the
    first hit not stored, and whether one was not stored (then later pages must not
    move it). Hits without a timestamp sort first and give no position."""
    missing = -(2**63)
    page = [
        Hit("i", str(n), n, 1, [ts, n]) for n, ts in enumerate([missing, 1000, 1000, 2000, 3000])
    ]
    keys = [(h.index, h.id) for h in page]
    assert stored_position(page, None) == (3000, False)
    assert stored_position(page, set(keys)) == (3000, False)
    assert stored_position(page, set(keys) - {keys[3]}) == (1000, True)
    assert stored_position(page, set(keys) - {keys[1]}) == (None, True)
    assert stored_position(page, set(keys) - {keys[0]}) == (None, True)
    assert stored_position(page[:1], None) == (None, False)
    assert stored_position([], None) == (None, False)
