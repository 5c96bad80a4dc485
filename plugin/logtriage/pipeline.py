"""The one pipeline every door uses: mask + mine (Rust), rules (Rust), model.

A door (CLI, sidecar, API, training) gets messages from a source, calls
:meth:`Pipeline.process_batch` and hands the :class:`LabeledBatch` to a sink.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from logtriage._core import Miner, RuleSet
from logtriage.config import Settings
from logtriage.core import build_miner, load_rules
from logtriage.errors import StateError
from logtriage.labels import UNCLASSIFIED, LabelColumns, Labeler, TemplateOnlyLabeler
from logtriage.replacing import write_replacing

__all__ = ["LabeledBatch", "Pipeline"]


@dataclass(frozen=True)
class LabeledBatch:
    """Column-wise result for a batch of messages (same order as the input)."""

    template_ids: npt.NDArray[np.uint32]
    template_texts: list[str]
    changes: npt.NDArray[np.uint8]
    labels: LabelColumns
    rules: list[str | None]
    model_version: str

    def __len__(self) -> int:
        return len(self.template_texts)


class Pipeline:
    """Mask, mine, apply rules, then label what no rule decided (a blank line is
    ``Unclassified`` with confidence 0: there is nothing to label).

    Arguments:
        settings: resolved configuration.
        labeler: the model stage; ``None`` means templates and rules only.
        miner: an existing miner (e.g. restored from state); built from settings if ``None``.
    """

    def __init__(
        self,
        settings: Settings,
        labeler: Labeler | None = None,
        miner: Miner | None = None,
        rules: RuleSet | None = None,
    ) -> None:
        self.settings = settings
        self.miner = miner if miner is not None else build_miner(settings.mining, settings.masking)
        self.rules = rules if rules is not None else load_rules(settings.rules)
        self.labeler: Labeler = labeler if labeler is not None else TemplateOnlyLabeler()
        self._template_text: dict[int, str] = {t[0]: t[2] for t in self.miner.templates()}
        # Only a blank line has an empty template; its lines go to no model.
        self._blank_ids = self._ids_of_blank_templates()
        self._rule_ids = self.rules.ids
        self._rule_labels = self.rules.labels
        self._rule_anomalies = self.rules.anomalies

    def process_batch(
        self, messages: list[str], fields: dict[str, list[str]] | None = None
    ) -> LabeledBatch:
        """Label a batch. ``fields`` are extra columns (e.g. header fields) for field rules."""
        ids, changes, changed = self.miner.train_batch(messages)
        if changed:
            # A template merged later in the batch leaves an alias id on earlier lines.
            ids = self.miner.resolve_batch(ids.tolist())
        known = self._template_text
        fresh = dict(changed)
        for tid in set(ids.tolist()) - known.keys() - fresh.keys():
            fresh[tid] = self.miner.template_text(tid)
        known.update(fresh)
        if "" in fresh.values():
            self._blank_ids = self._ids_of_blank_templates()
        texts = [known[i] for i in ids.tolist()]
        if len(known) > 2 * self.settings.mining.max_templates:
            self._forget_evicted()
        rule_idx = self.rules.match_batch(messages, fields=fields)
        labels = self._label(messages, ids, texts, changes, rule_idx)
        rules = [self._rule_ids[i] if i >= 0 else None for i in rule_idx.tolist()]
        return LabeledBatch(
            template_ids=ids,
            template_texts=texts,
            changes=changes,
            labels=labels,
            rules=rules,
            model_version=self.labeler.model_version,
        )

    def _forget_evicted(self) -> None:
        """Keep the texts of live templates only: the miner evicts the least recently
        used beyond ``mining.max_templates`` and never gives their ids again, so a
        sidecar seeing new templates for days would otherwise keep every text it ever
        mined (rebuilt once the map doubles: amortised O(1) per new template)."""
        self._template_text = {t[0]: t[2] for t in self.miner.templates()}

    def _label(
        self,
        messages: list[str],
        ids: npt.NDArray[np.uint32],
        texts: list[str],
        changes: npt.NDArray[np.uint8],
        rule_idx: npt.NDArray[np.int32],
    ) -> LabelColumns:
        n = len(messages)
        no_rule = rule_idx < 0
        blank_line = np.isin(ids, self._blank_ids)
        undecided = np.flatnonzero(no_rule & ~blank_line)
        blank = np.flatnonzero(no_rule & blank_line)
        label = [""] * n
        confidence = np.ones(n, dtype=np.float32)
        anomaly = np.zeros(n, dtype=np.bool_)
        score = np.zeros(n, dtype=np.float32)
        for i in blank.tolist():
            label[i] = UNCLASSIFIED
        confidence[blank] = 0.0
        for i in np.flatnonzero(rule_idx >= 0).tolist():
            r = int(rule_idx[i])
            label[i] = self._rule_labels[r]
            flagged = self._rule_anomalies[r]
            anomaly[i] = bool(flagged)
            score[i] = 1.0 if flagged else 0.0
        if len(undecided):
            sub = undecided.tolist()
            model = self.labeler.label_batch(
                [messages[i] for i in sub],
                ids[undecided],
                [texts[i] for i in sub],
                changes[undecided],
            )
            for j, i in enumerate(sub):
                label[i] = model.label[j]
            confidence[undecided] = model.confidence
            anomaly[undecided] = model.anomaly
            score[undecided] = model.anomaly_score
        return LabelColumns(
            label=label, confidence=confidence, anomaly=anomaly, anomaly_score=score
        )

    def _ids_of_blank_templates(self) -> npt.NDArray[np.uint32]:
        return np.array([t for t, text in self._template_text.items() if not text], dtype=np.uint32)

    def save_state(self, path: Path) -> None:
        """Write the miner state atomically (temp file + rename)."""
        self.save_miner(self.miner, path)

    @staticmethod
    def save_miner(miner: Miner, path: Path) -> None:
        """Write a miner's state atomically (temp file + rename)."""
        write_replacing(path, miner.to_bytes())

    @staticmethod
    def load_miner(path: Path) -> Miner:
        """Restore a miner saved by :meth:`save_state`."""
        return Pipeline.miner_from_state(read_state(path), path)

    @staticmethod
    def miner_from_state(data: bytes, path: Path) -> Miner:
        """The miner in ``data``, read from the state file ``path`` (named in errors)."""
        try:
            return Miner.from_bytes(data)
        except StateError as exc:
            raise StateError(f"state file {path}: {exc}") from exc


def read_state(path: Path) -> bytes:
    """The bytes of the state file ``path``.

    Raises:
        StateError: naming the file when it cannot be read.
    """
    try:
        return path.read_bytes()
    except OSError as exc:
        raise StateError(f"cannot read state file {path}: {exc.strerror}") from exc
