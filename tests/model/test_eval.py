"""`model eval`: report files and scores on a tiny bundle."""

from __future__ import annotations

import json
from pathlib import Path

from logtriage.cli.model import app
from typer.testing import CliRunner

from .conftest import make_lines, write_csv


def test_model_eval_writes_report(tiny_bundle: Path, tmp_path: Path) -> None:
    data = write_csv(tmp_path / "eval.csv", make_lines(2, seed=5))
    out = tmp_path / "report"
    res = CliRunner().invoke(
        app, ["eval", str(tiny_bundle), "--data", f"csv:{data}", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    report = json.loads((out / "report.json").read_text())
    assert 0.0 <= report["macro_f1"] <= 1.0
    assert set(report["per_class"]) == {line[1] for line in make_lines(2, seed=5)}
    assert report["n"] == len(make_lines(2, seed=5))
    assert (out / "confusion.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "| label | precision | recall | F1 | support |" in (out / "report.md").read_text()


def test_eval_takes_a_plain_csv_path_and_names_labels_the_bundle_cannot_give(
    tiny_bundle: Path, tmp_path: Path
) -> None:
    rows = [(m, label, 0) for m, label, _ in make_lines(1, seed=6)]
    rows.append(("disk quota nearly full on /var", "Capacity Planning", 0))
    data = write_csv(tmp_path / "eval.csv", rows)
    out = tmp_path / "report"
    res = CliRunner().invoke(
        app, ["eval", str(tiny_bundle), "--data", str(data), "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert (
        "warning: label 'Capacity Planning' (1 line) is not one the bundle can give" in res.stderr
    )
    report_text = (out / "report.json").read_text()
    report = json.loads(report_text)  # strict JSON: no NaN
    assert "NaN" not in report_text
    assert report["labels_not_in_bundle"] == {"Capacity Planning": 1}
    assert report["per_class"]["Capacity Planning"]["recall"] == 0.0
    # No anomaly in the data: anomaly F1 is undefined, said so rather than printed as nan.
    assert report["anomaly_f1"] is None
    assert "anomaly F1 n/a (no anomalies in the data)" in res.stdout
    markdown = (out / "report.md").read_text()
    assert "- labels the bundle cannot give (counted wrong): Capacity Planning (1 line)" in markdown


def test_eval_data_spec_errors_are_one_line(tiny_bundle: Path, tmp_path: Path) -> None:
    """Also a CSV row with more or fewer fields than the header: before, an unquoted
    comma cut the message short without a word, and a quote left open to the end of
    the file was an AttributeError traceback."""
    unquoted, unclosed = tmp_path / "unquoted.csv", tmp_path / "unclosed.csv"
    unquoted.write_text("message,label\nok,Error\ndisk full, retrying,Resource Usage\n")
    unclosed.write_text('message,label\nok,Error\n"never closed,Error\nmore,Error\n')
    altered = tmp_path / "altered.csv"  # '"x"y' would be read as 'xy'
    altered.write_text('message,label\n"x"y,Error\n')
    short, twice = tmp_path / "short.csv", tmp_path / "twice.csv"
    short.write_text("message,label,anomaly\nok,Error,1\ndisk full,Resource Usage\n")
    twice.write_text("message,label,message\nok,Error,again\n")
    for spec, expected in [
        (str(unquoted), f"error: {unquoted}:3: 3 fields where the header has 2 (quote a"),
        (str(unclosed), f"error: {unclosed}:3: a quote in this row is never closed"),
        (str(altered), f"error: {altered}:2: ',' expected after '\"'"),
        (str(short), f"error: {short}:3: 2 fields where the header has 3"),
        (str(twice), f"error: {twice}:1: the header names 'message' more than once"),
        (str(tmp_path / "missing.csv"), f"error: cannot read {tmp_path / 'missing.csv'}: "),
        ("generated:many", "error: 'generated:many': generated:N needs a positive number"),
        ("table.parquet", "error: unknown data spec 'table.parquet'"),
    ]:
        res = CliRunner().invoke(
            app, ["eval", str(tiny_bundle), "--data", spec, "--out", str(tmp_path / "r")]
        )
        assert res.exit_code == 1, (spec, res.output)
        assert res.stderr.strip().startswith(expected), (spec, res.stderr)
        assert len(res.stderr.strip().splitlines()) == 1, res.stderr
