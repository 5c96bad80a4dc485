"""Writing a file whole or not at all, without replacing what is not a regular file.

A file is written to a temporary name and renamed over the target, so a reader (or a
crash) never sees half of it. A rename replaces whatever the target is, though: for
``--out /dev/null`` run as root it replaced the system's ``/dev/null`` with a regular
file, which then handed earlier writes to every later reader. Devices, FIFOs,
sockets and symbolic links (``/dev/stdout``, or a user's link to their file) are
therefore written in place: the rename would replace the link, not what it names.
The new file takes the permission bits of the one it replaces (a ``chmod 600`` output
of labelled logs stayed private when written again; the rename made it 644).

Each writer has a temporary name of its own (two runs writing the same ``--out``
shared one, so each wrote into and then renamed the other's half-written file), and
its contents reach the disk before the rename: after a power loss the target is the
old file or the new one, never an empty file of the new name.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path
from typing import BinaryIO

__all__ = ["commit_replacing", "keep_mode", "open_beside", "renames_over", "write_replacing"]


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


def open_beside(target: Path) -> tuple[Path, BinaryIO]:
    """A new hidden file ``.<name>.<random>.partial`` in ``target``'s directory, open for
    writing, with the permission bits ``target`` has (or the umask's for a new file)."""
    while True:
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
        try:
            out = open(tmp, "xb")  # noqa: SIM115 - the caller closes it
        except FileExistsError:
            continue
        try:
            keep_mode(target, out.fileno())
        except OSError:
            out.close()
            tmp.unlink(missing_ok=True)
            raise
        return tmp, out


def commit_replacing(tmp: Path, out: BinaryIO, target: Path) -> None:
    """Flush ``out`` (the file ``tmp``) to the disk, close it and rename it over
    ``target``. On failure ``target`` is unchanged and ``tmp`` removed."""
    try:
        with out:
            out.flush()
            os.fsync(out.fileno())
        tmp.replace(target)
    except OSError:
        # e.g. the disk is full: a partial temporary file would keep it full.
        tmp.unlink(missing_ok=True)
        raise


def write_replacing(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file renamed over it (a device,
    FIFO or link is written in place). On failure ``path`` is unchanged and the
    temporary file removed."""
    if not renames_over(path):
        with open(path, "wb") as in_place:
            in_place.write(data)
        return
    tmp, out = open_beside(path)
    try:
        out.write(data)
    except OSError:
        out.close()
        tmp.unlink(missing_ok=True)
        raise
    commit_replacing(tmp, out, path)
