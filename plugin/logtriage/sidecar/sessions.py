"""Session anomaly detection inside the sidecar (``sessions:`` in the config).

Labelled documents are grouped into sessions by key (a document field or a regex
on the message); when a session closes (idle, window, length, age) its template
sequence is scored by the configured detector (``logtriage sequences train``).
Every document of an anomalous session then gets ``logtriage.session.*``: the
flag, the session key, the first offending position and template, and the score.

Open sessions live in memory: a restart forgets them (their documents stay
labelled; those sessions are simply not scored), and nothing is flushed on
shutdown, since scoring a cut-off session would report a false "ended early".
For the same reason a session cut by a limit (``max_length``, ``max_session_s``,
``max_open_sessions``) is not flagged for ending where it was cut, and the rest of it
(the key's lines until its session closes otherwise) is not scored: it starts in the
middle of a sequence, which every detector would flag at its first line.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from logtriage.config.sessions import SessionsSettings
from logtriage.errors import ConfigError
from logtriage.sessions.detect import SessionDetector, load_detector
from logtriage.sessions.tracker import (
    ClosedSession,
    CloseReason,
    SessionKeyer,
    SessionTracker,
)
from logtriage.sources.search import get_path

__all__ = ["SessionFlag", "SessionWatch", "sessions_problem"]

#: Close reasons where the session did not end, a limit cut it.
CUT_SHORT: frozenset[CloseReason] = frozenset({"max_length", "max_age", "evicted"})

SessionFlag = tuple[Hashable, dict[str, Any]]
"""``(document reference, logtriage.session fields)`` for one document to update."""


def sessions_problem(sessions: SessionsSettings, workers: int) -> str | None:
    """Why the sidecar cannot watch sessions with these settings (``None``: it can).

    Workers split the documents by timestamp, so each would see part of every session
    and flag the gaps; and each mines its own template ids, which one sequence model
    (trained on one miner's ids) cannot read."""
    if not sessions.enabled or workers == 1:
        return None
    return (
        f"sessions need sidecar.workers: 1 (it is {workers}): workers split the documents "
        "by timestamp, so each would see only part of every session, with template ids of its "
        "own that the sequence model was not trained on. Run sessions on one worker, or "
        "leave sessions.key_field and sessions.key_regex unset"
    )


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
        # Keys whose session a limit cut: their next closed piece is not a session.
        self._cut_keys: OrderedDict[str, None] = OrderedDict()
        self._max_cut_keys = settings.max_open_sessions

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

    def _sessions_to_score(self, closed: list[ClosedSession]) -> list[ClosedSession]:
        """``closed`` less the rests of sessions a limit cut (which start mid-sequence)."""
        whole: list[ClosedSession] = []
        for session in closed:
            continued = session.key in self._cut_keys
            if session.reason in CUT_SHORT:
                self._cut_keys[session.key] = None
                self._cut_keys.move_to_end(session.key)
                if len(self._cut_keys) > self._max_cut_keys:
                    self._cut_keys.popitem(last=False)
            else:
                self._cut_keys.pop(session.key, None)
            if not continued:
                whole.append(session)
        return whole

    def _score(self, closed: list[ClosedSession]) -> list[SessionFlag]:
        closed = self._sessions_to_score(closed)
        if not closed:
            return []
        verdicts = self.detector.score([c.template_ids for c in closed])
        self.scored += len(closed)
        flags: list[SessionFlag] = []
        for k in np.flatnonzero(verdicts.anomalous).tolist():
            session = closed[k]
            if session.reason in CUT_SHORT and verdicts.position[k] >= len(session):
                continue  # its only finding is the end, and the session has not ended
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
