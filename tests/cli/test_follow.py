"""`tail -f app.log | logtriage classify - --flush-after S`: rows while the pipe stays
open; and without the option, the same bytes however the pipe delivers the input."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "logtriage.cli"]
# Standard output buffered, as users have it (PYTHONUNBUFFERED would hide a missing flush).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
LINES = [f"user u{i} logged in from 10.0.0.{i} port {4000 + i}\n".encode() for i in range(5)]


def _read_lines(proc: subprocess.Popen[bytes], count: int, timeout: float) -> list[bytes]:
    """The next ``count`` lines of ``proc``'s stdout, or fewer if ``timeout`` seconds pass
    (or the process ends) first."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    got = b""
    deadline = time.monotonic() + timeout
    while got.count(b"\n") < count:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            break
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        got += chunk
    return got.splitlines(keepends=True)


@pytest.mark.parametrize("command", ["classify", "parse"])
def test_rows_come_while_the_pipe_stays_open(command: str) -> None:
    """Before, nothing came until a batch was full (8,192 lines for classify) or the
    pipe closed: with ``tail -f`` on a quiet log, hours. (There was no --flush-after.)"""
    proc = subprocess.Popen(
        [*CLI, command, "-", "--flush-after", "0.2", "--format", "jsonl", "-o", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ENV,
    )
    assert proc.stdin is not None
    try:
        proc.stdin.write(b"".join(LINES[:3]))
        proc.stdin.flush()
        first = _read_lines(proc, 3, timeout=30)  # the model loads first (a few seconds)
        assert len(first) == 3, (first, proc.poll())
        started = time.monotonic()
        proc.stdin.write(b"".join(LINES[3:]))
        proc.stdin.flush()
        second = _read_lines(proc, 2, timeout=5)
        latency = time.monotonic() - started
        assert len(second) == 2, (second, proc.poll())
        assert latency < 3
        rest, err = proc.communicate(timeout=30)  # closes the pipe first
    finally:
        proc.kill()
    assert proc.returncode == 0, err.decode()
    assert rest == b""
    rows = [line.decode() for line in first + second]
    for i, row in enumerate(rows):
        assert row.startswith(f'{{"LineId": {i + 1}, "Content": "{LINES[i].decode().strip()}"')
    assert " 5 lines into " in err.decode()


@pytest.mark.parametrize("command", ["classify", "parse"])
def test_without_the_option_a_trickled_pipe_gives_the_bytes_of_the_file(
    tmp_path: Path, command: str
) -> None:
    """The default stays as it was: batches do not follow the pipe's timing (labels and
    templates depend on the grouping), so a log trickled through a pipe, lines split
    across writes, gives the same bytes as the file."""
    log = tmp_path / "app.log"
    data = b"".join(LINES) + b"GET /api/x HTTP/1.1 status 500\r\ncaf\xc3\xa9 bad \xff\n" * 3
    log.write_bytes(data)
    from_file = subprocess.run([*CLI, command, str(log)], capture_output=True, timeout=120)
    assert from_file.returncode == 0, from_file.stderr.decode()
    assert from_file.stdout.count(b"\n") == 1 + len(LINES) + 6

    proc = subprocess.Popen(
        [*CLI, command, "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdin is not None
    try:
        for at in range(0, len(data), 37):  # pieces that split lines and characters
            proc.stdin.write(data[at : at + 37])
            proc.stdin.flush()
            time.sleep(0.25)
        out, err = proc.communicate(timeout=60)  # closes the pipe first
    finally:
        proc.kill()
    assert proc.returncode == 0, err.decode()
    assert out == from_file.stdout


def test_sigterm_while_waiting_for_the_pipe_unwinds_as_before(tmp_path: Path) -> None:
    """--out FILE with the option: rows reach the hidden partial file batch by batch,
    FILE only at the end; SIGTERM while the command waits on the open pipe (in select)
    removes the partial file and ends the process by the signal, as without the option."""
    out = tmp_path / "out.csv"
    out.write_text("previous run\n")
    proc = subprocess.Popen(
        [*CLI, "parse", "-", "--flush-after", "0.1", "--out", str(out)],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ENV,
    )
    assert proc.stdin is not None
    try:
        proc.stdin.write(LINES[0])
        proc.stdin.flush()
        deadline = time.monotonic() + 30
        while [p.read_bytes().count(b"\n") for p in tmp_path.glob(".out.csv.*.partial")] != [2]:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else None
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert out.read_text() == "previous run\n"
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    finally:
        proc.kill()
        proc.stdin.close()
        if proc.stderr is not None:
            proc.stderr.close()
    assert proc.returncode == -signal.SIGTERM
    assert out.read_text() == "previous run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]
