"""Row sinks for the CLI: CSV (with header) or JSON lines, to a file or stdout."""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Iterable, Sequence
from enum import Enum
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

from logtriage.errors import SinkError
from logtriage.replacing import commit_replacing, open_beside, renames_over

__all__ = ["OutputFormat", "RowSink"]


class OutputFormat(str, Enum):
    CSV = "csv"
    JSONL = "jsonl"


def _same_file(path: Path, other: str) -> bool:
    """Whether ``path`` is the file ``other`` names (``-``: the one on standard input,
    as in ``classify - -o app.log < app.log``)."""
    try:
        if other != "-":
            return path.exists() and path.samefile(other)
        if sys.stdin is None:
            return False
        return os.path.samestat(path.stat(), os.fstat(sys.stdin.fileno()))
    except (OSError, ValueError):  # missing; or stdin has no descriptor (a test's stand-in)
        return False


# Characters JSON leaves unescaped that ``str.splitlines`` (and so many a JSON-lines
# reader) takes for line breaks: U+2028/U+2029 (escaped by Go's encoder too) and NEL.
_LINE_BREAKS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"}


def _one_line(text: str) -> str:
    """``text``, a JSON document, with the line breaks JSON leaves raw escaped (the same
    JSON value; the check first, as they are rare)."""
    for char, escaped in _LINE_BREAKS.items():
        if char in text:
            text = text.replace(char, escaped)
    return text


class _Utf8Text:
    """The text written to it, UTF-8 encoded into ``binary``: what the sink writes is
    UTF-8 on standard output too, whatever the locale (``sys.stdout`` encodes with
    the locale's codec and raised UnicodeEncodeError in a Latin-1 or cp1252 one)."""

    def __init__(self, binary: BinaryIO) -> None:
        self.binary = binary

    def write(self, text: str) -> int:
        return self.binary.write(text.encode("utf-8"))


class RowSink:
    """Write rows (sequences in ``columns`` order) as CSV or JSON lines.

    ``out`` is a path or ``"-"`` for stdout. Used as a context manager; a file is
    written to a temporary name and renamed on success, so a failed run never
    leaves a half-written output behind (a device, FIFO or link such as
    ``/dev/null`` is written in place, see :mod:`logtriage.replacing`). ``source``,
    the file the rows come from, is never written over: the rename would replace
    the user's log with its labels.
    """

    def __init__(
        self,
        out: str,
        columns: Sequence[str],
        fmt: OutputFormat = OutputFormat.CSV,
        *,
        source: str | None = None,
    ) -> None:
        if not out:
            raise SinkError("--out is empty: give a file name, or - for standard output")
        if source is not None and out != "-" and _same_file(Path(out), source):
            raise SinkError(f"--out {out} is the input file; write the output somewhere else")
        if out == "-" and sys.stdout is None:  # started with stdout closed (``>&-``)
            raise SinkError("standard output is closed: give --out FILE")
        self.out = out
        self.columns = list(columns)
        self.fmt = fmt
        self._tmp: Path | None = None
        self._stream: _Utf8Text | None = None
        self._csv: Any = None

    def __enter__(self) -> RowSink:
        if self.out == "-":
            sys.stdout.flush()  # text printed before comes first
            self._stream = _Utf8Text(sys.stdout.buffer)
        else:
            target = Path(self.out)
            try:
                if renames_over(target):
                    self._tmp, binary = open_beside(target)
                else:
                    binary = open(target, "wb")  # closed by __exit__
            except OSError as exc:
                raise SinkError(f"cannot write {self.out}: {exc.strerror}") from exc
            self._stream = _Utf8Text(binary)
        if self.fmt is OutputFormat.CSV:
            self._csv = csv.writer(self._stream)
            try:
                self.write_rows([self.columns])
            except BaseException as exc:
                self.__exit__(type(exc), exc, exc.__traceback__)
                raise
        return self

    def write_rows(self, rows: Iterable[Sequence[Any]]) -> None:
        """Write ``rows``.

        Raises:
            SinkError: the output cannot take them (e.g. the disk is full), naming it.
        """
        assert self._stream is not None, "RowSink used outside 'with'"
        try:
            self._write(self._stream, rows)
        except BrokenPipeError:
            raise  # the reader left (``| head``): the CLI ends quietly
        except OSError as exc:
            raise self._write_error(exc) from exc

    def flush(self) -> None:
        """Hand the rows written so far to the output now (standard output, a FIFO or a
        device; a file shows them under its final name only at the end).

        Raises:
            SinkError: the output cannot take them, naming it.
        """
        assert self._stream is not None, "RowSink used outside 'with'"
        try:
            self._stream.binary.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise self._write_error(exc) from exc

    def _write(self, stream: _Utf8Text, rows: Iterable[Sequence[Any]]) -> None:
        if self.fmt is OutputFormat.CSV:
            self._csv.writerows(rows)
            return
        write = stream.write
        for row in rows:
            doc = json.dumps(dict(zip(self.columns, row, strict=True)), ensure_ascii=False)
            write(_one_line(doc) + "\n")  # one write: each is an encode and a buffer call

    def _write_error(self, exc: OSError) -> SinkError:
        name = "standard output" if self.out == "-" else self.out
        return SinkError(f"cannot write {name}: {exc.strerror or exc}")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._stream is None:
            return
        binary = self._stream.binary
        try:
            if self.out == "-":
                binary.flush()
            elif self._tmp is None:  # a device or FIFO written in place
                binary.close()  # closed also when its last flush fails
            elif exc_type is None:
                commit_replacing(self._tmp, binary, Path(self.out))
            else:
                binary.close()
        except BrokenPipeError:
            raise
        except OSError as error:
            if self._tmp is not None:
                self._tmp.unlink(missing_ok=True)
            if exc_type is None:
                raise self._write_error(error) from error
            return  # the error that ended the writing is the one to report
        if exc_type is not None and self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
