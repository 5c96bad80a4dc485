"""Session files: one session per line, template ids separated by whitespace."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from logtriage.errors import ConfigError

__all__ = ["read_session_file", "write_session_file"]


#: Template ids are unsigned 32-bit integers (the miner's and the detectors' id type);
#: the two highest are the sequence model's start and end markers.
MAX_TEMPLATE_ID = 2**32 - 3

_FORMAT = (
    "a session file holds one session per line, template ids separated by spaces; "
    "to read a log file, give --key-regex or --key-field"
)


def read_session_file(path: str | Path) -> list[list[int]]:
    """Sessions of a file (``-`` is stdin). Blank lines are empty sessions.

    Raises:
        ConfigError: a line is not UTF-8, or a token is not an integer from 0 to
            ``MAX_TEMPLATE_ID`` (file and line named).
    """
    if str(path) == "-":
        data = sys.stdin.buffer.read()
        name = "<stdin>"
    else:
        data = Path(path).read_bytes()
        name = str(path)
    sessions: list[list[int]] = []
    for lineno, raw in enumerate(data.splitlines(), start=1):
        try:
            tokens = raw.decode("utf-8").split()
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{name}:{lineno}: not UTF-8 text ({_FORMAT})") from exc
        ids = []
        for tok in tokens:
            try:
                ids.append(int(tok))
            except ValueError as exc:
                raise ConfigError(
                    f"{name}:{lineno}: {tok[:40]!r} is not a template id ({_FORMAT})"
                ) from exc
        bad = next((i for i in ids if not 0 <= i <= MAX_TEMPLATE_ID), None)
        if bad is not None:
            raise ConfigError(
                f"{name}:{lineno}: template id {bad} is out of range (0 to {MAX_TEMPLATE_ID}; "
                "the two 32-bit ids above are reserved)"
            )
        sessions.append(ids)
    return sessions


def write_session_file(path: str | Path, sessions: Iterable[Sequence[int]]) -> None:
    """Write sessions one per line (ids separated by single spaces)."""
    text = "".join(" ".join(str(i) for i in s) + "\n" for s in sessions)
    if str(path) == "-":
        sys.stdout.write(text)
    else:
        Path(path).write_text(text, encoding="utf-8")
