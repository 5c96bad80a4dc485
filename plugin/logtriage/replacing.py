"""Writing a file whole or not at all, without replacing what is not a regular file.

A file is written to a temporary name and renamed over the target, so a reader (or a
crash) never sees half of it. A rename replaces whatever the target is, though: for
``--out /dev/null`` run as root it replaced the system's ``/dev/null`` with a regular
file, which then handed earlier writes to every later reader. Devices, FIFOs,
sockets and symbolic links (``/dev/stdout``, or a user's link to their file) are
therefore written in place: the rename would replace the link, not what it names.
The new file takes the permission bits of the one it replaces (a ``chmod 600`` output
of labelled logs stayed private when written again; the rename made it 644).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["keep_mode", "renames_over", "write_replacing"]


def renames_over(path: Path) -> bool:
    """Whether ``path`` may be replaced by a rename: it is a regular file (not a link to
    one), or nothing yet."""
    try:
        mode = path.lstat().st_mode
    except OSError:  # missing (or unreadable: the write will say why)
        return True
    return stat.S_ISREG(mode)


def keep_mode(target: Path, fd: int) -> None:
    """Give the open file ``fd``, about to be renamed over ``target``, the permission
    bits ``target`` has (none to keep when it does not exist)."""
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        return
    os.fchmod(fd, stat.S_IMODE(mode))


def write_replacing(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through ``<name>.tmp`` renamed over it (a device, FIFO
    or link is written in place). On failure ``path`` is unchanged and the temporary
    file removed."""
    if not renames_over(path):
        with open(path, "wb") as out:
            out.write(data)
        return
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "wb") as out:
            keep_mode(path, out.fileno())
            out.write(data)
        tmp.replace(path)
    except OSError:
        # e.g. the disk is full: a partial temporary file would keep it full.
        tmp.unlink(missing_ok=True)
        raise
