"""Grafana dashboards, datasources and alert rules, built with grafana-foundation-sdk.

Everything is a pure function of :class:`~dashboards.names.FieldNames`, so the
committed files (default names) and ``logtriage dashboards export`` (user names)
come from the same code. Needs the ``dev`` extra (grafana-foundation-sdk).
"""

from __future__ import annotations

import json
from typing import Any, Literal

from grafana_foundation_sdk.builders import alerting as al
from grafana_foundation_sdk.builders import barchart, logs, stat, table, timeseries
from grafana_foundation_sdk.builders import common as cb
from grafana_foundation_sdk.builders import dashboard as db
from grafana_foundation_sdk.builders import elasticsearch as es
from grafana_foundation_sdk.builders import expr as ex
from grafana_foundation_sdk.builders import prometheus as prom
from grafana_foundation_sdk.cog import builder as cogbuilder
from grafana_foundation_sdk.cog import variants as cogvariants
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import alerting as alm
from grafana_foundation_sdk.models import common
from grafana_foundation_sdk.models import dashboard as dbm
from grafana_foundation_sdk.models import elasticsearch as esm

from dashboards.names import DEFAULT_NAMES, FieldNames

__all__ = [
    "ALERT_FOLDER_TITLE",
    "ES_DS_UID",
    "FOLDER_UID",
    "PROM_DS_UID",
    "alert_rules",
    "alert_rules_file",
    "dashboard_provider",
    "dashboards",
    "datasources",
    "to_json",
]

FOLDER_UID = "logtriage"
ALERT_FOLDER_TITLE = "logtriage"
ES_DS_UID = "logtriage-es"
PROM_DS_UID = "logtriage-prom"
RULE_GROUP = "logtriage"
RULE_GROUP_INTERVAL_S = 60

# Labels the built-in dashboards and rules single out (default taxonomy; DESIGN.md).
CRITICAL = "Critical Error"
SECURITY = "Security Alert"

_ES_REF = common.DataSourceRef(type_val="elasticsearch", uid="${ds}")
_PROM_REF = common.DataSourceRef(type_val="prometheus", uid="${prom}")


def to_json(obj: Any) -> Any:
    """Encode an SDK model (or plain data holding models) to plain JSON data."""
    return json.loads(json.dumps(obj, cls=JSONEncoder, sort_keys=True))


# --------------------------------------------------------------------------- queries


#: "All" of the Service/Host variables: Grafana inserts a custom all value as written,
#: so ``(service.name:* OR *:*)`` also matches documents without the field (``*`` alone
#: would hide them from every panel).
ALL_INCLUDING_MISSING = "* OR *:*"


def _filter(names: FieldNames, extra: str = "") -> str:
    """Lucene filter shared by every overview panel: the label/service/host variables
    (service and host in parentheses for :data:`ALL_INCLUDING_MISSING`)."""
    parts = [
        "logtriage.label:$label",
        f"({_esc(names.service)}:$service)",
        f"({_esc(names.host)}:$host)",
    ]
    if extra:
        parts.insert(0, extra)
    return " AND ".join(parts)


def _esc(field: str) -> str:
    # Lucene needs "@" escaped in field names; dots are fine.
    return field.replace("@", "\\@")


def _date_hist(names: FieldNames, agg_id: str = "2") -> es.DateHistogram:
    return (
        es.DateHistogram()
        .id(agg_id)
        .field(names.timestamp)
        .settings(es.ElasticsearchDateHistogramSettings().interval("auto").min_doc_count("0"))
    )


def _terms(field: str, agg_id: str, size: int, order_by: str = "_count") -> es.Terms:
    return (
        es.Terms()
        .id(agg_id)
        .field(field)
        .settings(
            es.ElasticsearchTermsSettings()
            .size(str(size))
            .order(esm.TermsOrder.DESC)
            .order_by(order_by)
            .min_doc_count("1")
        )
    )


def _es_query(names: FieldNames, ref: str, query: str) -> es.Dataquery:
    return es.Dataquery().ref_id(ref).datasource(_ES_REF).time_field(names.timestamp).query(query)


def _prom(ref: str, expr: str, legend: str) -> prom.Dataquery:
    return prom.Dataquery().ref_id(ref).datasource(_PROM_REF).expr(expr).legend_format(legend)


# --------------------------------------------------------------------------- overview


