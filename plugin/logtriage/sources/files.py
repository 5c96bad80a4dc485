"""Log lines from a file or stdin, in batches, split by an optional log format.

Bytes that are not UTF-8 are replaced (U+FFFD) and counted; lines that do not
match the log format keep the whole line as ``Content`` and are counted. Nothing
is dropped: line numbers (``LineId``, from 1) always follow the input. A UTF-8
byte order mark at the start of the input is no text and goes (as in uploads);
a UTF-16 one is refused (every line would be garbled, NUL bytes between characters),
as is a compressed file (gzip, bzip2, xz, zstd, zip: its bytes read as garbled lines).
The input is opened once: a pipe, a FIFO or ``<(zcat app.log.gz)`` can be read only once.

Batches are full (``batch_lines``) but the last, so that a file's labels do not depend
on how fast a pipe delivered it. ``flush_after`` trades that for latency on a slow
pipe (``tail -f``): a partial batch is handed over once its first line has waited that
long.
"""

from __future__ import annotations

import io
import os
import stat
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import cast

import numpy as np

from logtriage.core import build_header_parser
from logtriage.errors import InputError
from logtriage.sources.lines import QUIET, lines_until
from logtriage.wording import counted

__all__ = ["HEAD_BYTES", "FileBatch", "LogFileSource", "ReadStats", "not_text"]

CONTENT = "Content"
UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")  # UTF-32 LE starts like UTF-16 LE
# Magic numbers of compressed files, and the command that prints one decompressed.
COMPRESSED = (
    (b"\x1f\x8b", "gzip", "gzip -dc"),
    # "BZh", a block size digit, then a block's or the end's magic: text may start "BZh".
    *(
        (b"BZh" + bytes([d]) + block, "bzip2", "bzip2 -dc")
        for d in b"123456789"
        for block in (b"1AY&SY", b"\x17rE8P\x90")
    ),
    (b"\xfd7zXZ\x00", "xz", "xz -dc"),
    (b"\x28\xb5\x2f\xfd", "zstd", "zstd -dc"),
    (b"PK\x03\x04", "zip", "unzip -p"),
)
HEAD_BYTES = 10  # enough for every mark above


@dataclass(frozen=True)
class FileBatch:
    """A batch of consecutive lines: ``first_line_id`` is the LineId of ``contents[0]``."""

    first_line_id: int
    contents: list[str]
    fields: dict[str, list[str]]


@dataclass
class ReadStats:
    """What the reader saw; reported to the user at the end."""

    lines: int = 0
    bytes_read: int = 0
    unmatched: int = 0
    invalid_utf8: int = 0
    field_names: list[str] = field(default_factory=list)

    def problems(self) -> str:
        """What went wrong on input, as ``"; ..."`` clauses for a summary line ("" if nothing)."""
        out = ""
        if self.unmatched:
            out += f"; {counted(self.unmatched, 'line')} did not match the log format (kept whole)"
        if self.invalid_utf8:
            out += f"; {counted(self.invalid_utf8, 'line')} had invalid UTF-8 (replaced)"
        return out


