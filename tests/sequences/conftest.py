"""Shared fixtures: the HDFS session files, read in place."""

from __future__ import annotations

from pathlib import Path

import pytest
from logtriage.sessions import read_session_file

from tests.shared_data import shared_data


def hdfs_dir() -> Path:
    return shared_data() / "hdfs-sessions"


@pytest.fixture(scope="session")
def hdfs() -> dict[str, list[list[int]]]:
    d = hdfs_dir()
    return {
        name: read_session_file(d / f"{name}.txt")
        for name in ("normal_train", "normal_test", "abnormal_test")
    }