def _variables(
    names: FieldNames,
) -> list[db.DatasourceVariable | db.QueryVariable | db.TextBoxVariable]:
    def terms_var(name: str, label: str, field: str, all_value: str) -> db.QueryVariable:
        return (
            db.QueryVariable(name)
            .label(label)
            .datasource(_ES_REF)
            .query(json.dumps({"find": "terms", "field": field, "size": 100}))
            .refresh(dbm.VariableRefresh.ON_TIME_RANGE_CHANGED)
            .sort(dbm.VariableSort.ALPHABETICAL_ASC)
            .multi(True)
            .include_all(True)
            .all_value(all_value)
            .current(dbm.VariableOption(selected=True, text="All", value="$__all"))
        )

    return [
        db.DatasourceVariable("ds")
        .label("Index / data stream")
        .type("elasticsearch")
        .current(dbm.VariableOption(selected=True, text="logtriage logs", value=ES_DS_UID)),
        terms_var("label", "Label", "logtriage.label", "*"),  # documents with labels
        terms_var("service", "Service", names.service, ALL_INCLUDING_MISSING),
        terms_var("host", "Host", names.host, ALL_INCLUDING_MISSING),
        db.TextBoxVariable("template").label("Template id").default_value("*"),
    ]


def overview(names: FieldNames = DEFAULT_NAMES) -> dbm.Dashboard:
    """Labels in the logs: volume, anomalies, critical/security counts, templates, logs."""
    volume = (
        timeseries.Panel()
        .title("Labelled volume by label")
        .description("Documents per interval, split by logtriage.label.")
        .datasource(_ES_REF)
        .with_target(
            _es_query(names, "A", _filter(names))
            .metrics([es.Count().id("1")])
            .bucket_aggs([_terms("logtriage.label", "3", 10), _date_hist(names)])
        )
        .stacking(cb.StackingConfig().mode(common.StackingMode.NORMAL))
        .fill_opacity(30)
        .unit("short")
        .height(8)
        .span(16)
    )
    anomaly_rate = (
        timeseries.Panel()
        .title("Anomaly rate")
        .description("Share of documents with logtriage.anomaly = true (average of the flag).")
        .datasource(_ES_REF)
        .with_target(
            _es_query(names, "A", _filter(names))
            .metrics([es.Average().id("1").field("logtriage.anomaly")])
            .bucket_aggs([_date_hist(names)])
        )
        .unit("percentunit")
        .min(0)
        .max(1)
        .height(8)
        .span(8)
    )
    critical = (
        stat.Panel()
        .title("Critical Error and Security Alert")
        .description("Documents labelled Critical Error / Security Alert in the time range.")
        .datasource(_ES_REF)
        .with_target(
            _es_query(names, "A", _filter(names, f'logtriage.label:"{CRITICAL}"'))
            .alias(CRITICAL)
            .metrics([es.Count().id("1")])
            .bucket_aggs([_date_hist(names)])
        )
        .with_target(
            _es_query(names, "B", _filter(names, f'logtriage.label:"{SECURITY}"'))
            .alias(SECURITY)
            .metrics([es.Count().id("1")])
            .bucket_aggs([_date_hist(names)])
        )
        .reduce_options(cb.ReduceDataOptions().calcs(["sum"]).values(False))
        .color_mode(common.BigValueColorMode.BACKGROUND)
        .thresholds(
            db.ThresholdsConfig()
            .mode(dbm.ThresholdsMode.ABSOLUTE)
            .steps(
                [
                    dbm.Threshold(value=None, color="green"),
                    dbm.Threshold(value=1, color="red"),
                ]
            )
        )
        .height(6)
        .span(8)
    )
    top_templates = (
        table.Panel()
        .title("Top templates")
        .description("Most frequent templates with their text and label.")
        .datasource(_ES_REF)
        .with_target(
            _es_query(names, "A", _filter(names, "logtriage.template.id:$template"))
            .metrics([es.Count().id("1")])
            .bucket_aggs(
                [
                    _terms("logtriage.template.id", "2", 20),
                    _terms("logtriage.template.text", "3", 1),
                    _terms("logtriage.label", "4", 1),
                ]
            )
        )
        .height(10)
        .span(16)
    )
    new_templates = (
        table.Panel()
        .title("Newly seen templates")
        .description(
            "Templates ordered by their first document in the time range (newest first);"
            " first seen = min(timestamp)."
        )
        .datasource(_ES_REF)
        .with_target(
            _es_query(names, "A", _filter(names))
            .metrics([es.Min().id("1").field(names.timestamp), es.Count().id("5")])
            .bucket_aggs(
                [
                    _terms("logtriage.template.id", "2", 20, order_by="1"),
                    _terms("logtriage.template.text", "3", 1),
                ]
            )
        )
        .height(10)
        .span(8)
    )
    confidence = (
        barchart.Panel()
        .title("Confidence distribution")
        .description("Documents per logtriage.confidence bucket (width 0.1).")
        .datasource(_ES_REF)
        .with_target(
            _es_query(names, "A", _filter(names))
            .metrics([es.Count().id("1")])
            .bucket_aggs(
                [
                    es.Histogram()
                    .id("2")
                    .field("logtriage.confidence")
                    .settings(
                        es.ElasticsearchHistogramSettings().interval("0.1").min_doc_count("0")
                    )
                ]
            )
        )
        .x_field("logtriage.confidence")
        .height(8)
        .span(8)
    )
    logs_panel = (
        logs.Panel()
        .title("Logs (filtered by label, template, service, host)")
        .description("Raw documents matching the variables, newest first.")
        .datasource(_ES_REF)
        .with_target(
            _es_query(names, "A", _filter(names, "logtriage.template.id:$template"))
            .metrics([es.Logs().id("1").settings(es.ElasticsearchLogsSettings().limit("500"))])
            .bucket_aggs([])
        )
        .show_time(True)
        .wrap_log_message(True)
        .sort_order(common.LogsSortOrder.DESCENDING)
        .height(12)
        .span(24)
    )
    b = (
        db.Dashboard("logtriage / overview")
        .uid("logtriage-overview")
        .description("What logtriage labelled: volume by label, anomalies, templates, logs.")
        .tags(["logtriage", "logs"])
        .time("now-6h", "now")
        .refresh("1m")
        .timezone(common.TimeZoneBrowser)
        .tooltip(dbm.DashboardCursorSync.CROSSHAIR)
        .editable()
    )
    for var in _variables(names):
        b = b.with_variable(var)
    b = (
        b.with_row(db.Row("Volume"))
        .with_panel(volume)
        .with_panel(anomaly_rate)
        .with_row(db.Row("Templates"))
        .with_panel(critical)
        .with_panel(top_templates)
        .with_panel(new_templates)
        .with_panel(confidence)
        .with_row(db.Row("Logs"))
        .with_panel(logs_panel)
    )
    return b.build()


