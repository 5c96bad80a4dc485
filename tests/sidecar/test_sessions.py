"""Session anomalies in the sidecar: train on the sidecar's own template ids, then flag
the documents of sessions whose template sequence breaks the learned order."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from logtriage.config import SessionsSettings
from logtriage.local_engine import LocalEngine
from logtriage.search.client import SearchClient
from logtriage.sessions import NgramDetector
from logtriage.sidecar import Sidecar

from tests._search_helpers import fetch_all, load, make_index, settings_for, unique

NORMAL = [
    "Receiving block {b} src: /10.0.0.{n}:50010 dest: /10.0.0.{m}:50010",
    "Received block {b} of size {size} from /10.0.0.{n}",
    "PacketResponder {n} for block {b} terminating",
    "Verification succeeded for {b}",
]
START = datetime(2026, 3, 1, tzinfo=timezone.utc)
BROKEN = [
    NORMAL[0],
    "Exception in receiveBlock for block {b} java.io.IOException: reset",
    NORMAL[2],
]


def _docs(start: datetime, sessions: list[tuple[str, list[str]]]) -> list[dict[str, Any]]:
    """Interleave sessions' lines one second apart (sessions overlap in time)."""
    docs: list[dict[str, Any]] = []
    for k, (block, lines) in enumerate(sessions):
        for j, line in enumerate(lines):
            ts = start + timedelta(seconds=k * 2 + j * 3)
            text = line.format(b=block, n=k % 9 + 1, m=j + 1, size=1000 + k * 7)
            docs.append({"@timestamp": ts.isoformat().replace("+00:00", "Z"), "message": text})
    docs.sort(key=lambda d: d["@timestamp"])
    for i, d in enumerate(docs):
        d["seq"] = i
    return docs


def _trained_model(
    engine: LocalEngine, client: SearchClient, tmp_path: Path, common: dict[str, Any]
) -> Path:
    """An n-gram model of normal sessions, learnt on the sidecar's own template ids."""
    train_index = f"{common['name']}-train"
    make_index(client, train_index)
    load(client, train_index, _docs(START, [(f"blk_{k}", NORMAL) for k in range(60)]), op="index")
    Sidecar(settings_for(engine.url, train_index, sidecar=common), client=client).run(once=True)
    by_block: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for hit in fetch_all(client, train_index):
        block = hit["_source"]["message"].split("blk_")[1].split()[0]
        by_block[block].append(
            (hit["_source"]["seq"], hit["_source"]["logtriage"]["template"]["id"])
        )
    sessions = [[tid for _, tid in sorted(v)] for v in by_block.values()]
    assert all(len(s) == 4 for s in sessions) and len({tuple(s) for s in sessions}) == 1
    model_dir = tmp_path / "ngram"
    NgramDetector.from_settings(SessionsSettings(history=2, top_g=1)).fit(sessions).save(model_dir)
    return model_dir


def _test_sessions() -> list[tuple[str, list[str]]]:
    """20 normal sessions and 3 broken ones (blk_900..902)."""
    return [(f"blk_{100 + k}", NORMAL) for k in range(20)] + [
        (f"blk_{900 + k}", BROKEN) for k in range(3)
    ]


def _sidecar_on_test_sessions(
    engine: LocalEngine,
    client: SearchClient,
    tmp_path: Path,
    name: str,
    sink: dict[str, Any] | None = None,
) -> tuple[Sidecar, str]:
    """A sidecar with a model of normal sessions (learnt by a first sidecar of the same
    name, so the same miner state), over a new index of :func:`_test_sessions` a day
    later; and that index."""
    common = {"name": name, "state_index": f"state-{name}", "batch_size": 500}
    model_dir = _trained_model(engine, client, tmp_path, common)
    test_index = f"{name}-test"
    make_index(client, test_index)
    load(client, test_index, _docs(START + timedelta(days=1), _test_sessions()), op="index")
    sessions_cfg = SessionsSettings(key_regex=r"(blk_\d+)", idle_timeout_s=30, model_path=model_dir)
    settings = settings_for(engine.url, test_index, sidecar=common, sink=sink).model_copy(
        update={"sessions": sessions_cfg}
    )
    return Sidecar(settings, client=client), test_index


def test_anomalous_sessions_are_flagged_on_their_documents(
    engine: LocalEngine, client: SearchClient, tmp_path: Path
) -> None:
    sidecar, test_index = _sidecar_on_test_sessions(engine, client, tmp_path, unique("sess"))
    sidecar.run(once=True)

    hits = fetch_all(client, test_index)
    flagged = {h["_source"]["message"].split("blk_")[1].split()[0] for h in hits
               if h["_source"]["logtriage"].get("session", {}).get("anomaly")}  # fmt: skip
    assert flagged == {"900", "901", "902"}
    one = next(h for h in hits if "blk_900 " in h["_source"]["message"] + " ")
    session = one["_source"]["logtriage"]["session"]
    assert session["key"] == "blk_900" and session["length"] == 3
    assert session["position"] == 1, "the exception line breaks the learned order"
    assert all(h["_source"]["logtriage"]["label"] for h in hits), "labels stay in place"
    documents = sidecar.metrics.registry.get_sample_value(
        "logtriage_session_anomaly_documents_total"
    )
    assert documents == 9, "3 sessions x 3 documents"


def test_documents_read_again_join_no_session_twice(
    engine: LocalEngine, client: SearchClient, tmp_path: Path
) -> None:
    """``index`` write mode re-reads labelled documents (the overlap sweep of every
    ``run --once``): they were fed to the sessions again, and a pass that found only
    those never counted as caught up, so ``run --once`` ended with every session open
    and unscored (6 of 23 scored, no broken one flagged)."""
    sidecar, _ = _sidecar_on_test_sessions(
        engine, client, tmp_path, unique("sessidx"), sink={"write_mode": "index"}
    )
    stats = sidecar.run(once=True)

    assert stats.passes >= 2, "the overlap sweep ran"
    registry = sidecar.metrics.registry
    assert registry.get_sample_value("logtriage_sessions_scored") == 23
    assert registry.get_sample_value("logtriage_session_anomaly_documents_total") == 9
