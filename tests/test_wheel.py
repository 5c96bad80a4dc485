"""The built wheel, as ``pip install logtriage-*.whl`` gives it to a user without the
source checkout: what it holds, its metadata, and commands run from it alone.

``maturin build --release`` reuses the Rust build in ``target/`` (``CARGO_TARGET_DIR``
overrides it), so after ``make install`` it only packs the wheel.
"""

from __future__ import annotations

import configparser
import email
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "plugin" / "logtriage"
# Building from a cold target/ compiles the Rust core: minutes on two cores.
pytestmark = pytest.mark.timeout(1500)


def _maturin() -> str:
    beside = Path(sys.executable).with_name("maturin")
    found = str(beside) if beside.is_file() else shutil.which("maturin")
    if found is None:
        pytest.fail("maturin is not installed (make install puts it in .venv/bin)")
    return found


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    env = {
        **os.environ,
        "CARGO_TARGET_DIR": os.environ.get("CARGO_TARGET_DIR", str(ROOT / "target")),
    }
    proc = subprocess.run(
        [_maturin(), "build", "--release", "-q", "-o", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1400,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    (built,) = out.glob("logtriage-*.whl")
    return built


def _exporters_sources() -> set[str]:
    return {n for n in _files_under(ROOT / "exporters") if n.endswith(".py")}


@pytest.fixture(scope="module")
def site(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel unpacked as pip installs it (its dependencies are this environment's)."""
    target = tmp_path_factory.mktemp("site-packages")
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(target)
    return target


def _files_under(root: Path) -> set[str]:
    return {
        p.relative_to(root.parent).as_posix()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }


def test_the_wheel_holds_the_package_its_resources_and_the_exporters(wheel: Path) -> None:
    """Every file the runtime loads (rules, alert rules, default bundle, web page,
    dashboards) is in ``logtriage/``; ``exporters`` is beside it. It used to be left
    out, so `model build|eval` and LSTM training said "need a source checkout" after
    ``pip install 'logtriage[train]'``."""
    names = set(zipfile.ZipFile(wheel).namelist())
    wanted = _files_under(PACKAGE) | _exporters_sources()
    assert wanted - names == set()
    assert {"logtriage/bundles/default/manifest.json", "exporters/evaluate.py"} <= names


def test_the_wheel_metadata_names_the_project_licence_readme_script_and_extras(
    wheel: Path,
) -> None:
    with zipfile.ZipFile(wheel) as zf:
        info = next(n.split("/")[0] for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        meta = email.message_from_bytes(zf.read(f"{info}/METADATA"))
        entry_points = zf.read(f"{info}/entry_points.txt").decode()
        licence = zf.read(f"{info}/licenses/LICENSE").decode().strip()
    assert meta["Name"] == "logtriage"
    assert meta["License"] == "Apache-2.0"
    assert meta["License-File"] == "LICENSE"
    assert licence.startswith("Apache License") and "END OF TERMS AND CONDITIONS" in licence
    assert meta["Description-Content-Type"].startswith("text/markdown")
    assert meta.get_payload().startswith("# logtriage\n")
    assert set(meta.get_all("Provides-Extra")) >= {"train", "dashboards"}
    scripts = configparser.ConfigParser()
    scripts.read_string(entry_points)
    assert scripts["console_scripts"]["logtriage"] == "logtriage.cli:run"


def test_model_eval_runs_from_the_installed_wheel_alone(site: Path, tmp_path: Path) -> None:
    """`logtriage model eval` on the shipped bundle, in a directory outside the
    checkout, with only the unpacked wheel on the path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOGTRIAGE_")}
    out = tmp_path / "report"
    proc = subprocess.run(
        [sys.executable, "-m", "logtriage.cli", "model", "eval",
         str(site / "logtriage" / "bundles" / "default"), "--data", "generated:200",
         "--out", str(out)],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
        env={**env, "PYTHONPATH": str(site)},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "macro-F1" in proc.stdout
    assert (out / "report.md").is_file()


def test_the_sdist_carries_the_exporters(tmp_path: Path) -> None:
    """A wheel built from the sdist (``pip install logtriage-*.tar.gz``) can only hold
    ``exporters`` if the sdist does; it did not."""
    proc = subprocess.run(
        [_maturin(), "sdist", "-o", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    (sdist,) = tmp_path.glob("logtriage-*.tar.gz")
    with tarfile.open(sdist) as tf:
        names = {n.split("/", 1)[1] for n in tf.getnames() if "/" in n}
    assert _exporters_sources() - names == set()
    assert {"plugin/logtriage/bundles/default/manifest.json", "LICENSE"} <= names
