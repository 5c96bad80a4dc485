"""Where the engine's CPU goes in the sidecar's work, next to the throughput peer's.

    .venv/bin/python bench/engine_costs.py [--docs 200000] [--rounds 3]
        [--engine elasticsearch] [--no-append]

On one local engine, each round uses fresh indices (1 shard, ``refresh_interval`` 30s,
the same settings as ``bench/sidecar_throughput.py --refresh-interval 30s``) and the
same LogHub-like documents, and measures engine CPU per 1k documents for:

1. append: ``_bulk`` ``index`` with generated ids (the throughput peer);
2. append labelled: the same documents carrying the sidecar's ``logtriage.*`` fields;
3. read: the sidecar's read of index 1 (point in time, pages of 10,000, ``_source``,
   ``seq_no_primary_term``);
4. overwrite: the sidecar's guarded writes of those pages onto index 1 (``index`` of the
   source as read plus ``logtriage.*``, ``if_seq_no``/``if_primary_term``), one bulk
   request per page. Labels and request bodies are made before the clock starts.

Round 1 runs on a freshly started JVM, whose JIT has not compiled these paths yet;
later rounds show the warm costs. The sidecar's own rate is bounded by
(read + overwrite) engine CPU plus its Python CPU, the peer's by step 1.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import datetime, timezone
from typing import Any

from _common import append_results
from logtriage.config import SearchSettings, Settings
from logtriage.local_engine import LocalEngine
from logtriage.model import Classifier
from logtriage.pipeline import Pipeline
from logtriage.search.client import SearchClient
from logtriage.search.templates import LOGTRIAGE_PROPERTIES
from logtriage.sidecar.documents import label_fields, rewrite_hit
from logtriage.sources.search import Hit, iter_pages
from sidecar_throughput import bulk_all, cpu_now, loghub_lines, make_payloads

STEPS = ("append", "append labelled", "read", "overwrite")
_MAPPINGS = {"@timestamp": {"type": "date"}, "message": {"type": "text"}}


def fresh_index(client: SearchClient, name: str, properties: dict[str, Any]) -> str:
    client.request(
        "PUT",
        f"/{name}",
        body={
            "settings": {"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "30s"},
            "mappings": {"properties": {**_MAPPINGS, **properties}},
        },
    )
    return name


def labelled_writes(pipeline: Pipeline, pages: list[list[Hit]], now: str) -> list[bytes]:
    """One bulk body per page: the sidecar's guarded re-index of each hit."""
    bodies = []
    for page in pages:
        messages = [h.message or h.source["message"] for h in page]
        rows = label_fields(pipeline.process_batch(messages), now)
        parts = []
        for hit, (fields, encoded) in zip(page, rows, strict=True):
            action = rewrite_hit(hit, fields, encoded)
            if action is None:
                raise SystemExit(f"document {hit.id} cannot be re-indexed exactly")
            parts.append(action.encode())
        bodies.append(b"".join(parts))
    return bodies


def append_bodies(bodies: list[bytes]) -> list[bytes]:
    """The overwrite bodies turned into appends with generated ids (step 2)."""
    out = []
    for body in bodies:
        lines = body.split(b"\n")
        out.append(b"".join(b'{"index":{}}\n' + src + b"\n" for src in lines[1::2]))
    return out


def send(client: SearchClient, index: str | None, bodies: list[bytes]) -> None:
    for body in bodies:
        path = f"/{index}/_bulk" if index else "/_bulk"
        resp = client.request(
            "POST", path, body=body, ndjson=True, params={"filter_path": "errors"}
        )
        if resp.get("errors"):
            raise SystemExit(f"bulk into {index or 'the read index'} had errors")


def one_round(
    client: SearchClient, pid: int | None, pipeline: Pipeline, lines: list[str], n: int, tag: str
) -> dict[str, float]:
    """Engine CPU (ms per 1k docs) of each step, on fresh indices."""
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    cost: dict[str, float] = {}

    def measure(step: str, work: Any) -> Any:
        c0 = cpu_now(pid)
        out = work()
        cost[step] = (cpu_now(pid)[1] - c0[1]) / n * 1e6
        return out

    plain = fresh_index(client, f"costs-plain-{tag}", {})
    measure("append", lambda: bulk_all(client, plain, make_payloads(lines, n, 1, "index", start)))
    query = {"match_all": {}}
    pages: list[list[Hit]] = measure(
        "read",
        lambda: list(
            iter_pages(
                client,
                index=plain,
                query=query,
                timestamp_field="@timestamp",
                page_size=10_000,
                message_field="message",
            )
        ),
    )
    bodies = labelled_writes(pipeline, pages, "2026-12-06T00:00:00.000Z")
    labelled = fresh_index(client, f"costs-labelled-{tag}", LOGTRIAGE_PROPERTIES)
    appends = append_bodies(bodies)
    measure("append labelled", lambda: (send(client, labelled, appends), client.refresh(labelled)))
    client.request("PUT", f"/{plain}/_mapping", body={"properties": LOGTRIAGE_PROPERTIES})
    measure("overwrite", lambda: (send(client, None, bodies), client.refresh(plain)))
    for index in (plain, labelled):
        client.request("DELETE", f"/{index}")
    return cost


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=200_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--engine", default="elasticsearch", choices=["elasticsearch", "opensearch"])
    ap.add_argument("--heap-mb", type=int, default=1024)
    ap.add_argument("--no-append", action="store_true")
    args = ap.parse_args()
    lines = loghub_lines()
    settings = Settings()
    pipeline = Pipeline(settings, labeler=Classifier.from_settings(settings.model))
    pipeline.process_batch(random.Random(2).sample(lines, min(len(lines), 20_000)))
    local = LocalEngine(args.engine, heap_mb=args.heap_mb, startup_timeout_s=300).start()
    try:
        client = SearchClient.connect(SearchSettings(hosts=[local.url], request_timeout_s=120))
        engine = f"{client.engine} {client.info.version}"
        rounds = []
        for r in range(args.rounds):
            cost = one_round(client, local.pid, pipeline, lines, args.docs, f"{r}-{time.time_ns()}")
            rounds.append(cost)
            costs = ", ".join(f"{k} {v:.0f}" for k, v in cost.items())
            print(f"round {r + 1} (engine ms per 1k docs): {costs}", flush=True)
    finally:
        local.stop()
    if args.no_append:
        return
    rows = [
        f"| {step} | "
        + " / ".join(f"{c[step]:.0f}" for c in rounds)
        + f" | {statistics.median(c[step] for c in rounds[1:] or rounds):.0f} |"
        for step in STEPS
    ]
    body = (
        f"- engine: {engine} (local test distribution, heap {args.heap_mb} MB, 1 shard, "
        f"refresh_interval 30s); {args.docs} LogHub-2k `Content` documents; model "
        f"{pipeline.labeler.model_version}\n\n"
        "Engine CPU, ms per 1k documents (round 1 on a fresh JVM):\n\n"
        "| step | per round | median of rounds 2+ |\n| --- | --- | ---: |\n" + "\n".join(rows)
    )
    append_results("engine costs of the sidecar's work (bench/engine_costs.py)", body)


if __name__ == "__main__":
    main()
