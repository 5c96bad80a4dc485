"""Grouping labelled lines into sessions by a key, with idle timeouts.

:class:`SessionKeyer` finds each line's session key (a field, or a regex over the
message); :class:`SessionTracker` keeps the open sessions and returns the ones
that close: idle for ``idle_timeout_s``, older than ``max_session_s`` (sessions
that never go quiet), ``window_s`` elapsed (host + time-window sessions),
``max_length`` reached, evicted beyond ``max_open_sessions``, or flushed.
Time is the lines' own timestamps (seconds); :meth:`SessionTracker.expire`
takes the wall clock so quiet sessions close even when no line arrives.
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from logtriage.config.sessions import SessionsSettings
from logtriage.errors import ConfigError

__all__ = ["CloseReason", "ClosedSession", "SessionKeyer", "SessionTracker"]

CloseReason = Literal["idle", "max_age", "window", "max_length", "evicted", "flush"]


@dataclass(frozen=True, slots=True)
class ClosedSession:
    """A finished session: its template ids in arrival order, with the timestamp and
    the caller's reference (e.g. document id) of every line."""

    key: str
    template_ids: list[int]
    timestamps: list[float]
    refs: list[Hashable | None]
    start_s: float
    end_s: float
    reason: CloseReason

    def __len__(self) -> int:
        return len(self.template_ids)


@dataclass(slots=True)
class _Open:
    start_s: float
    last_s: float
    template_ids: list[int] = field(default_factory=list)
    timestamps: list[float] = field(default_factory=list)
    refs: list[Hashable | None] = field(default_factory=list)


class SessionKeyer:
    """Session key per line: ``fields[key_field]`` when set and non-empty, else the
    regex's group ``key`` (or first group, or whole match) in the message."""

    def __init__(self, *, key_field: str | None = None, key_regex: str | None = None) -> None:
        if key_field is None and key_regex is None:
            raise ConfigError("sessions: set key_field or key_regex")
        self.key_field = key_field
        try:
            self.regex = re.compile(key_regex) if key_regex is not None else None
        except re.error as exc:
            raise ConfigError(f"sessions.key_regex does not compile: {exc}") from exc

    @classmethod
    def from_settings(cls, settings: SessionsSettings) -> SessionKeyer:
        return cls(key_field=settings.key_field, key_regex=settings.key_regex)

    def _from_message(self, message: str) -> str | None:
        if self.regex is None:
            return None
        m = self.regex.search(message)
        if m is None:
            return None
        if "key" in self.regex.groupindex:
            return m.group("key")
        return m.group(1) if self.regex.groups else m.group(0)

    def keys_batch(
        self, messages: Sequence[str], fields: dict[str, list[str]] | None = None
    ) -> list[str | None]:
        """One key (or ``None``: not part of any session) per message."""
        column = (fields or {}).get(self.key_field) if self.key_field is not None else None
        if column is not None and len(column) != len(messages):
            raise ConfigError(
                f"field {self.key_field!r} has {len(column)} values for {len(messages)} lines"
            )
        keys: list[str | None] = []
        for i, message in enumerate(messages):
            value = column[i] if column is not None else ""
            keys.append(value if value else self._from_message(message))
        return keys


