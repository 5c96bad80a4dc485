"""The CSV / JSON-lines row sink: every row one record, its values exactly kept."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from logtriage.sinks.tabular import OutputFormat, RowSink

AWKWARD = [
    'quote "x", comma',
    "tab\there",
    "nul\x00byte",
    "lone\rcr",
    "line\u2028separator",
    "paragraph\u2029separator",
    "next\x85line",
    "vt\x0bff\x0cfs\x1c",
    "",
]


def test_jsonl_rows_are_one_line_each_even_by_str_splitlines(tmp_path: Path) -> None:
    """JSON leaves U+2028, U+2029 and U+0085 raw, and Python's ``str.splitlines``
    (with other readers that split on Unicode line breaks) cut a row there: 15 rows
    read back as 21 pieces, most not JSON. They are escaped now; the values are the
    same."""
    out = tmp_path / "rows.jsonl"
    with RowSink(str(out), ["LineId", "Content"], OutputFormat.JSONL) as sink:
        sink.write_rows([i, text] for i, text in enumerate(AWKWARD, start=1))
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [
        {"LineId": i, "Content": text} for i, text in enumerate(AWKWARD, start=1)
    ]


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_every_value_reads_back_unchanged(tmp_path: Path, fmt: OutputFormat) -> None:
    out = tmp_path / f"rows.{fmt.value}"
    with RowSink(str(out), ["LineId", "Content"], fmt) as sink:
        sink.write_rows([i, text] for i, text in enumerate(AWKWARD, start=1))
    with out.open(newline="", encoding="utf-8") as f:
        if fmt is OutputFormat.CSV:
            rows = [(int(r["LineId"]), r["Content"]) for r in csv.DictReader(f)]
        else:
            rows = [(r["LineId"], r["Content"]) for r in map(json.loads, f)]
    assert rows == list(enumerate(AWKWARD, start=1))
