"""``logtriage demo``: the main job end to end on one machine.

Starts a local Elasticsearch (or OpenSearch) unless ``--config``,
``LOGTRIAGE_ES_URL`` or ``LOGTRIAGE_SEARCH__HOSTS`` points at a cluster, loads
realistic logs into a data stream, runs the sidecar until every document is
labelled, and prints a summary (labels, anomalies, top templates, throughput)
and where to look next.
"""

from __future__ import annotations

import json
import shutil
import signal
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

    local: LocalEngine | None = None
    # SIGTERM ends the demo as Ctrl-C does: the local engine runs in its own process
    # group, so only this process can stop it.
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        base = load_settings(config)
        named = config is not None or "hosts" in base.search.model_fields_set
        if not named:
            _err(f"starting a local {engine} (first run downloads it with mvn)...")
            local = LocalEngine(engine)  # type: ignore[arg-type]
            local.start()
            _err(f"{engine} {local.version} up at {local.url}")
        hosts = [local.url] if local is not None else list(base.search.hosts)
        lines = _label_samples(
            base, hosts, config, docs, seed, named=named, local_stays=keep_engine
        )
        typer.echo("\n".join(lines))
        if local is not None and keep_engine:
            typer.echo(f"local {engine} keeps running at {local.url} (pid {local.pid})")
            local.detach()
    except LogtriageError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        _err("interrupted" + ("; stopping the local engine" if local is not None else ""))
        raise typer.Exit(130) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
        if local is not None:
            local.stop()  # a detached engine is left running


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _label_samples(
    base: Settings,
    hosts: list[str],
    config: Path | None,
    docs: int,
    seed: int,
    *,
    named: bool,
    local_stays: bool,
) -> list[str]:
    """Load ``docs`` sample documents into the cluster at ``hosts`` (``named`` by the
    configuration, else the local engine), label them with the sidecar, and return the
    summary to print."""
    from logtriage.model import Classifier
    from logtriage.search.client import EngineRequestError, SearchClient
    from logtriage.search.templates import install_data_stream_template
    from logtriage.sidecar import Sidecar

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
        if not named:
            raise
        source = f"--config {config}" if config is not None else "the LOGTRIAGE_* environment"
        raise EngineRequestError(
            f"{exc} (the cluster comes from {source}; without one the demo starts a local engine)",
            exc.status,
        ) from exc
    try:
        install_data_stream_template(client, "logtriage-demo", f"{DATA_STREAM}*")
        documents = sample_documents(docs, seed)
        load_s = _load(client, documents)
        _err(f"loaded {len(documents)} documents into data stream {DATA_STREAM} in {load_s:.1f}s")
        labeler = Classifier.from_settings(settings.model)
        _err(f"model: {labeler.model_version if labeler else 'none (templates and rules only)'}")
        summary = Sidecar(settings, client=client, labeler=labeler).run(once=True)
        facts = _summary(client)
        engine = f"{client.engine} {client.info.version}"
    finally:
        client.close()
    rate = (summary.labelled + summary.errored) / summary.seconds if summary.seconds else 0.0
    out = [
        f"logtriage demo on {engine} ({hosts[0]})",
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
    cli = _invoked_as()
    search_path = f"/{DATA_STREAM}/_search?q=logtriage.anomaly:true"
    query = f"GET {hosts[0]}{search_path}"
    if not named and not local_stays:  # the local engine stops when the demo ends
        query = f"`{cli} demo --keep-engine` keeps the engine up for GET <url>{search_path}"
    cfg = str(config) if config is not None else "logtriage.yaml"
    return [
        *out,
        "where to look next:",
        f"  - query the labels: {query}",
        f"  - dashboards: `{cli} dashboards export --out logtriage-dashboards --kibana` "
        "writes the Grafana dashboards, provisioning files and Kibana saved objects",
        "  - on your cluster: search.hosts and search.index in logtriage.yaml (README, "
        "'Running next to your cluster'),",
        f"    then `{cli} doctor -c {cfg}` and `{cli} run -c {cfg}`, which serves "
        f"/metrics and /health on port {base.sidecar.metrics_port}",
    ]


def _invoked_as() -> str:
    """The command as the user typed it, so suggestions paste: ``logtriage`` when that
    is what PATH finds, else the path run (``.venv/bin/logtriage`` after ``make demo``)."""
    argv0 = sys.argv[0]
    if Path(argv0).name != "logtriage":
        return "logtriage"
    on_path = shutil.which("logtriage")
    if on_path is not None and Path(on_path).resolve() == Path(argv0).resolve():
        return "logtriage"
    return argv0


app = typer.Typer(add_completion=False)
app.command("demo")(demo_command)

if __name__ == "__main__":
    typer.run(demo_command)
