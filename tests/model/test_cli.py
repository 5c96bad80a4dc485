"""`logtriage classify` output columns and formats."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from logtriage.cli.classify import OUTPUT_COLUMNS, app
from typer.testing import CliRunner

LOG = """\
2026-01-01 10:00:00 INFO sshd: Failed password for invalid user bob from 10.0.0.1 port 22 ssh2
2026-01-01 10:00:01 INFO sshd: Failed password for invalid user eve from 10.0.0.2 port 23 ssh2
2026-01-01 10:00:02 INFO web: GET /api/alpha/3 HTTP/1.1 status 200

2026-01-01 10:00:03 INFO init: service nova started
"""
FMT = "<Date> <Time> <Level> <Component>: <Content>"


def test_classify_csv_columns(tiny_bundle: Path, tmp_path: Path) -> None:
    src = tmp_path / "in.log"
    src.write_text(LOG)
    out = tmp_path / "out.csv"
    res = CliRunner().invoke(
        app, [str(src), "--log-format", FMT, "--model", str(tiny_bundle), "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert list(rows[0].keys()) == list(OUTPUT_COLUMNS)
    assert [r["LineId"] for r in rows] == ["1", "2", "3", "4", "5"]  # LineId follows input
    assert rows[0]["Content"].endswith("invalid user bob from 10.0.0.1 port 22 ssh2")
    assert rows[4]["Content"].endswith("service nova started")
    assert all(r["EventId"] for r in rows)
    assert rows[0]["EventId"] != rows[2]["EventId"]
    for r in rows:
        assert 0.0 <= float(r["confidence"]) <= 1.0
        assert r["anomaly"] in ("0", "1")
        assert 0.0 <= float(r["anomaly_score"]) <= 1.0


def test_classify_jsonl_stdin(tiny_bundle: Path) -> None:
    res = CliRunner().invoke(
        app,
        ["-", "--model", str(tiny_bundle), "--format", "jsonl"],
        input="user bob logged out\nuser amy logged out\n",
    )
    assert res.exit_code == 0, res.output
    docs = [json.loads(x) for x in res.stdout.splitlines() if x.startswith("{")]
    assert len(docs) == 2
    assert set(docs[0]) == set(OUTPUT_COLUMNS)
    assert isinstance(docs[0]["anomaly"], bool)


def test_classify_keeps_bad_lines_and_says_so(tiny_bundle: Path, tmp_path: Path) -> None:
    src = tmp_path / "bad.log"
    src.write_bytes(b"2026-01-01 10:00:00 INFO sshd: ok\n\xff\xfe not utf8\n")
    out = tmp_path / "out.csv"
    res = CliRunner().invoke(
        app, [str(src), "--log-format", FMT, "--model", str(tiny_bundle), "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [r["LineId"] for r in rows] == ["1", "2"]
    assert "\ufffd" in rows[1]["Content"]
    summary = res.stderr.strip().splitlines()[-1]
    assert "1 line did not match the log format (kept whole)" in summary
    assert "1 line had invalid UTF-8 (replaced)" in summary


def test_classify_bad_bundle_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from logtriage.cli import main

    src = tmp_path / "in.log"
    src.write_text("hello\n")
    code = main(["classify", str(src), "--model", str(tmp_path / "nope")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert len(err) == 1 and err[0].startswith("error: ") and "does not exist" in err[0]


def test_root_cli_registers_classify_and_model(tiny_bundle: Path, tmp_path: Path) -> None:
    from logtriage.cli import app as root

    src = tmp_path / "in.log"
    src.write_text("user bob logged out\n")
    res = CliRunner().invoke(root, ["classify", str(src), "--model", str(tiny_bundle)])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[0] == ",".join(OUTPUT_COLUMNS)
    res = CliRunner().invoke(root, ["model", "--help"])
    assert res.exit_code == 0 and "build" in res.output and "eval" in res.output
