"""Lines of a stream, as iterating over it gives them, that also say when the input has
been quiet until a deadline (for ``--flush-after``: ``tail -f app.log | logtriage ...``).

Waiting uses ``select`` on the stream's descriptor, never a busy loop. ``select`` only
knows about the descriptor, so it is asked only once Python's buffer over it is known
to be empty: after a ``read1`` that returned fewer bytes than asked (``read1`` returns
what is buffered, or does one read of the descriptor when nothing is).
"""

from __future__ import annotations

import io
import select
import time
from collections.abc import Callable, Iterator

__all__ = ["QUIET", "lines_until"]

QUIET = None
"""Yielded instead of a line: the deadline passed and no whole line came."""

READ_SIZE = 1 << 16


def lines_until(
    stream: io.BufferedReader, deadline: Callable[[], float | None]
) -> Iterator[bytes | None]:
    """Each line of ``stream`` with its ``b"\\n"`` (the last one without, if the input
    does not end with one), byte for byte as ``for line in stream`` gives them; and
    :data:`QUIET` whenever ``deadline()`` (a :func:`time.monotonic` time; ``None``: no
    deadline) passes while no whole line is there. A line split across reads stays
    whole: only whole lines are yielded before the end of the input.

    ``stream`` must have a file descriptor.
    """
    fd = stream.fileno()
    parts: list[bytes] = []  # the line being read, in the pieces it came in
    drained = False  # Python's buffer is known to be empty: select() can tell
    while True:
        due = deadline()
        if due is not None and drained:
            wait = max(0.0, due - time.monotonic())
            if not select.select([fd], [], [], wait)[0]:
                yield QUIET
                continue
        chunk = stream.read1(READ_SIZE)
        if not chunk:
            break
        drained = len(chunk) < READ_SIZE
        lines = chunk.split(b"\n")
        rest = lines.pop()  # after the last line end: the start of the next line
        if lines:
            lines[0] = b"".join((*parts, lines[0]))
            parts = []
            for line in lines:
                yield line + b"\n"
        if rest:
            parts.append(rest)
    if parts:
        yield b"".join(parts)
