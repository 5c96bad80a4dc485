"""Mappings for the ``logtriage.*`` fields and the sidecar's own indices.

- ``logtriage-mappings`` is a component template; compose it into your index
  templates (``composed_of``) so new indices and data-stream generations get the
  mappings up front.
- :func:`ensure_field_mappings` also puts the mapping on every existing concrete
  index the sidecar reads (data-stream backing indices included), so writes never
  rely on dynamic mapping. A conflict (e.g. ``logtriage`` already mapped as a
  keyword) is reported with the index name.
"""

from __future__ import annotations

import logging
from typing import Any

from logtriage.search.client import EngineInfo, EngineRequestError, SearchClient

__all__ = [
    "COMPONENT_TEMPLATE",
    "LENIENT",
    "LOGTRIAGE_PROPERTIES",
    "PARTIAL_SOURCE_ADVICE",
    "STATE_MAPPINGS",
    "concrete_indices",
    "count_documents",
    "count_documents_by",
    "describe_partial_sources",
    "ensure_field_mappings",
    "ensure_labels_index",
    "ensure_state_index",
    "field_mapped",
    "field_mappings",
    "install_component_template",
    "install_data_stream_template",
    "label_properties",
    "labels_mappings",
    "logtriage_properties",
    "partial_source_indices",
    "result_window",
    "rewritable_indices",
    "sorts_in_nanos",
    "unmapped_indices",
]

log = logging.getLogger(__name__)

COMPONENT_TEMPLATE = "logtriage-mappings"

_KW = {"type": "keyword", "ignore_above": 1024}
#: Request parameters for a pattern that may match no index (or a closed one).
LENIENT = {"ignore_unavailable": "true", "allow_no_indices": "true"}

# Numbers and the date are doc-values only (``index: false``) where the engine can
# still run ranges and term queries on such fields: Elasticsearch 8.1+, and OpenSearch
# 2.18 (checked here, tests/sinks/test_label_mappings.py; older OpenSearch 2.x keep
# them indexed). Exists queries and aggregations use doc values anyway. Every label
# write costs the engine about 10% less CPU that way (bench/engine_costs.py:
# overwrite 26-28 -> 23-25 ms per 1k documents, append labelled 19 -> 17).
_DOC_VALUES_QUERIES_SINCE = {"elasticsearch": (8, 1), "opensearch": (2, 18)}


def logtriage_properties(doc_values_only: bool = True) -> dict[str, Any]:
    """The ``logtriage.*`` mapping; ``doc_values_only``: numbers and the date unindexed."""
    unindexed = {"index": False} if doc_values_only else {}
    return {
        "logtriage": {
            "properties": {
                "label": {"type": "keyword"},
                "confidence": {"type": "float", **unindexed},
                "anomaly": {"type": "boolean"},
                "anomaly_score": {"type": "float", **unindexed},
                "template": {
                    "properties": {
                        "id": {"type": "long", **unindexed},
                        "text": {"type": "keyword", "ignore_above": 4096},
                    }
                },
                "rule": {"type": "keyword"},
                "model": {"properties": {"version": {"type": "keyword"}}},
                "processed_at": {"type": "date", **unindexed},
                "error": {"properties": {"reason": {"type": "keyword"}, "detail": _KW}},
                "session": {
                    "properties": {
                        "anomaly": {"type": "boolean"},
                        "key": _KW,
                        "length": {"type": "integer"},
                        "position": {"type": "integer"},
                        "template_id": {"type": "long"},
                        "score": {"type": "float"},
                    }
                },
            }
        }
    }


def label_properties(engine: EngineInfo) -> dict[str, Any]:
    """:func:`logtriage_properties` for what ``engine`` can query."""
    since = _DOC_VALUES_QUERIES_SINCE.get(engine.engine)
    return logtriage_properties(doc_values_only=since is not None and engine.release >= since)


#: The mapping on the engines tested here (doc-values-only numbers and date).
LOGTRIAGE_PROPERTIES: dict[str, Any] = logtriage_properties()

STATE_MAPPINGS: dict[str, Any] = {
    "dynamic": False,
    "properties": {
        "kind": {"type": "keyword"},
        "name": {"type": "keyword"},
        "slot": {"type": "integer"},
        "owner": {"type": "keyword"},
        "expires_at": {"type": "double"},
        "updated_at": {"type": "date"},
        "position_ms": {"type": "long"},
        "miner_state": {"type": "binary"},
    },
}


def labels_mappings(engine: EngineInfo) -> dict[str, Any]:
    """The labels index of ``index`` write mode: source keys, timestamp, labels."""
    return {
        "properties": {
            "source": {"properties": {"index": {"type": "keyword"}, "id": {"type": "keyword"}}},
            "@timestamp": {"type": "date"},
            **label_properties(engine),
        }
    }


