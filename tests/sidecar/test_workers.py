"""Two worker processes share one backlog through sliced PITs and slot leases."""

from __future__ import annotations

import logging
import signal
import subprocess
import time
from datetime import datetime, timedelta, timezone

import pytest
from logtriage.cli.doctor import run_checks
from logtriage.config.sessions import SessionsSettings
from logtriage.errors import ConfigError
from logtriage.local_engine import LocalEngine
from logtriage.search.client import SearchClient
from logtriage.search.templates import ensure_state_index
from logtriage.sidecar import Sidecar
from logtriage.sidecar.checkpoint import Lease, LeaseLost, StateStore
from logtriage.sidecar.stats import PassStats

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


def test_two_workers_without_overlap(engine: LocalEngine, client: SearchClient, tmp_path) -> None:
    index = unique("workers")
    make_index(client, index, shards=2)
    docs = make_docs(3000, seed=5)
    load(client, index, docs, op="index")
    settings = settings_for(engine.url, index, sidecar={"workers": 2, "batch_size": 100})
    config = write_config(settings, tmp_path / "logtriage.yaml")

    procs = [SidecarProcess(config, "--once", "--worker-id", str(i)) for i in (0, 1)]
    for p in procs:
        assert p.wait(timeout=180) == 0, p.stderr[-3000:]
    summaries = [p.summary() for p in procs]

    assert sorted(s["slot"] for s in summaries) == [0, 1]
    assert all(s["labelled"] > 300 for s in summaries), summaries  # both did real work
    assert sum(s["labelled"] for s in summaries) == len(docs)  # ...and none twice
    assert all(s["conflicts"] == 0 for s in summaries), summaries
    assert_labelled_once(fetch_all(client, index), docs)


def test_workers_write_template_ids_that_name_one_template_each(
    engine: LocalEngine, client: SearchClient
) -> None:
    """Each worker slot mines its own templates, numbered from 0 in the order it
    meets them: two workers wrote id 0 for two different templates, and the
    dashboards' "Top templates" (by ``logtriage.template.id``) counted both under
    one text. Slot k writes k * 2**32 + its miner's id now."""
    index = unique("worker-ids")
    make_index(client, index, shards=2)
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota"]
    texts = [" ".join(words[: 1 + k]) for k in range(len(words))]  # one template each
    docs = make_docs(400, seed=6)
    for i, doc in enumerate(docs):
        doc["message"] = texts[(i * 7) % len(texts)]
    load(client, index, docs, op="index")
    for slot in (0, 1):
        sidecar = {"workers": 2, "worker_id": slot, "batch_size": 50}
        Sidecar(settings_for(engine.url, index, sidecar=sidecar), client=client).run(once=True)

    texts_of: dict[int, set[str]] = {}
    for hit in fetch_all(client, index):
        template = hit["_source"]["logtriage"]["template"]
        texts_of.setdefault(template["id"], set()).add(template["text"])
    assert all(len(t) == 1 for t in texts_of.values()), texts_of
    assert {tid >> 32 for tid in texts_of} == {0, 1}  # both workers labelled
    assert {t for ts in texts_of.values() for t in ts} == set(texts)


def test_sessions_are_refused_with_more_than_one_worker(engine: LocalEngine) -> None:
    """Workers split documents by id: each saw part of every session and flagged the
    gaps, reading its own template ids with a model trained on another miner's."""
    settings = settings_for(engine.url, unique("worker-sessions"), sidecar={"workers": 2})
    settings = settings.model_copy(update={"sessions": SessionsSettings(key_regex=r"(blk_-?\d+)")})
    with pytest.raises(ConfigError, match=r"sessions need sidecar\.workers: 1"):
        Sidecar(settings)
    assert any(
        c.name == "sessions model" and c.status == "fail" and "workers" in c.detail
        for c in run_checks(settings)
    )


def test_leases_hand_out_distinct_slots(client: SearchClient) -> None:
    state = unique("state-lease")
    ensure_state_index(client, state)
    store = StateStore(client, state)
    a = Lease(store, "w", "host:1", ttl_s=1.0)
    b = Lease(store, "w", "host:2", ttl_s=1.0)
    c = Lease(store, "w", "host:3", ttl_s=1.0)
    assert a.claim(2) == 0
    assert b.claim(2) == 1
    assert c.claim(2) is None  # both slots held
    assert c.claim(2, wanted=1) is None
    time.sleep(1.2)  # b stops renewing...
    a.renew()
    assert c.claim(2) == 1  # ...so its slot expires and is taken over
    try:
        b.renew()
        raise AssertionError("b kept a slot that was taken over")
    except Exception as exc:  # LeaseLost
        assert "taken over" in str(exc)
    a.release()
    assert b.claim(2) == 0  # released slots are free at once