# --------------------------------------------------------------------------- operations

# The PromQL below names the series plugin/logtriage/sidecar/metrics.py exports
# (SidecarMetrics); tests/dashboards/test_artifacts.py checks every name, label and
# type against its registry. ``instance`` is the label Prometheus adds when scraping.
_SEL = '{instance=~"$instance"}'


def operations() -> dbm.Dashboard:
    """The sidecar's own health from its Prometheus metrics."""
    ri = "$__rate_interval"
    throughput = (
        timeseries.Panel()
        .title("Throughput (documents labelled / s)")
        .datasource(_PROM_REF)
        .with_target(
            _prom(
                "A",
                f"sum by (label) (rate(logtriage_documents_labelled_total{_SEL}[{ri}]))",
                "{{label}}",
            )
        )
        .stacking(cb.StackingConfig().mode(common.StackingMode.NORMAL))
        .unit("ops")
        .height(8)
        .span(12)
    )
    lag = (
        timeseries.Panel()
        .title("Lag behind newest document")
        .datasource(_PROM_REF)
        .with_target(_prom("A", f"max by (instance) (logtriage_lag_seconds{_SEL})", "{{instance}}"))
        .unit("s")
        .height(8)
        .span(12)
    )
    errors = (
        timeseries.Panel()
        .title("Errors / s")
        .description(
            "Documents marked with logtriage.error or not written, by reason;"
            " failed engine requests, by kind."
        )
        .datasource(_PROM_REF)
        .with_target(
            _prom(
                "A",
                f"sum by (reason) (rate(logtriage_document_errors_total{_SEL}[{ri}]))",
                "document: {{reason}}",
            )
        )
        .with_target(
            _prom(
                "B",
                f"sum by (kind) (rate(logtriage_engine_errors_total{_SEL}[{ri}]))",
                "engine: {{kind}}",
            )
        )
        .unit("ops")
        .height(8)
        .span(12)
    )

    def quantiles(metric: str) -> list[cogbuilder.Builder[cogvariants.Dataquery]]:
        return [
            _prom(
                ref,
                f"histogram_quantile({q}, sum by (le) (rate({metric}_bucket{_SEL}[{ri}])))",
                f"p{int(float(q) * 100)}",
            )
            for ref, q in (("A", "0.5"), ("B", "0.95"), ("C", "0.99"))
        ]

    latency = (
        timeseries.Panel()
        .title("Batch latency")
        .datasource(_PROM_REF)
        .targets(quantiles("logtriage_batch_seconds"))
        .unit("s")
        .height(8)
        .span(12)
    )
    cache = (
        stat.Panel()
        .title("Template cache hit ratio")
        .description(
            "Per sidecar: share of the lines in its last batch that matched a known"
            " template unchanged."
        )
        .datasource(_PROM_REF)
        .with_target(_prom("A", f"logtriage_template_cache_hit_ratio{_SEL}", "{{instance}}"))
        .unit("percentunit")
        .height(8)
        .span(8)
    )
    inference = (
        timeseries.Panel()
        .title("Model inference time")
        .datasource(_PROM_REF)
        .targets(quantiles("logtriage_model_inference_seconds"))
        .unit("s")
        .height(8)
        .span(16)
    )
    return (
        db.Dashboard("logtriage / sidecar operations")
        .uid("logtriage-operations")
        .description("The logtriage sidecar: throughput, lag, errors, latency, cache.")
        .tags(["logtriage", "operations"])
        .time("now-3h", "now")
        .refresh("30s")
        .timezone(common.TimeZoneBrowser)
        .editable()
        .with_variable(
            db.DatasourceVariable("prom")
            .label("Prometheus")
            .type("prometheus")
            .current(dbm.VariableOption(selected=True, text="logtriage metrics", value=PROM_DS_UID))
        )
        .with_variable(
            db.QueryVariable("instance")
            .label("Instance")
            .datasource(_PROM_REF)
            .query("label_values(logtriage_lag_seconds, instance)")
            .refresh(dbm.VariableRefresh.ON_TIME_RANGE_CHANGED)
            .multi(True)
            .include_all(True)
            .all_value(".*")
            .current(dbm.VariableOption(selected=True, text="All", value="$__all"))
        )
        .with_panel(throughput)
        .with_panel(lag)
        .with_panel(errors)
        .with_panel(latency)
        .with_panel(cache)
        .with_panel(inference)
        .build()
    )


