"""Settings of the search-engine source, the sink and the sidecar loop."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)

from logtriage.config.types import StringList

DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SearchSettings(_Section):
    """Connection to Elasticsearch 8 / OpenSearch 2 and what to read.

    ``index`` is an index pattern, alias or data stream (comma-separated allowed).
    ``message_field``/``timestamp_field`` accept dotted paths. ``query`` is an
    optional extra filter (query DSL) ANDed with "not yet labelled".
    """

    hosts: StringList = ["http://127.0.0.1:9200"]
    api_key: SecretStr | None = None
    username: str | None = None
    password: SecretStr | None = None
    bearer_token: SecretStr | None = None
    ca_certs: Path | None = None
    verify_certs: bool = True
    request_timeout_s: float = Field(30.0, gt=0)
    index: str = "logs-*"
    message_field: str = "message"
    timestamp_field: str = "@timestamp"
    query: dict[str, Any] | None = None
    use_pit: bool = True
    pit_keep_alive: str = Field("5m", pattern=r"^[1-9][0-9]*(ms|s|m|h|d)$")
    tiebreaker_field: str | None = None
    max_message_bytes: int = Field(DEFAULT_MAX_MESSAGE_BYTES, ge=256)

    @field_validator("hosts")
    @classmethod
    def _hosts_are_urls(cls, hosts: list[str]) -> list[str]:
        """Each host an ``http``/``https`` URL with a host name; a bare ``es:9200`` is
        refused with the URL it probably meant (the client cannot guess the scheme)."""
        if not hosts:
            raise ValueError("name at least one host, e.g. http://127.0.0.1:9200")
        for host in hosts:
            url = urlsplit(host.strip())
            if url.scheme in ("http", "https") and url.hostname:
                continue
            if "://" not in host:
                raise ValueError(
                    f"{host!r} needs a scheme: http://{host.strip()} or https://{host.strip()}"
                )
            raise ValueError(f"{host!r} is not an http:// or https:// URL with a host")
        return [h.strip() for h in hosts]


_BAD_INDEX_CHARS = set('\\/*?"<>| ,#:')


def index_name(value: str) -> str:
    """``value`` if both engines accept it as the name of an index this tool creates.

    Raises:
        ValueError: what the engine would refuse, said before anything is written.
    """
    bad = sorted(_BAD_INDEX_CHARS.intersection(value))
    if not value or value in (".", "..") or value[0] in "-_+":
        problem = "must not be empty, '.', '..' or start with '-', '_' or '+'"
    elif value != value.lower():
        problem = "must be lower case"
    elif bad:
        problem = f"must not contain {' '.join(repr(c) for c in bad)}"
    elif len(value.encode()) > 255:
        problem = "must be at most 255 bytes"
    else:
        return value
    raise ValueError(f"index name {value!r} {problem}")


IndexName = Annotated[str, AfterValidator(index_name)]
"""The name of an index logtriage creates (checked as the engines would)."""


class SinkSettings(_Section):
    """How labels are written back (bulk helpers' habits).

    ``update``: ``logtriage.*`` added to the source documents, guarded by
    ``if_seq_no``/``if_primary_term``. With ``rewrite_source`` (default) the document
    is re-indexed as read plus ``logtriage.*`` where that gives the same result as a
    partial update (whole ``_source`` stored, no ingest pipeline on the index; see
    :func:`logtriage.search.templates.rewritable_indices`): no get-and-merge on the
    engine. Otherwise, and for documents whose source cannot be written back exactly,
    a partial ``update``. ``index``: one document per source document in
    ``labels_index`` (id ``<index>:<id>``, ``op_type=create``).
    """

    write_mode: Literal["update", "index"] = "update"
    rewrite_source: bool = True
    labels_index: IndexName = "logtriage-labels"
    chunk_size: int = Field(10_000, ge=1)
    max_chunk_bytes: int = Field(10 * 1024 * 1024, ge=1024)
    concurrency: int = Field(2, ge=1, le=16)
    max_retries: int = Field(5, ge=0)
    initial_backoff_s: float = Field(0.5, gt=0)
    max_backoff_s: float = Field(30.0, gt=0)


_START_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def start_from_ms(value: str | None) -> int | None:
    """``sidecar.start_from`` as epoch ms: ISO-8601, or ``now-<N>s|m|h|d``.

    Raises:
        ValueError: neither form.
    """
    if not value:
        return None
    try:
        if value.startswith("now-"):
            unit = _START_UNITS[value[-1]]
            return int((time.time() - float(value[4:-1]) * unit) * 1000)
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (KeyError, ValueError) as exc:
        raise ValueError(
            f"{value!r} is neither an ISO-8601 time (2026-01-31T00:00:00Z) nor now-<N>s|m|h|d "
            "(e.g. now-2h)"
        ) from exc
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(dt.timestamp() * 1000)


class SidecarSettings(_Section):
    """The polling loop.

    ``workers`` is the number of slices the work is split into; each process
    claims one slot (``worker_id``, or the first free one) through a lease in
    ``state_index``. ``checkpoint_overlap_s`` re-reads that much before the
    checkpoint, for late documents: on every pass in ``update`` write mode, whose query
    skips labelled documents; in ``index`` mode, whose query cannot, once per
    ``overlap_sweep_interval_s`` (0: every pass) and on start, other passes starting at
    the checkpoint. A pass every ``backfill_interval_s`` (and the last pass of a
    ``run --once`` that had no such pass) reads from ``start_from`` instead, for
    documents that arrive with timestamps further back than the overlap (a shipper
    catching up, a re-import); in ``index`` mode only when the source documents there
    outnumber their labels documents (its query would re-read every document).
    ``miner_state_path`` keeps the miner state in a local file instead of the state
    index. ``batch_size`` is the largest page read per
    search; the engines refuse pages beyond ``index.max_result_window``
    (10,000 unless raised), so larger values are rejected here, not mid-run, and the
    sidecar stays under an index's lower setting (read every minute). The
    sidecar's first page asks for ``first_page_size`` documents; each later page for as
    many as fit ``max_page_bytes`` of response at the previous page's bytes per
    document, up to ``batch_size``. Pages of big documents thus shrink from the page
    after the first big ones, so a run of huge documents cannot blow up the sidecar's
    memory for more than one page. While a page's writes are in flight the next page is
    read and labelled; ``pages_in_flight`` pages may be being written at once (their
    writes overlap on the engine; pages are still checkpointed in order), so up to
    ``pages_in_flight + 1`` pages are held in memory.
    """

    name: str = "default"
    state_index: IndexName = "logtriage-state"
    batch_size: int = Field(10_000, ge=1, le=10_000)
    first_page_size: int = Field(100, ge=1)
    max_page_bytes: int = Field(32 * 1024 * 1024, ge=64 * 1024)
    pages_in_flight: int = Field(2, ge=1, le=4)
    poll_interval_s: float = Field(5.0, gt=0)
    workers: int = Field(1, ge=1)
    worker_id: int | None = Field(None, ge=0)
    lease_ttl_s: float = Field(30.0, gt=0)
    checkpoint_overlap_s: float = Field(300.0, ge=0)
    overlap_sweep_interval_s: float = Field(60.0, ge=0)
    backfill_interval_s: float = Field(900.0, gt=0)
    checkpoint_interval_s: float = Field(1.0, ge=0)
    start_from: str | None = None
    relabel_older_models: bool = False
    miner_state_path: Path | None = None
    max_backoff_s: float = Field(30.0, gt=0)
    metrics_enabled: bool = True
    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(9464, ge=0, le=65535)

    @model_validator(mode="after")
    def _worker_id_within_workers(self) -> SidecarSettings:
        if self.worker_id is not None and self.worker_id >= self.workers:
            raise ValueError(
                f"worker_id {self.worker_id} needs workers > {self.worker_id} (slots are "
                f"0..workers-1; workers is {self.workers})"
            )
        return self

    @field_validator("start_from")
    @classmethod
    def _start_from_parses(cls, value: str | None) -> str | None:
        start_from_ms(value)
        return value
