"""The sidecar: poll unlabelled documents, label them with the Pipeline, write back.

One pass:

1. renew the worker lease; put ``logtriage.*`` mappings on new concrete indices;
2. open a PIT over ``search.index`` and page (``search_after``) through documents
   of this worker's slice that are not labelled yet (``update`` mode:
   ``logtriage.processed_at`` missing, or an older model version when
   re-labelling) from the checkpoint (inclusive, minus ``checkpoint_overlap_s``; in
   ``index`` mode only once per ``overlap_sweep_interval_s``)
   onwards, oldest first;
3. per page: documents whose message is unusable get ``logtriage.error``; the
   rest go through :meth:`Pipeline.process_batch`; the miner state is saved
   *before* labels using a new template are written; labels are written with
   guarded writes: the document re-indexed as read plus ``logtriage.*`` where the
   index allows it (``sink.rewrite_source``), else a partial update; the writes of
   up to ``sidecar.pages_in_flight`` pages overlap the reading and labelling of the
   next one;
4. pages are finished in the order they were read, and the checkpoint moves to the
   last document of the fully written prefix.

Why it is restart-safe: a document is only ever skipped by the query once its
labels are stored; every write is conditional on the version that was read, so
a second writer (a restarted or concurrent process) gets 409 instead of applying
labels twice; the checkpoint never passes a document that was not written.
"""

from __future__ import annotations

import gc
import logging
import os
import socket
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np

from logtriage._core import Miner
from logtriage.alerts import AlertEngine
from logtriage.alerts.engine import DEFAULT_RULES
from logtriage.alerts.rules import NewTemplateRule, check_rule_labels, writable_labels
from logtriage.config import Settings
from logtriage.config.search import start_from_ms
from logtriage.core import load_rules
from logtriage.errors import ConfigError, SinkError
from logtriage.labels import Labeler
from logtriage.miner_drift import miner_settings_drift
from logtriage.pipeline import LabeledBatch, Pipeline
from logtriage.search.client import EngineRequestError, SearchClient
from logtriage.search.templates import (
    PARTIAL_SOURCE_ADVICE,
    concrete_indices,
    count_documents,
    count_documents_by,
    describe_partial_sources,
    ensure_field_mappings,
    ensure_labels_index,
    ensure_state_index,
    field_mapped,
    install_component_template,
    partial_source_indices,
    result_window,
    rewritable_indices,
    sorts_in_nanos,
)
from logtriage.sidecar.alert_windows import SharedWindows
from logtriage.sidecar.checkpoint import (
    Checkpoint,
    Lease,
    LeaseLost,
    MinerStore,
    SlotHeld,
    StateStore,
    checkpoints_by_layout,
    handover_position,
    stored_position,
)
from logtriage.sidecar.documents import (
    error_fields,
    iso_ms,
    label_fields,
    rewrite_hit,
    template_id_offset,
    utc_now_iso,
)
from logtriage.sidecar.metrics import MetricsServer, SidecarMetrics
from logtriage.sidecar.query import paging_problem, unlabelled_before_query, unlabelled_query
from logtriage.sidecar.sessions import SessionFlag, SessionWatch, sessions_problem
from logtriage.sidecar.stats import PassStats, RunSummary
from logtriage.sinks.search import (
    SearchSink,
    WriteAction,
    WriteResult,
    backoff_delay,
    labels_action,
    labels_doc_id,
    update_action,
)
from logtriage.sources.columns import columns_from_sources
from logtriage.sources.search import (
    Hit,
    MessageProblem,
    PageSizer,
    get_path,
    hit_message,
    iter_pages,
)
from logtriage.wording import counted

__all__ = ["Sidecar"]

log = logging.getLogger("logtriage.sidecar")

#: Allocations between collections of the youngest GC generation while running (see
#: :meth:`Sidecar.run`; CPython's default is 700).
_YOUNG_GC_THRESHOLD = 200_000


@dataclass
class _PageWork:
    """One page between labelling and accounting for its writes."""

    page: list[Hit]
    now: str
    version: str = ""
    messages: list[str] = field(default_factory=list)
    good_hits: list[Hit] = field(default_factory=list)
    batch: LabeledBatch | None = None
    actions: list[WriteAction] = field(default_factory=list)
    #: The label of each of the first ``len(labels)`` actions (those of ``good_hits``).
    labels: list[str] = field(default_factory=list)
    reason_of: dict[tuple[str, str], str] = field(default_factory=dict)

    def label_of(self) -> dict[tuple[str, str], str]:
        """The label written for each source key."""
        return {a.key: label for a, label in zip(self.actions, self.labels, strict=False)}


