"""`parse` and `classify` as a user drives them from a shell: pipes, closed streams,
compressed input, signals, full disks."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import resource
import signal
import subprocess
import sys
import time
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


def test_sigterm_mid_run_leaves_the_previous_output_and_no_partial_file(tmp_path: Path) -> None:
    """Before, SIGTERM killed the process where it stood: FILE was intact but a hidden
    ``.FILE.<random>.partial`` of everything written so far stayed behind (112 MB on a 1.2M-line
    log). Now the run unwinds as on Ctrl-C and then dies by the signal."""
    log = tmp_path / "big.log"
    with log.open("w") as f:
        for i in range(400_000):
            f.write(f"user u{i % 97} logged in from 10.0.{i % 251}.{i % 13} port {i}\n")
    out = tmp_path / "out.jsonl"
    out.write_text("previous run\n")
    proc = subprocess.Popen(
        [*CLI, "classify", str(log), "--format", "jsonl", "--out", str(out)],
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not any(p.stat().st_size > 0 for p in tmp_path.glob(".out.jsonl.*.partial")):
            assert proc.poll() is None, "the run ended before it could be stopped"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == -signal.SIGTERM, err.decode()
    assert out.read_text() == "previous run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.log", "out.jsonl"]


def _limit_file_size() -> None:
    """A real write failure: files may not grow past 64 KiB (Python ignores SIGXFSZ, so
    the write fails with EFBIG as on a full disk)."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))


@pytest.mark.parametrize(("command", "fmt"), [("classify", "csv"), ("parse", "jsonl")])
def test_a_failed_write_names_the_output_and_leaves_no_partial_file(
    tmp_path: Path, command: str, fmt: str
) -> None:
    """Before: ``error: [Errno 27] File too large`` naming no file, and classify left its
    ``.out.partial`` behind (closing it flushed the buffer, failed again and skipped
    the removal)."""
    log = tmp_path / "app.log"
    log.write_text("".join(f"user u{i} logged in from 10.0.0.{i % 250}\n" for i in range(5000)))
    out = tmp_path / "out.txt"
    out.write_text("previous run\n")
    proc = subprocess.run(
        [*CLI, command, str(log), "--format", fmt, "--out", str(out)],
        capture_output=True,
        timeout=120,
        preexec_fn=_limit_file_size,
    )
    assert proc.returncode == 1
    assert proc.stderr.decode() == f"error: cannot write {out}: File too large\n"
    assert out.read_text() == "previous run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.log", "out.txt"]


def test_a_full_stdout_is_one_error_line(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text("disk full on /var\n")
    with open("/dev/full", "wb") as full:
        proc = subprocess.run(
            [*CLI, "classify", str(log)], stdout=full, stderr=subprocess.PIPE, timeout=120
        )
    assert proc.returncode == 1
    assert proc.stderr.decode() == (
        "error: cannot write standard output: No space left on device\n"
    )


@pytest.mark.parametrize(("command", "fmt"), [("parse", "csv"), ("classify", "jsonl")])
def test_stdout_is_utf8_whatever_the_locale(command: str, fmt: str) -> None:
    """Before, rows on stdout were encoded with the locale's codec: in a Latin-1 (or
    Windows cp1252) one, a replaced byte (U+FFFD) ended the run with a
    UnicodeEncodeError traceback, while --out FILE was UTF-8."""
    proc = subprocess.run(
        [*CLI, command, "-", "--format", fmt],
        input=b"caf\xc3\xa9 ok\nbad \xff\n",
        capture_output=True,
        timeout=120,
        env={**os.environ, "PYTHONIOENCODING": "latin-1"},
    )
    assert proc.returncode == 0, proc.stderr.decode()
    text = proc.stdout.decode("utf-8")
    if fmt == "csv":
        contents = [r["Content"] for r in csv.DictReader(io.StringIO(text, newline=""))]
    else:
        contents = [json.loads(line)["Content"] for line in text.splitlines()]
    assert contents == ["café ok", "bad \ufffd"]


@pytest.mark.parametrize("command", ["parse", "classify"])
def test_closed_stdout_or_stderr(tmp_path: Path, command: str) -> None:
    """Before: with stdout closed (``>&-``) a traceback; with stderr closed (``2>&-``)
    exit 1 and no output at all (the progress check asked a missing stderr whether it
    was a terminal)."""
    log = tmp_path / "app.log"
    log.write_text("disk full on /var\n")
    out = tmp_path / "out.csv"

    def shell(redirect: str, *args: str) -> subprocess.CompletedProcess[bytes]:
        script = f'exec "$@" {redirect}'  # the command starts with that stream closed
        return subprocess.run(
            ["sh", "-c", script, "sh", *CLI, command, str(log), *args],
            capture_output=True,
            timeout=120,
        )

    no_stdout = shell(">&-")
    assert no_stdout.returncode == 1
    assert no_stdout.stderr.decode() == "error: standard output is closed: give --out FILE\n"
    no_stderr = shell("2>&-", "--out", str(out))
    assert no_stderr.returncode == 0
    assert out.read_text().splitlines()[1].startswith("1,disk full on /var,")


@pytest.mark.parametrize("command", ["parse", "classify"])
def test_out_that_is_the_file_on_stdin_is_refused(tmp_path: Path, command: str) -> None:
    """Before, ``classify - -o app.log < app.log`` replaced the user's log with its
    labels (the same-file check skipped input ``-``)."""
    log = tmp_path / "app.log"
    log.write_bytes(b"disk full on /var\n")
    with log.open("rb") as stdin:
        proc = subprocess.run(
            [*CLI, command, "-", "--out", str(log)], stdin=stdin, capture_output=True, timeout=120
        )
    assert proc.returncode == 1
    assert proc.stderr.decode() == (
        f"error: --out {log} is the input file; write the output somewhere else\n"
    )
    assert log.read_bytes() == b"disk full on /var\n"