def dashboards(names: FieldNames = DEFAULT_NAMES) -> dict[str, dict[str, Any]]:
    """File stem -> dashboard JSON."""
    out = {
        "logtriage-overview": to_json(overview(names)),
        "logtriage-operations": to_json(operations()),
    }
    from grafana_foundation_sdk.cog.plugins import register_default_plugins

    register_default_plugins()
    # Store the SDK's canonical form: decoding and re-encoding gives the same JSON.
    out = {k: to_json(dbm.Dashboard.from_json(v)) for k, v in out.items()}
    for board in out.values():
        # Panel ids must be unique within a dashboard; rows included.
        for i, panel in enumerate(board["panels"], start=1):
            panel["id"] = i
    return out


# --------------------------------------------------------------------------- provisioning


def datasources(names: FieldNames = DEFAULT_NAMES) -> dict[str, Any]:
    """``provisioning/datasources`` file: the logs (Elasticsearch) and metrics (Prometheus)."""
    return {
        "apiVersion": 1,
        "datasources": [
            {
                "name": "logtriage logs",
                "uid": ES_DS_UID,
                "type": "elasticsearch",
                "access": "proxy",
                "url": "http://localhost:9200",
                "isDefault": False,
                "editable": True,
                "jsonData": {
                    "index": names.index,
                    "timeField": names.timestamp,
                    "logMessageField": names.message,
                    "logLevelField": "logtriage.label",
                    "maxConcurrentShardRequests": 5,
                },
            },
            {
                "name": "logtriage metrics",
                "uid": PROM_DS_UID,
                "type": "prometheus",
                "access": "proxy",
                "url": "http://localhost:9090",
                "isDefault": False,
                "editable": True,
                "jsonData": {"httpMethod": "POST", "timeInterval": "15s"},
            },
        ],
    }


