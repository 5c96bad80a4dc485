"""Which models the API can offer: bundle directories, each holding a ``manifest.json``.

Bundles come from ``model.bundle`` (the configured default), every sub-directory
of ``api.bundles_dir`` and the bundle shipped inside the package
(``logtriage/bundles/default``) when present. ``none`` (templates and rules only)
is always offered. A bundle is known by its directory name; the directories are
scanned again on every listing, so a bundle dropped into ``bundles_dir`` appears
without a restart.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from logtriage.config import Settings
from logtriage.errors import ModelBundleError
from logtriage.labels import Labeler

__all__ = [
    "MANIFEST_FILE",
    "NONE_MODEL",
    "BundleInfo",
    "BundleRegistry",
    "LabelerFactory",
    "default_labeler_factory",
    "read_manifest",
]

MANIFEST_FILE = "manifest.json"
NONE_MODEL = "none"
_SUMMARY_KEYS = ("name", "description", "created_at", "thresholds", "anomaly_labels")

LabelerFactory = Callable[[Path], Labeler]
"""Builds the model stage for a bundle directory (the real one: ``logtriage.model.Classifier``)."""


def default_labeler_factory(bundle: Path) -> Labeler:
    """The model runtime's classifier for ``bundle``.

    Raises:
        ModelBundleError: the model runtime is missing or the bundle cannot be loaded.
    """
    try:
        runtime = importlib.import_module("logtriage.model")
        classifier = runtime.Classifier
    except (ImportError, AttributeError) as exc:
        raise ModelBundleError(
            f"{bundle}: the model runtime (logtriage.model.Classifier) is not available: {exc}"
        ) from exc
    labeler: Labeler = classifier(bundle)
    return labeler


@dataclass(frozen=True)
class BundleInfo:
    """What ``GET /v1/models`` says about one model."""

    id: str
    path: Path | None
    version: str
    labels: list[str]
    metrics: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    @property
    def available(self) -> bool:
        return self.error is None


def read_manifest(path: Path) -> dict[str, Any]:
    """The bundle's manifest, checked for the keys the API shows.

    Raises:
        ModelBundleError: missing, unreadable or without ``version``/``labels``.
    """
    where = path / MANIFEST_FILE
    try:
        data = json.loads(where.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelBundleError(f"{where}: file is missing") from exc
    except OSError as exc:
        raise ModelBundleError(f"{where}: cannot read ({exc.strerror})") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelBundleError(f"{where}: not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise ModelBundleError(f"{where}: must hold a JSON object")
    if not isinstance(data.get("version"), str) or not data["version"]:
        raise ModelBundleError(f"{where}: 'version' must be a non-empty string")
    labels = data.get("labels")
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        raise ModelBundleError(f"{where}: 'labels' must be a list of names")
    if not isinstance(data.get("metrics", {}), dict):
        raise ModelBundleError(f"{where}: 'metrics' must be an object")
    return data


def _shipped_bundle() -> Path | None:
    try:
        root = Path(str(resources.files("logtriage").joinpath("bundles/default")))
    except (ModuleNotFoundError, TypeError):
        return None
    return root if (root / MANIFEST_FILE).is_file() else None


class BundleRegistry:
    """Lists the models and resolves a model id to its bundle."""

    def __init__(self, settings: Settings, shipped: Path | None = None) -> None:
        self.enabled = settings.model.enabled
        self.configured = settings.model.bundle
        self.bundles_dir = settings.api.bundles_dir
        # ``model.enabled: false`` means templates and rules unless a request picks a bundle.
        found = shipped if shipped is not None else _shipped_bundle()
        self.shipped = found if self.enabled else None

    def _candidates(self) -> list[tuple[str, Path]]:
        found: list[tuple[str, Path]] = []
        if self.configured is not None:
            found.append((self.configured.name, self.configured))
        if self.bundles_dir is not None and self.bundles_dir.is_dir():
            found.extend(
                (sub.name, sub)
                for sub in sorted(self.bundles_dir.iterdir())
                if sub.is_dir() and (sub / MANIFEST_FILE).is_file()
            )
        if self.shipped is not None:
            found.append(("default", self.shipped))
        unique: dict[str, Path] = {}
        for name, path in found:
            if name != NONE_MODEL:
                unique.setdefault(name, path)
        return list(unique.items())

    @property
    def default_id(self) -> str:
        """``none`` when the model is disabled, else the configured bundle, else the
        shipped one, else ``none``."""
        if not self.enabled:
            return NONE_MODEL
        if self.configured is not None and self.configured.name != NONE_MODEL:
            return self.configured.name
        if self.shipped is not None:
            return "default"
        return NONE_MODEL

    def infos(self) -> list[BundleInfo]:
        """``none`` first, then every bundle found (unreadable ones with ``error`` set)."""
        infos = [BundleInfo(id=NONE_MODEL, path=None, version=NONE_MODEL, labels=[])]
        for name, path in self._candidates():
            try:
                manifest = read_manifest(path)
            except ModelBundleError as exc:
                infos.append(BundleInfo(name, path, version="", labels=[], error=str(exc)))
                continue
            infos.append(
                BundleInfo(
                    id=name,
                    path=path,
                    version=manifest["version"],
                    labels=list(manifest["labels"]),
                    metrics=dict(manifest.get("metrics", {})),
                    summary={k: manifest[k] for k in _SUMMARY_KEYS if k in manifest},
                )
            )
        return infos

    def resolve(self, model_id: str | None) -> tuple[str, Path | None]:
        """``(id, bundle path)`` for a requested id (``None``: the default).

        Raises:
            KeyError: no such model.
        """
        wanted = self.default_id if model_id is None or model_id == "" else model_id
        if wanted == NONE_MODEL:
            return NONE_MODEL, None
        for name, path in self._candidates():
            if name == wanted:
                return name, path
        raise KeyError(wanted)

    def known_ids(self) -> list[str]:
        return [NONE_MODEL, *(name for name, _ in self._candidates())]
