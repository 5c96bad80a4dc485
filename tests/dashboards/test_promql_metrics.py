"""Every PromQL expression the generator writes names series the sidecar exports.

The expected names, types and labels are not listed here: they are read from a
fresh :class:`~logtriage.sidecar.metrics.SidecarMetrics` registry, as
prometheus_client exposes them on ``/metrics``. Each use must fit its type:
counters through ``rate()`` of ``_total``, histograms through
``histogram_quantile`` over the rate of ``_bucket`` grouped by ``le``, gauges as
they are (no range).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from logtriage.sidecar.metrics import SidecarMetrics
from prometheus_client.metrics import MetricWrapperBase

from dashboards import grafana_gen

# Added by Prometheus to every scraped series, not by the sidecar.
SCRAPE_LABELS = frozenset({"instance", "job"})
RANGE_FUNCTIONS = frozenset({"rate", "irate", "increase"})
# A metric name with the function applied to it, its selector and its range, if any.
_USE = re.compile(r"(?:(\w+)\(\s*)?\b(logtriage_\w+)(?:\{([^}]*)\})?(\[[^\]]+\])?")


@dataclass(frozen=True)
class Series:
    kind: str  # the family's type: counter, gauge or histogram
    suffix: str  # what prometheus_client appends to the family name: _total, _bucket, ...
    labels: frozenset[str]


def sidecar_series() -> dict[str, Series]:
    """Series name -> what it is, for everything a fresh ``SidecarMetrics`` exports.

    A labelled metric exports no series before its first child, so each gets one.
    """
    metrics = SidecarMetrics()
    for metric in vars(metrics).values():
        if isinstance(metric, MetricWrapperBase) and metric._labelnames:
            metric.labels(*metric._labelnames)
    return {
        sample.name: Series(
            family.type, sample.name.removeprefix(family.name), frozenset(sample.labels)
        )
        for family in metrics.registry.collect()
        for sample in family.samples
    }


SERIES = sidecar_series()


def _labels(text: str, pattern: str) -> set[str]:
    return {name for group in re.findall(pattern, text) for name in re.findall(r"\w+", group)}


def _use_problems(expr: str, match: re.Match[str]) -> list[str]:
    """What is wrong with one metric's use in ``expr`` (its type, suffix, selector)."""
    func, name, selector, window = match.groups()
    series = SERIES.get(name)
    if series is None:
        return [f"{name} is not exported by the sidecar"]
    problems = []
    in_rate = func in RANGE_FUNCTIONS and window is not None
    if series.kind == "gauge" and (window or func in RANGE_FUNCTIONS):
        problems.append(f"{name} is a gauge: use it as it is, not over a range")
    if series.kind == "counter" and (series.suffix != "_total" or not in_rate):
        problems.append(f"{name}: a counter is read as rate(<name>_total[...])")
    if series.kind == "histogram":
        if series.suffix not in ("_bucket", "_sum", "_count") or not in_rate:
            problems.append(f"{name}: a histogram is read as rate(<name>_bucket|_sum|_count[...])")
        if series.suffix == "_bucket" and not re.search(
            rf"histogram_quantile\([\d.]+, sum by \(le\) \(rate\({name}\b", expr
        ):
            problems.append(f"{name}: histogram_quantile(q, sum by (le) (rate(...))) reads it")
    unknown = _labels(selector or "", r"(\w+)\s*(?:=~|!~|!=|=)") - series.labels - SCRAPE_LABELS
    if unknown:
        problems.append(f"{name} has no label {sorted(unknown)}")
    return problems