def dashboard_provider() -> dict[str, Any]:
    """``provisioning/dashboards`` file: load the JSON files into the logtriage folder."""
    return {
        "apiVersion": 1,
        "providers": [
            {
                "name": "logtriage",
                "orgId": 1,
                "folder": ALERT_FOLDER_TITLE,
                "folderUid": FOLDER_UID,
                "type": "file",
                "disableDeletion": False,
                "allowUiUpdates": False,
                "updateIntervalSeconds": 60,
                "options": {
                    "path": "/var/lib/grafana/dashboards/logtriage",
                    "foldersFromFilesStructure": False,
                },
            }
        ],
    }


# --------------------------------------------------------------------------- alert rules


def _es_model(names: FieldNames, ref: str, query: str, metric: Any) -> es.Dataquery:
    return (
        es.Dataquery()
        .ref_id(ref)
        .datasource(common.DataSourceRef(type_val="elasticsearch", uid=ES_DS_UID))
        .time_field(names.timestamp)
        .query(query)
        .metrics([metric])
        .bucket_aggs([_date_hist(names)])
    )


def _whole_range(names: FieldNames, ref: str, query: str, label: str, metric: Any) -> es.Dataquery:
    """``metric`` over every document of the time range that matches ``query``, as one
    value: a ``filters`` bucket (it always answers, 0 when empty, so both sides of a
    math expression join), not a date histogram, whose per-bucket values a reducer
    would weigh alike however many documents each bucket holds."""
    return _es_model(names, ref, "*", metric).bucket_aggs(
        [
            es.Filters()
            .id("2")
            .settings(
                es.ElasticsearchFiltersSettings().filters([es.Filter().query(query).label(label)])
            )
        ]
    )


def _distinct_templates(names: FieldNames, ref: str, query: str) -> es.Dataquery:
    return _whole_range(
        names, ref, query, "severe", es.UniqueCount().id("1").field("logtriage.template.id")
    )


def _es_data(ref: str, seconds: int, model: es.Dataquery, to_s: int = 0) -> al.Query:
    return (
        al.Query(ref)
        .datasource_uid(ES_DS_UID)
        .relative_time_range(alm.RelativeTimeRange(from_val=seconds, to=to_s))
        .query_type("")
        .model(model)
    )


def _prom_data(ref: str, seconds: int, expr: str) -> al.Query:
    """An instant Prometheus query ``expr`` over the last ``seconds`` (alert rules name
    the data source by uid: they cannot use a dashboard's ``${prom}`` variable)."""
    return (
        al.Query(ref)
        .datasource_uid(PROM_DS_UID)
        .relative_time_range(alm.RelativeTimeRange(from_val=seconds, to=0))
        .model(
            prom.Dataquery()
            .ref_id(ref)
            .expr(expr)
            .instant()
            .datasource(common.DataSourceRef(type_val="prometheus", uid=PROM_DS_UID))
        )
    )


def _reduce(
    ref: str,
    source: str,
    how: Literal["sum", "mean", "min", "max", "count", "last", "median"] = "sum",
) -> al.Query:
    return (
        al.Query(ref)
        .datasource_uid("__expr__")
        .model(
            ex.TypeReduce()
            .ref_id(ref)
            .expression(source)
            .reducer(how)
            .settings(ex.ExprTypeReduceSettings().mode("dropNN"))
        )
    )


def _math(ref: str, expression: str) -> al.Query:
    return (
        al.Query(ref)
        .datasource_uid("__expr__")
        .model(ex.TypeMath().ref_id(ref).expression(expression))
    )


def _rule(
    uid: str,
    title: str,
    summary: str,
    severity: str,
    data: list[cogbuilder.Builder[alm.Query]],
    condition: str,
    for_: str,
) -> al.Rule:
    return (
        al.Rule(title)
        .uid(uid)
        .folder_uid(FOLDER_UID)
        .rule_group(RULE_GROUP)
        .org_id(1)
        .queries(data)
        .condition(condition)
        .for_val(for_)
        .no_data_state("OK")
        .exec_err_state("Error")
        .labels({"team": "logtriage", "severity": severity})
        .annotations({"summary": summary})
        .is_paused(False)
    )


