"""A forked child runs big batches on its own thread: the parent's pool is not there."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.shared_data import REPO_ROOT

# Run in a fresh interpreter: forking the test process (threads of its own) would
# test pytest, and Python 3.12+ warns about fork in a threaded process.
CHILD_USES_BIG_BATCHES = textwrap.dedent(
    """
    import os, sys, time
    import logtriage
    from logtriage import _core

    lines = [f"081109 203615 148 INFO dfs.DataNode: block {i} served" for i in range(10_000)]
    parser = _core.HeaderParser.from_preset("hdfs")
    parser.parse_batch(lines)  # the parent's thread pool now runs
    pid = os.fork()
    if pid == 0:
        columns, matched = parser.parse_batch(lines)
        features, _ = _core.features_batch(lines)
        os._exit(0 if matched.all() and features.shape[0] == len(lines) else 3)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            print("exit", os.waitstatus_to_exitcode(status))
            sys.exit(0)
        time.sleep(0.05)
    os.kill(pid, 9)
    print("child hung")
    """
)


def test_forked_child_finishes_big_batches() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD_USES_BIG_BATCHES],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
    )
    assert proc.stdout.strip() == "exit 0", proc.stdout + proc.stderr
