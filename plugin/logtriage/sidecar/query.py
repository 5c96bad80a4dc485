"""The query a pass reads with: documents of ``search.index`` that still need labels."""

from __future__ import annotations

from typing import Any

from logtriage.config import Settings

__all__ = ["paging_problem", "unlabelled_before_query", "unlabelled_query"]

_LABELLED = {"exists": {"field": "logtriage.processed_at"}}


def _not(clause: dict[str, Any]) -> dict[str, Any]:
    return {"bool": {"must_not": [clause]}}


def _any_of(*clauses: dict[str, Any]) -> dict[str, Any]:
    return {"bool": {"should": list(clauses), "minimum_should_match": 1}}


def unlabelled_query(
    settings: Settings, from_ms: int | None, *, relabel_version: str | None = None
) -> dict[str, Any]:
    """Documents matching ``search.query`` from ``from_ms`` (epoch ms, inclusive; ``None``:
    from the start; documents without a timestamp always match) that are not labelled
    yet, or, with ``relabel_version``, labelled by another model version. In ``index``
    mode the labels live elsewhere, so every document in the range matches."""
    ts = settings.search.timestamp_field
    filters: list[dict[str, Any]] = []
    must_not: list[dict[str, Any]] = []
    if settings.sink.write_mode == "update":
        if relabel_version is not None:
            current = {"term": {"logtriage.model.version": relabel_version}}
            filters.append(_any_of(_not(_LABELLED), _not(current)))
        else:
            must_not.append(_LABELLED)
    if settings.search.query:
        filters.append(settings.search.query)
    if from_ms is not None:
        in_range = {"range": {ts: {"gte": from_ms, "format": "epoch_millis"}}}
        filters.append(_any_of(in_range, _not({"exists": {"field": ts}})))
    return {"bool": {"filter": filters, "must_not": must_not}}


def unlabelled_before_query(settings: Settings, before_ms: int) -> dict[str, Any]:
    """Documents matching ``search.query`` with a timestamp before ``before_ms`` (epoch
    ms, exclusive) and no labels (``update`` write mode): those behind
    ``sidecar.start_from``, which no pass reads (e.g. a shipper's backlog delivered
    later than the lookback)."""
    filters: list[dict[str, Any]] = [
        {"range": {settings.search.timestamp_field: {"lt": before_ms, "format": "epoch_millis"}}}
    ]
    if settings.search.query:
        filters.append(settings.search.query)
    return {"bool": {"filter": filters, "must_not": [_LABELLED]}}


def paging_problem(settings: Settings, engine: str) -> str | None:
    """Why passes would skip documents on ``engine`` with these settings, if they would.

    Without point in time, Elasticsearch pages by timestamp alone unless
    ``search.tiebreaker_field`` is set (it refuses to sort on ``_id``): a page ending
    among documents that share a timestamp continues after that timestamp. In ``update``
    write mode the next pass reads the rest (its query leaves labelled documents out);
    in ``index`` mode it reads the same first page again, so the rest are never read."""
    search = settings.search
    if (
        search.use_pit
        or search.tiebreaker_field
        or engine != "elasticsearch"
        or settings.sink.write_mode != "index"
    ):
        return None
    return (
        "search.use_pit: false with sink.write_mode: index on Elasticsearch needs "
        "search.tiebreaker_field (a keyword field unique per document): without it, "
        "documents sharing a timestamp beyond one page (sidecar.batch_size) are never "
        "read. Set it, or turn search.use_pit back on"
    )