def alert_rules(
    names: FieldNames = DEFAULT_NAMES,
    critical_burst: int = 20,
    anomaly_rate: float = 0.05,
    max_lag_s: int = 300,
    max_error_rate: float = 1.0,
) -> list[dict[str, Any]]:
    """Alert rules in the shape of Grafana's provisioning HTTP API (``ProvisionedAlertRule``)."""
    crit = f'logtriage.label:"{CRITICAL}"'
    sev = f'logtriage.label:("{CRITICAL}" OR "{SECURITY}")'
    rules = [
        _rule(
            "logtriage-critical-burst",
            "logtriage: burst of Critical Error",
            f"More than {critical_burst} Critical Error documents in 5 minutes.",
            "critical",
            [
                _es_data("A", 300, _es_model(names, "A", crit, es.Count().id("1"))),
                _reduce("B", "$A"),
                _math("C", f"$B > {critical_burst}"),
            ],
            "C",
            "0s",
        ),
        _rule(
            "logtriage-new-severe-template",
            "logtriage: new template labelled Critical Error or Security Alert",
            "A template labelled Critical Error or Security Alert appeared in the last 5 minutes.",
            "critical",
            [
                # Distinct severe templates over 24 h, with and without the last 5 minutes:
                # a difference means a template seen for the first time in those 5 minutes.
                _es_data("A", 86400, _distinct_templates(names, "A", sev)),
                _es_data("B", 86400, _distinct_templates(names, "B", sev), to_s=300),
                _reduce("C", "$A", "last"),
                _reduce("D", "$B", "last"),
                _math("E", "$C - $D > 0"),
            ],
            "E",
            "0s",
        ),
        _rule(
            "logtriage-anomaly-rate",
            "logtriage: anomaly rate high",
            f"More than {anomaly_rate:.0%} of documents in 10 minutes are anomalies.",
            "warning",
            [
                # The share of anomalous documents among those labelled in 10 minutes.
                _es_data(
                    "A",
                    600,
                    _whole_range(
                        names,
                        "A",
                        "logtriage.label:*",
                        "labelled",
                        es.Average().id("1").field("logtriage.anomaly"),
                    ),
                ),
                _reduce("B", "$A", "last"),
                _math("C", f"$B > {anomaly_rate}"),
            ],
            "C",
            "5m",
        ),
        _rule(
            "logtriage-sidecar-lag",
            "logtriage: sidecar lag high",
            f"The sidecar is more than {max_lag_s} s behind the newest document.",
            "warning",
            [
                _prom_data("A", 600, "max(logtriage_lag_seconds)"),
                _reduce("B", "$A", "last"),
                _math("C", f"$B > {max_lag_s}"),
            ],
            "C",
            "5m",
        ),
        _rule(
            "logtriage-sidecar-errors",
            "logtriage: sidecar error rate high",
            f"The sidecar reports more than {max_error_rate} document or engine errors per second.",
            "warning",
            [
                # rate() drops the metric names and the two counters' series differ by
                # label (reason / kind), so ``or`` keeps all of them: the sum exists as
                # soon as either counter has a series (``+`` would need both).
                _prom_data(
                    "A",
                    600,
                    "sum(rate(logtriage_document_errors_total[5m])"
                    " or rate(logtriage_engine_errors_total[5m]))",
                ),
                _reduce("B", "$A", "last"),
                _math("C", f"$B > {max_error_rate}"),
            ],
            "C",
            "5m",
        ),
    ]
    return [to_json(r.build()) for r in rules]


def alert_rules_file(names: FieldNames = DEFAULT_NAMES) -> dict[str, Any]:
    """The same rules in Grafana's *file* provisioning format (``provisioning/alerting``)."""
    out = []
    for r in alert_rules(names):
        out.append(
            {
                "uid": r["uid"],
                "title": r["title"],
                "condition": r["condition"],
                "data": [
                    {
                        "refId": q["refId"],
                        "relativeTimeRange": q.get("relativeTimeRange", {"from": 0, "to": 0}),
                        "datasourceUid": q["datasourceUid"],
                        "model": q["model"],
                    }
                    for q in r["data"]
                ],
                "noDataState": r["noDataState"],
                "execErrState": r["execErrState"],
                "for": r["for"],
                "annotations": r["annotations"],
                "labels": r["labels"],
                "isPaused": r["isPaused"],
            }
        )
    return {
        "apiVersion": 1,
        "groups": [
            {
                "orgId": 1,
                "name": RULE_GROUP,
                "folder": ALERT_FOLDER_TITLE,
                "interval": f"{RULE_GROUP_INTERVAL_S}s",
                "rules": out,
            }
        ],
    }