def test_a_second_sidecar_of_the_same_name_says_what_to_change(
    engine: LocalEngine, client: SearchClient
) -> None:
    index = unique("one-slot")
    make_index(client, index)
    settings = settings_for(engine.url, index, sidecar={"lease_ttl_s": 30.0})
    first = Sidecar(settings, client=client)
    first.setup()
    try:
        with pytest.raises(LeaseLost) as err:
            Sidecar(settings, client=client, owner="elsewhere:2").setup()
    finally:
        first.close()
    assert str(err.value) == (
        f"the 1 worker slot of '{settings.sidecar.name}' is held (another `logtriage run` "
        "with this sidecar.name is running; to share the work set sidecar.workers higher, "
        "or give this one its own sidecar.name)"
    )
    second = Sidecar(settings, client=client, owner="elsewhere:2")
    second.setup()  # released by the first's close: free at once
    second.close()


def test_a_renewal_that_timed_out_but_was_applied_keeps_the_lease(client: SearchClient) -> None:
    """While the engine was paused, a lease renewal timed out and was applied when it
    resumed: the stored lease still named this process, at a newer version. The next
    renewal got 409 and the sidecar logged "lease ... was taken over", stopped ready and
    waited up to 5 s to claim its own slot again, after every such outage. The late
    write is replayed here by a second handle of the same owner."""
    state = unique("state-lease")
    ensure_state_index(client, state)
    store = StateStore(client, state)
    ours = Lease(store, "w", "host:1", ttl_s=30.0)
    assert ours.claim(2) == 0
    late = Lease(store, "w", "host:1", ttl_s=30.0)
    assert late.claim(2, wanted=0) == 0  # the same owner's write, landing late
    ours.renew()  # no LeaseLost
    assert ours.slot == 0
    other = Lease(store, "w", "host:2", ttl_s=30.0)
    assert other.claim(2, wanted=0) is None  # still held (by us)
    held = store.get("w:lease:0")
    assert held is not None
    assert store.put("w:lease:0", {**held.source, "owner": "host:2"}, held) is not None
    with pytest.raises(LeaseLost, match="taken over"):  # another owner: really lost
        ours.renew()


def test_a_worker_id_beyond_the_workers_is_refused_before_anything_is_claimed(
    engine: LocalEngine, client: SearchClient, tmp_path
) -> None:
    """``--worker-id 2`` with ``workers: 2`` skipped the settings' check (the option was
    copied into the settings unchecked): the process claimed lease slot 2, then every
    search failed with the engine's "max must be greater than id", and it logged that
    the engine was unavailable."""
    index = unique("worker-id-range")
    make_index(client, index)
    config = write_config(
        settings_for(engine.url, index, sidecar={"workers": 2}), tmp_path / "logtriage.yaml"
    )
    proc = SidecarProcess(config, "--once", "--worker-id", "2")
    assert proc.wait(timeout=60) == 1
    assert "error: invalid option: sidecar.worker_id: worker_id 2 needs workers > 2" in (
        proc.stderr
    )
    state = client.request("GET", f"/state-{index}/_doc/{index}:lease:2", ignore=(404,))
    assert not state.get("found"), state


def test_a_second_process_with_the_same_worker_id_is_refused(
    engine: LocalEngine, client: SearchClient, tmp_path
) -> None:
    """Two processes started with ``--worker-id 1``: the second waited forever, saying
    every 5 s to set sidecar.workers higher. It waits one lease TTL now (a restart
    after ``kill -9`` finds the dead process's lease until it expires), then, the slot
    having been renewed meanwhile, exits 1 naming the holder."""
    index = unique("worker-id-twice")
    make_index(client, index)
    load(client, index, make_docs(200), op="index")
    settings = settings_for(engine.url, index, sidecar={"workers": 2, "lease_ttl_s": 3.0})
    config = write_config(settings, tmp_path / "logtriage.yaml")
    first = SidecarProcess(config, "--worker-id", "1")
    second: SidecarProcess | None = None
    try:
        first.wait_labelled(client, index, 1, timeout_s=60, poll_s=0.2)
        second = SidecarProcess(config, "--worker-id", "1")
        try:
            assert second.wait(timeout=30) == 1, second.stderr[-2000:]
        except subprocess.TimeoutExpired:
            raise AssertionError(f"still waiting:\n{second.stderr[-1000:]}") from None
        assert first.proc.poll() is None  # the first keeps its slot
    finally:
        for proc in (first, second):
            if proc is not None and proc.proc.poll() is None:
                proc.signal(signal.SIGTERM)
                proc.wait(timeout=60)
    err = second.stderr.strip().splitlines()[-1]
    assert err.startswith(f"error: worker slot 1 of '{index}' is held by "), err
    assert f":{first.pid} (another `logtriage run --worker-id 1`" in err, err
    assert "give each worker its own id, 0 to 1" in err, err
    assert "it kept the slot for sidecar.lease_ttl_s (3s)" in err, err


