"""Session anomaly detection inside the sidecar (``sessions:`` in the config).

Labelled documents are grouped into sessions by key (a document field or a regex
on the message); when a session closes (idle, window, length, age) its template
sequence is scored by the configured detector (``logtriage sequences train``).
Every document of an anomalous session then gets ``logtriage.session.*``: the
flag, the session key, the first offending position and template, and the score.

Open sessions live in memory: a restart forgets them (their documents stay
labelled; those sessions are simply not scored), and nothing is flushed on
shutdown, since scoring a cut-off session would report a false "ended early".
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from logtriage.config.sessions import SessionsSettings
from logtriage.errors import ConfigError
from logtriage.sessions.detect import SessionDetector, load_detector
from logtriage.sessions.tracker import ClosedSession, SessionKeyer, SessionTracker
from logtriage.sources.search import get_path

__all__ = ["SessionFlag", "SessionWatch"]

SessionFlag = tuple[Hashable, dict[str, Any]]
"""``(document reference, logtriage.session fields)`` for one document to update."""


class SessionWatch:
    """Track sessions of labelled documents and score them when they close.

    Raises:
        ConfigError: sessioning is on but ``sessions.model_path`` is not set.
        ModelBundleError: the sequence model cannot be loaded.
    """

    def __init__(self, settings: SessionsSettings, detector: SessionDetector | None = None):
        if detector is None:
            if settings.model_path is None:
                raise ConfigError(
                    "sessions: set sessions.model_path to a model written by "
                    "`logtriage sequences train`"
                )
            detector = load_detector(settings.model_path)
        self.key_field = settings.key_field
        self.keyer = SessionKeyer.from_settings(settings)
        self.tracker = SessionTracker.from_settings(settings)
        self.detector = detector
        self.scored = 0
        self.anomalous = 0

    @classmethod
    def from_settings(cls, settings: SessionsSettings) -> SessionWatch | None:
        """The watch the settings ask for; ``None`` when sessioning is off."""
        return cls(settings) if settings.enabled else None

    @property
    def source_fields(self) -> list[str]:
        """Document fields the sidecar must fetch for the session key."""
        return [self.key_field] if self.key_field is not None else []

    def observe(
        self,
        messages: Sequence[str],
        sources: Sequence[dict[str, Any]],
        template_ids: npt.NDArray[np.uint32],
        timestamps: npt.NDArray[np.float64],
        refs: Sequence[Hashable],
    ) -> list[SessionFlag]:
        """Add labelled lines (time order); return the flags of sessions that closed."""
        fields = None
        if self.key_field is not None:
            column = [get_path(src, self.key_field) for src in sources]
            fields = {self.key_field: [v if isinstance(v, str) else "" for v in column]}
        keys = self.keyer.keys_batch(messages, fields)
        closed = self.tracker.observe(keys, template_ids, timestamps.tolist(), refs)
        return self._score(closed)

    def expire(self, now_s: float) -> list[SessionFlag]:
        """Close sessions idle (or too old) as of ``now_s``; flags of the anomalous ones."""
        return self._score(self.tracker.expire(now_s))

    def _score(self, closed: list[ClosedSession]) -> list[SessionFlag]:
        if not closed:
            return []
        verdicts = self.detector.score([c.template_ids for c in closed])
        self.scored += len(closed)
        flags: list[SessionFlag] = []
        for k in np.flatnonzero(verdicts.anomalous).tolist():
            session = closed[k]
            self.anomalous += 1
            fields = {
                "anomaly": True,
                "key": session.key,
                "length": len(session),
                "position": int(verdicts.position[k]),
                "template_id": int(verdicts.template_id[k]),
                "score": round(float(verdicts.score[k]), 6),
            }
            flags.extend((ref, fields) for ref in session.refs if ref is not None)
        return flags
