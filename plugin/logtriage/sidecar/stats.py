"""What a pass and a run of the sidecar did, in counts."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["PassStats", "RunSummary"]


@dataclass
class PassStats:
    """Counts for one pass over the backlog."""

    seen: int = 0
    labelled: int = 0
    errored: int = 0
    conflicts: int = 0
    #: ``index`` mode: documents read again whose labels document exists already.
    already_labelled: int = 0
    failed: int = 0
    pages: int = 0
    #: The pass read from ``start_from`` (not from the checkpoint).
    from_start: bool = False
    seconds: float = 0.0
    labels: dict[str, int] = field(default_factory=dict)
    error_reasons: dict[str, int] = field(default_factory=dict)

    @property
    def progress(self) -> int:
        return self.labelled + self.errored


@dataclass
class RunSummary:
    """Totals over a :meth:`Sidecar.run`."""

    passes: int = 0
    labelled: int = 0
    errored: int = 0
    conflicts: int = 0
    failed: int = 0
    seconds: float = 0.0
    labels: dict[str, int] = field(default_factory=dict)
    error_reasons: dict[str, int] = field(default_factory=dict)
    engine_errors: int = 0
    slot: int | None = None
    complete: bool = False

    def add(self, p: PassStats) -> None:
        self.passes += 1
        self.labelled += p.labelled
        self.errored += p.errored
        self.conflicts += p.conflicts
        self.failed = p.failed  # failures of the last pass are what is left
        for k, v in p.labels.items():
            self.labels[k] = self.labels.get(k, 0) + v
        for k, v in p.error_reasons.items():
            self.error_reasons[k] = self.error_reasons.get(k, 0) + v
