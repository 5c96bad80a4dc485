"""`logtriage sequences train|eval` in a subprocess, as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sequences.conftest import hdfs_dir
from tests.shared_data import loghub_dir, loghub_format

CLI = [sys.executable, "-m", "logtriage.cli"]


def run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*CLI, *args], input=stdin, capture_output=True, timeout=120)


def test_train_and_eval_on_session_files(tmp_path: Path) -> None:
    d = hdfs_dir()
    bundle = tmp_path / "ngram"
    proc = run_cli("sequences", "train", str(d / "normal_train.txt"), "--out", str(bundle))
    assert proc.returncode == 0, proc.stderr.decode()
    assert json.loads((bundle / "manifest.json").read_text())["kind"] == "ngram"
    proc = run_cli(
        "sequences",
        "eval",
        str(bundle),
        "--normal",
        str(d / "normal_test.txt"),
        "--abnormal",
        str(d / "abnormal_test.txt"),
    )
    assert proc.returncode == 0, proc.stderr.decode()
    metrics = json.loads(proc.stdout)
    assert metrics["f1"] >= 0.95 and metrics["tp"] + metrics["fn"] == 8000

    proc = run_cli("sequences", "eval", str(bundle), "-", stdin=b"22 5 5 5 11 9\n\n5 77 5\n")
    assert proc.returncode == 0, proc.stderr.decode()
    rows = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert [r["session"] for r in rows] == ["1", "2", "3"]
    assert rows[2]["anomalous"] and rows[2]["template_id"] == 77 and rows[2]["position"] == 1


def test_train_and_eval_on_a_log_with_session_key(tmp_path: Path) -> None:
    log = loghub_dir("HDFS") / "HDFS_2k.log"
    common = ["--log-format", loghub_format("HDFS"), "--key-regex", r"(blk_-?\d+)"]
    proc = run_cli(
        "sequences", "train", str(log), "--out", str(tmp_path / "m"), "--top-g", "1000", *common
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert "sessions" in proc.stderr.decode()
    # Without --state the same file is mined again from scratch: the same ids.
    proc = run_cli("sequences", "eval", str(tmp_path / "m"), str(log), *common)
    assert proc.returncode == 0, proc.stderr.decode()
    rows = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert len(rows) > 100 and all(r["session"].startswith("blk_") for r in rows)
    # Trained on these very sessions with g above the vocabulary, and the miner gives
    # the same ids in a second process: none is anomalous.
    assert sum(r["anomalous"] for r in rows) == 0


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"1 2 x\n", ":1: 'x' is not a template id"),
        (b"1 2\n3 \xff\xfe 4\n", ":2: not UTF-8 text"),
        (b"Jan 1 sshd[1]: Accepted\n", ":1: 'Jan' is not a template id"),
    ],
)
def test_bad_session_file_is_one_error_line(tmp_path: Path, content: bytes, says: str) -> None:
    """A log given where a session file is expected (or bytes that are not UTF-8) is
    one line naming the file, the line and the two formats, not a traceback."""
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    proc = run_cli("sequences", "train", str(bad), "--out", str(tmp_path / "o"))
    assert proc.returncode == 1
    (line,) = proc.stderr.decode().strip().splitlines()
    assert line.startswith(f"error: {bad}{says} (a session file holds one session per line")
    assert line.endswith("give --key-regex or --key-field)")


def test_eval_names_what_is_wrong_with_the_bundle(tmp_path: Path) -> None:
    sessions = tmp_path / "s.txt"
    sessions.write_text("1 2 3\n")
    (tmp_path / "empty").mkdir()
    classification = Path(__file__).resolve().parents[2] / "plugin/logtriage/bundles/default"
    for bundle, says in [
        (tmp_path / "nowhere", f"{tmp_path / 'nowhere'}: sequence bundle directory does not"),
        (tmp_path / "empty", f"{tmp_path / 'empty' / 'manifest.json'}: file is missing"),
        (classification, f"{classification}: not a sequence bundle"),
    ]:
        proc = run_cli("sequences", "eval", str(bundle), str(sessions))
        assert proc.returncode == 1
        (line,) = proc.stderr.decode().strip().splitlines()
        assert line.startswith(f"error: {says}"), line
