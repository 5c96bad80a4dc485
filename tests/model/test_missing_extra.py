"""Commands that need the ``train`` extra, run where it is not installed: one
``error:`` line naming the extra, no traceback.

This environment has the extra, so each run hides its packages from the CLI process
(``sys.modules[name] = None`` makes importing them fail as an absent package does);
installing a second environment without them is what this stands in for.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from logtriage.model.bundle import default_bundle_path

from tests.sequences.conftest import hdfs_dir

EXTRA = "pip install 'logtriage[train]'"


def run_without(hidden: list[str], *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    code = (
        "import sys\n"
        f"for name in {hidden!r}: sys.modules[name] = None\n"
        "from logtriage.cli import main\n"
        f"sys.exit(main({list(args)!r}))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOGTRIAGE_")}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, env=env, timeout=300
    )


def assert_one_error_line(proc: subprocess.CompletedProcess[str], *parts: str) -> None:
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, proc.stderr
    for part in parts:
        assert part in errors[0]


def test_model_eval_without_scikit_learn_names_the_extra(tmp_path: Path) -> None:
    """It ended in a ModuleNotFoundError traceback for sklearn."""
    bundle = default_bundle_path()
    assert bundle is not None
    proc = run_without(
        ["sklearn", "matplotlib"],
        "model", "eval", str(bundle), "--data", "generated:50",
        "--out", str(tmp_path / "report"),
        cwd=tmp_path,
    )  # fmt: skip
    assert_one_error_line(proc, "model eval needs the train extra", EXTRA, "sklearn")


def test_model_build_without_torch_names_the_extra(tmp_path: Path) -> None:
    proc = run_without(
        ["torch"], "model", "build", "--data", "generated:50", "--out", str(tmp_path / "b"),
        cwd=tmp_path,
    )  # fmt: skip
    assert_one_error_line(proc, EXTRA)
    assert not (tmp_path / "b").exists()


def test_lstm_training_without_torch_names_the_extra(tmp_path: Path) -> None:
    """It ended in an ImportError traceback from exporters.sequences."""
    out = tmp_path / "lstm"
    proc = run_without(
        ["torch", "onnx"],
        "sequences", "train", str(hdfs_dir() / "normal_train.txt"), "--detector", "lstm",
        "--out", str(out),
        cwd=tmp_path,
    )  # fmt: skip
    assert_one_error_line(proc, "LSTM training needs torch and onnx", EXTRA)
    assert not out.exists()
