"""Outputs are replaced whole, except devices and FIFOs, which are written in place.

Before, ``logtriage parse -o /dev/null`` run as root renamed a regular file over the
system's /dev/null; later readers of /dev/null then got earlier writes (a CI run read
a compiler probe's error message as its source). These tests use a FIFO: the old code
would turn it into a regular file the same way, without touching the machine.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

from logtriage.replacing import renames_over, write_replacing


def _read_fifo_in_background(fifo: Path) -> tuple[threading.Thread, list[bytes]]:
    got: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as f:
            got.append(f.read())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread, got


def test_a_fifo_is_written_in_place_and_a_file_replaced_whole(tmp_path: Path) -> None:
    assert not renames_over(Path("/dev/null"))
    assert renames_over(tmp_path / "new.bin")
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    thread, got = _read_fifo_in_background(fifo)
    write_replacing(fifo, b"state")
    thread.join(timeout=10)
    assert got == [b"state"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    regular = tmp_path / "state.bin"
    regular.write_bytes(b"old")
    write_replacing(regular, b"new")
    assert regular.read_bytes() == b"new"
    link = tmp_path / "link.bin"  # e.g. /dev/stdout -> /proc/self/fd/1 -> a file
    link.symlink_to(regular)
    write_replacing(link, b"through the link")
    assert link.is_symlink() and regular.read_bytes() == b"through the link"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.bin", "out.fifo", "state.bin"]


def test_parse_out_to_a_fifo_keeps_it_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "rows.fifo"
    os.mkfifo(fifo)
    thread, got = _read_fifo_in_background(fifo)
    proc = subprocess.run(
        [sys.executable, "-m", "logtriage.cli", "parse", "-", "--out", str(fifo)],
        input=b"job 1 done\njob 2 done\n",
        capture_output=True,
        timeout=120,
    )
    thread.join(timeout=10)
    assert proc.returncode == 0, proc.stderr.decode()
    assert stat.S_ISFIFO(fifo.stat().st_mode), "the FIFO was replaced by a regular file"
    assert got and got[0].decode().splitlines()[0] == "LineId,Content,EventId,EventTemplate"
    assert not list(tmp_path.glob(".*partial"))


def test_a_write_that_fails_leaves_no_partial_file(tmp_path: Path) -> None:
    """The disk filled up while the sidecar saved its template cache: the write failed
    (logged), but ``templates.json.tmp`` stayed, as large as the space that was left,
    so the disk stayed full. The fault is real here: a file size limit
    (``RLIMIT_FSIZE``) makes the kernel refuse the write past 1,000 bytes (EFBIG), as
    a full disk does with ENOSPC, in a child process."""
    target = tmp_path / "templates.json"
    target.write_bytes(b"previous")
    code = (
        "import resource, signal, sys\n"
        "from pathlib import Path\n"
        "from logtriage.replacing import write_replacing\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))\n"
        "try:\n"
        "    write_replacing(Path(sys.argv[1]), b'x' * 5000)\n"
        "except OSError as exc:\n"
        "    print(exc.errno)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(target)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "27", proc.stdout  # EFBIG: the write was refused
    assert target.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["templates.json"]


def test_a_replaced_file_keeps_its_permissions(tmp_path: Path) -> None:
    """A miner state or checkpoint made private (0600) stays private when saved again."""
    state = tmp_path / "miner.state"
    state.write_bytes(b"old")
    state.chmod(0o600)
    write_replacing(state, b"new")
    assert state.read_bytes() == b"new"
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
