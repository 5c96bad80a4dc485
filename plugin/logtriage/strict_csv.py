"""Reading a user's CSV without losing or altering text.

Left lenient, Python's ``csv`` reads a quote that is never closed as one field holding
the rest of the file, reads ``"x"y`` as ``xy``, and hands back a row with more fields
than the header for the caller to cut. :func:`read_csv` refuses all three and names
the line, so a labelled file or an upload is read exactly as written or not at all.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from logtriage.wording import counted

__all__ = ["CsvProblem", "CsvTable", "read_csv"]


class CsvProblem(ValueError):
    """A CSV that cannot be read as written: ``problem`` on ``line`` (physical, from 1)."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(f"line {line}: {problem}")
        self.line = line
        self.problem = problem


@dataclass(frozen=True)
class CsvTable:
    """A header (empty for an empty file) and rows exactly as wide as it."""

    header: list[str]
    rows: list[list[str]]


_DELIMITER_NAMES = {",": "comma", "\t": "tab"}

# What ``csv`` says, in strict mode, when the file ends inside a quoted field.
_EOF_IN_QUOTES = "unexpected end of data"


def _rows(lines: Iterable[str], delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Each row (``[]`` for a blank line) with the line it starts on.

    Raises:
        CsvProblem: what ``csv`` refuses, on its line; a quote never closed on the line
            of its row (``csv`` notices only at the end of the file).
    """
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if str(exc) == _EOF_IN_QUOTES:
                raise CsvProblem(start, "a quote in this row is never closed") from exc
            raise CsvProblem(reader.line_num, str(exc)) from exc
        yield start, row
        start = reader.line_num + 1


def read_csv(lines: Iterable[str], *, pad_short_rows: bool, delimiter: str = ",") -> CsvTable:
    """Read ``lines`` (opened with ``newline=""``) strictly; blank lines are skipped, and
    the first other line is the header. A problem names the line its row starts on.

    A row of empty fields (``,`` or ``"",""``) is a row, kept for the caller to judge:
    an upload labels it (Unclassified), training data skips it (nothing to learn).

    ``pad_short_rows`` fills a row with fewer fields than the header with empty ones
    (nothing is lost); without it such a row is a :class:`CsvProblem` like a longer one.
    ``delimiter`` separates fields: ``","``, or ``"\\t"`` for TSV.

    Raises:
        CsvProblem: an unclosed quote, text after a closing quote, a row wider than the
            header (or narrower, see above), or a header that repeats a column name.
    """
    delimiter_name = _DELIMITER_NAMES.get(delimiter, repr(delimiter))
    rows = ((line, row) for line, row in _rows(lines, delimiter) if row)
    header_line, header = next(rows, (0, []))
    if header and not any(h.strip() for h in header):
        raise CsvProblem(header_line, "the header row names no column")
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        names = ", ".join(map(repr, repeated))
        raise CsvProblem(header_line, f"the header names {names} more than once")
    width = len(header)
    table: list[list[str]] = []
    for line, row in rows:
        if len(row) > width or (len(row) < width and not pad_short_rows):
            raise CsvProblem(
                line,
                f"{counted(len(row), 'field')} where the header has {width} "
                f"(quote a field that holds a {delimiter_name})",
            )
        table.append(row + [""] * (width - len(row)))
    return CsvTable(header, table)
