"""Reading a slow pipe (``--flush-after``): the same lines as iterating over it, and a
word when the input has been quiet until a deadline."""

from __future__ import annotations

import io
import os
import random
import threading
import time
from pathlib import Path

from logtriage.sources.files import LogFileSource
from logtriage.sources.lines import QUIET, READ_SIZE, lines_until

TRICKY = (
    b"\xef\xbb\xbfplain line\n"
    b"crlf line\r\n"
    b"lone \r carriage return\n"
    b"\n"
    b"bad utf-8 \xff\xfe here\n"
    b"split \xc3"  # a character split across writes below, at random places
    b"\xa9 char\n" + b"huge " + b"x" * (3 * READ_SIZE + 17) + b"\n"
    b"\r\n"
    b"no final line end"
)


class Pipe:
    """A pipe: ``reader``, its read end as a buffered reader; ``write`` and ``close``
    its write end."""

    def __init__(self) -> None:
        read_end, self._write_end = os.pipe()
        self.reader = open(read_end, "rb")  # noqa: SIM115 (closed by __exit__)
        self._open = True

    def write(self, data: bytes) -> None:
        os.write(self._write_end, data)

    def close(self) -> None:
        if self._open:
            self._open = False
            os.close(self._write_end)

    def __enter__(self) -> Pipe:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
        self.reader.close()


def _write_in_pieces(pipe: Pipe, data: bytes, seed: int) -> None:
    rng = random.Random(seed)
    at = 0
    while at < len(data):
        size = rng.choice([1, 2, 7, 100, 5000, 70_000])
        pipe.write(data[at : at + size])
        at += size
        if rng.random() < 0.2:
            time.sleep(0.001)
    pipe.close()


def test_lines_are_byte_for_byte_those_of_iterating() -> None:
    """Lines split across writes stay whole; CRLF, a lone CR, bad UTF-8, a line longer
    than a read and a last line with no end come out as ``for line in stream`` gives."""
    expected = list(io.BufferedReader(io.BytesIO(TRICKY)))
    for seed in range(3):
        with Pipe() as pipe:
            writer = threading.Thread(target=_write_in_pieces, args=(pipe, TRICKY, seed))
            writer.start()
            got = list(lines_until(pipe.reader, lambda: time.monotonic() + 60))
            writer.join()
        assert got == expected


def test_a_quiet_pipe_says_so_at_the_deadline_and_keeps_a_partial_line() -> None:
    with Pipe() as pipe:
        pipe.write(b"one\ntw")
        deadline = [time.monotonic() + 0.1]
        lines = lines_until(pipe.reader, lambda: deadline[0])
        assert next(lines) == b"one\n"
        started = time.monotonic()
        assert next(lines) is QUIET  # "tw" is no line yet
        assert 0.05 < time.monotonic() - started < 2
        deadline[0] = time.monotonic() + 60
        pipe.write(b"o\nthree")
        pipe.close()
        assert list(lines) == [b"two\n", b"three"]


def test_lines_already_buffered_come_before_a_quiet() -> None:
    """select() sees only the descriptor: lines in Python's buffer (here read by a
    peek, as the source's check of the input's head does) must come first."""
    with Pipe() as pipe:
        pipe.write(b"one\ntwo\n")
        assert pipe.reader.peek(1)  # both lines are now in the reader's buffer, none in the pipe
        lines = lines_until(pipe.reader, lambda: time.monotonic() - 1)  # always past
        assert [next(lines), next(lines), next(lines)] == [b"one\n", b"two\n", QUIET]


def test_the_source_hands_over_a_partial_batch_once_its_first_line_waited() -> None:
    with Pipe() as pipe:
        pipe.write(b"job 1 done\njob 2 done\n")
        source = LogFileSource(f"/dev/fd/{pipe.reader.fileno()}", flush_after=0.1)
        assert source.size_bytes() is None
        batches = iter(source)
        first = next(batches)  # before: blocked until the pipe closed
        assert (first.first_line_id, first.contents) == (1, ["job 1 done", "job 2 done"])
        pipe.write(b"job 3 done\n")
        pipe.close()
        rest = list(batches)
        assert [(b.first_line_id, b.contents) for b in rest] == [(3, ["job 3 done"])]


def test_the_source_gives_full_batches_without_waiting() -> None:
    """A full batch goes at once; the deadline counts from the next batch's first line."""
    with Pipe() as pipe:
        pipe.write(b"".join(b"job %d done\n" % i for i in range(5)))
        source = LogFileSource(f"/dev/fd/{pipe.reader.fileno()}", batch_lines=2, flush_after=30)
        batches = iter(source)
        started = time.monotonic()
        assert next(batches).contents == ["job 0 done", "job 1 done"]
        assert next(batches).contents == ["job 2 done", "job 3 done"]
        assert time.monotonic() - started < 5
        pipe.close()
        assert [b.contents for b in batches] == [["job 4 done"]]


def test_on_a_regular_file_the_option_changes_no_batch(tmp_path: Path) -> None:
    """A regular file is always ready to read: batches are full, as without the option."""
    log = tmp_path / "app.log"
    log.write_bytes(b"".join(b"job %d done\r\n" % i for i in range(7)) + b"last \xff")

    def batches(flush_after: float | None) -> list[tuple[int, list[str]]]:
        source = LogFileSource(str(log), batch_lines=3, flush_after=flush_after)
        return [(b.first_line_id, b.contents) for b in source]

    assert batches(0) == batches(None)
    assert [len(contents) for _first, contents in batches(0)] == [3, 3, 2]
