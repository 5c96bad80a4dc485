"""Termination signals for the commands that write an output file.

Python's default SIGTERM and SIGHUP handling kills the process where it stands: no
``finally`` runs, so ``parse``/``classify --out FILE`` left their hidden
``.FILE.<random>.partial`` (hundreds of megabytes on a big log) behind. Inside
:func:`cleanup_on_termination` the signal unwinds the command as Ctrl-C does (the
partial output is removed, ``FILE`` keeps its previous contents), and the process
then ends by the same signal, so its parent (a shell, systemd, ``timeout``) sees
what stopped it.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["cleanup_on_termination"]

SIGNALS = (signal.SIGTERM, signal.SIGHUP)


@contextmanager
def cleanup_on_termination() -> Iterator[None]:
    """Within: SIGTERM or SIGHUP raises KeyboardInterrupt. On leaving, the previous
    handlers come back and a signal received is raised again."""
    received: list[int] = []

    def interrupt(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, interrupt) for sig in SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if received:
            signal.raise_signal(received[0])
