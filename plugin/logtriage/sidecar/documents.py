"""What the sidecar writes onto a document: the ``logtriage.*`` fields of a labelled
line, of a line it could not label, and the guarded re-index that carries them."""

from __future__ import annotations

import contextlib
from datetime import datetime, timezone
from typing import Any

import numpy as np

from logtriage.pipeline import LabeledBatch
from logtriage.search import jsonio
from logtriage.sinks.search import WriteAction, rewrite_action, splice_action
from logtriage.sources.search import Hit

__all__ = [
    "error_fields",
    "iso_ms",
    "label_fields",
    "rewrite_hit",
    "template_id_offset",
    "utc_now_iso",
]


def utc_now_iso() -> str:
    """Now, as the engine's ``date`` fields take it (UTC, milliseconds, ``Z``)."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso_ms(ms: int) -> str:
    """Epoch ms as ISO-8601 UTC (``Z``), for messages."""
    when = datetime.fromtimestamp(ms / 1000, timezone.utc)
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def template_id_offset(slot: int) -> int:
    """What worker ``slot`` adds to its miner's template ids in what it writes.

    Each worker slot mines its own templates (its miner state is its own), so the
    miners' ids overlap: with two workers, id 5 named one template on one and another
    on the other, and the dashboards' "Top templates" added them up under one text.
    Slot ``k`` writes ``k * 2**32 + id`` (``logtriage.template.id`` is a ``long``; the
    miner's ids are 32-bit): slot 0, and so a single worker, writes the miner's ids."""
    return slot << 32


def label_fields(
    batch: LabeledBatch,
    now: str,
    *,
    clear_error: bool = False,
    encode: bool = True,
    template_id_offset: int = 0,
) -> list[tuple[dict[str, Any], bytes | None]]:
    """The ``logtriage.*`` fields of every line of ``batch`` with their JSON (``None``
    where it cannot be written exactly, or without ``encode``: only a re-indexed source
    uses it). Lines with the same labels share one dict and one encoding; numpy columns
    are converted once, not per line. ``clear_error`` (re-labelling) sets ``error`` to
    null, clearing one an older run left. ``template_id_offset``: see
    :func:`template_id_offset`."""
    labels = batch.labels
    model = {"version": batch.model_version}
    cleared = {"error": None} if clear_error else {}
    shared: dict[tuple[Any, ...], tuple[dict[str, Any], bytes | None]] = {}
    rows = []
    for row in zip(
        labels.label,
        np.round(np.asarray(labels.confidence, dtype=np.float64), 6).tolist(),
        np.asarray(labels.anomaly, dtype=bool).tolist(),
        np.round(np.asarray(labels.anomaly_score, dtype=np.float64), 6).tolist(),
        (np.asarray(batch.template_ids, dtype=np.int64) + template_id_offset).tolist(),
        batch.template_texts,
        batch.rules,
        strict=True,
    ):
        entry = shared.get(row)
        if entry is None:
            label, confidence, anomaly, score, tid, text, rule = row
            fields = {
                "label": label,
                "confidence": confidence,
                "anomaly": anomaly,
                "anomaly_score": score,
                "template": {"id": tid, "text": text},
                "rule": rule,
                "model": model,
                "processed_at": now,
                **cleared,
            }
            encoded: bytes | None = None
            # A lone surrogate (e.g. in a rule id) leaves ``None``: the exact dict path.
            with contextlib.suppress(jsonio.SourceEncodeError):
                encoded = jsonio.dumps(fields) if encode else None
            entry = shared[row] = (fields, encoded)
        rows.append(entry)
    return rows


def error_fields(reason: str, detail: str, model_version: str, now: str) -> dict[str, Any]:
    """The ``logtriage.*`` fields of a document that gets ``error`` instead of labels."""
    return {
        "error": {"reason": reason, "detail": detail},
        "model": {"version": model_version},
        "processed_at": now,
    }


def rewrite_hit(
    hit: Hit, fields: dict[str, Any], fields_json: bytes | None = None
) -> WriteAction | None:
    """The guarded re-index of ``hit`` with ``fields`` (see :func:`rewrite_action`):
    appended to the source text as read when the reader kept it (:func:`splice_action`),
    else merged into the decoded source."""
    if fields_json is not None and hit.rewrite_head is not None:
        return splice_action(
            hit.index,
            hit.id,
            hit.seq_no,
            hit.primary_term,
            hit.rewrite_head,
            fields_json,
            hit.routing,
        )
    return rewrite_action(
        hit.index,
        hit.id,
        hit.seq_no,
        hit.primary_term,
        hit.source,
        fields,
        hit.routing,
        fields_json=fields_json,
    )
