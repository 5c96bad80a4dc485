"""``logtriage demo``: the main job end to end on one machine.

Starts a local Elasticsearch (or OpenSearch) unless ``LOGTRIAGE_ES_URL`` or
``--config`` points at a cluster, loads realistic logs into a data stream, runs
the sidecar until every document is labelled, and prints a summary (labels,
anomalies, top templates, throughput) and where to look next.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated, Any

import typer

from logtriage.config import SearchSettings, Settings, SidecarSettings, load_settings
from logtriage.errors import LogtriageError

__all__ = ["app", "demo_command", "sample_lines"]

DATA_STREAM = "logs-logtriage.demo-default"


# -- sample logs -----------------------------------------------------------------------
# A private stand-in until ``logtriage.samples.generate(n, seed)`` lands; only
# :func:`sample_lines` knows about either.

_PRIVATE_TEMPLATES = [
    ("sshd[{pid}]: Accepted publickey for {user} from {ip} port {port} ssh2", 8),
    ("sshd[{pid}]: Failed password for invalid user {user} from {ip} port {port} ssh2", 2),
    ("sshd[{pid}]: Connection closed by {ip} port {port} [preauth]", 4),
    ('nginx: {ip} - - "GET /api/v1/orders/{num} HTTP/1.1" {status} {size}', 20),
    ('nginx: {ip} - - "POST /api/v1/login HTTP/1.1" {status} {size}', 6),
    ("dfs.DataNode$PacketResponder: Received block blk_{num} of size {size} from /{ip}", 10),
    (
        "dfs.DataNode$DataXceiver: writeBlock blk_{num} received exception java.io.IOException: "
        "Connection reset by peer",
        1,
    ),
    ("kernel: Out of memory: Kill process {pid} ({proc}) score {pct} or sacrifice child", 1),
    ("kernel: EXT4-fs error (device sda{core}): ext4_find_entry: reading directory lblock 0", 1),
    ("systemd[1]: Started Session {num} of user {user}.", 6),
    ("CRON[{pid}]: (root) CMD (run-parts /etc/cron.hourly)", 4),
    ("app[{pid}]: user {user} updated profile settings", 5),
    ("app[{pid}]: ERROR payment gateway timeout after {num} ms (order {num})", 1),
    ("monitor: CPU usage {pct}% on core {core}, memory {pct}%", 6),
    ('postgres[{pid}]: FATAL: password authentication failed for user "{user}"', 1),
]


def _private_samples(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    templates = [t for t, _ in _PRIVATE_TEMPLATES]
    weights = [w for _, w in _PRIVATE_TEMPLATES]
    out = []
    for t in rng.choices(templates, weights=weights, k=n):
        out.append(
            t.format(
                pid=rng.randrange(100, 65000),
                user=rng.choice(["alice", "bob", "root", "deploy", "svc-api", "admin"]),
                ip=f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
                port=rng.randrange(1024, 65535),
                num=rng.randrange(10**7),
                status=rng.choice([200, 200, 200, 201, 301, 404, 500, 503]),
                size=rng.randrange(100, 10**6),
                proc=rng.choice(["java", "postgres", "nginx", "python3"]),
                pct=rng.randrange(100),
                core=rng.randrange(8),
            )
        )
    return out


def sample_lines(n: int, seed: int = 0) -> list[str]:
    """``n`` realistic log lines: ``logtriage.samples.generate`` when available."""
    try:
        from logtriage.samples import generate  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return _private_samples(n, seed)
    lines: list[str] = []
    for item in generate(n, seed):
        if isinstance(item, str):
            lines.append(item)
        elif isinstance(item, dict):
            lines.append(str(item.get("message") or item.get("line") or item.get("text")))
        elif isinstance(item, tuple | list):
            lines.append(str(item[0]))
        else:
            lines.append(str(getattr(item, "line", None) or getattr(item, "message", item)))
    return lines


# -- the command --------------------------------------------------------------------------


def _err(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _load(client: Any, lines: list[str], seed: int) -> float:
    """Bulk-create the lines into the demo data stream; return seconds taken."""
    start = datetime.now(timezone.utc) - timedelta(seconds=len(lines) // 50 + 60)
    rng = random.Random(seed)
    t0 = time.perf_counter()
    for lo in range(0, len(lines), 5000):
        buf = []
        for i, line in enumerate(lines[lo : lo + 5000], start=lo):
            ts = start + timedelta(milliseconds=20 * i)
            doc = {
                "@timestamp": ts.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "message": line,
                "host": {"name": f"web-{rng.randrange(4)}"},
                "service": {"name": line.split(":", 1)[0].split("[", 1)[0]},
            }
            buf.append('{"create":{}}')
            buf.append(json.dumps(doc, ensure_ascii=False))
        resp = client.request(
            "POST", f"/{DATA_STREAM}/_bulk", body=("\n".join(buf) + "\n").encode(), ndjson=True
        )
        if resp.get("errors"):
            raise LogtriageError(f"loading sample logs failed: {str(resp)[:500]}")
    client.refresh(DATA_STREAM)
    return time.perf_counter() - t0


def _summary(client: Any) -> dict[str, Any]:
    client.refresh(DATA_STREAM)
    resp = client.search(
        {
            "size": 0,
            "track_total_hits": True,
            "aggs": {
                "labels": {"terms": {"field": "logtriage.label", "size": 20}},
                "anomalies": {"filter": {"term": {"logtriage.anomaly": True}}},
                "templates": {"terms": {"field": "logtriage.template.text", "size": 8}},
                "template_count": {"cardinality": {"field": "logtriage.template.id"}},
                "errors": {"terms": {"field": "logtriage.error.reason", "size": 10}},
                "unlabelled": {
                    "filter": {
                        "bool": {"must_not": [{"exists": {"field": "logtriage.processed_at"}}]}
                    }
                },
            },
        },
        index=DATA_STREAM,
    )
    a = resp["aggregations"]
    return {
        "total": resp["hits"]["total"]["value"],
        "labels": {b["key"]: b["doc_count"] for b in a["labels"]["buckets"]},
        "anomalies": a["anomalies"]["doc_count"],
        "templates": [(b["key"], b["doc_count"]) for b in a["templates"]["buckets"]],
        "template_count": a["template_count"]["value"],
        "errors": {b["key"]: b["doc_count"] for b in a["errors"]["buckets"]},
        "unlabelled": a["unlabelled"]["doc_count"],
    }


def demo_command(
    docs: Annotated[int, typer.Option("--docs", help="Sample documents to load.")] = 20_000,
    engine: Annotated[
        str, typer.Option("--engine", help="Local engine: elasticsearch or opensearch.")
    ] = "elasticsearch",
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="Use the cluster of this config.")
    ] = None,
    keep_engine: Annotated[
        bool, typer.Option("--keep-engine", help="Leave the local engine running.")
    ] = False,
    seed: Annotated[int, typer.Option("--seed")] = 0,
) -> None:
    """Start a local engine, load sample logs, label them all, print a summary."""
    from logtriage.local_engine import LocalEngine
    from logtriage.search.client import SearchClient
    from logtriage.search.templates import install_data_stream_template
    from logtriage.sidecar import Sidecar

    local: LocalEngine | None = None
    try:
        base = load_settings(config)
        url = os.environ.get("LOGTRIAGE_ES_URL")
        if url:
            hosts = [url]
        elif config is not None:
            hosts = list(base.search.hosts)
        else:
            _err(f"starting a local {engine} (first run downloads it with mvn)...")
            local = LocalEngine(engine)  # type: ignore[arg-type]
            local.start()
            hosts = [local.url]
            _err(f"{engine} {local.version} up at {local.url}")
        search = base.search.model_copy(update={"hosts": hosts, "index": DATA_STREAM})
        sidecar_cfg = SidecarSettings(
            name="demo",
            state_index=base.sidecar.state_index,
            batch_size=2000,
            metrics_port=0,
        )
        settings = Settings(
            **{
                **base.model_dump(exclude={"search", "sidecar"}),
                "search": search,
                "sidecar": sidecar_cfg,
            }
        )
        client = SearchClient.connect(SearchSettings(**search.model_dump()))
        install_data_stream_template(client, "logtriage-demo", f"{DATA_STREAM}*")
        lines = sample_lines(docs, seed)
        load_s = _load(client, lines, seed)
        _err(f"loaded {len(lines)} documents into data stream {DATA_STREAM} in {load_s:.1f}s")
        sidecar = Sidecar(settings, client=client)
        server = sidecar.serve_metrics()
        metrics_url = f"http://127.0.0.1:{server.port}/metrics" if server else None
        summary = sidecar.run(once=True)
        facts = _summary(client)
    except LogtriageError as exc:
        typer.echo(f"error: {exc}", err=True)
        if local is not None:
            local.stop()
        raise typer.Exit(1) from None
    rate = (summary.labelled + summary.errored) / summary.seconds if summary.seconds else 0.0
    out = [
        f"logtriage demo on {client.engine} {client.info.version} ({hosts[0]})",
        f"  documents: {facts['total']}  labelled: {summary.labelled}  "
        f"with logtriage.error: {summary.errored}  still unlabelled: {facts['unlabelled']}",
        f"  throughput: {rate:,.0f} docs/s labelled and written back "
        f"({summary.seconds:.1f}s; bulk load took {load_s:.1f}s)",
        f"  anomalies: {facts['anomalies']}   templates: {facts['template_count']}",
        "  labels:",
        *(f"    {k:<22} {v}" for k, v in facts["labels"].items()),
        "  top templates:",
        *(f"    {n:>7}  {t[:100]}" for t, n in facts["templates"]),
    ]
    if facts["errors"]:
        out.append("  errors: " + ", ".join(f"{k}={v}" for k, v in facts["errors"].items()))
    out += [
        "where to look next:",
        f"  - query the labels: GET {hosts[0]}/{DATA_STREAM}/_search?q=logtriage.anomaly:true",
        "  - dashboards: dashboards/ (Grafana JSON + provisioning, Kibana saved objects)",
        f"  - sidecar metrics: {metrics_url or '/metrics on sidecar.metrics_port'} "
        "(while `logtriage run` is running)",
        "  - run it for real: logtriage run --config logtriage.yaml ; check with logtriage doctor",
    ]
    typer.echo("\n".join(out))
    client.close()
    if local is not None:
        if keep_engine:
            typer.echo(f"local {engine} keeps running at {local.url} (pid {local.pid})")
            local._proc = None  # detach: do not stop it at exit
        else:
            local.stop()


app = typer.Typer(add_completion=False)
app.command("demo")(demo_command)

if __name__ == "__main__":
    typer.run(demo_command)
