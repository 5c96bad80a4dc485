"""Sidecar throughput vs a plain ``_bulk`` index of the same documents, same run.

    .venv/bin/python bench/sidecar_throughput.py [--docs 200000] [--engine elasticsearch]
        [--url http://host:9200] [--partial-updates] [--write-mode update|index]
        [--refresh-interval T] [--warm-engine N] [--warm-rounds 1] [--rounds 3]
        [--no-model] [--no-append]

1. Builds N LogHub-like documents from ../shared/data/loghub-2k (``Content`` of
   all systems, sampled with replacement, read in place).
2. Peer: ``_bulk`` ``index`` of those documents into a fresh index (docs/s).
3. Loads the same documents into a data stream, warms the template cache on a
   sample, then runs the sidecar (``--once``) until all are labelled and written
   back (docs/s) — the claim is >= 20,000 docs/s and >= 0.5x the peer.
   Steps 2 and 3 repeat ``--rounds`` times (default 3) on fresh indices, so each
   sidecar run has its own peer run just before it; the figures reported are the
   medians of the rounds (rates, and the rounds' ratios). On a machine whose speed
   drifts (2026-12-06, AMD EPYC: the same sidecar run took 9.8 to 14.2 s within 20
   minutes), a ratio of two runs minutes apart says little. Before each measured run
   the bench waits until the local engine is idle (merges and flushes of the step
   before done; up to 60 s).
4. Lag after a burst: with the sidecar polling, bulk-loads a burst and measures
   the time from the end of the burst until the last document is labelled.

``--warm-engine N`` (default 100,000) first bulk-loads N other documents and labels
them with a sidecar, so the engine's JIT has compiled both the append and the
guarded-overwrite paths before either is measured, as in an engine that has been
serving for a while. ``--warm-engine 0`` measures both on a freshly started engine:
there the peer runs first, on a colder JVM than the sidecar after it, which flatters
the ratio and lowers the sidecar's own rate (2026-12-06: 0.57x but 19.9-20.7k docs/s,
against 0.51x and 29.3k warmed).

``--warm-rounds K`` (default 1) runs K peer/sidecar rounds exactly like the measured
ones first; they are shown in the table and left out of the medians. The 100k-document
warm-up is not enough for the JIT: on 2026-12-07 (AMD EPYC) the engine spent 116, 70
and 51 ms of CPU per 1k documents on the sidecar's work in rounds 1, 2 and 3, and the
peer 71, 34 and 25 ms.

``--batch-size`` (documents per page read), ``--chunk-size`` (documents per bulk
request) and ``--pages-in-flight`` default to the product's settings: 10,000, 10,000
and 2, i.e. one bulk request per page and two pages' writes in flight while the next
page is read and labelled. Before 2026-12-07 a page was written as two requests of
5,000 (``sink.concurrency`` 2) with one page in flight: a single bulk request on one
shard runs on one engine thread, so a page needed two to use both cores, and the
sidecar then waited for the slower of them before sending the next page. With two
pages in flight the engine has two requests at all times, and one request per page
costs it about 6% less CPU per document than two (bench/RESULTS.md, 2026-12-07).

``--refresh-interval T`` sets ``index.refresh_interval`` on both the peer index and
the data stream. The engine skips periodic refreshes of an index nobody searches
(the peer); the polling sidecar searches constantly, so at the default 1s every
second makes a small segment to merge: the engine CPU per document about 1.6x that
at 30s.

Where the time goes: CPU seconds of this Python process and of the engine (its
process tree, local engine only) are reported for the peer and for the sidecar.

Appends date, machine, command and figures to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from _common import machine
from logtriage.config import SearchSettings, Settings, SidecarSettings, SinkSettings
from logtriage.local_engine import LocalEngine
from logtriage.model import Classifier
from logtriage.pipeline import Pipeline
from logtriage.search.client import SearchClient
from logtriage.search.templates import install_data_stream_template
from logtriage.sidecar import Sidecar

ROOT = Path(__file__).resolve().parent.parent
_CANDIDATES = [ROOT.parent / "shared" / "data", ROOT.parent.parent / "shared" / "data"]
DATA = (
    Path(os.environ["LOGTRIAGE_DATA"])
    if "LOGTRIAGE_DATA" in os.environ
    else next((p for p in _CANDIDATES if p.is_dir()), _CANDIDATES[0])
) / "loghub-2k"


def loghub_lines() -> list[str]:
    lines: list[str] = []
    for path in sorted(DATA.glob("*/*_2k.log_structured.csv")):
        with path.open(newline="", encoding="utf-8", errors="replace") as f:
            lines += [row["Content"] for row in csv.DictReader(f) if row.get("Content")]
    if not lines:
        sys.exit(f"no LogHub-2k data under {DATA}")
    return lines


def make_payloads(lines: list[str], n: int, seed: int, op: str, start: datetime) -> list[bytes]:
    rng = random.Random(seed)
    out, buf = [], []
    for i in range(n):
        ts = start + timedelta(milliseconds=i)
        doc = {
            "@timestamp": ts.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "message": rng.choice(lines),
            "host": {"name": f"node-{i % 8}"},
        }
        buf.append(f'{{"{op}":{{}}}}')
        buf.append(json.dumps(doc, ensure_ascii=False))
        if len(buf) >= 10_000:
            out.append(("\n".join(buf) + "\n").encode())
            buf = []
    if buf:
        out.append(("\n".join(buf) + "\n").encode())
    return out


def bulk_all(client: SearchClient, target: str, payloads: list[bytes]) -> float:
    t0 = time.perf_counter()
    for p in payloads:
        resp = client.request(
            "POST", f"/{target}/_bulk", body=p, ndjson=True, params={"filter_path": "errors"}
        )
        if resp.get("errors"):
            sys.exit(f"bulk into {target} failed")
    client.refresh(target)
    return time.perf_counter() - t0


def tree_cpu_s(pid: int | None) -> float:
    """User + system CPU seconds of ``pid`` and its live descendants (0 without a pid)."""
    if pid is None:
        return 0.0
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(stat[1]), []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            stat = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(stat[11]) + int(stat[12])
    return total / os.sysconf("SC_CLK_TCK")


def cpu_now(engine_pid: int | None) -> tuple[float, float]:
    return time.process_time(), tree_cpu_s(engine_pid)


def wait_engine_idle(engine_pid: int | None, timeout_s: float = 60.0) -> float:
    """Wait until the engine uses under 10% of a core over half a second (merges and
    flushes of the previous step done), so a measured run does not pay for them;
    returns the seconds waited (0 without a pid: an engine not started here)."""
    if engine_pid is None:
        return 0.0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout_s:
        before = tree_cpu_s(engine_pid)
        time.sleep(0.5)
        if tree_cpu_s(engine_pid) - before < 0.05:
            break
    return time.perf_counter() - t0


def cpu_text(before: tuple[float, float], after: tuple[float, float], docs: int) -> str:
    py, eng = after[0] - before[0], after[1] - before[1]
    k = docs / 1000
    return f"CPU: python {py:.1f}s ({py / k * 1000:.0f} ms/1k docs), engine {eng:.1f}s \
({eng / k * 1000:.0f} ms/1k docs)"


def count_unlabelled(client: SearchClient, index: str, sink: SinkSettings) -> int:
    """Source documents without labels: no ``logtriage.processed_at`` (``update``), or
    more source documents than label documents (``index``: one per source, ``create``)."""
    if sink.write_mode == "index":
        client.refresh(sink.labels_index)
        total = client.request("POST", f"/{index}/_count")["count"]
        labels = client.request("POST", f"/{sink.labels_index}/_count")["count"]
        return int(total) - int(labels)
    q = {"bool": {"must_not": [{"exists": {"field": "logtriage.processed_at"}}]}}
    return int(client.request("POST", f"/{index}/_count", body={"query": q})["count"])


def sidecar_settings(
    args: argparse.Namespace, url: str, index: str, name: str, **sidecar: float
) -> Settings:
    """Sidecar settings for ``index``; state and labels indices named after ``name``."""
    return Settings(
        search=SearchSettings(hosts=[url], index=index, request_timeout_s=120),
        sink=SinkSettings(
            chunk_size=args.chunk_size,
            rewrite_source=not args.partial_updates,
            write_mode=args.write_mode,
            labels_index=f"bench-labels-{name}",
        ),
        sidecar=SidecarSettings(
            name=f"bench-{name}",
            state_index=f"bench-state-{name}",
            batch_size=args.batch_size,
            pages_in_flight=args.pages_in_flight,
            metrics_enabled=False,
            **sidecar,
        ),
    )


_DOC_MAPPINGS = {"properties": {"@timestamp": {"type": "date"}, "message": {"type": "text"}}}


@dataclass
class Workload:
    """What every round runs on: the same documents as ``_bulk`` bodies (``index`` for
    the peer, ``create`` for the data stream) and the index settings of both."""

    peer_bodies: list[bytes]
    stream_bodies: list[bytes]
    index_settings: dict[str, object]


@dataclass
class Round:
    """One peer run and one sidecar run on the same documents, back to back, and what
    the sidecar ran on (the burst-lag step reuses the last round's)."""

    peer_rate: float
    peer_s: float
    peer_cpu: str
    side_rate: float
    side_s: float
    side_cpu: str
    left: int
    stream: str
    settings: Settings
    pipeline: Pipeline
    warmup: bool = False

    @property
    def ratio(self) -> float:
        return self.side_rate / self.peer_rate


def run_peer(
    client: SearchClient,
    name: str,
    payloads: list[bytes],
    docs: int,
    settings: dict[str, object],
    engine_pid: int | None,
) -> tuple[float, float, str]:
    """``_bulk`` ``index`` of the documents into a fresh index: (docs/s, seconds, CPU)."""
    client.request("PUT", f"/{name}", body={"settings": settings, "mappings": _DOC_MAPPINGS})
    c0 = cpu_now(engine_pid)
    secs = bulk_all(client, name, payloads)
    cpu = cpu_text(c0, cpu_now(engine_pid), docs)
    client.request("DELETE", f"/{name}")
    return docs / secs, secs, cpu


def sidecar_pipeline(settings: Settings, lines: list[str], no_model: bool) -> Pipeline:
    """As `logtriage run` labels: the shipped model (unless ``no_model``), its template
    cache warmed on a fixed sample of 20k lines."""
    labeler = None if no_model else Classifier.from_settings(settings.model)
    pipeline = Pipeline(settings, labeler=labeler)
    pipeline.process_batch(random.Random(2).sample(lines, min(len(lines), 20_000)))
    return pipeline


def make_data_stream(client: SearchClient, ds: str, name: str, settings: dict[str, object]) -> None:
    """A data stream composing the logtriage mappings, with the peer's index settings."""
    install_data_stream_template(client, name, f"{ds}*", settings=settings)


def run_round(
    args: argparse.Namespace,
    client: SearchClient,
    url: str,
    engine_pid: int | None,
    lines: list[str],
    work: Workload,
    name: str,
) -> Round:
    """The peer on a fresh index, then the sidecar on the same documents in a fresh data
    stream, each started on an idle engine."""
    wait_engine_idle(engine_pid)
    peer_rate, peer_s, peer_cpu = run_peer(
        client, f"bench-bulk-{name}", work.peer_bodies, args.docs, work.index_settings, engine_pid
    )
    ds = f"logs-bench.sidecar-{name}"
    make_data_stream(client, ds, f"bench-{name}", work.index_settings)
    bulk_all(client, ds, work.stream_bodies)
    settings = sidecar_settings(args, url, ds, name, poll_interval_s=0.5, checkpoint_interval_s=2.0)
    pipeline = sidecar_pipeline(settings, lines, args.no_model)
    sidecar = Sidecar(settings, client=client)
    sidecar.pipeline = pipeline
    wait_engine_idle(engine_pid)
    c0 = cpu_now(engine_pid)
    summary = sidecar.run(once=True)
    done = summary.labelled + summary.errored
    side_cpu = cpu_text(c0, cpu_now(engine_pid), done)
    left = count_unlabelled(client, ds, settings.sink)
    return Round(
        peer_rate,
        peer_s,
        peer_cpu,
        done / summary.seconds,
        summary.seconds,
        side_cpu,
        left,
        ds,
        settings,
        pipeline,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=200_000)
    ap.add_argument("--burst", type=int, default=20_000)
    ap.add_argument("--engine", default="elasticsearch", choices=["elasticsearch", "opensearch"])
    ap.add_argument("--url", default=None, help="existing engine instead of a local one")
    ap.add_argument("--batch-size", type=int, default=10_000)
    ap.add_argument("--chunk-size", type=int, default=SinkSettings().chunk_size)
    ap.add_argument(
        "--pages-in-flight",
        type=int,
        default=SidecarSettings().pages_in_flight,
        help="sidecar.pages_in_flight: pages being written while the next is read and labelled",
    )
    ap.add_argument("--heap-mb", type=int, default=1024)
    ap.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="peer/sidecar pairs, run alternately; the figures are their medians",
    )
    ap.add_argument(
        "--partial-updates",
        action="store_true",
        help="sink.rewrite_source off: label with partial updates only",
    )
    ap.add_argument(
        "--write-mode",
        default="update",
        choices=["update", "index"],
        help="sink.write_mode: labels onto the source documents, or into a labels index",
    )
    ap.add_argument("--warm-engine", type=int, default=100_000, metavar="N")
    ap.add_argument(
        "--warm-rounds",
        type=int,
        default=1,
        metavar="K",
        help="peer/sidecar pairs run before the measured rounds and left out of the medians",
    )
    ap.add_argument("--no-model", action="store_true", help="templates and rules only")
    ap.add_argument(
        "--refresh-interval",
        default=None,
        metavar="T",
        help="index.refresh_interval of the peer index and the data stream (engine default: "
        "1s, skipped while an index is search-idle, which the polling sidecar never lets it be)",
    )
    ap.add_argument("--no-append", action="store_true")
    args = ap.parse_args()
    if args.rounds < 1 or args.warm_rounds < 0:
        ap.error("--rounds must be at least 1 and --warm-rounds at least 0")
    host_info = machine()
    lines = loghub_lines()

    local = None
    if args.url:
        url = args.url
    else:
        local = LocalEngine(args.engine, heap_mb=args.heap_mb, startup_timeout_s=300).start()
        url = local.url
    engine_pid = local.pid if local is not None else None
    rounds: list[Round] = []
    try:
        client = SearchClient.connect(SearchSettings(hosts=[url], request_timeout_s=120))
        engine = f"{client.engine} {client.info.version}"
        start = datetime(2026, 1, 1, tzinfo=timezone.utc)
        tag = f"{int(time.time())}"

        if args.warm_engine:
            warm_ds = f"logs-bench.warm-{tag}"
            install_data_stream_template(client, f"bench-warm-{tag}", f"{warm_ds}*")
            payloads = make_payloads(lines, args.warm_engine, 7, "create", start)
            bulk_all(client, warm_ds, payloads)
            warm_settings = sidecar_settings(args, url, warm_ds, f"warm-{tag}")
            Sidecar(warm_settings, client=client).run(once=True)
            print(f"engine warmed on {args.warm_engine} docs", flush=True)

        # The same index settings for the peer and the sidecar's data stream.
        index_settings: dict[str, object] = {"number_of_shards": 1, "number_of_replicas": 0}
        if args.refresh_interval:
            index_settings["refresh_interval"] = args.refresh_interval
        work = Workload(
            make_payloads(lines, args.docs, 1, "index", start),
            make_payloads(lines, args.docs, 1, "create", start),
            index_settings,
        )

        total = args.warm_rounds + args.rounds
        for r in range(total):
            x = run_round(args, client, url, engine_pid, lines, work, f"{tag}-{r}")
            x.warmup = r < args.warm_rounds
            rounds.append(x)
            what = "warm-up, not counted" if x.warmup else "measured"
            print(
                f"[{r + 1}/{total}, {what}] peer _bulk index: {x.peer_rate:,.0f} docs/s "
                f"({x.peer_s:.1f}s; {x.peer_cpu}); sidecar: {x.side_rate:,.0f} docs/s "
                f"({x.side_s:.1f}s; {x.side_cpu}), {x.ratio:.2f}x peer, unlabelled left "
                f"{x.left}",
                flush=True,
            )

        # 3. Lag after a burst, with the sidecar polling (on the last round's stream).
        last = rounds[-1]
        ds, settings, pipeline = last.stream, last.settings, last.pipeline
        live = Sidecar(settings, client=SearchClient.connect(settings.search))
        live.pipeline = pipeline
        th = threading.Thread(target=live.run, daemon=True)
        th.start()
        time.sleep(2)
        burst_start = start + timedelta(milliseconds=args.docs + 1000)
        burst_s = bulk_all(client, ds, make_payloads(lines, args.burst, 3, "create", burst_start))
        t_burst = time.perf_counter()
        while (
            count_unlabelled(client, ds, settings.sink) > 0 and time.perf_counter() - t_burst < 300
        ):
            time.sleep(0.1)
        lag_s = time.perf_counter() - t_burst
        live.request_stop()
        th.join(timeout=60)
        print(
            f"burst of {args.burst} docs (loaded in {burst_s:.1f}s): all labelled "
            f"{lag_s:.1f}s after the burst ended",
            flush=True,
        )
    finally:
        if local is not None:
            local.stop()

    measured = [x for x in rounds if not x.warmup]
    peer_rate = statistics.median(x.peer_rate for x in measured)
    side_rate = statistics.median(x.side_rate for x in measured)
    ratio = statistics.median(x.ratio for x in measured)
    left = sum(x.left for x in rounds)
    print(
        f"medians of {len(measured)} measured rounds: peer {peer_rate:,.0f} docs/s, sidecar "
        f"{side_rate:,.0f} docs/s, ratio {ratio:.2f}x",
        flush=True,
    )
    if args.no_append:
        return
    cmd = "python bench/sidecar_throughput.py " + " ".join(sys.argv[1:])
    write_desc = (
        f"guarded writes onto the source documents, rewrite_source {not args.partial_updates}"
        if args.write_mode == "update"
        else "write_mode index: one label document per source document, op_type create"
    )
    per_round = "\n".join(
        f"| {i + 1}{' (warm-up)' if x.warmup else ''} | {x.peer_rate:,.0f} ({x.peer_s:.1f}s) "
        f"| {x.side_rate:,.0f} ({x.side_s:.1f}s) "
        f"| {x.ratio:.2f}x | {x.peer_cpu.removeprefix('CPU: ')} "
        f"| {x.side_cpu.removeprefix('CPU: ')} |"
        for i, x in enumerate(rounds)
    )
    text = f"""
## sidecar_throughput — {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC

- machine: {host_info}
- engine: {engine} (local test distribution, heap {args.heap_mb} MB, 1 shard, 0 replicas, \
refresh_interval {args.refresh_interval or "default"}; warmed on {args.warm_engine} docs first)
- command: `{cmd}`
- documents: {args.docs} LogHub-2k `Content` lines sampled with replacement; the sidecar \
labels them in a data stream ({write_desc}), its template cache warmed on 20k lines; \
model: {"none (templates + rules)" if args.no_model else pipeline.labeler.model_version}
- sidecar.batch_size {args.batch_size}, sidecar.pages_in_flight {args.pages_in_flight}, \
sink.chunk_size {args.chunk_size}, sink.concurrency {settings.sink.concurrency}; \
{args.warm_rounds} warm-up + {args.rounds} measured rounds, each the peer then the sidecar \
on fresh indices; medians over the measured rounds

| round | peer `_bulk` docs/s | sidecar docs/s | ratio | peer CPU | sidecar CPU |
| ---: | ---: | ---: | ---: | --- | --- |
{per_round}

| measure (median of rounds) | value |
| --- | --- |
| peer: plain `_bulk` index of the same docs | {peer_rate:,.0f} docs/s |
| sidecar: labelled + written back | {side_rate:,.0f} docs/s |
| ratio sidecar / peer (median of the rounds' ratios) | {ratio:.2f}x \
(target >= 0.5x: {"yes" if ratio >= 0.5 else "no"}) |
| >= 20,000 docs/s target | {"yes" if side_rate >= 20_000 else "no"} |
| unlabelled after the runs | {left} |
| lag after a burst of {args.burst} docs | {lag_s:.1f}s from end of burst to last doc labelled |
"""
    with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as f:
        f.write(text)
    print("appended to bench/RESULTS.md")


if __name__ == "__main__":
    main()
