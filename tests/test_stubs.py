"""The hand-written stub must match the compiled extension (mypy.stubtest)."""

from __future__ import annotations

import subprocess
import sys

from tests.shared_data import REPO_ROOT


def test_core_stub_matches_extension() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "logtriage._core"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