class SessionTracker:
    """Open sessions by key; :meth:`observe` returns the sessions that closed.

    Arguments:
        idle_timeout_s: close a session after this long without lines.
        max_session_s: close a session this long after its first line, even if busy.
        window_s: cut sessions every ``window_s`` seconds (host + time window); ``None``: off.
        max_length: close a session when it holds this many lines.
        max_open_sessions: beyond this, the least recently active session is closed.
    """

    def __init__(
        self,
        *,
        idle_timeout_s: float = 60.0,
        max_session_s: float = 3600.0,
        window_s: float | None = None,
        max_length: int = 10_000,
        max_open_sessions: int = 100_000,
    ) -> None:
        if idle_timeout_s <= 0 or max_session_s <= 0 or (window_s is not None and window_s <= 0):
            raise ConfigError("sessions: timeouts and windows must be > 0 seconds")
        if max_length < 1 or max_open_sessions < 1:
            raise ConfigError("sessions: max_length and max_open_sessions must be >= 1")
        self.idle_timeout_s = idle_timeout_s
        self.max_session_s = max_session_s
        self.window_s = window_s
        self.max_length = max_length
        self.max_open_sessions = max_open_sessions
        # Least recently active first.
        self._open: OrderedDict[str, _Open] = OrderedDict()
        self._clock_s = float("-inf")

    @classmethod
    def from_settings(cls, settings: SessionsSettings) -> SessionTracker:
        return cls(
            idle_timeout_s=settings.idle_timeout_s,
            max_session_s=settings.max_session_s,
            window_s=settings.window_s,
            max_length=settings.max_length,
            max_open_sessions=settings.max_open_sessions,
        )

    def __len__(self) -> int:
        """Open sessions."""
        return len(self._open)

    def _close(self, key: str, reason: CloseReason) -> ClosedSession:
        s = self._open.pop(key)
        return ClosedSession(
            key=key,
            template_ids=s.template_ids,
            timestamps=s.timestamps,
            refs=s.refs,
            start_s=s.start_s,
            end_s=s.last_s,
            reason=reason,
        )

    def observe(
        self,
        keys: Sequence[str | None],
        template_ids: Iterable[int],
        timestamps: Sequence[float] | None = None,
        refs: Sequence[Hashable | None] | None = None,
    ) -> list[ClosedSession]:
        """Add a batch of lines (in time order); return every session that closed.

        ``template_ids`` may be a numpy array; ``timestamps`` are seconds (``None``:
        now, for every line); ``refs`` travel with the lines into
        :attr:`ClosedSession.refs`. Lines whose key is ``None`` are ignored.
        """
        ids = [int(t) for t in template_ids]
        n = len(keys)
        if len(ids) != n or (timestamps is not None and len(timestamps) != n):
            raise ConfigError("observe: keys, template_ids and timestamps differ in length")
        if refs is not None and len(refs) != n:
            raise ConfigError("observe: refs and keys differ in length")
        now = time.time()
        closed: list[ClosedSession] = []
        for i, key in enumerate(keys):
            if key is None:
                continue
            ts = float(timestamps[i]) if timestamps is not None else now
            self._clock_s = max(self._clock_s, ts)
            s = self._open.get(key)
            if s is not None:
                if ts - s.last_s > self.idle_timeout_s:
                    closed.append(self._close(key, "idle"))
                    s = None
                elif self.window_s is not None and ts - s.start_s >= self.window_s:
                    closed.append(self._close(key, "window"))
                    s = None
            if s is None:
                s = _Open(start_s=ts, last_s=ts)
                self._open[key] = s
                if len(self._open) > self.max_open_sessions:
                    oldest = next(iter(self._open))
                    closed.append(self._close(oldest, "evicted"))
            else:
                self._open.move_to_end(key)
            s.template_ids.append(ids[i])
            s.timestamps.append(ts)
            s.refs.append(refs[i] if refs is not None else None)
            s.last_s = max(s.last_s, ts)
            if len(s.template_ids) >= self.max_length:
                closed.append(self._close(key, "max_length"))
            elif ts - s.start_s >= self.max_session_s:
                closed.append(self._close(key, "max_age"))
        closed.extend(self.expire(self._clock_s))
        return closed

    def expire(self, now_s: float | None = None) -> list[ClosedSession]:
        """Close sessions idle for ``idle_timeout_s`` or open for ``max_session_s`` as of
        ``now_s`` (default: the wall clock). Call it on a timer so sessions that never
        get another line are still flushed."""
        now = time.time() if now_s is None else now_s
        closed: list[ClosedSession] = []
        for key in list(self._open):
            s = self._open[key]
            if now - s.last_s > self.idle_timeout_s:
                closed.append(self._close(key, "idle"))
            elif now - s.start_s >= self.max_session_s:
                closed.append(self._close(key, "max_age"))
        return closed

    def flush(self) -> list[ClosedSession]:
        """Close every open session (e.g. at shutdown or end of file)."""
        return [self._close(key, "flush") for key in list(self._open)]
