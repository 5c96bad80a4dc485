"""Prometheus metrics of the API, in a registry of the app's own (``GET /metrics``)."""

from __future__ import annotations

import time
from collections import Counter as Tally
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from logtriage.pipeline import LabeledBatch

__all__ = ["ApiMetrics", "MetricsMiddleware"]

_LATENCY_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class ApiMetrics:
    """Request counts and latency per route, lines and labels per model."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "logtriage_api_requests",
            "HTTP requests answered, by route template and status.",
            ["method", "route", "status"],
            registry=r,
        )
        self.latency = Histogram(
            "logtriage_api_request_duration_seconds",
            "Time from request to the end of the response, by route template.",
            ["route"],
            buckets=_LATENCY_BUCKETS_S,
            registry=r,
        )
        self.lines = Counter(
            "logtriage_api_lines",
            "Lines labelled, by model and door.",
            ["model", "door"],
            registry=r,
        )
        self.labels = Counter(
            "logtriage_api_labels", "Lines per label, by model.", ["model", "label"], registry=r
        )
        self.anomalies = Counter(
            "logtriage_api_anomalies", "Lines flagged anomalous, by model.", ["model"], registry=r
        )
        self.rules = Counter("logtriage_api_rule_decisions", "Lines decided by a rule.", registry=r)
        self.invalid_utf8 = Counter(
            "logtriage_api_invalid_utf8_lines",
            "Uploaded lines that were not UTF-8 (decoded with replacement).",
            registry=r,
        )
        self.rejected = Counter(
            "logtriage_api_rejected", "Requests refused by a limit.", ["reason"], registry=r
        )
        self.templates = Gauge(
            "logtriage_api_templates", "Live templates in the miner.", registry=r
        )

    def observe_batch(self, model: str, door: str, batch: LabeledBatch) -> None:
        n = len(batch)
        self.lines.labels(model, door).inc(n)
        for label, count in Tally(batch.labels.label).items():
            self.labels.labels(model, label).inc(count)
        flagged = int(batch.labels.anomaly.sum())
        if flagged:
            self.anomalies.labels(model).inc(flagged)
        decided = sum(1 for r in batch.rules if r is not None)
        if decided:
            self.rules.inc(decided)


class MetricsMiddleware:
    """Counts and times every HTTP request by its route template (not its raw path)."""

    def __init__(
        self, app: ASGIApp, metrics: ApiMetrics, clock: Callable[[], float] = time.perf_counter
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = self.clock()
        status = 500

        async def tracking_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", None) or "unmatched"
            self.metrics.requests.labels(scope.get("method", ""), path, str(status)).inc()
            self.metrics.latency.labels(path).observe(self.clock() - start)
