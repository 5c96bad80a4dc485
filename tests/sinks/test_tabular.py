"""The CSV / JSON-lines row sink: every row one record, its values exactly kept."""

from __future__ import annotations

import csv
import json
import os
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


def test_an_output_written_again_keeps_its_permissions(tmp_path: Path) -> None:
    """The output is renamed over the old one; before, a ``chmod 600`` file of labelled
    (often private) logs came back 0644, readable by every user."""
    out = tmp_path / "labelled.csv"
    out.write_text("earlier run\n")
    out.chmod(0o600)
    with RowSink(str(out), ["LineId", "Content"]) as sink:
        sink.write_rows([[1, "password=hunter2 accepted"]])
    assert out.stat().st_mode & 0o777 == 0o600
    assert "hunter2" in out.read_text()
    new = tmp_path / "new.csv"
    with RowSink(str(new), ["LineId"]) as sink:
        sink.write_rows([[1]])
    assert new.stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_two_runs_writing_one_output_leave_one_whole_output(tmp_path: Path) -> None:
    """Two runs given the same ``--out`` (a cron job overlapping a manual run) shared
    one ``.FILE.partial``: the second truncated the first's file and both wrote into
    it, the first renamed the mix into place and the second failed to rename a file
    that was gone. Each writes its own temporary file now; the last to finish wins."""
    out = tmp_path / "rows.csv"
    first = RowSink(str(out), ["LineId", "Content"])
    second = RowSink(str(out), ["LineId", "Content"])
    first_rows = [[str(i), f"first run line {i}"] for i in range(1000)]
    second_rows = [[str(i), f"second {i}"] for i in range(10)]
    with second:
        with first:
            first.write_rows(first_rows)
            second.write_rows(second_rows)
        assert _csv_rows(out) == [["LineId", "Content"], *first_rows]
    assert _csv_rows(out) == [["LineId", "Content"], *second_rows]
    assert [p.name for p in tmp_path.iterdir()] == ["rows.csv"]


def _csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
