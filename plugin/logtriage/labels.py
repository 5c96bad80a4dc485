"""Label columns: what the model stage returns for a batch, column by column."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

UNCLASSIFIED = "Unclassified"


@dataclass(frozen=True)
class LabelColumns:
    """One value per line for each column."""

    label: list[str]
    confidence: npt.NDArray[np.float32]
    anomaly: npt.NDArray[np.bool_]
    anomaly_score: npt.NDArray[np.float32]

    def __len__(self) -> int:
        return len(self.label)


class Labeler(Protocol):
    """The model stage. Called only for lines that no rule decided.

    ``template_ids``/``template_texts`` are the miner's output for the same lines;
    ``changes`` holds the miner's change code per line (0 unchanged, 1 created,
    2 generalized), so a labeler can treat a template's first sighting as novel
    and drop cached labels of generalised templates.
    """

    @property
    def model_version(self) -> str: ...

    def label_batch(
        self,
        messages: list[str],
        template_ids: npt.NDArray[np.uint32],
        template_texts: list[str],
        changes: npt.NDArray[np.uint8],
    ) -> LabelColumns: ...


class TemplateOnlyLabeler:
    """The labeler used when no model bundle is configured: every line not decided
    by a rule is ``Unclassified``; a template's first sighting scores as novel."""

    model_version = "none"

    def label_batch(
        self,
        messages: list[str],
        template_ids: npt.NDArray[np.uint32],
        template_texts: list[str],
        changes: npt.NDArray[np.uint8],
    ) -> LabelColumns:
        n = len(messages)
        novel = (changes == 1).astype(np.float32)
        return LabelColumns(
            label=[UNCLASSIFIED] * n,
            confidence=np.zeros(n, dtype=np.float32),
            anomaly=np.zeros(n, dtype=np.bool_),
            anomaly_score=novel,
        )