class LogFileSource:
    """Iterate over ``FileBatch`` objects of at most ``batch_lines`` lines.

    Arguments:
        path: a file path, or ``"-"`` for standard input.
        log_format: LogPAI-style format (``<Date> <Time> <Level> <Content>``);
            ``None`` means the whole line is the content.
        batch_lines: lines per batch.
        flush_after: seconds; when set, a batch is also handed over, partial, once its
            first line has waited this long for the batch to fill (on a pipe or FIFO;
            a regular file is always ready, and a stream with no file descriptor is
            read as without it). ``None``: only full batches, and the last.
    """

    def __init__(
        self,
        path: str,
        log_format: str | None = None,
        batch_lines: int = 50_000,
        *,
        flush_after: float | None = None,
    ):
        self.path = path
        self.parser = build_header_parser(log_format) if log_format else None
        self.batch_lines = batch_lines
        self.flush_after = flush_after
        self.stats = ReadStats(field_names=self.parser.fields if self.parser else [CONTENT])
        self._stream: io.BufferedReader | None = None

    def size_bytes(self) -> int | None:
        """Size of the input when it is a regular file (for progress), else ``None``.

        Opens the input (once: the batches read the same stream) and checks its first
        bytes.

        Raises:
            OSError: the input is missing, a directory or not readable; callers ask
                before they write any output.
            InputError: standard input is closed, or the input is UTF-16 or compressed.
        """
        stream = self._open()
        try:
            self._refuse_non_text(stream.peek(HEAD_BYTES)[:HEAD_BYTES])
        except InputError:
            self._close()
            raise
        try:
            info = os.fstat(stream.fileno())
        except (OSError, ValueError):  # io.UnsupportedOperation: no file behind it
            return None
        return info.st_size if stat.S_ISREG(info.st_mode) else None

    def _open(self) -> io.BufferedReader:
        if self._stream is None:
            if self.path != "-":
                self._stream = open(self.path, "rb")  # noqa: SIM115 (__iter__ closes it)
            elif sys.stdin is None:  # started with stdin closed (``<&-``)
                raise InputError("standard input is closed: pipe the log into it, or give a file")
            else:
                stdin = sys.stdin.buffer
                # A stdin that is no buffered reader (a test runner's BytesIO) cannot
                # peek at its head; a buffer over it can.
                self._stream = (
                    cast(io.BufferedReader, stdin)
                    if hasattr(stdin, "peek")
                    else io.BufferedReader(cast(io.RawIOBase, stdin))
                )
        return self._stream

    def _refuse_non_text(self, head: bytes) -> None:
        """Raises InputError when ``head``, the input's first bytes, starts with a UTF-16
        byte order mark or a compressed file's magic number."""
        kind = not_text(head)
        if kind is None:
            return
        name = "standard input" if self.path == "-" else self.path
        if kind == "UTF-16":
            hint = "" if self.path == "-" else f", e.g. iconv -f UTF-16 -t UTF-8 {self.path}"
            raise InputError(
                f"{name} is UTF-16 text (it starts with a UTF-16 byte order mark); "
                f"logtriage reads UTF-8: convert it first{hint}"
            )
        command = next(c for _magic, k, c in COMPRESSED if k == kind)
        hint = "" if self.path == "-" else f" ({command} {self.path}, piped into -)"
        raise InputError(
            f"{name} is {kind}-compressed; logtriage reads text: decompress it first{hint}"
        )

    def __iter__(self) -> Iterator[FileBatch]:
        stream = self._open()
        try:
            if self.flush_after is None or not _has_fileno(stream):
                yield from self._batches(stream)
            else:
                yield from self._timed_batches(stream, self.flush_after)
        finally:
            self._close()

    def _close(self) -> None:
        """Close the input (standard input stays open); a later read opens it again."""
        if self._stream is not None and self.path != "-":
            self._stream.close()
        self._stream = None

    def _batches(self, stream: io.BufferedReader) -> Iterator[FileBatch]:
        pending: list[bytes] = []
        for raw in stream:
            if self.stats.lines == 0 and not pending:
                raw = self._first_line(raw)
                if not raw:
                    continue  # the input was the mark alone: no line
            pending.append(raw)
            if len(pending) >= self.batch_lines:
                yield self._decode(pending)
                pending = []
        if pending:
            yield self._decode(pending)

    def _timed_batches(self, stream: io.BufferedReader, flush_after: float) -> Iterator[FileBatch]:
        """As :meth:`_batches`, plus the partial batch once its first line has waited
        ``flush_after`` seconds."""
        pending: list[bytes] = []
        deadline: float | None = None
        # The reader asks for the deadline each time it would wait: the current one.
        for raw in lines_until(stream, lambda: deadline):  # noqa: B023
            if raw is QUIET:
                if pending:
                    yield self._decode(pending)
                    pending = []
                deadline = None
                continue
            if self.stats.lines == 0 and not pending:
                raw = self._first_line(raw)
                if not raw:
                    continue
            if not pending:
                deadline = time.monotonic() + flush_after
            pending.append(raw)
            if len(pending) >= self.batch_lines:
                yield self._decode(pending)
                pending = []
                deadline = None
        if pending:
            yield self._decode(pending)

    def _first_line(self, raw: bytes) -> bytes:
        """``raw``, the input's first line, without a UTF-8 byte order mark; raises
        InputError when it starts as no UTF-8 text does."""
        self._refuse_non_text(raw)
        if raw.startswith(UTF8_BOM):
            # Else the first line keeps U+FEFF: its own template, and a log
            # format anchored on its first character does not match it.
            self.stats.bytes_read += len(UTF8_BOM)
            raw = raw[len(UTF8_BOM) :]
        return raw

    def _decode(self, raw_lines: list[bytes]) -> FileBatch:
        first = self.stats.lines + 1
        lines: list[str] = []
        for raw in raw_lines:
            self.stats.bytes_read += len(raw)
            body = raw.rstrip(b"\r\n")
            try:
                lines.append(body.decode("utf-8"))
            except UnicodeDecodeError:
                self.stats.invalid_utf8 += 1
                lines.append(body.decode("utf-8", errors="replace"))
        self.stats.lines += len(lines)
        if self.parser is None:
            contents = [line.strip() for line in lines]
            return FileBatch(first, contents, {CONTENT: contents})
        columns, matched = self.parser.parse_batch(lines)
        self.stats.unmatched += int(np.count_nonzero(~matched))
        return FileBatch(first, columns[CONTENT], columns)


def _has_fileno(stream: io.BufferedReader) -> bool:
    """Whether ``stream`` has a file descriptor (a test runner's stdin stand-in has none)."""
    try:
        stream.fileno()
    except (OSError, ValueError):  # io.UnsupportedOperation
        return False
    return True


def not_text(head: bytes) -> str | None:
    """What an input starting with ``head`` (its first ``HEAD_BYTES`` or more) is, when
    it is surely no UTF-8 text: ``"UTF-16"`` or a compression (``"gzip"``, ...)."""
    if head.startswith(UTF16_BOMS):
        return "UTF-16"
    return next((kind for magic, kind, _command in COMPRESSED if head.startswith(magic)), None)
