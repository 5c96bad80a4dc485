"""HeaderParser: LogPAI-style formats split every LogHub-2k line like logparser does."""

from __future__ import annotations

import csv
import json
import os
import time
from pathlib import Path

import numpy as np
import pytest
from logtriage._core import HeaderParser, header_presets
from logtriage.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]


def loghub() -> Path:
    """LogHub-2k, read in place: ``$LOGTRIAGE_SHARED_DATA`` or ``../shared/data``
    beside the repository (or beside the ``wt/`` folder of a git worktree)."""
    env = os.environ.get("LOGTRIAGE_SHARED_DATA")
    candidates = (
        [Path(env)]
        if env
        else [REPO.parent / "shared" / "data", REPO.parents[1] / "shared" / "data"]
    )
    for base in candidates:
        if (base / "loghub-2k" / "formats.json").is_file():
            return base / "loghub-2k"
    raise FileNotFoundError(f"loghub-2k not found in {candidates}; set LOGTRIAGE_SHARED_DATA")


FORMATS: dict[str, dict] = json.loads((loghub() / "formats.json").read_text())


def read_log(system: str) -> list[str]:
    # Like logparser: text mode, universal newlines, one entry per line.
    with open(loghub() / system / f"{system}_2k.log", encoding="utf-8", errors="replace") as f:
        return f.readlines()


def read_structured(system: str) -> list[dict[str, str]]:
    path = loghub() / system / f"{system}_2k.log_structured.csv"
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_twelve_systems() -> None:
    assert len(FORMATS) == 12


@pytest.mark.parametrize("system", sorted(FORMATS))
def test_loghub_content_equals_structured(system: str) -> None:
    parser = HeaderParser(FORMATS[system]["log_format"])
    lines = read_log(system)
    rows = read_structured(system)
    assert len(lines) == len(rows) == 2000
    columns, matched = parser.parse_batch(lines)
    assert matched.dtype == np.bool_
    assert matched.shape == (2000,)
    assert matched.all(), f"{int((~matched).sum())} lines did not match"
    assert columns["Content"] == [r["Content"] for r in rows]
    # Header fields too, where the structured file kept them verbatim (it went
    # through pandas: `081109` became `81109`, `NULL` became empty).
    if "Level" in parser.fields:
        assert columns["Level"] == [r["Level"] for r in rows]


@pytest.mark.parametrize("system", sorted(FORMATS))
def test_presets_equal_formats_json(system: str) -> None:
    assert header_presets()[system.lower()] == FORMATS[system]["log_format"]
    assert (
        HeaderParser.from_preset(system).fields
        == HeaderParser(FORMATS[system]["log_format"]).fields
    )


def test_fields_and_selected_columns() -> None:
    parser = HeaderParser(r"<Date> <Time> <Level> \[<Process>\] <Component>: <Content>")
    assert parser.fields == ["Date", "Time", "Level", "Process", "Component", "Content"]
    assert parser.log_format.startswith("<Date>")
    columns, matched = parser.parse_batch(
        ["2015-10-18 18:01:47,978 INFO [main] o.a.h.App: Created MRAppMaster"],
        fields=["Level", "Content"],
    )
    assert columns == {"Level": ["INFO"], "Content": ["Created MRAppMaster"]}
    assert matched.tolist() == [True]
    with pytest.raises(ConfigError, match="Nope"):
        parser.parse_batch(["x"], fields=["Nope"])


def test_unmatched_line_is_kept_and_flagged() -> None:
    parser = HeaderParser("<Date> <Time> <Pid> <Level> <Component>: <Content>")
    lines = [
        "081109 203615 148 INFO dfs.DataNode: Receiving block blk_1",
        "   free text without a header   \n",
        "",
    ]
    columns, matched = parser.parse_batch(lines)
    assert matched.tolist() == [True, False, False]
    assert columns["Content"] == ["Receiving block blk_1", "free text without a header", ""]
    assert columns["Level"] == ["INFO", "", ""]
    assert int((~matched).sum()) == 2


def test_optional_group_left_empty() -> None:
    parser = HeaderParser.from_preset("linux")
    columns, matched = parser.parse_batch(
        [
            "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: check pass; user unknown",
            "Jun 15 04:06:18 combo kernel: Linux version 2.6.5",
        ]
    )
    assert matched.tolist() == [True, True]
    assert columns["PID"] == ["19939", ""]
    assert columns["Component"] == ["sshd(pam_unix)", "kernel"]
    assert columns["Content"] == ["check pass; user unknown", "Linux version 2.6.5"]


def test_replacement_chars_pass_through() -> None:
    raw = b"081109 203615 148 INFO c: bad \xff\xfe bytes"
    line = raw.decode("utf-8", errors="replace")
    columns, matched = HeaderParser.from_preset("hdfs").parse_batch([line])
    assert matched.tolist() == [True]
    assert columns["Content"] == ["bad \ufffd\ufffd bytes"]


@pytest.mark.parametrize(
    "log_format",
    [
        "<Date> <Time> <Level>",  # no <Content>
        r"<Date> (<Content>",  # unbalanced group
        "<Date> <Date> <Content>",  # duplicate field
        "<Bad Name> <Content>",  # not a group name
    ],
)
def test_bad_format_is_config_error(log_format: str) -> None:
    with pytest.raises(ConfigError):
        HeaderParser(log_format)


def test_unknown_preset() -> None:
    with pytest.raises(ConfigError, match="unknown preset"):
        HeaderParser.from_preset("no-such-system")


def test_huge_line_is_fast() -> None:
    parser = HeaderParser.from_preset("hdfs")
    line = "081109 203615 148 INFO dfs.DataNode: " + "word " * 2_000_000
    start = time.perf_counter()
    columns, matched = parser.parse_batch([line])
    assert time.perf_counter() - start < 2.0
    assert matched.tolist() == [True]
    assert len(columns["Content"][0]) == 10_000_000 - 1
