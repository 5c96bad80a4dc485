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


@pytest.fixture(scope="module")
def small_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("seq")
    (d / "train.txt").write_text("1 2 3\n1 2 3 4\n1 2 4\n")
    proc = run_cli("sequences", "train", str(d / "train.txt"), "--out", str(d / "m"))
    assert proc.returncode == 0, proc.stderr.decode()
    return d / "m"


def test_template_id_beyond_32_bits_is_one_error_line(tmp_path: Path) -> None:
    proc = run_cli(
        "sequences", "train", "-", "--out", str(tmp_path / "m"), stdin=b"1 2 4294967296\n"
    )
    assert proc.returncode == 1
    (line,) = proc.stderr.decode().strip().splitlines()
    assert line == (
        "error: <stdin>:1: template id 4294967296 is out of range (0 to 4294967293; "
        "the two 32-bit ids above are reserved)"
    )


def test_reserved_template_ids_name_the_file_and_line(tmp_path: Path) -> None:
    """The sequence model's two markers are refused where they are read, not by the
    model as an "invalid configuration" naming neither file nor line."""
    sessions = tmp_path / "s.txt"
    sessions.write_text("1 2 3\n5 4294967294 5\n")
    proc = run_cli("sequences", "train", str(sessions), "--out", str(tmp_path / "m"))
    assert proc.returncode == 1
    (line,) = proc.stderr.decode().strip().splitlines()
    assert line.startswith(f"error: {sessions}:2: template id 4294967294 is out of range")
    assert not (tmp_path / "m").exists()


@pytest.mark.parametrize(
    ("args", "content"),
    [
        ([], b""),
        ([], b"\n\n"),
        (["--key-regex", r"(nomatch_\d+)", "--log-format", "raw"], b"a line\nanother\n"),
    ],
)
def test_train_refuses_to_write_a_model_of_nothing(
    tmp_path: Path, args: list[str], content: bytes
) -> None:
    """An empty file, blank sessions or a key that matches no line: an error, and no
    bundle that would flag every session."""
    data = tmp_path / "in.txt"
    data.write_bytes(content)
    proc = run_cli("sequences", "train", str(data), "--out", str(tmp_path / "m"), *args)
    assert proc.returncode == 1
    assert f"error: {data}: no session with a template id to train on" in proc.stderr.decode()
    assert not (tmp_path / "m").exists()


def test_eval_never_writes_over_its_input(small_bundle: Path, tmp_path: Path) -> None:
    sessions = tmp_path / "s.txt"
    sessions.write_text("1 2 3\n")
    proc = run_cli("sequences", "eval", str(small_bundle), str(sessions), "-o", str(sessions))
    assert proc.returncode == 1
    assert "is the input file" in proc.stderr.decode()
    assert sessions.read_text() == "1 2 3\n"


def test_eval_scores_go_where_out_and_format_say(small_bundle: Path, tmp_path: Path) -> None:
    normal, abnormal = tmp_path / "n.txt", tmp_path / "a.txt"
    normal.write_text("1 2 3\n")
    abnormal.write_text("1 9 3\n")
    out = tmp_path / "scores.csv"
    args = ["--normal", str(normal), "--abnormal", str(abnormal)]
    proc = run_cli("sequences", "eval", str(small_bundle), *args, "-o", str(out), "--format", "csv")
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout == b""
    header, row = out.read_text().splitlines()
    scores = dict(zip(header.split(","), row.split(","), strict=True))
    assert (scores["tp"], scores["fp"], scores["f1"]) == ("1", "0", "1.0")


def test_eval_refuses_file_with_normal_or_abnormal(small_bundle: Path, tmp_path: Path) -> None:
    sessions = tmp_path / "s.txt"
    sessions.write_text("1 2 3\n")
    proc = run_cli(
        "sequences", "eval", str(small_bundle), str(sessions), "--abnormal", str(sessions)
    )
    assert proc.returncode == 2
    assert "not both" in proc.stderr.decode()


def test_log_input_names_a_missing_state_file_and_an_unknown_key_field(
    small_bundle: Path, tmp_path: Path
) -> None:
    log = loghub_dir("HDFS") / "HDFS_2k.log"
    fmt = ["--log-format", loghub_format("HDFS")]
    proc = run_cli(
        "sequences", "train", str(log), "--out", str(tmp_path / "m"), *fmt, "--key-field", "Nope"
    )
    assert proc.returncode == 1
    (line,) = proc.stderr.decode().strip().splitlines()
    assert line.startswith("error: key field 'Nope' is not a field of the log format")
    assert "Content" in line and "Pid" in line
    assert not (tmp_path / "m").exists()

    missing = tmp_path / "miner.typo"
    proc = run_cli(
        "sequences",
        "eval",
        str(small_bundle),
        str(log),
        *fmt,
        "--key-regex",
        r"(blk_-?\d+)",
        "--state",
        str(missing),
    )
    assert proc.returncode == 1
    assert f"state file {missing} does not exist" in proc.stderr.decode()


def test_train_takes_the_detector_kind_from_the_config(tmp_path: Path) -> None:
    """`sessions.detector` was read by nothing: train made an n-gram model whatever it said."""
    config = tmp_path / "c.yaml"
    config.write_text("sessions:\n  detector: lstm\n")
    sessions = tmp_path / "s.txt"
    sessions.write_text("1 2 3\n1 2 3 4\n")
    out = tmp_path / "m"
    proc = run_cli("sequences", "train", str(sessions), "--out", str(out), "-c", str(config))
    # Installed without a source checkout (no torch) lstm training is refused by name;
    # either way it is not an n-gram bundle.
    if proc.returncode == 0:
        assert json.loads((out / "manifest.json").read_text())["kind"] == "lstm"
    else:
        assert "LSTM training needs" in proc.stderr.decode()
        assert not out.exists()
    proc = run_cli(
        "sequences", "train", str(sessions), "--out", str(out), "-c", str(config),
        "--detector", "ngram",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr.decode()
    assert json.loads((out / "manifest.json").read_text())["kind"] == "ngram"
