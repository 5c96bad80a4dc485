"""Fixtures for the HTTP API: real settings, real pipeline, real rules, the real app."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from logtriage.api import create_app
from logtriage.api.bundles import read_manifest
from logtriage.config import ApiSettings, ModelSettings, RulesSettings, Settings
from logtriage.labels import LabelColumns, Labeler
from logtriage.local_engine import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = REPO_ROOT / "out"

RULES_YAML = """\
rules:
  - id: test.denied
    pattern: 'permission denied'
    label: Security Alert
    anomaly: true
  - id: test.level.critical
    pattern: '^CRITICAL$'
    label: Critical Error
    anomaly: true
    field: level
"""


class ManifestLabeler:
    """A real Labeler for a test bundle: the manifest's first label for lines that say
    "error", its last label otherwise; ``model_version`` is the manifest's version."""

    def __init__(self, bundle: Path) -> None:
        manifest = read_manifest(bundle)  # ModelBundleError on a broken bundle
        self.labels: list[str] = manifest["labels"]
        self._version: str = manifest["version"]

    @property
    def model_version(self) -> str:
        return self._version

    def label_batch(
        self,
        messages: list[str],
        template_ids: npt.NDArray[np.uint32],
        template_texts: list[str],
        changes: npt.NDArray[np.uint8],
    ) -> LabelColumns:
        n = len(messages)
        labels = [self.labels[0] if "error" in m.lower() else self.labels[-1] for m in messages]
        return LabelColumns(
            label=labels,
            confidence=np.full(n, 0.75, dtype=np.float32),
            anomaly=np.array([lab == self.labels[0] for lab in labels], dtype=np.bool_),
            anomaly_score=np.full(n, 0.25, dtype=np.float32),
        )


def manifest_labeler(bundle: Path) -> Labeler:
    return ManifestLabeler(bundle)


def write_bundle(root: Path, dirname: str, version: str, labels: list[str], **extra: Any) -> Path:
    path = root / dirname
    path.mkdir(parents=True)
    manifest = {"version": version, "labels": labels, **extra}
    (path / "manifest.json").write_text(json.dumps(manifest))
    return path


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("LOGTRIAGE_") and key != "LOGTRIAGE_SHARED_DATA":
            monkeypatch.delenv(key)


@pytest.fixture
def rules_file(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(RULES_YAML)
    return path


def make_settings(rules_file: Path, **api: Any) -> Settings:
    """Templates and rules by default (no shipped bundle), the test rules file."""
    return Settings(
        rules=RulesSettings(path=rules_file),
        model=ModelSettings(enabled=False),
        api=ApiSettings.model_validate(api),
    )


@pytest.fixture
def settings(rules_file: Path) -> Settings:
    return make_settings(rules_file)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, labeler_factory=manifest_labeler)) as c:
        yield c


class LiveServer:
    """uvicorn serving an app on 127.0.0.1 in a thread, for the browser and load tests."""

    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)


@pytest.fixture
def tiny_bundle(tmp_path: Path) -> Path:
    return write_bundle(
        tmp_path / "configured",
        "tiny",
        "tiny-1",
        ["Error", "System Notification"],
        metrics={"test": {"macro_f1": 0.91, "accuracy": 0.93}, "train": {"macro_f1": 0.99}},
        name="tiny test bundle",
    )


@pytest.fixture
def bundles_dir(tmp_path: Path) -> Path:
    root = tmp_path / "bundles"
    write_bundle(root, "alt", "alt-7", ["Critical Error", "User Action"], metrics={"test": {}})
    broken = root / "broken"
    broken.mkdir()
    (broken / "manifest.json").write_text("{not json")
    (root / "not-a-bundle").mkdir()
    return root


@pytest.fixture
def bundle_settings(rules_file: Path, tiny_bundle: Path, bundles_dir: Path) -> Settings:
    return Settings(
        rules=RulesSettings(path=rules_file),
        model=ModelSettings.model_validate({"bundle": tiny_bundle}),
        api=ApiSettings.model_validate({"bundles_dir": bundles_dir}),
    )


@pytest.fixture
def bundle_client(bundle_settings: Settings) -> Iterator[TestClient]:
    app = create_app(bundle_settings, labeler_factory=manifest_labeler, registry=None)
    with TestClient(app) as c:
        yield c
