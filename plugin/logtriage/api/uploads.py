"""Turn an uploaded file (CSV, TSV or plain log) into messages, and labelled rows into CSV.

The answer is CSV whatever came in: a TSV's rows come back comma-separated.

Bytes that are not UTF-8 are decoded with replacement (U+FFFD) and counted per
line, never refused. A plain log goes through the file source
(:class:`~logtriage.sources.files.LogFileSource`), so an optional log format
splits header fields exactly as the CLI does.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from logtriage.api.errors import ApiError
from logtriage.pipeline import LabeledBatch
from logtriage.sources.files import CONTENT, HEAD_BYTES, LogFileSource, not_text
from logtriage.strict_csv import CsvProblem, read_csv

__all__ = [
    "LABEL_COLUMNS",
    "MESSAGE_COLUMN_GUESSES",
    "ParsedUpload",
    "download_disposition",
    "guess_kind",
    "labelled_csv",
    "parse_upload",
]

UploadKind = Literal["csv", "tsv", "log"]

_DELIMITERS = {"csv": ",", "tsv": "\t"}

LABEL_COLUMNS = (
    "logtriage.label",
    "logtriage.confidence",
    "logtriage.anomaly",
    "logtriage.anomaly_score",
    "logtriage.template.id",
    "logtriage.template.text",
    "logtriage.rule",
    "logtriage.model.version",
)
"""Columns appended to every row of the labelled CSV (the document field names)."""

MESSAGE_COLUMN_GUESSES = ("message", "content", "log_message", "msg", "log", "text", "line")


@dataclass
class ParsedUpload:
    """Input rows (as output columns), the message of each row and extra fields for rules."""

    kind: UploadKind
    columns: list[str]
    rows: list[list[str]]
    messages: list[str]
    fields: dict[str, list[str]] | None
    message_column: str
    invalid_utf8: int = 0
    unmatched: int = 0


def guess_kind(filename: str | None, content_type: str | None) -> UploadKind:
    name = (filename or "").lower()
    ctype = (content_type or "").split(";")[0].strip().lower()
    if name.endswith(".tsv") or ctype == "text/tab-separated-values":
        return "tsv"
    if name.endswith(".csv") or ctype in ("text/csv", "application/csv"):
        return "csv"
    return "log"


def _decode(data: bytes) -> tuple[str, int]:
    """Text of ``data`` (BOM dropped) and the number of lines that were not UTF-8."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), 0
    except UnicodeDecodeError:
        pass
    bad = 0
    parts: list[str] = []
    for raw in data.splitlines(keepends=True):
        try:
            parts.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            bad += 1
            parts.append(raw.decode("utf-8", errors="replace"))
    return "".join(parts), bad


def pick_message_column(header: Sequence[str], wanted: str | None) -> str:
    """``wanted`` if given (exact, then case-insensitive), else a usual message name,
    else the first column.

    Raises:
        ApiError: 400 ``unknown_column`` when ``wanted`` is not in the header.
    """
    if wanted:
        if wanted in header:
            return wanted
        folded = {h.lower(): h for h in header}
        if wanted.lower() in folded:
            return folded[wanted.lower()]
        raise ApiError(
            400,
            "unknown_column",
            f"column {wanted!r} is not in the header",
            columns=list(header),
        )
    folded = {h.strip().lower(): h for h in header}
    for guess in MESSAGE_COLUMN_GUESSES:
        if guess in folded:
            return folded[guess]
    return header[0]


def _parse_table(data: bytes, kind: Literal["csv", "tsv"], column: str | None) -> ParsedUpload:
    text, bad = _decode(data)
    what = kind.upper()
    try:
        table = read_csv(
            io.StringIO(text, newline=""), pad_short_rows=True, delimiter=_DELIMITERS[kind]
        )
    except CsvProblem as exc:
        raise ApiError(400, "invalid_csv", f"{what} {exc}", line=exc.line) from exc
    header = table.header
    if not header:
        raise ApiError(400, "empty_upload", f"the {what} has no header row")
    rows = table.rows  # a row of empty fields stays: rows out match rows in
    message_column = pick_message_column(header, column)
    at = header.index(message_column)
    messages = [row[at] for row in rows]
    fields = {name: [row[i] for row in rows] for i, name in enumerate(header) if i != at}
    return ParsedUpload(
        kind=kind,
        columns=list(header),
        rows=rows,
        messages=messages,
        fields=fields or None,
        message_column=message_column,
        invalid_utf8=bad,
    )


