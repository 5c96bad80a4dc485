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