def install_component_template(client: SearchClient, name: str = COMPONENT_TEMPLATE) -> None:
    client.request(
        "PUT",
        f"/_component_template/{name}",
        body={
            "template": {"mappings": {"properties": label_properties(client.info)}},
            "_meta": {"managed_by": "logtriage"},
        },
    )


def install_data_stream_template(
    client: SearchClient,
    name: str,
    pattern: str,
    *,
    priority: int = 500,
    settings: dict[str, Any] | None = None,
) -> None:
    """An index template for a data stream that composes the logtriage mappings
    (used by the demo, tests and benches; production clusters compose it into their
    own). ``settings``: index settings on top of ``number_of_replicas`` 0."""
    install_component_template(client)
    client.request(
        "PUT",
        f"/_index_template/{name}",
        body={
            "index_patterns": [pattern],
            "data_stream": {},
            "priority": priority,
            "composed_of": [COMPONENT_TEMPLATE],
            "template": {
                "settings": {"number_of_replicas": 0, **(settings or {})},
                "mappings": {
                    "properties": {
                        "@timestamp": {"type": "date"},
                        "message": {"type": "text"},
                    }
                },
            },
        },
    )


def concrete_indices(client: SearchClient, pattern: str) -> list[str]:
    """Concrete indices behind a pattern: plain indices plus data-stream backing indices."""
    try:
        resolved = client.resolve(pattern)
    except EngineRequestError as exc:
        if exc.status != 404:
            raise
        if "," not in pattern:
            return []
        # One name of a list that does not exist fails the whole _resolve call.
        return sorted(_flat_settings(client, pattern, "index.uuid"))
    names = [i["name"] for i in resolved.get("indices", []) if "data_stream" not in i]
    for ds in resolved.get("data_streams", []):
        names.extend(ds.get("backing_indices", []))
    for idx in resolved.get("indices", []):
        if "data_stream" in idx and idx["name"] not in names:
            names.append(idx["name"])
    return sorted(set(names))


def ensure_field_mappings(
    client: SearchClient, pattern: str, indices: list[str] | None = None
) -> list[str]:
    """Put the ``logtriage.*`` mapping on each concrete index that lacks it
    (``indices``: those behind ``pattern`` when the caller has resolved them already).

    Returns the indices updated.

    Raises:
        EngineRequestError: a mapping conflict; the message names the index.
    """
    if indices is None:
        indices = concrete_indices(client, pattern)
    missing = unmapped_indices(client, pattern, indices)
    properties = label_properties(client.info)
    for index in missing:
        try:
            client.request("PUT", f"/{index}/_mapping", body={"properties": properties})
        except EngineRequestError as exc:
            if exc.status == 404:  # deleted meanwhile (e.g. ILM)
                continue
            raise EngineRequestError(
                f"cannot add logtriage.* mappings to index {index}: {exc}",
                exc.status,
                exc.error_type,
                exc.body,
            ) from exc
    return missing


def unmapped_indices(client: SearchClient, pattern: str, indices: list[str]) -> list[str]:
    """Those of ``indices`` (concrete, behind ``pattern``) without the ``logtriage.*``
    mappings yet: the ones :func:`ensure_field_mappings` puts them on."""
    if not indices:
        return []
    mapped = field_mappings(client, pattern, "logtriage.processed_at")
    return [i for i in indices if not mapped.get(i)]


def field_mappings(client: SearchClient, pattern: str, fields: str) -> dict[str, dict[str, Any]]:
    """``{index: {full field name: its mapping}}`` for each concrete index behind
    ``pattern`` whose mappings can be read (``{}`` where it maps none of ``fields``,
    comma-separated, wildcards allowed). Indices the user may not read the mappings
    of (``view_index_metadata``) are left out.

    Raises:
        EngineRequestError: the engine failed.
    """
    try:
        resp = client.request(
            "GET", f"/{pattern}/_mapping/field/{fields}", params=LENIENT, ignore=(404,)
        )
    except EngineRequestError as exc:
        if exc.status in (401, 403):
            return {}
        raise
    if resp.get("status") == 404:
        # An empty 404: no index readable, or (OpenSearch) none maps ``fields``.
        indices = concrete_indices(client, pattern)
        if not indices or _mappings_forbidden(client, indices[0]):
            return {}
        return {index: {} for index in indices}
    out: dict[str, dict[str, Any]] = {}
    for index, doc in resp.items():
        # {"logtriage.label": {"full_name": ..., "mapping": {"label": {"type": ...}}}}
        entries = (doc or {}).get("mappings") or {}
        out[index] = {name: next(iter(e["mapping"].values())) for name, e in entries.items()}
    return out


