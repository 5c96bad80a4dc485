"""The file source: every line of a pipe or FIFO, compressed input refused."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest
from logtriage.errors import InputError
from logtriage.sources.files import LogFileSource


def _contents(source: LogFileSource) -> list[str]:
    return [line for batch in source for line in batch.contents]


def test_a_pipe_named_by_path_is_read_once_and_whole() -> None:
    """``logtriage parse <(zcat app.log.gz)`` names a pipe (/dev/fd/63). Before, the
    size check opened it and read a buffer's worth to look for a UTF-16 mark, then the
    batches opened it again: every line was lost and the run said "parsed 0 lines"
    (a FIFO hung on the second open)."""
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, b"job 1 done\njob 2 done\n")
        os.close(write_end)
        source = LogFileSource(f"/dev/fd/{read_end}")
        assert source.size_bytes() is None  # a pipe has no size to show progress against
        assert _contents(source) == ["job 1 done", "job 2 done"]
        assert source.stats.lines == 2
    finally:
        os.close(read_end)


def test_a_regular_file_gives_its_size_and_every_line(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_bytes(b"job 1 done\njob 2 done")
    source = LogFileSource(str(log))
    assert source.size_bytes() == log.stat().st_size
    assert _contents(source) == ["job 1 done", "job 2 done"]


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (gzip.compress(b"job 1 done\n"), "gzip"),
        (b"BZh91AY&SY\x00\x00", "bzip2"),
        (b"\xfd7zXZ\x00\x00\x04", "xz"),
        (b"\x28\xb5\x2f\xfd\x00", "zstd"),
    ],
    ids=["gzip", "bzip2", "xz", "zstd"],
)
def test_a_compressed_file_is_refused_naming_the_tool(
    tmp_path: Path, data: bytes, kind: str
) -> None:
    """Before, a .gz passed by mistake was read as lines of replaced bytes, exit 0."""
    log = tmp_path / "app.log.x"
    log.write_bytes(data)
    with pytest.raises(InputError, match=f"is {kind}-compressed") as info:
        LogFileSource(str(log)).size_bytes()
    assert f"{kind} -dc {log}" in str(info.value)
    with pytest.raises(InputError, match=f"is {kind}-compressed"):
        _contents(LogFileSource(str(log)))  # also when iterated without the size check


def test_text_that_starts_like_a_compression_mark_is_read(tmp_path: Path) -> None:
    """Only a whole mark is refused: bzip2's is "BZh", a digit and a block magic, so a
    log whose first line starts "BZh1" is text."""
    log = tmp_path / "app.log"
    log.write_bytes(b"BZh1 ready\nPK done\n")
    source = LogFileSource(str(log))
    assert source.size_bytes() == log.stat().st_size
    assert _contents(source) == ["BZh1 ready", "PK done"]
