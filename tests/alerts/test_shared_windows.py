"""Count windows shared by sidecar workers: what a worker publishes, and how slot 0
adds the others' windows to its own (no search engine needed here; the sidecar test
with two workers is in tests/sidecar/test_alerting.py)."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from logtriage.alerts import AlertEngine, load_rules_file
from logtriage.alerts.engine import Buckets
from logtriage.config import Settings
from logtriage.pipeline import Pipeline
from logtriage.sidecar.alert_windows import (
    MAX_BUCKETS,
    decode_windows,
    encode_windows,
    merge_windows,
)

from tests.alerts.test_engine import T0, KeywordLabeler

RULES = (
    "rules:\n"
    "  - {id: crit, kind: label_count, label: Critical Error, threshold: 20, window_s: 60,"
    " group_by: [service]}\n"
    "  - {id: rate, kind: anomaly_rate, threshold: 0.5, min_count: 20, window_s: 60}\n"
    "  - {id: new, kind: new_template, labels: [Critical Error], window_s: 60}\n"
)


@pytest.fixture
def pipeline() -> Pipeline:
    """A fresh miner per test: each test's first line is a new template."""
    return Pipeline(Settings(), labeler=KeywordLabeler())


def _engine(tmp_path: Path) -> AlertEngine:
    path = tmp_path / "alerts.yaml"
    path.write_text(RULES)
    return AlertEngine(load_rules_file(path))


def _observe(engine: AlertEngine, pipeline: Pipeline, n: int, t0: float) -> list[str]:
    """``n`` Critical Errors of service ``api``, one per second from ``t0``."""
    batch = pipeline.process_batch([f"disk sda failed with code {i}" for i in range(n)])
    fired = engine.observe(batch, ["api"] * n, ["h"] * n, [t0 + i for i in range(n)])
    return [f"{x.rule_id}:{x.status}" for x in fired if x.kind != "new_template"]


def _published(engine: AlertEngine, slot: int, workers: int = 2, age_s: float = 0.0) -> dict:
    """The state document worker ``slot`` writes, as slot 0 reads it back (JSON)."""
    updated = datetime.fromtimestamp(time.time() - age_s, timezone.utc)
    source = {
        "kind": "alerts",
        "slot": slot,
        "workers": workers,
        **encode_windows(engine.count_buckets(), engine.watermark),
        "updated_at": updated.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }
    return json.loads(json.dumps(source))


def test_slot_0_fires_on_the_sum_of_the_workers_windows(
    pipeline: Pipeline,
    tmp_path: Path,
) -> None:
    """30 Critical Errors over two workers (14 + 16), threshold 20: neither share
    fires alone, the sum does, once, and resolves when the window passes."""
    leader, other = _engine(tmp_path), _engine(tmp_path)
    other.set_fires_counts(False)
    assert _observe(other, pipeline, 16, T0 + 14) == []
    assert _observe(leader, pipeline, 14, T0) == []
    buckets, watermark = merge_windows({1: _published(other, 1)}, 2, 30.0, time.time())
    assert sum(m for _, m, _ in buckets["crit"][(("service", "api"),)]) == 16
    assert watermark == T0 + 29  # the other's newest line, later than the leader's
    leader.set_peer_buckets(buckets, watermark)
    fired = leader.evaluate()
    assert [(n.rule_id, n.status, n.value) for n in fired] == [
        ("crit", "firing", 30.0),
        ("rate", "firing", 1.0),
    ]
    assert fired[0].starts_at == T0 + 29, "the window ends at the latest watermark"
    assert leader.evaluate() == []  # still firing: not sent again
    # The first 10 of the leader's lines leave the window: 20 left, not more than 20.
    resolved = leader.evaluate(T0 + 69.5)
    assert [(n.rule_id, n.status) for n in resolved] == [("crit", "resolved")]