def test_a_worker_restarted_after_kill_9_takes_its_slot_back(
    engine: LocalEngine, client: SearchClient, tmp_path
) -> None:
    """The restart of a killed worker with the same ``--worker-id`` must not be taken
    for a duplicate: the dead process's lease expires within one TTL."""
    index = unique("worker-id-restart")
    make_index(client, index)
    docs = make_docs(600)
    load(client, index, docs, op="index")
    settings = settings_for(
        engine.url, index, sidecar={"workers": 2, "lease_ttl_s": 3.0, "batch_size": 50}
    )
    config = write_config(settings, tmp_path / "logtriage.yaml")
    killed = SidecarProcess(config, "--worker-id", "1")
    killed.wait_labelled(client, index, 1, timeout_s=60, poll_s=0.05)
    killed.signal(signal.SIGKILL)
    killed.wait(timeout=10)
    restarted = SidecarProcess(config, "--once", "--worker-id", "1")
    assert restarted.wait(timeout=60) == 0, restarted.stderr[-2000:]
    assert restarted.summary()["slot"] == 1
    other = SidecarProcess(config, "--once", "--worker-id", "0")
    assert other.wait(timeout=60) == 0, other.stderr[-2000:]
    assert_labelled_once(fetch_all(client, index), docs)


@pytest.mark.parametrize("mode", ["index", "update"])
def test_changing_the_number_of_workers_starts_from_the_old_checkpoints(
    engine: LocalEngine, client: SearchClient, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Checkpoints are kept per worker count: after ``workers: 2`` became 3, no slot had
    one, and each read its share from ``start_from`` again; back to 2, each read from
    its checkpoint of before. In ``index`` write mode that re-read every document
    since (each labels document refused as existing): hours on a big index, on every
    change. A slot starts where every slot of the other count had got to now, if that
    is further; nothing is missed or written twice."""
    index = unique(f"rescale-{mode}")
    make_index(client, index, shards=2)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    docs = make_docs(1500, seed=8)
    for i, doc in enumerate(docs):  # one a second: 25 minutes, the overlap 1 of them
        doc["@timestamp"] = (start + timedelta(seconds=i)).isoformat().replace("+00:00", "Z")
    sidecar = {"batch_size": 100, "checkpoint_overlap_s": 60, "name": index}

    def first_passes(workers: int) -> list[PassStats]:
        """The first pass of each slot of ``workers`` (run to the end, one by one)."""
        firsts = []
        for slot in range(workers):
            passes: list[PassStats] = []
            settings = settings_for(
                engine.url,
                index,
                sink={"write_mode": mode},
                sidecar={**sidecar, "workers": workers, "worker_id": slot},
            )
            Sidecar(settings, client=client).run(once=True, on_pass=passes.append)
            firsts.append(passes[0])
        return firsts

    load(client, index, docs[:600], op="index")
    first_passes(2)
    for workers, new in ((3, docs[600:1100]), (2, docs[1100:])):  # documents keep arriving
        load(client, index, new, op="index")
        with caplog.at_level(logging.INFO, logger="logtriage.sidecar"):
            firsts = first_passes(workers)
        for slot, first in enumerate(firsts):
            assert not first.from_start, (workers, slot)
            assert first.seen - first.labelled <= 100, (workers, slot, first)  # ~the overlap
        assert sum(p.labelled for p in firsts) == len(new)
    assert (
        "worker slot 2 of 3: starting where every slot of sidecar.workers: 2 had got to "
        "(2026-01-01T00:0" in caplog.text
    )
    assert "not at its own older checkpoint (2026-01-01T00:0" in caplog.text
    assert first_passes(1)[0].labelled == 0  # and down to one: nothing left, nothing twice

    if mode == "update":
        assert_labelled_once(fetch_all(client, index), docs)
    else:
        labels = fetch_all(client, "logtriage-labels")
        mine = [h for h in labels if h["_source"]["source"]["index"] == index]
        assert len(mine) == len(docs)
        assert all(h["_version"] == 1 for h in mine)


def test_doctor_says_per_slot_where_it_is_and_which_slot_has_no_worker(
    engine: LocalEngine, client: SearchClient
) -> None:
    """doctor listed every checkpoint of the name as ``slot 1: 1767225604980``: raw epoch
    ms, those of earlier worker counts mixed in under the same slot numbers, and no
    word of the leases, so a worker that had stopped (its share waiting) looked fine."""
    index = unique("doctor-slots")
    make_index(client, index)
    load(client, index, make_docs(300), op="index")
    two = settings_for(engine.url, index, sidecar={"workers": 2, "lease_ttl_s": 60.0})
    for slot in (0, 1):
        with_id = two.sidecar.model_copy(update={"worker_id": slot})
        Sidecar(two.model_copy(update={"sidecar": with_id}), client=client).run(once=True)
    three = settings_for(engine.url, index, sidecar={"workers": 3, "lease_ttl_s": 60.0})
    running = Sidecar(three, client=client, owner="host-a:41")
    running.setup()  # slot 0 of 3 held; 1 and 2 have no worker
    try:
        checks = {c.name: c for c in run_checks(three)}
    finally:
        running.close()
    state = checks["state index"]
    assert state.status == "warn", state
    slots = state.detail.split("; ")
    assert slots[0].startswith(f"state-{index}: slot 0: no checkpoint, starts at 2026-01-01T")
    assert slots[0].endswith("(sidecar.workers: 2), run by host-a:41"), slots[0]
    assert slots[1].endswith(", no worker") and slots[2].startswith("slot 2: no checkpoint")
    assert "(checkpoints of sidecar.workers: 2 are no longer used)" in state.detail
    assert "slot 1, 2 have no worker while others run" in state.detail
    assert state.fix == "start `logtriage run --worker-id N` for N in 1, 2"

    idle = {c.name: c for c in run_checks(three)}["state index"]  # all stopped: fine
    assert idle.status == "ok" and "slot 0: no checkpoint" in idle.detail, idle


def test_a_caught_up_worker_reports_no_lag(engine: LocalEngine, client: SearchClient) -> None:
    """``logtriage_lag_seconds`` was the index's newest timestamp minus the worker's
    checkpoint; that document lies in another worker's slice as often as not, so on an
    index with a document a minute caught-up workers reported 120 s and 180 s (the lag
    alert fires above 300 s). It is measured within the worker's own slice now."""
    index = unique("worker-lag")
    make_index(client, index)
    now = datetime.now(timezone.utc)
    docs = make_docs(30, seed=2)
    for i, doc in enumerate(docs):
        when = now - timedelta(minutes=30 - i)
        doc["@timestamp"] = when.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    load(client, index, docs, op="index")
    lags = {}
    for slot in range(3):
        settings = settings_for(engine.url, index, sidecar={"workers": 3, "worker_id": slot})
        sidecar = Sidecar(settings, client=client)
        assert sidecar.run(once=True).complete
        lags[slot] = _gauge(sidecar, "logtriage_lag_seconds")
    assert lags == {0: 0.0, 1: 0.0, 2: 0.0}
    assert_labelled_once(fetch_all(client, index), docs)


def _gauge(sidecar: Sidecar, name: str) -> float:
    """The value of an unlabelled gauge as ``/metrics`` shows it."""
    for line in sidecar.metrics.render().decode().splitlines():
        if line.startswith(f"{name} "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not rendered")


def test_a_state_index_another_worker_just_created_is_waited_for(client: SearchClient) -> None:
    """Workers started together: one creates the state index, the other finds it
    existing and reads its lease before the index's shard has started; that read
    failed with 503 no_shard_available_action_exception and the worker logged the
    engine as unavailable. The other worker's create is replayed here without waiting
    for the shard (as a create still in flight looks from outside)."""
    from logtriage.search.templates import STATE_MAPPINGS

    for _ in range(3):
        state = unique("state-race")
        body = {
            "settings": {"number_of_shards": 1, "auto_expand_replicas": "0-1"},
            "mappings": STATE_MAPPINGS,
        }
        client.request("PUT", f"/{state}", params={"wait_for_active_shards": "0"}, body=body)
        ensure_state_index(client, state)
        assert StateStore(client, state).get("w:lease:0") is None  # no 503
