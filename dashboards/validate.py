"""Checks for the generated artifacts. Each function returns a list of problems.

- Dashboards: decoded with grafana-foundation-sdk's own models (the pinned
  version's schema) and re-encoded; anything the model does not know, or any
  value it changes, is a problem. Panel types and query types must be ones the
  SDK knows (no ``UnknownDataquery``), ids unique, grid inside 24 columns,
  datasource references pointing at a dashboard variable or a provisioned uid.
- Alert rule files: a JSON Schema written from Grafana's documentation of the
  file-provisioning format (``apiVersion: 1``, ``groups[].rules[]``), plus the
  references a schema cannot express (condition and ``$A`` refs exist,
  datasource uids are provisioned or ``__expr__``).
- Kibana saved objects: one JSON object per line with id/type/attributes/
  references, JSON-encoded attributes that parse, every reference resolving
  inside the file, every field used by a saved search existing in the data view.
"""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema

__all__ = [
    "ALERT_RULES_FILE_SCHEMA",
    "validate_alert_rules_file",
    "validate_dashboard",
    "validate_datasources_file",
    "validate_kibana_ndjson",
]

_DURATION = r"^([0-9]+(ms|s|m|h|d|w))+$"

# Written from Grafana's "Use configuration files to provision alerting resources"
# (Grafana 11/12 docs): top-level apiVersion/groups/deleteRules, each group with
# orgId/name/folder/interval/rules, each rule with the fields listed there.
ALERT_RULES_FILE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["apiVersion", "groups"],
    "additionalProperties": False,
    "properties": {
        "apiVersion": {"const": 1},
        "groups": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["orgId", "name", "folder", "interval", "rules"],
                "additionalProperties": False,
                "properties": {
                    "orgId": {"type": "integer", "minimum": 1},
                    "name": {"type": "string", "minLength": 1},
                    "folder": {"type": "string", "minLength": 1},
                    "interval": {"type": "string", "pattern": _DURATION},
                    "rules": {
                        "type": "array",
                        "minItems": 1,
                        "items": {"$ref": "#/$defs/rule"},
                    },
                },
            },
        },
        "deleteRules": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["orgId", "uid"],
                "properties": {"orgId": {"type": "integer"}, "uid": {"type": "string"}},
            },
        },
    },
    "$defs": {
        "rule": {
            "type": "object",
            "required": ["uid", "title", "condition", "data"],
            "additionalProperties": False,
            "properties": {
                "uid": {"type": "string", "pattern": "^[a-zA-Z0-9_-]{1,40}$"},
                "title": {"type": "string", "minLength": 1, "maxLength": 190},
                "condition": {"type": "string", "minLength": 1},
                "data": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/query"}},
                "noDataState": {"enum": ["Alerting", "NoData", "OK", "KeepLast"]},
                "execErrState": {"enum": ["Alerting", "Error", "OK", "KeepLast"]},
                "for": {"type": "string", "pattern": _DURATION},
                "keepFiringFor": {"type": "string", "pattern": _DURATION},
                "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "isPaused": {"type": "boolean"},
                "dashboardUid": {"type": "string"},
                "panelId": {"type": "integer"},
                "notification_settings": {
                    "type": "object",
                    "required": ["receiver"],
                    "properties": {
                        "receiver": {"type": "string"},
                        "group_by": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
        },
        "query": {
            "type": "object",
            "required": ["refId", "datasourceUid", "model"],
            "additionalProperties": False,
            "properties": {
                "refId": {"type": "string", "pattern": "^[A-Za-z0-9_]+$"},
                "queryType": {"type": "string"},
                "relativeTimeRange": {
                    "type": "object",
                    "required": ["from", "to"],
                    "properties": {
                        "from": {"type": "integer", "minimum": 0},
                        "to": {"type": "integer", "minimum": 0},
                    },
                },
                "datasourceUid": {"type": "string", "minLength": 1},
                "model": {"type": "object", "required": ["refId"]},
            },
        },
    },
}


def validate_alert_rules_file(doc: Any, datasource_uids: set[str]) -> list[str]:
    """Problems with a Grafana alert-rule provisioning file (parsed YAML)."""
    problems = [
        f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message}"
        for e in jsonschema.Draft202012Validator(ALERT_RULES_FILE_SCHEMA).iter_errors(doc)
    ]
    if problems:
        return problems
    uids: set[str] = set()
    for group in doc["groups"]:
        for rule in group["rules"]:
            where = f"rule {rule['uid']}"
            if rule["uid"] in uids:
                problems.append(f"{where}: duplicate uid")
            uids.add(rule["uid"])
            refs = [q["refId"] for q in rule["data"]]
            if len(set(refs)) != len(refs):
                problems.append(f"{where}: duplicate refId in data")
            if rule["condition"] not in refs:
                problems.append(f"{where}: condition {rule['condition']} is not a refId")
            for q in rule["data"]:
                if q["model"]["refId"] != q["refId"]:
                    problems.append(f"{where}: model refId differs from {q['refId']}")
                uid = q["datasourceUid"]
                if uid == "__expr__":
                    expr = str(q["model"].get("expression", ""))
                    for used in re.findall(r"\$\{?([A-Za-z0-9_]+)", expr):
                        if used not in refs:
                            problems.append(f"{where}: {q['refId']} uses unknown ${used}")
                elif uid not in datasource_uids:
                    problems.append(f"{where}: datasource {uid} is not provisioned")
                elif "relativeTimeRange" not in q:
                    problems.append(f"{where}: {q['refId']} has no relativeTimeRange")
    return problems


def validate_datasources_file(doc: Any) -> list[str]:
    """Problems with a datasource provisioning file (Grafana's documented fields)."""
    problems: list[str] = []
    if doc.get("apiVersion") != 1:
        problems.append("apiVersion must be 1")
    allowed = {
        "name", "type", "access", "orgId", "uid", "url", "user", "database", "basicAuth",
        "basicAuthUser", "withCredentials", "isDefault", "jsonData", "secureJsonData",
        "version", "editable",
    }  # fmt: skip
    for ds in doc.get("datasources", []):
        for key in ("name", "type", "access", "uid", "url"):
            if key not in ds:
                problems.append(f"datasource {ds.get('name')}: missing {key}")
        for key in set(ds) - allowed:
            problems.append(f"datasource {ds.get('name')}: unknown field {key}")
        if ds.get("access") not in ("proxy", "direct"):
            problems.append(f"datasource {ds.get('name')}: access must be proxy or direct")
        if ds.get("type") == "elasticsearch":
            jd = ds.get("jsonData", {})
            for key in ("index", "timeField"):
                if not jd.get(key):
                    problems.append(f"datasource {ds.get('name')}: jsonData.{key} is required")
    return problems


# --------------------------------------------------------------------------- dashboards


def _diff(a: Any, b: Any, path: str, out: list[str]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in a:
            if k not in b:
                out.append(f"{path}/{k}: not in the SDK model")
            else:
                _diff(a[k], b[k], f"{path}/{k}", out)
        for k in b:
            if k not in a:
                out.append(f"{path}/{k}: added by the SDK model (missing in the file)")
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{path}: {len(a)} items, SDK model has {len(b)}")
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            _diff(x, y, f"{path}/{i}", out)
    elif a != b or type(a) is not type(b):
        out.append(f"{path}: {a!r} becomes {b!r} in the SDK model")


def validate_dashboard(data: dict[str, Any], datasource_uids: set[str]) -> list[str]:
    """Problems with a dashboard JSON, checked against grafana-foundation-sdk's model."""
    from grafana_foundation_sdk.cog import runtime as cogruntime
    from grafana_foundation_sdk.cog.encoder import JSONEncoder
    from grafana_foundation_sdk.cog.plugins import register_default_plugins
    from grafana_foundation_sdk.models.dashboard import Dashboard

    register_default_plugins()
    problems: list[str] = []
    try:
        model = Dashboard.from_json(data)
    except (KeyError, TypeError, ValueError) as exc:
        return [f"does not decode with the SDK model: {exc!r}"]
    again = json.loads(json.dumps(model, cls=JSONEncoder))
    _diff(data, again, "", problems)
    for key in ("uid", "title"):
        if not data.get(key):
            problems.append(f"missing {key}")
    for p in model.panels or []:
        for t in getattr(p, "targets", None) or []:
            if isinstance(t, cogruntime.UnknownDataquery):
                problems.append(f"panel {getattr(p, 'title', '?')}: query type unknown to the SDK")
    variables = {v["name"] for v in data.get("templating", {}).get("list", [])}
    ids: set[int] = set()
    known_panels = cogruntime.Runtime().panelcfg_variants
    for panel in data.get("panels", []):
        where = f"panel {panel.get('id')} ({panel.get('title')})"
        if panel.get("id") in ids:
            problems.append(f"{where}: duplicate id")
        ids.add(panel.get("id"))
        pos = panel.get("gridPos", {})
        if pos.get("x", 0) + pos.get("w", 0) > 24:
            problems.append(f"{where}: wider than the 24-column grid")
        if panel["type"] == "row":
            continue
        if panel["type"] not in known_panels:
            problems.append(f"{where}: panel type {panel['type']} unknown to the SDK")
        if not panel.get("targets"):
            problems.append(f"{where}: no query")
        for target in [*panel.get("targets", []), panel]:
            ref = target.get("datasource") or {}
            uid = str(ref.get("uid", ""))
            m = re.fullmatch(r"\$\{?(\w+)\}?", uid)
            if m and m.group(1) not in variables:
                problems.append(f"{where}: datasource variable {uid} is not defined")
            if uid and not m and uid not in datasource_uids:
                problems.append(f"{where}: datasource {uid} is not provisioned")
    return problems


# --------------------------------------------------------------------------- kibana


def _fields_in_kql(query: str) -> set[str]:
    return set(re.findall(r"([A-Za-z_@][\w.@]*)\s*:", query))


def validate_kibana_ndjson(text: str) -> list[str]:
    """Problems with a Kibana saved-objects export (``_import`` ndjson)."""
    problems: list[str] = []
    objects: list[dict[str, Any]] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {n}: not JSON: {exc}")
            continue
        for key in ("id", "type", "attributes", "references"):
            if key not in obj:
                problems.append(f"line {n}: missing {key}")
        objects.append(obj)
    if problems:
        return problems
    by_key = {(o["type"], o["id"]): o for o in objects}
    if len(by_key) != len(objects):
        problems.append("duplicate (type, id)")
    views = [o for o in objects if o["type"] == "index-pattern"]
    if not views:
        problems.append("no data view (index-pattern) object")
    view_fields: dict[str, set[str]] = {}
    for v in views:
        a = v["attributes"]
        for key in ("title", "timeFieldName", "fields"):
            if key not in a:
                problems.append(f"data view {v['id']}: missing {key}")
        try:
            fields = json.loads(a.get("fields", "[]"))
        except json.JSONDecodeError:
            problems.append(f"data view {v['id']}: fields is not JSON")
            fields = []
        names = {f["name"] for f in fields}
        for f in fields:
            for key in ("name", "type", "searchable", "aggregatable"):
                if key not in f:
                    problems.append(f"data view {v['id']}: field {f.get('name')} missing {key}")
        if a.get("timeFieldName") not in names:
            problems.append(f"data view {v['id']}: time field not among its fields")
        view_fields[v["id"]] = names
    for o in objects:
        where = f"{o['type']} {o['id']}"
        ref_names = {r["name"]: r for r in o["references"]}
        for r in o["references"]:
            if (r["type"], r["id"]) not in by_key:
                problems.append(f"{where}: reference {r['name']} -> {r['type']}/{r['id']} missing")
        meta = o["attributes"].get("kibanaSavedObjectMeta", {})
        source: dict[str, Any] = {}
        if "searchSourceJSON" in meta:
            try:
                source = json.loads(meta["searchSourceJSON"])
            except json.JSONDecodeError:
                problems.append(f"{where}: searchSourceJSON is not JSON")
        index_ref = source.get("indexRefName")
        if index_ref and index_ref not in ref_names:
            problems.append(f"{where}: indexRefName {index_ref} has no reference")
        if o["type"] == "search":
            if not index_ref:
                problems.append(f"{where}: saved search without a data view")
                continue
            fields = view_fields.get(ref_names[index_ref]["id"], set())
            used = set(o["attributes"].get("columns", []))
            used |= {next(iter(s)) for s in o["attributes"].get("sort", [])}
            used |= _fields_in_kql(source.get("query", {}).get("query", ""))
            for f in sorted(used - fields):
                problems.append(f"{where}: field {f} is not in the data view")
        if o["type"] == "dashboard":
            try:
                panels = json.loads(o["attributes"]["panelsJSON"])
            except (KeyError, json.JSONDecodeError):
                problems.append(f"{where}: panelsJSON missing or not JSON")
                continue
            if not panels:
                problems.append(f"{where}: no panels")
            for p in panels:
                if p.get("panelRefName") not in ref_names:
                    problems.append(f"{where}: panel {p.get('panelIndex')} has no reference")
                grid = p.get("gridData", {})
                if grid.get("x", 0) + grid.get("w", 0) > 48:
                    problems.append(f"{where}: panel {p.get('panelIndex')} wider than 48")
    return problems
