"""Labelled CSVs as spreadsheets save them: a BOM, blank lines, column options."""

from __future__ import annotations

from pathlib import Path

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