def promql_problems(expr: str, legend: str = "") -> list[str]:
    """Everything wrong with one expression (and the legend shown for its series)."""
    uses = list(_USE.finditer(expr))
    if not uses:
        return [f"no logtriage metric in {expr!r}"]
    problems = [p for m in uses for p in _use_problems(expr, m)]
    known = set(SCRAPE_LABELS)
    for m in uses:
        known |= SERIES[m[2]].labels if m[2] in SERIES else set()
    grouped = _labels(expr, r"\bby \(([^)]*)\)")
    if grouped - known:
        problems.append(f"grouped by labels the series lack: {sorted(grouped - known)}")
    shown = set(re.findall(r"\{\{\s*(\w+)\s*\}\}", legend))
    # A legend can show only what is left after the outermost aggregation.
    outer = re.match(r"\s*(?:sum|min|max|avg|count)\b\s*(?:by \(([^)]*)\))?", expr)
    left = set(re.findall(r"\w+", outer[1] or "")) if outer else known
    if shown - left:
        problems.append(f"the legend shows labels the result lacks: {sorted(shown - left)}")
    return problems


def generated_promql() -> list[tuple[str, str, str]]:
    """(where, expression, legend) for every Prometheus query the generator writes:
    dashboard targets and variables, and alert-rule queries."""
    out = []
    for stem, board in grafana_gen.dashboards().items():
        for var in board.get("templating", {}).get("list", []):
            if var["type"] == "query" and _is_prometheus(var):
                out.append((f"{stem}: variable {var['name']}", var["query"], ""))
        for panel in board["panels"]:
            for t in panel.get("targets", []):
                if _is_prometheus(t):
                    where = f"{stem}: {panel['title']} [{t['refId']}]"
                    out.append((where, t["expr"], t.get("legendFormat", "")))
    for rule in grafana_gen.alert_rules():
        for q in rule["data"]:
            if q["datasourceUid"] == grafana_gen.PROM_DS_UID:
                out.append((f"rule {rule['uid']} [{q['refId']}]", q["model"]["expr"], ""))
    return out


def _is_prometheus(node: dict[str, Any]) -> bool:
    return bool(node.get("datasource", {}).get("type") == "prometheus")


PROMQL = generated_promql()


def test_the_generator_writes_promql_for_dashboards_and_alerts() -> None:
    wheres = [where for where, _, _ in PROMQL]
    assert any(w.startswith("logtriage-operations: ") for w in wheres)
    assert any(w.startswith("rule logtriage-sidecar-errors ") for w in wheres)


@pytest.mark.parametrize(("where", "expr", "legend"), PROMQL, ids=[w for w, _, _ in PROMQL])
def test_promql_names_sidecar_series_as_their_type_needs(
    where: str, expr: str, legend: str
) -> None:
    assert promql_problems(expr, legend) == []


def test_sidecar_series_come_from_its_registry() -> None:
    """The reference is the sidecar's own registry, labelled counters included."""
    errors = SERIES["logtriage_document_errors_total"]
    assert errors == Series("counter", "_total", frozenset({"reason"}))
    assert SERIES["logtriage_engine_errors_total"].labels == {"kind"}
    bucket = SERIES["logtriage_batch_seconds_bucket"]
    assert bucket == Series("histogram", "_bucket", frozenset({"le"}))
    assert SERIES["logtriage_template_cache_hit_ratio"].kind == "gauge"


@pytest.mark.parametrize(
    ("expr", "legend", "expect"),
    [
        ("sum(rate(logtriage_errors_total[5m]))", "", "not exported by the sidecar"),
        ("rate(logtriage_lag_seconds[5m])", "", "is a gauge"),
        ("sum(logtriage_document_errors_total)", "", "a counter is read as rate"),
        ("rate(logtriage_passes_created[5m])", "", "a counter is read as rate"),
        ("logtriage_batch_seconds_bucket", "", "a histogram is read as rate"),
        (
            "histogram_quantile(0.9, sum by (instance) (rate(logtriage_batch_seconds_bucket[5m])))",
            "",
            "histogram_quantile(q, sum by (le)",
        ),
        ('logtriage_lag_seconds{kind="x"}', "", "has no label ['kind']"),
        ("sum by (kind) (rate(logtriage_document_errors_total[5m]))", "", "grouped by labels"),
        ("sum(rate(logtriage_passes_total[5m]))", "{{instance}}", "the legend shows"),
    ],
)
def test_promql_check_catches(expr: str, legend: str, expect: str) -> None:
    problems = promql_problems(expr, legend)
    assert any(expect in p for p in problems), problems
