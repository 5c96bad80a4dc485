"""Sessions from a log file: mine template ids, key each line, group by key.

Lines are taken in file order; sessions close at the end of the file (the file
carries no clock the tracker could use). Template ids come from the miner, so
pass the same miner state to training and evaluation to keep ids stable.
"""

from __future__ import annotations

from dataclasses import dataclass

from logtriage._core import Miner
from logtriage.errors import ConfigError
from logtriage.sessions.tracker import SessionKeyer, SessionTracker
from logtriage.sources.files import LogFileSource

__all__ = ["LogSessions", "sessions_from_log"]


@dataclass(frozen=True)
class LogSessions:
    keys: list[str]
    sessions: list[list[int]]
    lines: int
    keyless_lines: int


def sessions_from_log(
    path: str, log_format: str | None, keyer: SessionKeyer, miner: Miner, *, train: bool = True
) -> LogSessions:
    """Group a log file's lines into sessions of template ids (sessions in order of their
    first line). ``train=False`` matches templates read-only (unknown lines get id
    ``2**32 - 3``, an id no model has seen)."""
    source = LogFileSource(path, log_format)
    fields = source.stats.field_names
    if keyer.key_field is not None and keyer.key_field not in fields:
        raise ConfigError(
            f"key field {keyer.key_field!r} is not a field of the log format "
            f"(its fields: {', '.join(fields)}; --log-format names them)"
        )
    tracker = SessionTracker(
        idle_timeout_s=float("inf"), max_session_s=float("inf"), max_length=10**9
    )
    closed = []
    keyless = 0
    for batch in source:
        if train:
            ids = miner.train_batch(batch.contents)[0].tolist()
        else:
            ids = [i if i >= 0 else 2**32 - 3 for i in miner.match_batch(batch.contents).tolist()]
        keys = keyer.keys_batch(batch.contents, batch.fields)
        keyless += sum(k is None for k in keys)
        closed.extend(tracker.observe(keys, ids, [0.0] * len(keys)))
    closed.extend(tracker.flush())
    return LogSessions(
        keys=[c.key for c in closed],
        sessions=[c.template_ids for c in closed],
        lines=source.stats.lines,
        keyless_lines=keyless,
    )
