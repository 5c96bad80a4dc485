"""Prometheus metrics of the sidecar and a tiny HTTP server for ``/metrics`` and ``/health``.

``/health`` answers 200 ``{"live": true, "ready": true}`` once the sidecar has
connected and holds its worker slot, 503 with ``ready: false`` before that or
while the engine is unreachable.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from logtriage.errors import ConfigError

__all__ = ["MetricsServer", "SidecarMetrics"]

_BATCH_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class SidecarMetrics:
    """All metrics in their own registry (several sidecars may live in one process)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.labelled = Counter(
            "logtriage_documents_labelled",
            "Documents labelled and written back",
            ["label"],
            registry=r,
        )
        self.doc_errors = Counter(
            "logtriage_document_errors",
            "Documents marked with logtriage.error, or that failed to write, by reason",
            ["reason"],
            registry=r,
        )
        self.sessions_scored = Gauge(
            "logtriage_sessions_scored",
            "Sessions closed and scored by the sequence model since start",
            registry=r,
        )
        self.session_anomalies = Counter(
            "logtriage_session_anomaly_documents",
            "Documents flagged with logtriage.session.anomaly",
            registry=r,
        )
        self.conflicts = Counter(
            "logtriage_write_conflicts",
            "Writes refused by seq_no/primary_term (re-read)",
            registry=r,
        )
        self.retries = Counter(
            "logtriage_bulk_retries", "Bulk actions or requests retried after 429/5xx", registry=r
        )
        self.engine_errors = Counter(
            "logtriage_engine_errors",
            "Failed engine requests seen by the loop",
            ["kind"],
            registry=r,
        )
        self.passes = Counter("logtriage_passes", "Polling passes run", registry=r)
        self.batch_seconds = Histogram(
            "logtriage_batch_seconds",
            "Time to label and write one batch",
            buckets=_BATCH_BUCKETS,
            registry=r,
        )
        self.inference_seconds = Histogram(
            "logtriage_model_inference_seconds",
            "Time in Pipeline.process_batch (mining, rules, model) per batch",
            buckets=_BATCH_BUCKETS,
            registry=r,
        )
        self.lag_seconds = Gauge(
            "logtriage_lag_seconds",
            "Newest document timestamp minus the checkpoint after the last pass",
            registry=r,
        )
        self.cache_hit_ratio = Gauge(
            "logtriage_template_cache_hit_ratio",
            "Share of lines in the last batch that matched a known template unchanged",
            registry=r,
        )
        self.checkpoint = Gauge(
            "logtriage_checkpoint_timestamp_seconds",
            "Checkpoint of this worker slot",
            registry=r,
        )
        self.before_start = Gauge(
            "logtriage_unlabelled_before_start_from_documents",
            "Documents older than sidecar.start_from without labels (no pass reads them), "
            "as counted by the last pass that read from start_from",
            registry=r,
        )
        self.up = Gauge("logtriage_engine_up", "1 when the last engine request worked", registry=r)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class MetricsServer:
    """Serve ``/metrics`` and ``/health`` from a daemon thread.

    ``port=0`` picks a free port (see :attr:`port` after :meth:`start`).
    """

    def __init__(
        self,
        metrics: SidecarMetrics,
        health: Callable[[], dict[str, Any]],
        host: str = "127.0.0.1",
        port: int = 9464,
    ) -> None:
        self.metrics = metrics
        self.health = health
        self.host = host
        self._port = port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._server is not None:
            return int(self._server.server_address[1])
        return self._port

    def start(self) -> MetricsServer:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.startswith("/metrics"):
                    body, status, ctype = outer.metrics.render(), 200, CONTENT_TYPE_LATEST
                elif self.path.startswith("/health"):
                    state = outer.health()
                    status = 200 if state.get("ready") else 503
                    body, ctype = json.dumps(state).encode(), "application/json"
                else:
                    body, status, ctype = b"not found\n", 404, "text/plain"
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        try:
            self._server = ThreadingHTTPServer((self.host, self._port), Handler)
        except OSError as exc:
            raise ConfigError(
                f"cannot serve metrics on {self.host}:{self._port}: {exc.strerror or exc} "
                "(set sidecar.metrics_port, or sidecar.metrics_enabled: false)"
            ) from exc
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="logtriage-metrics", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
