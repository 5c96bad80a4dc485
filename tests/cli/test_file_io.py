"""`parse` and `classify` as a user drives them from a shell: pipes, closed streams,
compressed input, signals, full disks."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "logtriage.cli"]


def run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*CLI, *args], input=stdin, capture_output=True, timeout=120)


@pytest.mark.parametrize("command", ["parse", "classify"])
def test_a_closed_stdin_is_one_error_line(command: str) -> None:
    """Before: an AttributeError traceback ('NoneType' object has no attribute
    'buffer'), after classify had printed its CSV header."""
    proc = subprocess.run(
        ["sh", "-c", 'exec "$@" <&-', "sh", *CLI, command, "-"],
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert proc.stdout == b""
    assert proc.stderr.decode() == (
        "error: standard input is closed: pipe the log into it, or give a file\n"
    )


@pytest.mark.parametrize("command", ["parse", "classify"])
def test_a_compressed_input_is_refused_before_any_output(tmp_path: Path, command: str) -> None:
    log = tmp_path / "app.log.gz"
    log.write_bytes(gzip.compress(b"job 1 done\njob 2 done\n"))
    out = tmp_path / "out.csv"
    proc = run_cli(command, str(log), "--out", str(out))
    assert proc.returncode == 1
    assert proc.stderr.decode() == (
        f"error: {log} is gzip-compressed; logtriage reads text: decompress it first "
        f"(gzip -dc {log}, piped into -)\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.log.gz"]
    piped = run_cli(command, "-", stdin=log.read_bytes())
    assert piped.returncode == 1
    assert piped.stdout == b""
    assert piped.stderr.decode().startswith("error: standard input is gzip-compressed")
