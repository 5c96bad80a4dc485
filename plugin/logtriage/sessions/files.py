"""Session files: one session per line, template ids separated by whitespace."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from logtriage.errors import ConfigError

__all__ = ["read_session_file", "write_session_file"]


def read_session_file(path: str | Path) -> list[list[int]]:
    """Sessions of a file (``-`` is stdin). Blank lines are empty sessions.

    Raises:
        ConfigError: a token is not a non-negative integer (file and line named).
    """
    if str(path) == "-":
        text = sys.stdin.read()
        name = "<stdin>"
    else:
        text = Path(path).read_text(encoding="utf-8")
        name = str(path)
    sessions: list[list[int]] = []
    lines = text.splitlines()
    for lineno, line in enumerate(lines, start=1):
        try:
            ids = [int(tok) for tok in line.split()]
        except ValueError as exc:
            raise ConfigError(f"{name}:{lineno}: not a template id: {exc}") from exc
        if any(i < 0 for i in ids):
            raise ConfigError(f"{name}:{lineno}: template ids must be >= 0")
        sessions.append(ids)
    return sessions


def write_session_file(path: str | Path, sessions: Iterable[Sequence[int]]) -> None:
    """Write sessions one per line (ids separated by single spaces)."""
    text = "".join(" ".join(str(i) for i in s) + "\n" for s in sessions)
    if str(path) == "-":
        sys.stdout.write(text)
    else:
        Path(path).write_text(text, encoding="utf-8")
