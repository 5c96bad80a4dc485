"""``logtriage demo``: the main job end to end on one machine.

Starts a local Elasticsearch (or OpenSearch) unless ``--config``,
``LOGTRIAGE_ES_URL`` or ``LOGTRIAGE_SEARCH__HOSTS`` points at a cluster, loads
realistic logs into a data stream, runs the sidecar until every document is
labelled, and prints a summary (labels, anomalies, top templates, throughput)
and where to look next.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated, Any

import typer

from logtriage.config import SearchSettings, Settings, SidecarSettings, load_settings
from logtriage.errors import LogtriageError
from logtriage.samples import generate

__all__ = ["app", "demo_command", "sample_documents"]

DATA_STREAM = "logs-logtriage.demo-default"


# -- sample logs -----------------------------------------------------------------------


def sample_documents(n: int, seed: int = 0) -> list[dict[str, Any]]:
    """``n`` generated log documents (ECS-style fields), ending about a minute ago."""
    span = timedelta(seconds=n / 2.5 + 60)
    start = (datetime.now(timezone.utc) - span).replace(tzinfo=None)
    return [
        {
            "@timestamp": line.timestamp,
            "message": line.message,
            "log": {"level": line.level},
            "host": {"name": line.host},
            "service": {"name": line.service},
        }
        for line in generate(n, seed=seed, start=start)
    ]


def _err(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _load(client: Any, docs: list[dict[str, Any]]) -> float:
    """Bulk-create the documents into the demo data stream; return seconds taken."""
    t0 = time.perf_counter()
    for lo in range(0, len(docs), 5000):
        buf = []
        for doc in docs[lo : lo + 5000]:
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
    seed: Annotated[int, typer.Option("--seed", help="Seed of the sample logs.")] = 0,
) -> None:
    """Start a local engine, load sample logs, label them all, print a summary."""
    from logtriage.local_engine import LocalEngine
    from logtriage.model import Classifier
    from logtriage.search.client import EngineRequestError, SearchClient
    from logtriage.search.templates import install_data_stream_template
    from logtriage.sidecar import Sidecar

    local: LocalEngine | None = None
    try:
        base = load_settings(config)
        if config is not None or "hosts" in base.search.model_fields_set:
            hosts = list(base.search.hosts)
        else:
            _err(f"starting a local {engine} (first run downloads it with mvn)...")
            local = LocalEngine(engine)  # type: ignore[arg-type]
            local.start()
            hosts = [local.url]
            _err(f"{engine} {local.version} up at {local.url}")
        search = base.search.model_copy(update={"hosts": hosts, "index": DATA_STREAM})
        sidecar_cfg = SidecarSettings(name="demo", state_index=base.sidecar.state_index)
        settings = Settings(
            **{
                **base.model_dump(exclude={"search", "sidecar"}),
                "search": search,
                "sidecar": sidecar_cfg,
            }
        )
        try:
            client = SearchClient.connect(SearchSettings(**search.model_dump()))
        except EngineRequestError as exc:
            if local is not None:
                raise
            source = f"--config {config}" if config is not None else "the LOGTRIAGE_* environment"
            raise EngineRequestError(
                f"{exc} (the cluster comes from {source}; without one the demo starts "
                "a local engine)",
                exc.status,
            ) from exc
        install_data_stream_template(client, "logtriage-demo", f"{DATA_STREAM}*")
        documents = sample_documents(docs, seed)
        load_s = _load(client, documents)
        _err(f"loaded {len(documents)} documents into data stream {DATA_STREAM} in {load_s:.1f}s")
        labeler = Classifier.from_settings(settings.model)
        _err(f"model: {labeler.model_version if labeler else 'none (templates and rules only)'}")
        sidecar = Sidecar(settings, client=client, labeler=labeler)
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
    # As typed, so `make demo`'s user can paste `.venv/bin/logtriage ...`.
    cli = sys.argv[0] if Path(sys.argv[0]).name == "logtriage" else "logtriage"
    search_path = f"/{DATA_STREAM}/_search?q=logtriage.anomaly:true"
    query = f"GET {hosts[0]}{search_path}"
    if local is not None and not keep_engine:  # the URL dies with the engine below
        query = f"`{cli} demo --keep-engine` keeps the engine up for GET <url>{search_path}"
    cfg = str(config) if config is not None else "logtriage.yaml"
    out += [
        "where to look next:",
        f"  - query the labels: {query}",
        "  - dashboards: dashboards/ (Grafana JSON + provisioning, Kibana saved objects)",
        "  - on your cluster: search.hosts and search.index in logtriage.yaml (README, "
        "'Running next to your cluster'),",
        f"    then `{cli} doctor -c {cfg}` and `{cli} run -c {cfg}`, which serves "
        f"/metrics and /health on port {base.sidecar.metrics_port}",
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
