"""`logtriage parse` end to end, in a subprocess, as a user runs it."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from logtriage.core import build_header_parser

from tests.shared_data import (
    LOGHUB_SYSTEMS,
    grouping_accuracy,
    loghub_dir,
    loghub_format,
    loghub_structured,
)

CLI = [sys.executable, "-m", "logtriage.cli"]


def run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*CLI, *args], input=stdin, capture_output=True, timeout=120)


@pytest.mark.parametrize("system", ["HDFS", "OpenSSH"])
def test_parse_loghub_file_reaches_grouping_accuracy(tmp_path: Path, system: str) -> None:
    out = tmp_path / "parsed.csv"
    log = loghub_dir(system) / f"{system}_2k.log"
    proc = run_cli("parse", str(log), "--log-format", loghub_format(system), "--out", str(out))
    assert proc.returncode == 0, proc.stderr.decode()
    with open(out, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["LineId", "Content", "EventId", "EventTemplate"]
    truth = loghub_structured(system)
    assert [r["Content"] for r in rows] == [t["Content"] for t in truth]
    assert [int(r["LineId"]) for r in rows] == list(range(1, len(truth) + 1))
    ga = grouping_accuracy([t["EventTemplate"] for t in truth], [r["EventId"] for r in rows])
    assert ga >= 0.9, f"{system}: GA {ga:.3f}"
    assert all("<*>" in r["EventTemplate"] or "<" not in r["EventTemplate"] for r in rows[:50])


def test_parse_stdin_jsonl_keeps_every_line_including_bad_bytes() -> None:
    data = b"job 1 done\njob 2 done\n\xff\xfe not utf8\n\nlast line \xc3 without newline"
    proc = run_cli("parse", "-", "--format", "jsonl", stdin=data)
    assert proc.returncode == 0, proc.stderr.decode()
    rows = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert [r["LineId"] for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0]["EventId"] == rows[1]["EventId"] != rows[4]["EventId"]
    assert "\ufffd" in rows[2]["Content"]
    assert "\ufffd" in rows[4]["Content"]
    assert "2 lines had invalid UTF-8 (replaced)" in proc.stderr.decode()
    one = run_cli("parse", "-", stdin=b"job 1 done\n")
    assert one.stderr.decode().strip() == "parsed 1 line into 1 template"


def test_parse_state_keeps_template_ids_across_runs(tmp_path: Path) -> None:
    state = tmp_path / "miner.state"
    first = tmp_path / "a.log"
    first.write_text("connected to 10.0.0.1 port 22\nuser bob logged out after 12 s\n")
    second = tmp_path / "b.log"
    second.write_text("user bob logged out after 7 s\nconnected to 10.0.0.9 port 23\n")
    out1, out2 = tmp_path / "1.csv", tmp_path / "2.csv"
    assert run_cli("parse", str(first), "--state", str(state), "-o", str(out1)).returncode == 0
    assert state.stat().st_size > 0
    assert run_cli("parse", str(second), "--state", str(state), "-o", str(out2)).returncode == 0
    ids1 = {
        r["Content"].split()[0]: r["EventId"] for r in csv.DictReader(io.StringIO(out1.read_text()))
    }
    ids2 = {
        r["Content"].split()[0]: r["EventId"] for r in csv.DictReader(io.StringIO(out2.read_text()))
    }
    assert ids1 == ids2


def test_parse_errors_are_one_line_and_exit_codes_follow_convention(tmp_path: Path) -> None:
    missing = run_cli("parse", str(tmp_path / "nope.log"))
    assert missing.returncode == 1
    assert missing.stderr.decode().strip().splitlines() == [
        f"error: {tmp_path / 'nope.log'}: No such file or directory"
    ]
    usage = run_cli("parse", str(tmp_path / "nope.log"), "--format", "xml")
    assert usage.returncode == 2
    bad_format = tmp_path / "x.log"
    bad_format.write_text("a\n")
    no_content = run_cli("parse", str(bad_format), "--log-format", "<Date> <Time>")
    assert no_content.returncode == 1
    assert no_content.stderr.decode().startswith("error: ")
    # Before, every line failed to match the literal '<Date ' and was kept whole.
    unclosed = run_cli("parse", str(bad_format), "--log-format", "<Date <Content>")
    assert unclosed.returncode == 1
    assert unclosed.stderr.decode().strip() == (
        "error: log format \"<Date <Content>\": '<Date' has no closing '>' "
        "(a field is written <Date>)"
    )


@pytest.mark.parametrize("system", LOGHUB_SYSTEMS)
def test_each_loghub_system_is_a_preset_with_its_published_format(system: str) -> None:
    assert build_header_parser(system.lower()).log_format == loghub_format(system)
    assert build_header_parser(f" {system} ").log_format == loghub_format(system)


def test_a_preset_name_parses_like_its_format(tmp_path: Path) -> None:
    log = loghub_dir("HDFS") / "HDFS_2k.log"
    by_name, by_format = tmp_path / "name.csv", tmp_path / "format.csv"
    assert run_cli("parse", str(log), "-f", "hdfs", "-o", str(by_name)).returncode == 0
    explicit = run_cli("parse", str(log), "-f", loghub_format("HDFS"), "-o", str(by_format))
    assert explicit.returncode == 0
    assert by_name.read_text() == by_format.read_text()
    unknown = run_cli("parse", str(log), "-f", "hfds")
    assert unknown.returncode == 1
    (line,) = unknown.stderr.decode().strip().splitlines()
    assert line.startswith("error: log format 'hfds' is neither a format with <Content> nor")
    assert "(did you mean hdfs? presets: android, apache," in line and "syslog" in line
    far = run_cli("parse", str(log), "-f", "qqq")
    assert "(presets: android, apache," in far.stderr.decode()


def test_version_flag() -> None:
    proc = run_cli("--version")
    assert proc.returncode == 0
    assert proc.stdout.decode().startswith("logtriage ")


@pytest.mark.parametrize("command", ["parse", "classify"])
def test_out_that_is_the_input_file_is_refused_and_the_input_kept(
    tmp_path: Path, command: str
) -> None:
    """The output is written to a temporary name and renamed over --out: with --out the
    input itself, the user's log was replaced by its labels."""
    log = tmp_path / "app.log"
    original = b"disk full on /var\nuser alice logged in\n"
    log.write_bytes(original)
    (tmp_path / "link.log").symlink_to(log)
    for out in (str(log), str(tmp_path / "." / "link.log")):
        proc = run_cli(command, str(log), "--out", out)
        assert proc.returncode == 1
        assert proc.stderr.decode().strip() == (
            f"error: --out {out} is the input file; write the output somewhere else"
        )
        assert log.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.log", "link.log"]