def test_buckets_of_the_same_second_add_up_across_workers(tmp_path: Path) -> None:
    g = (("service", "api"),)
    a: Buckets = {"crit": {g: [(100, 2, 1), (101, 3, 0)]}}
    b: Buckets = {"crit": {g: [(101, 4, 2), (102, 1, 0)], (("service", "web"),): [(90, 7, 0)]}}
    docs = {
        1: {**encode_windows(a, 101.5), "workers": 3, "updated_at": _iso(time.time())},
        2: {**encode_windows(b, 102.0), "workers": 3, "updated_at": _iso(time.time())},
    }
    docs = {slot: json.loads(json.dumps(doc)) for slot, doc in docs.items()}
    merged, watermark = merge_windows(docs, 3, 30.0, time.time())
    assert merged["crit"][g] == [(100, 2, 1), (101, 7, 2), (102, 1, 0)]
    assert merged["crit"][(("service", "web"),)] == [(90, 7, 0)]
    assert watermark == 102.0


def test_stale_foreign_and_out_of_range_documents_are_left_out(
    pipeline: Pipeline,
    tmp_path: Path,
) -> None:
    other = _engine(tmp_path)
    other.set_fires_counts(False)
    _observe(other, pipeline, 25, T0)
    now = time.time()
    live = _published(other, 1)
    counted = merge_windows({1: live}, 2, 30.0, now)[0]["crit"][(("service", "api"),)]
    assert sum(m for _, m, _ in counted) == 25
    cases = {
        "stale (older than the lease TTL)": ({1: _published(other, 1, age_s=31)}, 2),
        "written with another workers setting": ({1: _published(other, 1, workers=3)}, 2),
        "slot beyond workers": ({2: _published(other, 2, workers=2)}, 2),
        "no updated_at": ({1: {k: v for k, v in live.items() if k != "updated_at"}}, 2),
        "edited by hand": ({1: {**live, "rules": {"crit": [{"b": [1, 2, 3]}]}}}, 2),
        "not a list of buckets": ({1: {**live, "rules": {"crit": "none"}}}, 2),
    }
    for why, (docs, workers) in cases.items():
        assert merge_windows(docs, workers, 30.0, now) == ({}, float("-inf")), why
    leader = _engine(tmp_path)
    leader.set_peer_buckets(
        *merge_windows(cases["stale (older than the lease TTL)"][0], 2, 30, now)
    )
    assert leader.evaluate(T0 + 30) == []


def test_a_worker_that_does_not_evaluate_publishes_only_its_window(
    pipeline: Pipeline,
    tmp_path: Path,
) -> None:
    other = _engine(tmp_path)
    other.set_fires_counts(False)
    _observe(other, pipeline, 30, T0)
    other.evaluate(T0 + 80)  # window 60 s: the lines of T0 .. T0+19 are behind it
    buckets = other.count_buckets()
    assert set(buckets) == {"crit", "rate"}  # no new_template windows
    assert [s for s, _, _ in buckets["crit"][(("service", "api"),)]] == list(
        range(int(T0) + 20, int(T0) + 30)
    )


def test_past_the_cap_buckets_are_coarsened_and_keep_their_counts() -> None:
    groups = {
        (("service", f"s{k}"),): [(1000 + s, 1 + s % 3, s % 2) for s in range(300)]
        for k in range(10)
    }
    buckets: Buckets = {"crit": groups}
    doc = encode_windows(buckets, 1299.7)
    assert doc["resolution_s"] == 1 and doc["dropped_groups"] == 0
    assert decode_windows(json.loads(json.dumps(doc))) == (buckets, 1299.7)
    small = encode_windows(buckets, 1299.7, max_buckets=1000)
    assert small["resolution_s"] == 5 and small["dropped_groups"] == 0
    decoded, _ = decode_windows(small)
    for g, rows in groups.items():
        assert len(decoded["crit"][g]) == 60
        assert sum(m for _, m, _ in decoded["crit"][g]) == sum(m for _, m, _ in rows)
        assert max(s for s, _, _ in decoded["crit"][g]) == 1299  # keyed by the newest second
    tiny = encode_windows(buckets, 1299.7, max_buckets=5)
    assert tiny["dropped_groups"] == 5 and len(tiny["rules"]["crit"]) == 5
    assert MAX_BUCKETS >= 3000


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat()
