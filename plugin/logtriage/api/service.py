"""The API's handle on the one :class:`~logtriage.pipeline.Pipeline`.

The pipeline is not thread-safe, so every call into it runs on one dedicated
worker thread (the event loop stays free; Rust releases the GIL inside). The
model is chosen per request by setting the pipeline's labeler on that thread,
so all models share one miner: template ids and counts are the same whichever
model labelled a line. Labelers are built once per model, on first use.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TypeVar

from logtriage.api.bundles import NONE_MODEL, BundleRegistry, LabelerFactory
from logtriage.config import Settings
from logtriage.errors import ModelBundleError
from logtriage.labels import Labeler, TemplateOnlyLabeler
from logtriage.pipeline import LabeledBatch, Pipeline

__all__ = ["Classified", "PipelineFactory", "PipelineService", "TemplateRow", "default_pipeline"]

T = TypeVar("T")

PipelineFactory = Callable[[Settings, Labeler | None], Pipeline]
"""Builds the pipeline from settings and the default model's labeler."""


def default_pipeline(settings: Settings, labeler: Labeler | None) -> Pipeline:
    return Pipeline(settings, labeler=labeler)


@dataclass(frozen=True)
class Classified:
    """A labelled batch and the model id that labelled it."""

    model: str
    batch: LabeledBatch


@dataclass(frozen=True)
class TemplateRow:
    template_id: int
    string_id: str
    template: str
    count: int
    first_seen_s: int
    last_seen_s: int
    labels: dict[str, int]


class PipelineService:
    """Runs the pipeline on one worker thread and remembers labels per template."""

    def __init__(
        self,
        settings: Settings,
        registry: BundleRegistry,
        pipeline_factory: PipelineFactory = default_pipeline,
        labeler_factory: LabelerFactory | None = None,
    ) -> None:
        from logtriage.api.bundles import default_labeler_factory

        self.settings = settings
        self.registry = registry
        self._pipeline_factory = pipeline_factory
        self._labeler_factory = labeler_factory or default_labeler_factory
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._pipeline: Pipeline | None = None
        self._labelers: dict[tuple[str, Path | None], Labeler] = {}
        self._template_labels: dict[int, Counter[str]] = {}
        self.lines_total = 0
        self.template_count = 0

    async def _run(self, fn: Callable[[], T]) -> T:
        if self._executor is None:  # first use, or used again after close()
            self._executor = ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="logtriage-pipeline"
            )
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, fn)

    def close(self) -> None:
        """Stop the worker thread (the pipeline and its templates are kept)."""
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    # -- worker thread -------------------------------------------------------------

    def _labeler(self, model_id: str, path: Path | None) -> Labeler:
        key = (model_id, path)
        labeler = self._labelers.get(key)
        if labeler is None:
            labeler = TemplateOnlyLabeler() if path is None else self._labeler_factory(path)
            self._labelers[key] = labeler
        return labeler

    def _get_pipeline(self) -> Pipeline:
        if self._pipeline is None:
            model_id, path = self.registry.resolve(None)
            labeler: Labeler | None = None
            if model_id != NONE_MODEL:
                try:
                    labeler = self._labeler(model_id, path)
                except ModelBundleError:
                    labeler = None  # other models still work; the default one answers 503
            self._pipeline = self._pipeline_factory(self.settings, labeler)
        return self._pipeline

    def _classify_sync(
        self,
        messages: list[str],
        fields: dict[str, list[str]] | None,
        model_id: str,
        path: Path | None,
    ) -> Classified:
        with self._lock:
            pipeline = self._get_pipeline()
            pipeline.labeler = self._labeler(model_id, path)
            batch = pipeline.process_batch(messages, fields=fields)
            self._remember(batch)
            self.lines_total += len(batch)
            self.template_count = len(pipeline.miner)
            return Classified(model_id, batch)

    def _remember(self, batch: LabeledBatch) -> None:
        for tid, label in zip(batch.template_ids.tolist(), batch.labels.label, strict=True):
            counter = self._template_labels.get(tid)
            if counter is None:
                counter = self._template_labels[tid] = Counter()
            counter[label] += 1
        if len(self._template_labels) > 2 * self.settings.mining.max_templates:
            assert self._pipeline is not None
            live = {t[0] for t in self._pipeline.miner.templates()}
            self._template_labels = {k: v for k, v in self._template_labels.items() if k in live}

    def _templates_sync(self) -> list[TemplateRow]:
        with self._lock:
            pipeline = self._get_pipeline()
            rows = [
                TemplateRow(
                    template_id=tid,
                    string_id=sid,
                    template=text,
                    count=count,
                    first_seen_s=first,
                    last_seen_s=last,
                    labels=dict(self._template_labels.get(tid, {})),
                )
                for tid, sid, text, count, first, last in pipeline.miner.templates()
            ]
        rows.sort(key=lambda r: (-r.count, r.template_id))
        return rows

    def _warm_sync(self) -> None:
        with self._lock:
            self._get_pipeline()
            model_id, path = self.registry.resolve(None)
            self._labeler(model_id, path)  # raises ModelBundleError: logged at startup

    # -- event loop ------------------------------------------------------------------

    async def classify(
        self,
        messages: list[str],
        fields: dict[str, list[str]] | None = None,
        model: str | None = None,
    ) -> Classified:
        """Label ``messages`` with ``model`` (``None``: the default model).

        Raises:
            KeyError: unknown model id.
            ModelBundleError: the model's bundle cannot be loaded.
        """
        model_id, path = self.registry.resolve(model)
        return await self._run(partial(self._classify_sync, messages, fields, model_id, path))

    async def templates(self) -> list[TemplateRow]:
        """Every live template, most frequent first, with the labels its lines got."""
        return await self._run(self._templates_sync)

    async def warm(self) -> None:
        """Build the pipeline (and the default model) before the first request."""
        await self._run(self._warm_sync)