class Sidecar:
    """Label documents of ``settings.search.index`` where they live.

    Arguments:
        settings: resolved configuration (``search``, ``sink``, ``sidecar`` sections).
        client: an engine adapter; connected from ``settings.search`` when ``None``.
        labeler: the model stage for the :class:`Pipeline` (``None``: templates + rules).
        alerts: built-in alerting; built from ``settings.alerts`` when ``None`` (off
            unless ``alerts.enabled``).
        metrics: where to count; a fresh registry when ``None``.
        owner: who holds the worker lease (default ``<hostname>:<pid>``).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        client: SearchClient | None = None,
        labeler: Labeler | None = None,
        alerts: AlertEngine | None = None,
        metrics: SidecarMetrics | None = None,
        owner: str | None = None,
    ) -> None:
        self.settings = settings
        self.client = client
        self.labeler = labeler
        self.rules = load_rules(settings.rules)
        self.alerts = alerts if alerts is not None else AlertEngine.from_settings(settings.alerts)
        if self.alerts is not None:
            try:
                self._check_alert_labels(self.alerts)
            except ConfigError:
                self.alerts.close()
                raise
        problem = sessions_problem(settings.sessions, settings.sidecar.workers)
        if problem is not None:
            if self.alerts is not None:
                self.alerts.close()
            raise ConfigError(problem)
        self.sessions = SessionWatch.from_settings(settings.sessions)
        self._template_id_offset = 0
        #: Count-rule windows shared with the other workers (``None``: one worker).
        self._shared: SharedWindows | None = None
        self.metrics = metrics or SidecarMetrics()
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}"
        self.pipeline: Pipeline | None = None
        self.lease: Lease | None = None
        self.checkpoint: Checkpoint | None = None
        self.miner_store: MinerStore | None = None
        self.sink: SearchSink | None = None
        self._page_sizer = PageSizer(
            settings.sidecar.first_page_size, settings.sidecar.max_page_bytes
        )
        self._stop = threading.Event()
        self._ready = False
        #: The last engine request of the loop failed (reset by a pass that worked).
        self._engine_down = False
        self._server: MetricsServer | None = None
        self._mappings_checked_at = 0.0
        self._swept_at: float | None = None  # last pass that re-read the overlap window
        self._backfilled_at = time.monotonic()  # last pass that read from start_from
        self._backfill_next = False
        self._rewritable: frozenset[str] = frozenset()
        #: Indices whose mappings were checked (``None``: not allowed to list them).
        self._targets: frozenset[str] | None = None
        #: Indices whose ``logtriage.*`` mappings were checked in the current pass.
        self._checked_this_pass: set[str] = set()
        self._page_limit = settings.sidecar.batch_size
        #: Whether pages ask for the timestamp as epoch ms (see ``timestamp_sort``).
        self._timestamp_millis = False
        self._index_matches: bool | None = None
        #: Unlabelled documents behind ``start_from`` at the last count (``None``: none yet).
        self._before_start: int | None = None
        self._cache_saved_at = time.monotonic()

    def _check_alert_labels(self, alerts: AlertEngine) -> None:
        """Refuse alert rules on labels this pipeline never writes (a typo such as
        ``Critical error`` would keep the rule silent). Skipped for a labeler that does
        not say its labels."""
        model_labels: list[str] | None = (
            [] if self.labeler is None else getattr(self.labeler, "labels", None)
        )
        if model_labels is not None:
            cfg = self.settings.alerts
            known = writable_labels(self.rules.labels, model_labels)
            check_rule_labels(alerts.rules, known, str(cfg.rules_file or DEFAULT_RULES))

    # -- lifecycle -------------------------------------------------------------------

    @property
    def slot(self) -> int | None:
        return self.lease.slot if self.lease is not None else None

    def request_stop(self) -> None:
        """Finish the current batch, then stop (SIGTERM handler)."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def health(self) -> dict[str, Any]:
        return {"live": True, "ready": self._ready, "slot": self.slot, "owner": self.owner}

    def serve_metrics(self) -> MetricsServer | None:
        cfg = self.settings.sidecar
        if not cfg.metrics_enabled or self._server is not None:
            return self._server
        self._server = MetricsServer(
            self.metrics, self.health, cfg.metrics_host, cfg.metrics_port
        ).start()
        log.info("metrics on http://%s:%d/metrics", cfg.metrics_host, self._server.port)
        return self._server

    def setup(self) -> None:
        """Connect, install mappings and state index, claim a worker slot, restore the miner.

        Raises:
            EngineRequestError: the engine failed (retryable or not).
            SlotHeld: the wanted worker slot (``sidecar.worker_id``), or every one, is
                held by a live process.
            ConfigError: the settings would skip documents on this engine.
        """
        s = self.settings
        if self.client is None:
            self.client = SearchClient.connect(s.search)
        client = self.client
        problem = paging_problem(s, client.engine)
        if problem is not None:
            raise ConfigError(problem)
        ensure_state_index(client, s.sidecar.state_index)
        install_component_template(client)
        if s.sink.write_mode == "index":
            ensure_labels_index(client, s.sink.labels_index)
        self.sink = SearchSink(client, s.sink)
        store = StateStore(client, s.sidecar.state_index)
        if self.lease is None or self.lease.slot is None:
            self.lease = Lease(store, s.sidecar.name, self.owner, s.sidecar.lease_ttl_s)
            slot = self.lease.claim(s.sidecar.workers, s.sidecar.worker_id)
            if slot is None:
                wanted = s.sidecar.worker_id
                if wanted is not None:
                    holder = self.lease.holder(wanted) or {}
                    raise SlotHeld(
                        f"worker slot {wanted} of {s.sidecar.name!r} is held by "
                        f"{holder.get('owner', 'another process')} (another `logtriage run "
                        f"--worker-id {wanted}`, or sidecar.worker_id: {wanted}, of this "
                        f"sidecar.name; give each worker its own id, 0 to {s.sidecar.workers - 1})"
                    )
                held = (
                    f"the {s.sidecar.workers} worker slot of {s.sidecar.name!r} is held"
                    if s.sidecar.workers == 1
                    else f"all {s.sidecar.workers} worker slots of {s.sidecar.name!r} are held"
                )
                raise SlotHeld(
                    f"{held} (another `logtriage run` with this sidecar.name is running; to "
                    "share the work set sidecar.workers higher, or give this one its own "
                    "sidecar.name)"
                )
        slot = self.lease.slot
        assert slot is not None
        self.checkpoint = Checkpoint(store, s.sidecar.name, slot, s.sidecar.workers)
        self.checkpoint.load()
        self._take_over_position(store)
        self.miner_store = MinerStore(store, s.sidecar.name, slot, s.sidecar.miner_state_path)
        self._template_id_offset = template_id_offset(slot)
        if self.alerts is not None:
            self.alerts.template_id_offset = self._template_id_offset
            self._share_alert_windows(store, slot)
        if self.pipeline is None:
            data = self.miner_store.load()
            miner = Miner.from_bytes(data) if data else None
            if data:
                self._warn_settings_drift(data)
            self.pipeline = Pipeline(s, labeler=self.labeler, miner=miner, rules=self.rules)
        elif s.sidecar.miner_state_path is None:
            self.miner_store.load()  # refresh the stored version for guarded saves
        self._mappings_checked_at = 0.0  # re-read mappings and settings after (re)connecting
        self._ready = True
        log.info(
            "sidecar ready: engine=%s %s slot=%d/%d checkpoint=%s",
            client.engine,
            client.info.version,
            slot,
            s.sidecar.workers,
            self.checkpoint.position_ms,
        )

    def _take_over_position(self, store: StateStore) -> None:
        """Start where every slot of another ``sidecar.workers`` count had got to (see
        :func:`handover_position`) when that is further than this slot's own checkpoint
        (none: the count changed; older: the count was used before): not at
        ``start_from`` or that older checkpoint, from where ``index`` write mode's first
        pass re-read every document (each labels document refused as existing)."""
        assert self.checkpoint is not None
        s = self.settings.sidecar
        found = handover_position(checkpoints_by_layout(store, s.name), s.workers)
        own = self.checkpoint.position_ms
        if found is None or (own is not None and own >= found[0]):
            return
        position, previous = found
        self.checkpoint.position_ms = position
        log.info(
            "worker slot %d of %d: starting where every slot of sidecar.workers: %d had got "
            "to (%s), not at %s",
            self.checkpoint.slot,
            s.workers,
            previous,
            iso_ms(position),
            "sidecar.start_from" if own is None else f"its own older checkpoint ({iso_ms(own)})",
        )

    def _share_alert_windows(self, store: StateStore, slot: int) -> None:
        """With more than one worker, ``label_count``/``anomaly_rate`` rules are fired
        by slot 0 alone, on the sum of every worker's windows (see
        :mod:`logtriage.sidecar.alert_windows`)."""
        assert self.alerts is not None
        s = self.settings.sidecar
        counts = any(not isinstance(r, NewTemplateRule) for r in self.alerts.rules)
        if s.workers == 1 or not counts:
            self._shared = None
            return
        self._shared = SharedWindows(store, s.name, slot, s.workers, s.lease_ttl_s)
        self.alerts.set_fires_counts(self._shared.leader)

    def _warn_settings_drift(self, state: bytes) -> None:
        """The restored miner keeps its stored settings; say so when they are not the
        configured ones (an added mask, say, would otherwise silently do nothing)."""
        assert self.miner_store is not None
        drift = miner_settings_drift(state, self.settings.mining, self.settings.masking)
        if drift:
            log.warning(
                "the miner state in %s was mined with other settings: %s. It keeps them, so "
                "its template ids keep their meaning; to mine with the configured settings "
                "stop the sidecar and delete it (template ids then start over)",
                self.miner_store.where,
                "; ".join(drift),
            )

    def close(self) -> None:
        """Release the lease, stop the metrics server and flush pending alert
        notifications (keeps the client open)."""
        self._ready = False
        self._save_model_cache(force=True)
        shared = self._shared
        if (
            shared is not None
            and not shared.leader
            and not self._engine_down
            and self.slot == shared.slot
        ):
            assert self.alerts is not None
            shared.publish(self.alerts, force=True)  # what the last pages counted
        if self.alerts is not None:
            self.alerts.close()
        if self.lease is not None and self._engine_down and self.lease.slot is not None:
            # Releasing would wait for a hung engine once more (search.request_timeout_s:
            # 30 s by default), beyond a service manager's stop timeout.
            log.warning(
                "worker slot %d not released (the engine is unavailable): it is free "
                "again after sidecar.lease_ttl_s (%gs)",
                self.lease.slot,
                self.settings.sidecar.lease_ttl_s,
            )
        elif self.lease is not None:
            self.lease.release()
        if self._server is not None:
            self._server.stop()
            self._server = None

    def run(
        self,
        *,
        once: bool = False,
        max_passes: int | None = None,
        max_failures: int | None = None,
        on_pass: Callable[[PassStats], None] | None = None,
    ) -> RunSummary:
        """Poll until stopped. ``once``: stop when a pass finds nothing left to do
        (or makes no progress). Retryable engine errors back off (jitter, capped at
        ``sidecar.max_backoff_s``) and keep going; ``max_failures`` consecutive ones end
        the run (default: unlimited, 10 with ``once``).

        While it runs, what is alive after setup (modules, the model, the caches) is
        frozen out of the cyclic garbage collector (:func:`gc.freeze`): it lives as long
        as the run, and re-scanning it on every full collection cost about a quarter of
        the sidecar's Python CPU (``bench/sidecar_throughput.py``). The youngest
        generation is collected every 200,000 allocations instead of 700: up to
        ``pages_in_flight + 1`` pages of documents (hits, actions; about 60,000 objects
        per page of 10,000 documents) are alive while they are worked on, and scanning
        them again and again cost another ~10% (nearly all of it is freed by reference
        counting anyway; at 50,000 it still cost 0.2 s of Python CPU per 200k
        documents). Both are undone when the run ends."""
        if max_failures is None and once:
            max_failures = 10
        summary = RunSummary()
        started = time.perf_counter()
        failures = 0
        needs_setup = True
        swept = False  # a pass of this run read from start_from
        held_since: float | None = None  # since when the slot to claim was held
        thresholds = gc.get_threshold()
        gc.set_threshold(_YOUNG_GC_THRESHOLD, *thresholds[1:])
        try:
            while not self.stopping:
                try:
                    if needs_setup:
                        self.setup()
                        needs_setup = False
                        held_since = None
                        gc.freeze()
                    stats = self.run_pass(refresh=summary.passes > 0 or once)
                    failures = 0
                    self._engine_down = False
                    self.metrics.up.set(1)
                except EngineRequestError as exc:
                    self._engine_down = True
                    self.metrics.up.set(0)
                    self.metrics.engine_errors.labels(kind=_error_kind(exc)).inc()
                    summary.engine_errors += 1
                    if not exc.retryable:
                        hinted = _with_query_hint(exc, self.settings)
                        if hinted is None:
                            raise
                        raise hinted from exc
                    failures += 1
                    self._ready = False
                    needs_setup = True
                    if max_failures is not None and failures >= max_failures:
                        raise
                    if self.stopping:
                        log.warning("engine unavailable (%s); stopping", exc)
                        break
                    delay = backoff_delay(failures - 1, 0.5, self.settings.sidecar.max_backoff_s)
                    log.warning("engine unavailable (%s); retrying in %.1fs", exc, delay)
                    self._stop.wait(delay)
                    continue
                except LeaseLost as exc:
                    if not isinstance(exc, SlotHeld):
                        held_since = None
                    elif held_since is None:
                        held_since = time.monotonic()
                    elif self._refuse_held_slot(held_since):
                        raise SlotHeld(
                            f"{exc}; it kept the slot for sidecar.lease_ttl_s "
                            f"({self.settings.sidecar.lease_ttl_s:g}s) while this process "
                            "waited, so it is alive: not starting a second worker on it"
                        ) from exc
                    log.warning("%s; claiming a slot again", exc)
                    self.lease = None
                    self._ready = False
                    needs_setup = True
                    failures += 1
                    if max_failures is not None and failures >= max_failures:
                        raise
                    self._stop.wait(min(self.settings.sidecar.lease_ttl_s, 5.0))
                    continue
                summary.add(stats)
                summary.slot = self.slot
                if stats.seen == stats.already_labelled:  # nothing new: caught up
                    self._on_idle()
                if on_pass is not None:
                    on_pass(stats)
                if max_passes is not None and summary.passes >= max_passes:
                    break
                swept = swept or stats.from_start
                if once and (stats.seen == 0 or stats.progress == 0):
                    if not swept:
                        self._backfill_next = True  # last, look behind the checkpoint too
                        continue
                    summary.complete = stats.seen == stats.already_labelled
                    break
                if not once:
                    self._stop.wait(self.settings.sidecar.poll_interval_s)
        finally:
            summary.seconds = time.perf_counter() - started
            gc.unfreeze()
            gc.set_threshold(*thresholds)
            self.close()
        return summary

    def _refuse_held_slot(self, held_since: float) -> bool:
        """Whether to give up claiming ``sidecar.worker_id``, held since ``held_since``
        (monotonic): once it stayed held for a whole ``lease_ttl_s``, its holder renewed
        it, so it is a live process started with the same id, not one that died
        (a restart after ``kill -9`` waits for that lease to expire). Without an id a
        process waits as a standby for any slot to free."""
        s = self.settings.sidecar
        return s.worker_id is not None and time.monotonic() - held_since >= s.lease_ttl_s

    # -- one pass -------------------------------------------------------------------------

    def _start_position(self) -> tuple[int | None, bool]:
        """Where this pass starts reading (epoch ms; ``None``: the beginning), and whether
        every document from ``start_from`` on is covered: read from there, or (``index``
        write mode) found to have its labels document behind the overlap."""
        assert self.checkpoint is not None
        s = self.settings.sidecar
        cp = self.checkpoint.position_ms
        if cp is not None:
            cp = min(cp, _now_ms())  # one saved in the future before checkpoints were capped
        now = time.monotonic()
        update_mode = self.settings.sink.write_mode == "update"
        backfill_due = self._backfill_next or now - self._backfilled_at >= s.backfill_interval_s
        covered = False
        if backfill_due and cp is not None and not update_mode:
            # ``index`` mode's query cannot leave labelled documents out, so it reads from
            # ``start_from`` only when documents behind the overlap lack labels documents.
            self._backfilled_at = now
            self._backfill_next = False
            backfill_due = self._unlabelled_behind(cp) > 0
            covered = not backfill_due
        if cp is None or s.relabel_older_models or backfill_due:
            # Re-labelling walks from ``start_from`` on every pass: documents of older
            # model versions lie behind the checkpoint; the query skips current ones.
            # So does a backfill pass, for documents that arrived with timestamps further
            # back than the overlap (a shipper catching up, a re-import).
            self._swept_at = self._backfilled_at = now
            self._backfill_next = False
            return start_from_ms(s.start_from), True
        # ``index`` mode's query cannot skip labelled documents: re-reading the overlap
        # on every pass would re-read (and re-create, 409) all of its documents.
        sweep_due = self._swept_at is None or now - self._swept_at >= s.overlap_sweep_interval_s
        if not update_mode and not sweep_due:
            return cp, covered
        self._swept_at = now
        return cp - int(s.checkpoint_overlap_s * 1000), covered

    def _unlabelled_behind(self, cp: int) -> int:
        """``index`` write mode: how many more source documents than labels documents
        there are from ``start_from`` to the overlap behind ``cp`` (documents indexed
        later than ``checkpoint_overlap_s``, which no pass from the checkpoint reads),
        counted per source index (documents deleted from one index cannot hide late ones
        in another), said in the log when there are some."""
        assert self.client is not None
        s = self.settings
        span: dict[str, Any] = {"lt": cp - int(s.sidecar.checkpoint_overlap_s * 1000)}
        start_ms = start_from_ms(s.sidecar.start_from)
        if start_ms is not None:
            span["gte"] = start_ms
        span["format"] = "epoch_millis"
        sources: list[dict[str, Any]] = [{"range": {s.search.timestamp_field: span}}]
        if s.search.query:
            sources.append(s.search.query)
        indices = self._source_indices()
        if indices is None:  # cannot tell which labels documents are theirs: read them all
            missing = count_documents(self.client, s.search.index, {"bool": {"filter": sources}})
        elif not indices:
            missing = 0
        else:
            n_sources = count_documents_by(
                self.client, s.search.index, {"bool": {"filter": sources}}, "_index", len(indices)
            )
            labels: list[dict[str, Any]] = [
                {"range": {"@timestamp": span}},
                {"terms": {"source.index": indices}},
            ]
            n_labels = count_documents_by(
                self.client,
                s.sink.labels_index,
                {"bool": {"filter": labels}},
                "source.index",
                len(indices),
            )
            missing = sum(max(0, n - n_labels.get(index, 0)) for index, n in n_sources.items())
        if missing:
            log.info(
                "%s behind the checkpoint's overlap (sidecar.checkpoint_overlap_s) without "
                "labels: reading from sidecar.start_from again",
                counted(missing, "document"),
            )
        return missing

    def _pages_allowed(self) -> int:
        """``batch_size``, or less where an index caps searches below it
        (``index.max_result_window``); said once per change."""
        assert self.client is not None
        s = self.settings
        window = result_window(self.client, s.search.index)
        limit = s.sidecar.batch_size if window is None else min(s.sidecar.batch_size, window)
        if limit == self._page_limit:
            return limit
        if limit == s.sidecar.batch_size:
            log.info(
                "index.max_result_window of %s no longer caps pages: back to sidecar.batch_size %d",
                s.search.index,
                limit,
            )
        else:
            log.warning(
                "index.max_result_window of %s is %s: pages capped at %d documents "
                "(sidecar.batch_size %d)",
                s.search.index,
                window,
                limit,
                s.sidecar.batch_size,
            )
        return limit

    def _source_indices(self) -> list[str] | None:
        """The concrete indices behind ``search.index`` (``None``: not allowed to
        resolve them), warning while there are none (a typo there looks like an idle
        sidecar otherwise); said once per change."""
        assert self.client is not None
        pattern = self.settings.search.index
        try:
            indices = concrete_indices(self.client, pattern)
        except EngineRequestError as exc:
            if exc.status not in (401, 403):  # no view_index_metadata: cannot tell
                raise
            return None
        matches = bool(indices)
        if matches != self._index_matches:
            if not matches:
                log.warning(
                    "search.index %r matches no index or data stream: nothing to label until "
                    "one appears (`logtriage doctor` checks the name)",
                    pattern,
                )
            elif self._index_matches is False:
                log.info("search.index %r matches an index now", pattern)
            self._index_matches = matches
        return indices

    def run_pass(self, *, refresh: bool = True) -> PassStats:
        """Work through the current backlog of this worker's slice once."""
        assert self.client is not None and self.lease is not None and self.checkpoint is not None
        assert self.pipeline is not None
        s = self.settings
        started = time.perf_counter()
        stats = PassStats()
        self.lease.renew()
        self._checked_this_pass = set()
        if not self._mappings_checked_at or time.monotonic() - self._mappings_checked_at > 60:
            indices = self._source_indices()
            self._checked_this_pass = set(indices or ())
            self._targets = None if indices is None else frozenset(indices)
            if s.sink.write_mode == "update":
                self._prepare_targets(indices)
                if s.sink.rewrite_source:
                    self._rewritable = rewritable_indices(self.client, s.search.index)
            self._page_limit = self._pages_allowed()
            self._timestamp_millis = sorts_in_nanos(
                self.client, s.search.index, s.search.timestamp_field
            )
            self._mappings_checked_at = time.monotonic()
        if refresh:
            self.client.refresh(s.search.index)
        version = self.pipeline.labeler.model_version
        relabel_version = version if s.sidecar.relabel_older_models else None
        start_ms, stats.from_start = self._start_position()
        query = unlabelled_query(s, start_ms, relabel_version=relabel_version)
        held = False
        best = self.checkpoint.position_ms
        saved_at = time.monotonic()
        # Re-indexing needs the whole source; else only the fields used here.
        source_fields: list[str] | None = None
        if not self._rewritable:
            source_fields = [s.search.message_field, s.search.timestamp_field]
            if self.alerts is not None:
                source_fields += [s.alerts.service_field, s.alerts.host_field]
            if self.sessions is not None:
                source_fields += self.sessions.source_fields
        pages = iter_pages(
            self.client,
            index=s.search.index,
            query=query,
            timestamp_field=s.search.timestamp_field,
            page_size=self._page_limit,
            source_fields=source_fields,
            use_pit=s.search.use_pit,
            keep_alive=s.search.pit_keep_alive,
            slice_id=self.lease.slot,
            slice_max=s.sidecar.workers,
            tiebreaker_field=s.search.tiebreaker_field,
            message_field=s.search.message_field,
            max_message_bytes=s.search.max_message_bytes,
            sizer=self._page_sizer,
            timestamp_millis=self._timestamp_millis,
        )
        # Up to pages_in_flight pages' writes are in flight while the next page is read
        # and labelled; pages are finished (accounted, checkpointed) strictly in order.
        depth = s.sidecar.pages_in_flight
        writer = ThreadPoolExecutor(max_workers=depth, thread_name_prefix="sidecar-write")
        in_flight: deque[tuple[_PageWork, Future[WriteResult], float]] = deque()

        def finish() -> None:
            nonlocal held, best, saved_at
            assert self.lease is not None
            work, future, busy_s = in_flight.popleft()
            t0 = time.perf_counter()
            done = self._finish_page(work, future.result(), stats)
            self.metrics.batch_seconds.observe(busy_s + time.perf_counter() - t0)
            stats.pages += 1
            stats.seen += len(work.page)
            if not held:
                ts, held = stored_position(work.page, done)
                if ts is not None:
                    ts = min(ts, _now_ms())  # see _now_ms
                if ts is not None and (best is None or ts > best):
                    best = ts
                if time.monotonic() - saved_at >= s.sidecar.checkpoint_interval_s:
                    self._save_checkpoint(best, stats)
                    saved_at = time.monotonic()
            self.lease.renew(force=False)

        try:
            for page in pages:
                t0 = time.perf_counter()
                self._check_new_indices(page)
                work = self._prepare_page(page)
                busy_s = time.perf_counter() - t0
                if len(in_flight) >= depth:
                    finish()
                assert self.sink is not None
                in_flight.append((work, writer.submit(self.sink.write, work.actions), busy_s))
                if self.stopping:
                    break
            while in_flight:
                finish()
        finally:
            writer.shutdown(wait=True)  # an unfinished page stays unlabelled/re-read
            pages.close()  # closes the PIT
        self._save_checkpoint(best, stats)
        self.metrics.passes.inc()
        self._update_lag(best)
        if stats.from_start and start_ms is not None and s.sink.write_mode == "update":
            self._count_before_start(start_ms)
        stats.seconds = time.perf_counter() - started
        if stats.seen > stats.already_labelled:  # not a pass that only re-read labelled ones
            log.info(
                "pass: seen=%d labelled=%d errors=%d conflicts=%d already_labelled=%d "
                "failed=%d in %.2fs",
                stats.seen,
                stats.labelled,
                stats.errored,
                stats.conflicts - stats.already_labelled,
                stats.already_labelled,
                stats.failed,
                stats.seconds,
            )
        return stats

    def _check_message_field(self) -> None:
        """Refuse a ``search.message_field`` that no index maps, once a whole page lacks
        it: every document would get ``logtriage.error`` (message_missing) and be
        skipped from then on.

        Raises:
            ConfigError: the field is mapped nowhere.
        """
        assert self.client is not None
        search = self.settings.search
        if not field_mapped(self.client, search.index, search.message_field):
            raise ConfigError(
                f"search.message_field {search.message_field!r} is not a field of any index "
                f"behind {search.index!r}: every document would be marked logtriage.error "
                "(message_missing). Set search.message_field to the field that holds the "
                "log line (`logtriage doctor` lists the text fields there)"
            )

    def _prepare_targets(self, indices: list[str] | None) -> None:
        """Before labels are written onto documents of ``indices`` (``None``: those behind
        ``search.index``): refuse indices whose ``_source`` leaves fields out, and put
        the ``logtriage.*`` mappings on the others.

        Raises:
            ConfigError: an index keeps only part of each document in ``_source``.
        """
        assert self.client is not None
        pattern = self.settings.search.index
        partial = partial_source_indices(self.client, pattern)
        if partial:
            raise ConfigError(
                f"search.index {pattern!r} matches indices that keep only part of each "
                f"document in _source: {describe_partial_sources(partial)}. Writing labels "
                "onto their documents re-indexes them from _source and would drop the "
                f"left-out fields from the index; {PARTIAL_SOURCE_ADVICE}"
            )
        ensure_field_mappings(self.client, pattern, indices)

    def _check_new_indices(self, page: list[Hit]) -> None:
        """An index that appeared since the last check (a rollover, a new daily index)
        gets its mappings before the page's labels are written: else the engine would
        map ``logtriage.*`` dynamically (labels as text, which breaks the dashboards'
        aggregations and re-labelling). So does one deleted and created again under
        the same name since: each pass checks the mappings of the indices it writes to
        once. In ``index`` write mode, the labels index is created again (with its
        mappings) if it was deleted: the next write would create it with dynamic ones."""
        if self.settings.sink.write_mode == "index":
            self._check_labels_index()
            return
        if self._targets is None:
            return
        indices = {h.index for h in page} - self._checked_this_pass
        if not indices:
            return
        new = indices - self._targets
        if new:
            self._prepare_targets(None)
            self._targets = self._targets | new
        else:
            assert self.client is not None
            ensure_field_mappings(self.client, self.settings.search.index, sorted(indices))
        self._checked_this_pass |= indices

    def _check_labels_index(self) -> None:
        """Once a pass: create ``sink.labels_index`` again if it is gone."""
        labels_index = self.settings.sink.labels_index
        if labels_index in self._checked_this_pass:
            return
        assert self.client is not None
        found = self.client.request("GET", f"/{labels_index}/_mapping", ignore=(404,))
        if found.get("status") == 404:
            log.warning("sink.labels_index %r was deleted: creating it again", labels_index)
            ensure_labels_index(self.client, labels_index)
        self._checked_this_pass.add(labels_index)

    def _save_checkpoint(self, position_ms: int | None, stats: PassStats) -> None:
        assert self.checkpoint is not None
        if position_ms is not None and position_ms != self.checkpoint.position_ms:
            self.checkpoint.save(position_ms, stats.progress)
            self.metrics.checkpoint.set(position_ms / 1000)

    def _update_lag(self, position_ms: int | None) -> None:
        """``logtriage_lag_seconds``: the newest timestamp this worker reads minus its
        checkpoint. With several workers, the newest of its slice: the index's newest
        lies in another worker's slice as often as not, and a caught-up worker showed
        the gap to it as lag (120 s and 180 s on an index with a document a minute and 3
        workers, enough for the lag alert with a document every 2 minutes)."""
        assert self.client is not None
        s = self.settings
        body: dict[str, Any] = {
            "size": 0,
            "aggs": {"newest": {"max": {"field": s.search.timestamp_field}}},
        }
        try:
            if s.sidecar.workers == 1 or self.slot is None:
                resp = self.client.search(
                    body, index=s.search.index, ignore_unavailable="true", allow_no_indices="true"
                )
            else:  # sliced like the pass's reads (a slice needs a point in time)
                pit = self.client.open_pit(s.search.index, "1m")
                try:
                    body["pit"] = {"id": pit}
                    body["slice"] = {
                        "field": s.search.timestamp_field,
                        "id": self.slot,
                        "max": s.sidecar.workers,
                    }
                    resp = self.client.search(body)
                finally:
                    self.client.close_pit(pit)
        except EngineRequestError:
            return
        newest = ((resp.get("aggregations") or {}).get("newest") or {}).get("value")
        if newest is not None and position_ms is not None:
            newest = min(float(newest), _now_ms())  # future timestamps: see _now_ms
            self.metrics.lag_seconds.set(max(0.0, (newest - position_ms) / 1000))
        elif newest is None:
            self.metrics.lag_seconds.set(0)

    def _count_before_start(self, start_ms: int) -> None:
        """Count the unlabelled documents older than ``sidecar.start_from`` (no pass reads
        them) into a metric, warning when there are some, and again whenever there are
        more: a shipper delivering a backlog later than the lookback would otherwise be
        left unlabelled without a word. Worker slot 0 counts for all slots."""
        assert self.client is not None and self.lease is not None
        if self.lease.slot != 0:
            return
        s = self.settings
        try:
            n = count_documents(self.client, s.search.index, unlabelled_before_query(s, start_ms))
        except EngineRequestError as exc:
            log.info("cannot count the documents older than sidecar.start_from: %s", exc)
            return
        self.metrics.before_start.set(n)
        if n > (self._before_start or 0):
            more = "" if self._before_start is None else f" ({n - self._before_start} more)"
            log.warning(
                "%s older than sidecar.start_from (%s) %s not labelled%s: no pass reads "
                "behind start_from; set it earlier, or unset it, to label them",
                counted(n, "document"),
                s.sidecar.start_from,
                "is" if n == 1 else "are",
                more,
            )
        self._before_start = n

    def _action(
        self,
        hit: Hit,
        fields: dict[str, Any],
        *,
        rewrite: bool = True,
        fields_json: bytes | None = None,
    ) -> WriteAction:
        """The write of ``fields`` (encoded: ``fields_json``, if known) for ``hit``;
        ``rewrite=False``: never re-index the source (a partial update in ``update``
        mode)."""
        sink = self.settings.sink
        if sink.write_mode == "index":
            return labels_action(sink.labels_index, hit.index, hit.id, fields, self._labels_ts(hit))
        if rewrite and hit.index in self._rewritable:
            action = rewrite_hit(hit, fields, fields_json)
            if action is not None:
                return action
        return update_action(hit.index, hit.id, hit.seq_no, hit.primary_term, fields, hit.routing)

    def _labels_ts(self, hit: Hit) -> Any:
        """The ``@timestamp`` of ``hit``'s labels document: its timestamp as the engine
        read it (epoch ms; a source's own text in a custom ``format`` would not parse
        in the labels index, and every write of the document would fail), else, for a
        field the engine does not sort as a date, the source's value (a dotted path
        too); ``None`` without one."""
        if hit.timestamp_ms is not None:
            return hit.timestamp_ms
        ts = get_path(hit.source, self.settings.search.timestamp_field)
        if not isinstance(ts, str | int | float) or isinstance(ts, bool):
            return None  # absent, or not a value the engine could read as a date
        return ts

    def _prepare_page(self, page: list[Hit]) -> _PageWork:
        """Label one page (saving the miner state first when it gained templates) and
        build its writes."""
        assert self.pipeline is not None
        s = self.settings
        work = _PageWork(page=page, now=utc_now_iso())
        good: list[int] = []
        problems: dict[int, MessageProblem] = {}
        for i, hit in enumerate(page):
            m = hit_message(hit, s.search.message_field, s.search.max_message_bytes)
            if isinstance(m, str):
                good.append(i)
                work.messages.append(m)
            else:
                problems[i] = m
        missing = (p.reason == "message_missing" for p in problems.values())
        if problems and not work.messages and all(missing):
            self._check_message_field()
        if work.messages:
            t0 = time.perf_counter()
            batch = work.batch = self.pipeline.process_batch(work.messages)
            self.metrics.inference_seconds.observe(time.perf_counter() - t0)
            self.metrics.cache_hit_ratio.set(float(np.mean(batch.changes == 0)))
            if bool(np.any(batch.changes != 0)):
                self._save_miner()
                self._save_model_cache()
            rows = label_fields(
                batch,
                work.now,
                clear_error=s.sidecar.relabel_older_models,
                encode=bool(self._rewritable) and s.sink.write_mode == "update",
                template_id_offset=self._template_id_offset,
            )
            for i, (fields, encoded) in zip(good, rows, strict=True):
                hit = page[i]
                work.good_hits.append(hit)
                work.labels.append(fields["label"])
                work.actions.append(self._action(hit, fields, fields_json=encoded))
        work.version = self.pipeline.labeler.model_version
        for i, problem in problems.items():
            hit = page[i]
            work.reason_of[(hit.index, hit.id)] = problem.reason
            fields = error_fields(problem.reason, problem.detail, work.version, work.now)
            work.actions.append(self._action(hit, fields))
        return work

    def _finish_page(
        self, work: _PageWork, result: WriteResult, stats: PassStats
    ) -> set[tuple[str, str]] | None:
        """After the page's writes: alerting/sessions, rejected writes, counts; return
        the source keys now stored (``None``: all of the page's)."""
        if result.errors:
            result = self._mark_rejected(result, work.page, work.now, work.version, work.reason_of)
        if work.batch is not None and (self.alerts is not None or self.sessions is not None):
            self._observe_labelled(work, result)
        return self._account(result, stats, work)

    def _observe_labelled(self, work: _PageWork, result: WriteResult) -> None:
        """Feed the labelled lines to built-in alerting and session tracking (per-line
        service, host and timestamp read once for both).

        Both see only the lines whose labels were stored: a version conflict or a
        failed write is re-read and seen on a later pass, and in ``index`` write mode a
        conflict is a document labelled before (the overlap sweep re-reads those), so
        each document counts once and joins its session once."""
        assert work.batch is not None
        batch, hits = work.batch, work.good_hits
        stored: np.ndarray[Any, Any] | None = None
        if work.reason_of or len(result.written) != len(hits):
            written = set(result.written)
            stored = np.fromiter(
                (
                    (h.index, h.id) in written and (h.index, h.id) not in work.reason_of
                    for h in hits
                ),
                dtype=np.bool_,
                count=len(hits),
            )
        cfg = self.settings.alerts
        sources = [h.source for h in hits]
        services, hosts, ts = columns_from_sources(
            sources, cfg.service_field, cfg.host_field, self.settings.search.timestamp_field
        )
        if self.alerts is not None:
            self._pull_alert_windows()
            self.alerts.observe(batch, services, hosts, ts, counted=stored)
            self._publish_alert_windows()
        if self.sessions is not None:
            messages, template_ids = work.messages, batch.template_ids
            if stored is not None:  # a document joins its session once, as it counts once
                keep = np.flatnonzero(stored).tolist()
                hits, sources = [hits[i] for i in keep], [sources[i] for i in keep]
                messages, template_ids, ts = (
                    [messages[i] for i in keep],
                    template_ids[keep],
                    ts[keep],
                )
            refs = [(h.index, h.id) for h in hits]
            flags = self.sessions.observe(messages, sources, template_ids, ts, refs)
            self._write_session_flags(flags)

    def _on_idle(self) -> None:
        """Caught up: alert windows and open sessions end at wall-clock time."""
        now = time.time()
        if self.alerts is not None:
            self._pull_alert_windows()
            self.alerts.evaluate(now)
            self._publish_alert_windows()
        if self.sessions is not None:
            self._write_session_flags(self.sessions.expire(now))

    def _pull_alert_windows(self) -> None:
        """Slot 0 of several workers: add the others' windows before evaluating."""
        if self._shared is not None and self._shared.leader:
            assert self.alerts is not None
            self._shared.pull(self.alerts)

    def _publish_alert_windows(self) -> None:
        """Other slots: publish the windows for slot 0 (rate-limited)."""
        if self._shared is not None and not self._shared.leader:
            assert self.alerts is not None
            self._shared.publish(self.alerts)

    def _write_session_flags(self, flags: list[SessionFlag]) -> None:
        """Add ``logtriage.session.*`` to the documents of anomalous sessions (no version
        guard: only these fields change, and the labels were written before)."""
        assert self.sink is not None and self.sessions is not None
        self.metrics.sessions_scored.set(self.sessions.scored)
        if not flags:
            return
        sink = self.settings.sink
        actions = []
        for ref, fields in flags:
            index, doc_id = cast(tuple[str, str], ref)  # refs are (index, id) of hits
            body = {"doc": {"logtriage": {"session": fields}}}
            if sink.write_mode == "index":
                target, target_id = sink.labels_index, labels_doc_id(index, doc_id)
            else:
                target, target_id = index, doc_id
            actions.append(
                WriteAction(op="update", index=target, id=target_id, body=body, key=(index, doc_id))
            )
        result = self.sink.write(actions)
        self.metrics.session_anomalies.inc(len(result.written))
        for error in result.errors:
            log.warning("session flag not written: %s", error)

    def _save_model_cache(self, *, force: bool = False) -> None:
        """Persist the classifier's template cache (``model.cache_path``) at most every
        30 s and on close, so a restarted sidecar does not re-encode known templates."""
        path = self.settings.model.cache_path
        save = getattr(self.labeler, "save_cache", None)
        if path is None or save is None:
            return
        if not force and time.monotonic() - self._cache_saved_at < 30.0:
            return
        try:
            save(Path(path))
        except OSError as exc:
            log.warning("cannot write the model cache %s: %s", path, exc)
        self._cache_saved_at = time.monotonic()

    def _save_miner(self) -> None:
        assert self.pipeline is not None and self.miner_store is not None
        self.miner_store.save(self.pipeline.miner.to_bytes())

    def _mark_rejected(
        self,
        result: WriteResult,
        page: list[Hit],
        now: str,
        version: str,
        reason_of: dict[tuple[str, str], str],
    ) -> WriteResult:
        """Documents the engine rejected (e.g. a mapping conflict) get ``logtriage.error``
        instead, once; what still fails stays unlabelled (re-read next pass)."""
        by_key = {(h.index, h.id): h for h in page}
        retry: list[WriteAction] = []
        keep: list[dict[str, Any]] = []
        for err in result.errors:
            key = tuple(err["key"])
            hit = by_key.get(key)
            log.warning(
                "write rejected for %s/%s: %s: %s",
                err["index"],
                err["id"],
                err["type"],
                err["reason"],
            )
            status = int(err["status"])
            # 408/429 are transient (timeout, backpressure): the document stays
            # unlabelled and is re-read next pass, never marked as permanently rejected.
            transient = status in (408, 429)
            if hit is None or transient or not (400 <= status < 500) or key in reason_of:
                keep.append(err)
                continue
            reason_of[hit.index, hit.id] = "write_rejected"
            detail = f"{err['type']}: {err['reason']}"[:1000]
            fields = error_fields("write_rejected", detail, version, now)
            # A partial update: a rejected write must not resend the user's fields.
            retry.append(self._action(hit, fields, rewrite=False))
        assert self.sink is not None
        second = self.sink.write(retry) if retry else WriteResult()
        result.written.extend(second.written)
        result.conflicts.extend(second.conflicts)
        result.errors = keep + second.errors
        result.retries += second.retries
        return result

    def _account(
        self, result: WriteResult, stats: PassStats, work: _PageWork
    ) -> set[tuple[str, str]] | None:
        """Count the page's outcomes; return the source keys now stored (``None``: every
        document of the page, the usual case, counted without a lookup per document)."""
        m = self.metrics
        done: set[tuple[str, str]] | None
        labelled: Counter[str]
        errored: Counter[str] = Counter()
        # Written keys are distinct keys of the page's actions, and each hit has one
        # action: with no problem on the page, all labels written means all hits.
        if not work.reason_of and len(result.written) == len(work.labels):
            labelled = Counter(work.labels)
            done = None
        else:
            done = set(result.written)
            label_of = work.label_of()
            labelled = Counter()
            for key in result.written:
                reason = work.reason_of.get(key)
                if reason is None:
                    labelled[label_of.get(key, "")] += 1
                else:
                    errored[reason] += 1
        # Counted per label, not per document: a labelled child costs a lock per call.
        for label, n in labelled.items():
            stats.labelled += n
            stats.labels[label] = stats.labels.get(label, 0) + n
            m.labelled.labels(label=label).inc(n)
        for reason, n in errored.items():
            stats.errored += n
            stats.error_reasons[reason] = stats.error_reasons.get(reason, 0) + n
            m.doc_errors.labels(reason=reason).inc(n)
        stats.conflicts += len(result.conflicts)
        if self.settings.sink.write_mode == "index":
            # A labels document already exists: the source document is done. These are
            # the overlap's re-reads (each pass re-reads at least the checkpoint's own
            # document), not writes refused by a version: the metric would grow forever.
            stats.already_labelled += len(result.conflicts)
            if done is not None:
                done.update(result.conflicts)
        else:
            m.conflicts.inc(len(result.conflicts))
        if result.retries:
            m.retries.inc(result.retries)
        for err in result.errors:
            stats.failed += 1
            m.doc_errors.labels(reason=f"write_{err['type']}").inc()
        if result.errors:
            log.error("%s", _sink_error_text(result))
        return done


def _now_ms() -> int:
    """Wall-clock now in epoch ms: the furthest a checkpoint goes. A document stamped in
    the future (a host writing local time without a zone east of UTC, a wrong clock)
    would otherwise carry the checkpoint past every document stamped correctly after it:
    read again only by the next backfill pass in ``update`` write mode, never in
    ``index`` mode."""
    return int(time.time() * 1000)


def _with_query_hint(exc: EngineRequestError, settings: Settings) -> EngineRequestError | None:
    """``exc`` saying to check ``search.query``, when a search with one was refused."""
    if exc.status != 400 or not settings.search.query or "/_search " not in str(exc):
        return None
    return EngineRequestError(
        f"{exc} (check search.query; `logtriage doctor` tests it)",
        exc.status,
        exc.error_type,
        exc.body,
    )


def _sink_error_text(result: WriteResult) -> str:
    try:
        result.raise_for_errors()
    except SinkError as exc:
        return str(exc)
    return ""


def _error_kind(exc: EngineRequestError) -> str:
    if exc.status is None:
        return "connection"
    if exc.status == 429:
        return "rejected"
    if exc.status >= 500:
        return "server"
    return "client"