def _mappings_forbidden(client: SearchClient, index: str) -> bool:
    """Whether this user may not read the mappings of ``index``."""
    try:
        client.request("GET", f"/{index}/_mapping/field/logtriage.processed_at", ignore=(404,))
    except EngineRequestError as exc:
        if exc.status in (401, 403):
            return True
        raise
    return False


def _ensure_index(client: SearchClient, index: str, mappings: dict[str, Any]) -> None:
    """Create ``index`` unless it exists. When another process created it a moment ago
    (workers starting together), wait for its shard: reads before it starts fail with
    503 ``no_shard_available_action_exception``, and the sidecar logged the engine as
    unavailable and backed off. The creator's own create waits for it already."""
    body = {
        "settings": {"number_of_shards": 1, "auto_expand_replicas": "0-1"},
        "mappings": mappings,
    }
    resp = client.request("PUT", f"/{index}", body=body, ignore=(400,))
    if isinstance(resp, dict) and resp.get("status") == 400:
        err = (resp.get("error") or {}).get("error", {})
        if err.get("type") != "resource_already_exists_exception":
            raise EngineRequestError(f"cannot create index {index}: {err}", 400, err.get("type"))
        # Its one primary active (a new index is "yellow" while it initializes). At worst
        # this times out (the next read then says why); 403: no `monitor` privilege.
        # ``timeout`` is in the URL: the clients take a ``timeout`` parameter as their own.
        client.request(
            "GET",
            f"/_cluster/health/{index}?wait_for_active_shards=1&timeout=10s",
            ignore=(403, 408),
        )


def ensure_state_index(client: SearchClient, index: str) -> None:
    """The sidecar's state index (checkpoints, leases, miner state)."""
    _ensure_index(client, index, STATE_MAPPINGS)


def ensure_labels_index(client: SearchClient, index: str) -> None:
    """The labels index of ``index`` write mode (one document per source document)."""
    _ensure_index(client, index, labels_mappings(client.info))


def _flat_settings(client: SearchClient, pattern: str, name: str = "") -> dict[str, Any]:
    """``GET /<pattern>/_settings[/<name>]``, flat, per index (empty when nothing matches)."""
    path = f"/{pattern}/_settings/{name}" if name else f"/{pattern}/_settings"
    return client.request(
        "GET", path, params={**LENIENT, "flat_settings": "true", "filter_path": "*.settings"}
    )


def _source_mappings(client: SearchClient, pattern: str) -> dict[str, dict[str, Any]]:
    """The ``_source`` mapping of each concrete index behind ``pattern`` (``{}``: default)."""
    resp = client.request(
        "GET", f"/{pattern}/_mapping", params={**LENIENT, "filter_path": "*.mappings._source"}
    )
    return {
        index: ((doc or {}).get("mappings") or {}).get("_source") or {}
        for index, doc in resp.items()
    }


#: What to do about the indices :func:`partial_source_indices` names (the sidecar
#: refuses them in ``update`` write mode; ``logtriage doctor`` says the same).
PARTIAL_SOURCE_ADVICE = (
    "leave those indices out of search.index (e.g. 'logs-*,-name') or set sink.write_mode: index"
)


def partial_source_indices(client: SearchClient, pattern: str) -> dict[str, str]:
    """Concrete indices behind ``pattern`` whose stored ``_source`` is not the whole
    document, with what it leaves out. Any write of labels onto their documents (an
    update too) re-indexes them from ``_source``, which would drop the left-out fields
    from the index, so ``update`` mode must not touch them. Empty when the mappings
    cannot be read (no ``view_index_metadata`` privilege).

    Raises:
        EngineRequestError: the engine failed otherwise.
    """
    try:
        mappings = _source_mappings(client, pattern)
    except EngineRequestError as exc:
        if exc.status in (401, 403):
            return {}
        raise
    partial = {}
    for index, source in sorted(mappings.items()):
        if source.get("enabled", True) in (False, "false"):
            partial[index] = "_source is disabled"
        else:
            parts = [
                f"_source.{key}: {', '.join(source[key])}"
                for key in ("includes", "excludes")
                if source.get(key)
            ]
            if parts:
                partial[index] = "; ".join(parts)
    return partial


def describe_partial_sources(partial: dict[str, str]) -> str:
    """``index (what its _source leaves out); ...`` for messages."""
    return "; ".join(f"{index} ({why})" for index, why in partial.items())