@pytest.mark.parametrize("command", ["parse", "classify"])
def test_a_bad_input_fails_before_any_output(tmp_path: Path, command: str) -> None:
    """Before, classify printed its CSV header to stdout and then failed: a pipeline
    downstream saw a header-only CSV."""
    for bad, says in [(tmp_path / "nope.log", "No such file"), (tmp_path, "Is a directory")]:
        proc = run_cli(command, str(bad))
        assert proc.returncode == 1
        assert proc.stdout == b""
        assert proc.stderr.decode().strip() == f"error: {bad}: {says}" + (
            " or directory" if says == "No such file" else ""
        )


def test_state_problems_are_found_before_the_output_is_written(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text("disk full on /var\nuser alice logged in\n")
    out = tmp_path / "out.csv"
    out.write_text("earlier output\n")
    proc = run_cli("parse", str(log), "--state", str(out), "-o", str(out))
    assert proc.returncode == 1
    assert f"--state {out} is also --out" in proc.stderr.decode()
    assert out.read_text() == "earlier output\n"

    missing_dir = tmp_path / "nodir" / "miner.state"
    proc = run_cli("parse", str(log), "--state", str(missing_dir), "-o", str(out))
    assert proc.returncode == 1
    assert f"directory {missing_dir.parent} does not exist" in proc.stderr.decode()
    assert out.read_text() == "earlier output\n"


def test_an_empty_out_is_named_as_such(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text("disk full on /var\n")
    proc = run_cli("parse", str(log), "-o", "")
    assert proc.returncode == 1
    assert proc.stderr.decode().strip() == (
        "error: --out is empty: give a file name, or - for standard output"
    )


def test_a_utf8_byte_order_mark_is_no_part_of_the_first_line() -> None:
    apache = (loghub_dir("Apache") / "Apache_2k.log").read_bytes().splitlines(keepends=True)[:3]
    proc = run_cli("parse", "-", "--log-format", "apache", stdin=b"\xef\xbb\xbf" + b"".join(apache))
    assert proc.returncode == 0, proc.stderr.decode()
    rows = list(csv.DictReader(io.StringIO(proc.stdout.decode())))
    assert [r["Content"] for r in rows] == [t["Content"] for t in loghub_structured("Apache")[:3]]
    assert "did not match" not in proc.stderr.decode()
    raw = run_cli("parse", "-", stdin=b"\xef\xbb\xbfjob 1 done\r\njob 2 done\r\n")
    first, second = csv.DictReader(io.StringIO(raw.stdout.decode()))
    assert first["Content"] == "job 1 done"
    assert first["EventId"] == second["EventId"]
    alone = run_cli("parse", "-", stdin=b"\xef\xbb\xbf")
    assert alone.stderr.decode().strip() == "parsed 0 lines into 0 templates"


def test_utf16_input_is_refused_before_any_output(tmp_path: Path) -> None:
    """It was read as UTF-8: a NUL between every two characters, the mark replaced, one
    line too many, every line unmatched, exit 0."""
    hdfs = (loghub_dir("HDFS") / "HDFS_2k.log").read_text(encoding="utf-8").splitlines()[:3]
    log = tmp_path / "windows.log"
    log.write_text("\n".join(hdfs) + "\n", encoding="utf-16")
    out = tmp_path / "out.csv"
    proc = run_cli("parse", str(log), "--log-format", "hdfs", "--out", str(out))
    assert proc.returncode == 1
    assert proc.stderr.decode() == (
        f"error: {log} is UTF-16 text (it starts with a UTF-16 byte order mark); logtriage "
        f"reads UTF-8: convert it first, e.g. iconv -f UTF-16 -t UTF-8 {log}\n"
    )
    assert not out.exists()
    piped = run_cli("parse", "-", stdin=log.read_bytes())
    assert piped.returncode == 1
    assert piped.stdout == b""
    assert piped.stderr.decode().startswith("error: standard input is UTF-16 text")


def test_a_field_in_unescaped_brackets_is_named_as_such(tmp_path: Path) -> None:
    """``[<Time>]`` (for ``\\[<Time>\\]``) said "field <Time> is not a valid group name"."""
    log = tmp_path / "apache.log"
    log.write_bytes((loghub_dir("Apache") / "Apache_2k.log").read_bytes()[:500])
    proc = run_cli("parse", str(log), "--log-format", "[<Time>] [<Level>] <Content>")
    assert proc.returncode == 1
    assert proc.stderr.decode() == (
        'error: log format "[<Time>] [<Level>] <Content>": <Time> stands inside [ ], which '
        "in a format is regex (a character class): write \\[<Time>\\] for literal brackets\n"
    )
    fixed = run_cli("parse", str(log), "--log-format", r"\[<Time>\] \[<Level>\] <Content>")
    assert fixed.returncode == 0, fixed.stderr.decode()
    assert "did not match" not in fixed.stderr.decode()
    # A character class that holds no field is regex as before.
    ranged = run_cli("parse", str(log), "--log-format", r"\[<Time>\] \[[a-z]+\] <Content>")
    assert ranged.returncode == 0, ranged.stderr.decode()
    assert "did not match" not in ranged.stderr.decode()


def test_a_regex_error_is_one_error_line_naming_the_character(tmp_path: Path) -> None:
    """The regex library draws the pattern and a caret over four lines, the last of them
    a second ``error:``; the README promises one ``error:`` line."""
    log = tmp_path / "a.log"
    log.write_text("hello 1\n")
    proc = run_cli("parse", str(log), "--log-format", "<Content>(")
    assert proc.returncode == 1
    assert proc.stderr.decode() == (
        'error: log format "<Content>(": invalid regex "^(?P<Content>.*?)($": unclosed group '
        "at character 18\n"
    )
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - {id: r, pattern: 'a[z-a]', label: Error}\n")
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"rules:\n  path: {rules}\nmodel:\n  enabled: false\n")
    proc = run_cli("classify", str(log), "-c", str(cfg))
    assert proc.returncode == 1
    assert proc.stderr.decode().count("\n") == 1, proc.stderr.decode()
    assert "the start must be <= the end at character 3" in proc.stderr.decode()


def _word(i: int) -> str:
    """A distinct plain word per ``i`` (no digits: no mask or classifier takes it)."""
    letters = "bcdghjkmnpqrsvwxz"
    return "q" + "".join(letters[i // 17**p % 17] for p in range(4))


def test_a_file_with_many_merged_and_evicted_templates_gives_every_line_its_template(
    tmp_path: Path,
) -> None:
    """Lines of a template merged into one evicted later still get a template text
    covering them: the miner forgets the aliases of evicted templates between batches
    (bounded memory), so ids are resolved batch by batch (50,000 lines a batch)."""
    cfg = tmp_path / "logtriage.yaml"
    cfg.write_text("mining:\n  max_templates: 50\n")
    lines = [
        f"job {_word(g)} step {_word(15_000 + 4 * g + k)} failed on {_word(g)}"
        for g in range(15_000)
        for k in range(4)
    ]
    log = tmp_path / "many.log"
    log.write_text("\n".join(lines) + "\n")
    out = tmp_path / "parsed.csv"
    proc = run_cli("parse", str(log), "--config", str(cfg), "--out", str(out))
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    with open(out, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(lines)
    for r in rows:
        tpl, line = r["EventTemplate"].split(), r["Content"].split()
        assert len(tpl) == len(line), r
        assert all(t in ("<*>", w) for t, w in zip(tpl, line, strict=True)), r