def _parse_log(data: bytes, log_format: str | None) -> ParsedUpload:
    kind = not_text(data[:HEAD_BYTES])
    if kind is not None:  # the file source refuses it too, naming a temporary file
        what = "UTF-16 text" if kind == "UTF-16" else f"{kind}-compressed"
        raise ApiError(
            415, "unsupported_upload", f"the uploaded log is {what}: upload it as UTF-8 text"
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    fd, name = tempfile.mkstemp(prefix="logtriage-upload-", suffix=".log")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        source = LogFileSource(name, log_format)
        messages: list[str] = []
        fields: dict[str, list[str]] = {}
        for batch in source:
            messages.extend(batch.contents)
            for key, values in batch.fields.items():
                if key != CONTENT:
                    fields.setdefault(key, []).extend(values)
    finally:
        os.unlink(name)
    extra = list(fields)
    columns = ["line_id", "message", *extra]
    rows = [
        [str(i), message, *(fields[k][i - 1] for k in extra)]
        for i, message in enumerate(messages, start=1)
    ]
    return ParsedUpload(
        kind="log",
        columns=columns,
        rows=rows,
        messages=messages,
        fields=fields or None,
        message_column="message",
        invalid_utf8=source.stats.invalid_utf8,
        unmatched=source.stats.unmatched,
    )


def parse_upload(
    data: bytes, kind: UploadKind, column: str | None = None, log_format: str | None = None
) -> ParsedUpload:
    """Parse an upload.

    Raises:
        ApiError: 400 for an empty upload, an unreadable CSV or TSV, or an unknown column;
            415 for a log that is UTF-16 or compressed.
        ConfigError: ``log_format`` is invalid.
    """
    if not data.strip():
        raise ApiError(400, "empty_upload", "the uploaded file is empty")
    if kind == "log":
        return _parse_log(data, log_format)
    return _parse_table(data, kind, column)


def _safe_stem(stem: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in stem)[:100]


def download_disposition(filename: str | None) -> str:
    """``Content-Disposition`` of the labelled CSV of ``filename``: ``<stem>.labelled.csv``.

    Header values are ASCII in practice, so a name that is not goes out twice
    (RFC 6266): as an ASCII ``filename`` (accents dropped, other letters gone; ``upload``
    if nothing is left) and exactly, as percent-encoded UTF-8 in ``filename*``
    (RFC 5987), which browsers prefer.
    """
    stem = _safe_stem(Path(filename or "").stem) or "upload"
    name = f"{stem}.labelled.csv"
    if name.isascii():
        return f'attachment; filename="{name}"'
    plain = _safe_stem(unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode())
    fallback = plain if any(c.isalnum() for c in plain) else "upload"
    exact = quote(name, safe="")
    return f"attachment; filename=\"{fallback}.labelled.csv\"; filename*=UTF-8''{exact}"


def _fmt(x: float) -> str:
    return f"{x:.4f}"


def labelled_csv(
    rows: Sequence[Sequence[str]], batch: LabeledBatch, header: Sequence[str] | None = None
) -> str:
    """CSV text of ``rows`` with the label columns appended (``header`` first if given)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if header is not None:
        writer.writerow([*header, *LABEL_COLUMNS])
    labels = batch.labels
    conf = labels.confidence.tolist()
    anomaly = labels.anomaly.tolist()
    score = labels.anomaly_score.tolist()
    ids = batch.template_ids.tolist()
    version = batch.model_version
    writer.writerows(
        [
            *row,
            labels.label[i],
            _fmt(conf[i]),
            "true" if anomaly[i] else "false",
            _fmt(score[i]),
            ids[i],
            batch.template_texts[i],
            batch.rules[i] or "",
            version,
        ]
        for i, row in enumerate(rows)
    )
    return out.getvalue()