def rewritable_indices(client: SearchClient, pattern: str) -> frozenset[str]:
    """Concrete indices behind ``pattern`` whose documents can be labelled by indexing
    their ``_source`` as read plus ``logtriage.*`` (instead of a partial update) with
    exactly the same result: the stored ``_source`` is the whole document (enabled, no
    ``includes``/``excludes``, not synthetic: no ``logsdb``/``time_series`` index mode)
    and no ingest pipeline runs on an index request (``default_pipeline``,
    ``final_pipeline``), which a partial update would not run either. Empty when the
    settings cannot be read (e.g. no ``view_index_metadata`` privilege).

    Raises:
        EngineRequestError: the engine failed otherwise.
    """
    indices = concrete_indices(client, pattern)
    if not indices:
        return frozenset()
    try:
        settings = _flat_settings(client, pattern)
        mappings = _source_mappings(client, pattern)
    except EngineRequestError as exc:
        if exc.status not in (401, 403):
            raise
        log.info("cannot read the settings of %s (%s): labels go as partial updates", pattern, exc)
        return frozenset()
    ok = set()
    for index in indices:
        flat = (settings.get(index) or {}).get("settings") or {}
        source = mappings.get(index, {})
        if (
            flat.get("index.default_pipeline", "_none") == "_none"
            and flat.get("index.final_pipeline", "_none") == "_none"
            and flat.get("index.mode", "standard") == "standard"
            and flat.get("index.mapping.source.mode", "stored") == "stored"
            and source.get("enabled", True) in (True, "true")
            and source.get("mode", "stored") == "stored"
            and not source.get("includes")
            and not source.get("excludes")
            and index in settings
        ):
            ok.add(index)
    return frozenset(ok)


def field_mapped(client: SearchClient, pattern: str, field: str) -> bool:
    """Whether any index behind ``pattern`` maps ``field`` (field capabilities: the
    ``read`` privilege is enough)."""
    resp = client.request("GET", f"/{pattern}/_field_caps", params={**LENIENT, "fields": field})
    return bool(resp.get("fields"))


def count_documents(client: SearchClient, pattern: str, query: dict[str, Any]) -> int:
    """How many documents behind ``pattern`` match ``query`` (0 when nothing matches)."""
    resp = client.request("POST", f"/{pattern}/_count", params=LENIENT, body={"query": query})
    return int(resp["count"])


def count_documents_by(
    client: SearchClient, pattern: str, query: dict[str, Any], field: str, values: int
) -> dict[str, int]:
    """How many documents behind ``pattern`` match ``query``, per value of the keyword
    ``field`` (``_index``: per concrete index), for up to ``values`` values."""
    body = {
        "size": 0,
        "track_total_hits": False,
        "query": query,
        "aggs": {"by": {"terms": {"field": field, "size": max(values, 1)}}},
    }
    resp = client.request("POST", f"/{pattern}/_search", params=LENIENT, body=body)
    buckets = ((resp.get("aggregations") or {}).get("by") or {}).get("buckets") or []
    return {str(b["key"]): int(b["doc_count"]) for b in buckets}


#: Field types the engines can sort as epoch milliseconds (``numeric_type: date``).
_DATE_SORTABLE = frozenset(
    [
        "date",
        "date_nanos",
        "long",
        "integer",
        "short",
        "byte",
        "double",
        "float",
        "half_float",
        "scaled_float",
        "unsigned_long",
    ]
)


def sorts_in_nanos(client: SearchClient, pattern: str, field: str) -> bool:
    """Whether some index behind ``pattern`` maps ``field`` as ``date_nanos`` and every
    one that maps it does so as a date or a number: then a sort on it must ask for
    epoch milliseconds (``numeric_type: date``), else its sort values are nanoseconds
    (field capabilities: the ``read`` privilege is enough)."""
    resp = client.request("GET", f"/{pattern}/_field_caps", params={**LENIENT, "fields": field})
    types = set(((resp.get("fields") or {}).get(field) or {}).keys())
    return "date_nanos" in types and types <= _DATE_SORTABLE


#: ``index.max_result_window`` when an index does not set it.
DEFAULT_RESULT_WINDOW = 10_000


def result_window(client: SearchClient, pattern: str) -> int | None:
    """The smallest ``index.max_result_window`` among the indices behind ``pattern``:
    the largest page a search over them may ask for. ``None`` when nothing matches or
    the settings cannot be read (no ``view_index_metadata`` privilege).

    Raises:
        EngineRequestError: the engine failed otherwise.
    """
    try:
        settings = _flat_settings(client, pattern, "index.max_result_window")
    except EngineRequestError as exc:
        if exc.status not in (401, 403):
            raise
        return None
    windows = [
        int((doc.get("settings") or {}).get("index.max_result_window", DEFAULT_RESULT_WINDOW))
        for doc in settings.values()
        if isinstance(doc, dict)
    ]
    return min(windows, default=None)
