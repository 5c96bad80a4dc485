"""Chaos harness: the sidecar's guarantees against a real local engine it starts itself.

    .venv/bin/python bench/chaos.py [--runs 50] [--docs 1000] [--engine elasticsearch|opensearch]
        [--outage-runs 3] [--throttle-runs 3] [--seed 1] [--no-append]

Scenarios (each run uses a fresh index and a fresh sidecar name/state):

- ``kill``: load N documents, start ``logtriage run`` as a subprocess with small
  batches/bulk chunks and 1-3 pages' writes in flight (so bulks are in flight),
  SIGKILL it at a random point (a random progress target plus a random delay,
  sometimes during start-up), restart it, sometimes kill it again, finally let
  ``logtriage run --once`` finish.
- ``outage``: the sidecar polls while the engine is frozen (SIGSTOP of its process
  group) or stopped and started again (same data, same port); it must wait it out
  and finish by itself; then SIGTERM.
- ``throttle``: a second engine with ``thread_pool.write.size=1`` and
  ``thread_pool.write.queue_size=1`` and a sidecar with 8 bulks in flight of 5
  actions each, so the engine answers 429; one SIGKILL mid-run, then ``--once``.
  The engine's write-pool rejection count proves the 429s happened.

After each run every document is checked: ``unlabelled`` (no
``logtriage.processed_at``), ``double`` (``_version`` > 2: written more than once;
documents are loaded with ``_version`` 1), ``altered`` (source fields other than
``logtriage`` differ from what was loaded, or a document is missing/extra) and
``wrong_error`` (a well-formed message that got ``logtriage.error`` instead of a label,
e.g. a transient 429 turned into a permanent error). Every count must be 0;
the exit code is 1 otherwise. A table is printed and a dated section appended to
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _common import append_results
from logtriage.config import SearchSettings
from logtriage.local_engine import LocalEngine
from logtriage.search.client import EngineRequestError, SearchClient

from tests._search_helpers import (
    SidecarProcess,
    count_labelled,
    fetch_all,
    make_data_stream,
    make_docs,
    make_index,
    settings_for,
    write_config,
)


@dataclass
class Tally:
    scenario: str
    runs: int = 0
    docs: int = 0
    unlabelled: int = 0
    double: int = 0
    altered: int = 0
    wrong_error: int = 0
    seconds: float = 0.0
    kills: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def bad(self) -> int:
        return self.unlabelled + self.double + self.altered + self.wrong_error


def load_docs(client: SearchClient, index: str, docs: list[dict[str, Any]]) -> None:
    """``create`` with explicit ids (so a retried 429 is idempotent); retry rejected items."""
    pending = list(docs)
    attempt = 0
    while pending:
        retry = []
        for start in range(0, len(pending), 500):
            part = pending[start : start + 500]
            lines = []
            for d in part:
                lines.append(json.dumps({"create": {"_index": index, "_id": f"d{d['seq']}"}}))
                lines.append(json.dumps(d, ensure_ascii=False))
            try:
                resp = client.bulk(("\n".join(lines) + "\n").encode())
            except EngineRequestError as exc:
                if not exc.retryable:
                    raise
                retry += part
                continue
            for d, item in zip(part, resp["items"], strict=True):
                status = next(iter(item.values()))["status"]
                if status == 429:
                    retry.append(d)
                elif status not in (201, 409):
                    raise RuntimeError(f"load failed: {item}")
        pending = retry
        attempt += 1
        if pending:
            if attempt > 50:
                raise RuntimeError(f"{len(pending)} documents could not be loaded")
            time.sleep(0.2)
    client.refresh(index)


def check(client: SearchClient, index: str, docs: list[dict[str, Any]], t: Tally) -> str:
    hits = fetch_all(client, index)
    by_seq = {d["seq"]: d for d in docs}
    seen: set[int] = set()
    unl = dbl = alt = wrong = 0
    for h in hits:
        src = h["_source"]
        lt = src.get("logtriage")
        if not isinstance(lt, dict) or "processed_at" not in lt:
            unl += 1
        elif "error" in lt and lt.get("error") is not None:
            wrong += 1  # every loaded message is well-formed
        if h["_version"] > 2:
            dbl += 1
        rest = {k: v for k, v in src.items() if k != "logtriage"}
        seq = rest.get("seq")
        if seq not in by_seq or seq in seen or rest != by_seq[seq]:
            alt += 1
        seen.add(seq)
    alt += len(set(by_seq) - seen)  # missing documents
    t.runs += 1
    t.docs += len(docs)
    t.unlabelled += unl
    t.double += dbl
    t.altered += alt
    t.wrong_error += wrong
    return f"unlabelled={unl} double={dbl} altered={alt} wrong_error={wrong}"


def loaded_random_index(
    client: SearchClient, kind: str, i: int, n: int, seed: int, rng: random.Random
) -> str:
    """A new data stream or 1-3 shard index (coin flip) holding ``n`` generated docs."""
    name = f"chaos-{kind}-{i}-{rng.randrange(10**6)}"
    if rng.random() < 0.5:
        make_data_stream(client, name)
    else:
        make_index(client, name, shards=rng.choice([1, 2, 3]))
    load_docs(client, name, make_docs(n, seed=seed))
    return name


def kill_when(
    client: SearchClient, proc: SidecarProcess, index: str, target: int, delay: float
) -> int:
    """SIGKILL once ``target`` documents are visibly labelled (or the sidecar stopped
    making progress for a while), ``delay`` seconds later; return the labelled count."""
    deadline = time.monotonic() + 60
    while target > 0 and time.monotonic() < deadline and proc.proc.poll() is None:
        if count_labelled(client, index) >= target:
            break
        time.sleep(0.05)
    time.sleep(delay)
    if proc.proc.poll() is None:
        proc.signal(signal.SIGKILL)
    proc.wait(timeout=30)
    return count_labelled(client, index)


def finish_once(config: Path, work: Path, timeout: float = 240) -> dict[str, Any]:
    proc = SidecarProcess(config, "--once", log_dir=work)
    rc = proc.wait(timeout=timeout)
    if rc != 0:
        raise RuntimeError(f"--once exited {rc}:\n{proc.stderr[-3000:]}")
    return proc.summary()


def kill_run(
    engine: LocalEngine, client: SearchClient, i: int, n: int, rng: random.Random, work: Path
) -> tuple[str, int]:
    name = loaded_random_index(client, "kill", i, n, 1000 + i, rng)
    settings = settings_for(
        engine.url,
        name,
        sidecar={
            "batch_size": rng.choice([20, 50, 100]),
            "pages_in_flight": rng.choice([1, 2, 3]),
            "lease_ttl_s": 1.5,
        },
        sink={"chunk_size": rng.choice([5, 10, 25]), "concurrency": rng.choice([1, 2, 4])},
    )
    config = write_config(settings, work / f"{name}.yaml")
    kills = 0
    for _ in range(rng.choice([1, 1, 2, 3])):
        proc = SidecarProcess(config, log_dir=work)
        # 1 in 8: kill during start-up (target 0, short delay); else at a progress point.
        target = 0 if rng.random() < 0.125 else rng.randrange(1, n)
        kill_when(client, proc, name, target, rng.uniform(0.0, 0.4))
        kills += 1
    summary = finish_once(config, work)
    if not summary.get("complete"):
        raise RuntimeError(f"--once did not complete: {summary}")
    return name, kills


def outage_run(
    engine: LocalEngine, client: SearchClient, i: int, n: int, rng: random.Random, work: Path
) -> tuple[str, SearchClient, str]:
    """Freeze or restart the engine while the sidecar works; return (index, client, how)."""
    name = loaded_random_index(client, "outage", i, n, 2000 + i, rng)
    settings = settings_for(
        engine.url,
        name,
        search={"request_timeout_s": 3.0},
        sidecar={"batch_size": 50, "max_backoff_s": 3.0, "poll_interval_s": 0.5},
        sink={"chunk_size": 10, "concurrency": 2},
    )
    config = write_config(settings, work / f"{name}.yaml")
    how = "restart" if i % 3 == 2 else "pause"
    proc = SidecarProcess(config, log_dir=work)
    try:
        target = rng.randrange(1, n // 2)
        deadline = time.monotonic() + 60
        while count_labelled(client, name) < target and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 0.3))
        client.close()
        if how == "pause":
            engine.pause()
            time.sleep(rng.uniform(5.0, 12.0))
            alive = proc.proc.poll() is None
            engine.resume()
        else:
            engine.stop(keep_data=True)
            alive = proc.proc.poll() is None
            engine.start()
        if not alive:
            raise RuntimeError(f"sidecar died during the outage:\n{proc.stderr[-3000:]}")
        client = SearchClient.connect(SearchSettings(hosts=[engine.url]))
        deadline = time.monotonic() + 180
        while count_labelled(client, name) < n and time.monotonic() < deadline:
            if proc.proc.poll() is not None:
                raise RuntimeError(f"sidecar exited:\n{proc.stderr[-3000:]}")
            time.sleep(0.5)
    finally:
        proc.signal(signal.SIGTERM)
    rc = proc.wait(timeout=60)
    if rc != 0:
        raise RuntimeError(f"sidecar exited {rc} after SIGTERM:\n{proc.stderr[-3000:]}")
    return name, client, how


def write_rejections(client: SearchClient) -> int:
    resp = client.request("GET", "/_nodes/stats/thread_pool")
    total = 0
    for node in resp["nodes"].values():
        for pool, st in node["thread_pool"].items():
            if pool.startswith("write"):
                total += int(st.get("rejected", 0))
    return total


def throttle_run(
    engine: LocalEngine, client: SearchClient, i: int, n: int, rng: random.Random, work: Path
) -> tuple[str, int]:
    name = f"chaos-429-{i}-{rng.randrange(10**6)}"
    make_index(client, name, shards=2)
    docs = make_docs(n, seed=3000 + i)
    load_docs(client, name, docs)
    before = write_rejections(client)
    settings = settings_for(
        engine.url,
        name,
        sidecar={"batch_size": 200, "lease_ttl_s": 1.5, "max_backoff_s": 2.0},
        sink={"chunk_size": 5, "concurrency": 8, "max_retries": 2, "max_backoff_s": 0.2},
    )
    config = write_config(settings, work / f"{name}.yaml")
    proc = SidecarProcess(config, log_dir=work)
    kill_when(client, proc, name, rng.randrange(1, n // 2), rng.uniform(0.0, 0.3))
    summary = finish_once(config, work, timeout=300)
    if not summary.get("complete"):
        raise RuntimeError(f"--once did not complete: {summary}")
    return name, write_rejections(client) - before


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--engine", default="elasticsearch", choices=["elasticsearch", "opensearch"])
    ap.add_argument("--runs", type=int, default=50, help="kill -9 runs")
    ap.add_argument("--docs", type=int, default=1000, help="documents per run")
    ap.add_argument("--outage-runs", type=int, default=3)
    ap.add_argument("--throttle-runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-append", action="store_true")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="logtriage-chaos-"))
    tallies: list[Tally] = []
    failures: list[str] = []

    engine = LocalEngine(args.engine, heap_mb=512, startup_timeout_s=300).start()
    print(f"{args.engine} {engine.version} on {engine.url}; logs in {work}", flush=True)
    try:
        client = SearchClient.connect(SearchSettings(hosts=[engine.url]))
        t = Tally("kill -9")
        tallies.append(t)
        started = time.perf_counter()
        for i in range(args.runs):
            try:
                name, kills = kill_run(engine, client, i, args.docs, rng, work)
                t.kills += kills
                line = check(client, name, make_docs(args.docs, seed=1000 + i), t)
            except Exception as exc:  # a run that breaks is a failure, reported, not hidden
                failures.append(f"kill run {i}: {exc}")
                line = f"FAILED: {str(exc)[:300]}"
            print(f"kill run {i + 1}/{args.runs}: {line}", flush=True)
        t.seconds = time.perf_counter() - started
        t.notes.append(f"{t.kills} SIGKILLs")

        t = Tally("engine outage")
        tallies.append(t)
        started = time.perf_counter()
        hows: list[str] = []
        for i in range(args.outage_runs):
            try:
                name, client, how = outage_run(engine, client, i, args.docs, rng, work)
                hows.append(how)
                line = check(client, name, make_docs(args.docs, seed=2000 + i), t)
            except Exception as exc:
                failures.append(f"outage run {i}: {exc}")
                line = f"FAILED: {str(exc)[:300]}"
                if not engine.is_running():
                    engine.start()
                client = SearchClient.connect(SearchSettings(hosts=[engine.url]))
            print(f"outage run {i + 1}/{args.outage_runs}: {line}", flush=True)
        t.seconds = time.perf_counter() - started
        t.notes.append(
            f"{hows.count('pause')} SIGSTOP pauses 5-12 s, {hows.count('restart')} stop/start"
        )
        client.close()
    finally:
        engine.stop()

    if args.throttle_runs:
        t = Tally("429 (write pool 1/1)")
        tallies.append(t)
        started = time.perf_counter()
        small = LocalEngine(
            args.engine,
            heap_mb=512,
            startup_timeout_s=300,
            extra_settings=("thread_pool.write.size=1", "thread_pool.write.queue_size=1"),
        ).start()
        try:
            client = SearchClient.connect(SearchSettings(hosts=[small.url]))
            rejected = 0
            for i in range(args.throttle_runs):
                try:
                    name, rej = throttle_run(small, client, i, args.docs, rng, work)
                    rejected += rej
                    line = check(client, name, make_docs(args.docs, seed=3000 + i), t)
                    line += f" write_rejections={rej}"
                except Exception as exc:
                    failures.append(f"429 run {i}: {exc}")
                    line = f"FAILED: {str(exc)[:300]}"
                print(f"429 run {i + 1}/{args.throttle_runs}: {line}", flush=True)
            if rejected == 0:
                failures.append("429 scenario: the engine rejected nothing (no 429 shown)")
            t.notes.append(f"{rejected} write rejections (429) by the engine")
            client.close()
        finally:
            small.stop()
        t.seconds = time.perf_counter() - started

    header = (
        "| scenario | runs | docs | unlabelled | double-applied | altered | wrong error "
        "| seconds | notes |"
    )
    rows = [header, "|---|--:|--:|--:|--:|--:|--:|--:|---|"]
    for t in tallies:
        rows.append(
            f"| {t.scenario} | {t.runs} | {t.docs} | {t.unlabelled} | {t.double} | {t.altered} "
            f"| {t.wrong_error} | {t.seconds:.0f} | {'; '.join(t.notes)} |"
        )
    table = "\n".join(rows)
    verdict = "all counts 0" if not failures and all(t.bad == 0 for t in tallies) else "FAILED"
    body = (
        f"Engine: {args.engine} {ENGINE_VERSION.get(args.engine, '')}, {args.docs} documents per "
        f"run, seed {args.seed}. Result: **{verdict}**.\n\n{table}\n"
    )
    if failures:
        body += "\nRun failures:\n" + "\n".join(f"- {f[:500]}" for f in failures) + "\n"
    print(table)
    for f in failures:
        print("FAILURE:", f[:2000], file=sys.stderr)
    if not args.no_append:
        append_results("Chaos: kill -9, engine outage, 429 (bench/chaos.py)", body)
    return 0 if verdict != "FAILED" else 1


ENGINE_VERSION = {"elasticsearch": "8.15.3", "opensearch": "2.18.0"}

if __name__ == "__main__":
    sys.exit(main())
