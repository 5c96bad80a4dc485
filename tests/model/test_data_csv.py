"""Labelled CSVs as spreadsheets save them: a BOM, blank lines, column options."""

from __future__ import annotations

from pathlib import Path

import pytest

from exporters.data import Example, load_spec


def test_a_spreadsheet_csv_reads_as_written(tmp_path: Path) -> None:
    # Excel's "CSV UTF-8" starts with a BOM; before, it became part of the first column
    # name and the file was refused for having no 'message' column. Rows without a
    # label or message teach nothing and are skipped (an API upload keeps them).
    data = tmp_path / "excel.csv"
    data.write_bytes(
        b"\xef\xbb\xbf\r\nmessage,label,anomaly\r\n"
        b'"disk full, retrying",Resource Usage,1\r\n\r\nok,,0\r\n,,\r\n'
        b"user bob logged in,Security Alert,no\r\n"
    )
    assert load_spec(f"csv:{data}") == [
        Example("disk full, retrying", "Resource Usage", True),
        Example("user bob logged in", "Security Alert", False),
    ]
    renamed = tmp_path / "renamed.csv"
    renamed.write_text("id,text,target\n1,kernel panic,Critical Error\n")
    assert load_spec(f"csv:{renamed}?message=text&label=target") == [
        Example("kernel panic", "Critical Error", None)
    ]


def test_labels_are_read_without_surrounding_spaces_and_skipped_rows_are_said(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """``Error `` and ``Error`` were two classes (and the first never an anomaly)."""
    data = tmp_path / "spaces.csv"
    data.write_text("message,label\ndisk failed,Error \ndisk failed again, Error\nno label here,\n")
    with caplog.at_level("WARNING", logger="logtriage.exporters"):
        examples = load_spec(f"csv:{data}")
    assert [e.label for e in examples] == ["Error", "Error"]
    assert f"{data}: 1 row without a message or a label skipped" in caplog.text


def test_a_csv_that_is_not_utf8_is_refused_naming_the_line(tmp_path: Path) -> None:
    """Before, each byte that is not UTF-8 became U+FFFD and the build went on."""
    data = tmp_path / "latin1.csv"
    data.write_bytes("message,label\nok,Error\nle café est froid,Error\n".encode("latin-1"))
    with pytest.raises(ValueError, match=rf"{data}:3: not UTF-8 text \(byte 0xe9\)"):
        load_spec(f"csv:{data}")
