"""Model bundles: a directory with ``manifest.json`` and the files it lists by sha256.

Layout (format version 1)::

    manifest.json      name, version, labels, anomaly labels, thresholds, input spec,
                       metrics, training summary, and ``files``: {name: {sha256, bytes}}
    encoder.int8.onnx  transformer encoder; inputs input_ids/attention_mask[/token_type_ids]
                       (int64 [batch, seq]); outputs ``embedding`` float32[batch, d]
                       (mean-pooled, L2-normalised) and ``logits`` float32[batch, n_labels]
    tokenizer.json     a ``tokenizers`` tokenizer (truncation/padding set at run time)
    lgbm.txt           LightGBM multiclass booster on [embedding, text features, template stats]
    calibration.json   ensemble weights, temperature, anomaly threshold and score weights

The model version (``manifest["version"]``) is ``<name>@<12 hex>`` where the hex is
the sha256 over the listed files' hashes and the manifest's labels, anomaly labels,
thresholds and input spec: any change to a file, or to how the runtime reads them,
gives a new version (the sidecar re-labels by version).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from logtriage.config.model import ModelSettings
from logtriage.errors import ModelBundleError

__all__ = [
    "BUNDLE_FORMAT_VERSION",
    "CALIBRATION_FILE",
    "ENCODER_FILE",
    "LGBM_FILE",
    "MANIFEST_FILE",
    "TOKENIZER_FILE",
    "Bundle",
    "configured_bundle_path",
    "default_bundle_path",
    "file_sha256",
    "load_bundle",
    "version_from_hashes",
    "write_manifest",
]

BUNDLE_FORMAT_VERSION = 1
MANIFEST_FILE = "manifest.json"
ENCODER_FILE = "encoder.int8.onnx"
TOKENIZER_FILE = "tokenizer.json"
LGBM_FILE = "lgbm.txt"
CALIBRATION_FILE = "calibration.json"
REQUIRED_FILES = (ENCODER_FILE, TOKENIZER_FILE, LGBM_FILE, CALIBRATION_FILE)
#: The manifest's keys that change what the runtime does with the files (in the version).
_BEHAVIOUR_KEYS = ("labels", "anomaly_labels", "thresholds", "input")


class _Thresholds(BaseModel):
    model_config = ConfigDict(extra="allow")

    min_confidence: float = Field(0.5, ge=0.0, le=1.0)
    anomaly: float = Field(0.5, ge=0.0, le=1.0)


class _InputSpec(BaseModel):
    model_config = ConfigDict(extra="allow")

    max_seq_len: int = Field(ge=1, le=512)
    embedding_dim: int = Field(ge=1)
    feature_names: list[str]
    template_stats: list[str]


class _FileEntry(BaseModel):
    model_config = ConfigDict(extra="allow")

    sha256: str
    bytes: int | None = Field(None, ge=0)


class _Manifest(BaseModel):
    """What the runtime reads from manifest.json, typed (other keys are kept as they are)."""

    model_config = ConfigDict(extra="allow")

    format_version: int
    name: str
    version: str
    labels: list[str] = Field(min_length=2)
    anomaly_labels: list[str] = []
    thresholds: _Thresholds
    input: _InputSpec
    files: dict[str, _FileEntry]

    @field_validator("labels")
    @classmethod
    def _distinct(cls, labels: list[str]) -> list[str]:
        if len(set(labels)) != len(labels):
            raise ValueError("labels must be distinct")
        return labels


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def version_from_hashes(name: str, hashes: dict[str, str], manifest: dict[str, Any]) -> str:
    """``<name>@<12 hex>``: content address of a bundle's files and of the manifest's
    keys that change how they are used (labels, thresholds, input spec)."""
    h = hashlib.sha256()
    for fname in sorted(hashes):
        h.update(f"{fname}:{hashes[fname]}\n".encode())
    behaviour = {k: manifest.get(k) for k in _BEHAVIOUR_KEYS}
    h.update(json.dumps(behaviour, sort_keys=True, separators=(",", ":")).encode())
    return f"{name}@{h.hexdigest()[:12]}"


@dataclass(frozen=True)
class Bundle:
    """A verified bundle: its directory, parsed manifest and calibration."""

    path: Path
    manifest: dict[str, Any]
    calibration: dict[str, Any]

    @property
    def version(self) -> str:
        return str(self.manifest["version"])

    @property
    def labels(self) -> list[str]:
        return list(self.manifest["labels"])

    @property
    def anomaly_labels(self) -> list[str]:
        return list(self.manifest.get("anomaly_labels", []))

    @property
    def input_spec(self) -> dict[str, Any]:
        return dict(self.manifest["input"])

    def file(self, name: str) -> Path:
        return self.path / name


def default_bundle_path() -> Path | None:
    """The bundle shipped inside the package (``logtriage/bundles/default``), if present."""
    root = resources.files("logtriage").joinpath("bundles/default")
    path = Path(str(root))
    return path if (path / MANIFEST_FILE).is_file() else None


def configured_bundle_path(settings: ModelSettings) -> Path | None:
    """The bundle labelling loads: ``settings.bundle``, else the shipped default; ``None``
    when the model is disabled or no bundle exists (templates and rules only)."""
    if not settings.enabled:
        return None
    return settings.bundle if settings.bundle is not None else default_bundle_path()


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelBundleError(f"{path}: file is missing") from exc
    except OSError as exc:
        raise ModelBundleError(f"{path}: cannot read ({exc.strerror})") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelBundleError(f"{path}: not valid JSON ({exc})") from exc


def _validate_manifest(path: Path, manifest: Any) -> None:
    where = path / MANIFEST_FILE
    if not isinstance(manifest, dict):
        raise ModelBundleError(f"{where}: must hold a JSON object")
    if manifest.get("format_version", BUNDLE_FORMAT_VERSION) != BUNDLE_FORMAT_VERSION:
        raise ModelBundleError(
            f"{where}: format_version {manifest['format_version']!r} is not supported "
            f"(this runtime reads {BUNDLE_FORMAT_VERSION})"
        )
    try:
        typed = _Manifest.model_validate(manifest)
    except ValidationError as exc:
        problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5]]
        raise ModelBundleError(f"{where}: {'; '.join(problems)}") from None
    unknown = set(typed.anomaly_labels) - set(typed.labels)
    if unknown:
        raise ModelBundleError(f"{where}: anomaly_labels not in labels: {sorted(unknown)}")
    for name in REQUIRED_FILES:
        if name not in typed.files:
            raise ModelBundleError(f"{where}: 'files' does not list {name}")


def load_bundle(path: Path | str, *, verify: bool = True) -> Bundle:
    """Read and verify a bundle directory.

    Arguments:
        path: the bundle directory.
        verify: check every listed file's size and sha256 (on by default).

    Raises:
        ModelBundleError: a file is missing, unreadable, corrupt (hash mismatch) or the
            manifest is invalid; the message names the file and the problem.
    """
    path = Path(path)
    if path.is_file():
        raise ModelBundleError(
            f"{path}: is a file; give the model bundle directory (the one holding {MANIFEST_FILE})"
        )
    if not path.is_dir():
        raise ModelBundleError(f"{path}: model bundle directory does not exist")
    manifest = _read_json(path / MANIFEST_FILE)
    _validate_manifest(path, manifest)
    hashes: dict[str, str] = {}
    for name, entry in manifest["files"].items():
        fpath = path / name
        if not fpath.is_file():
            raise ModelBundleError(f"{fpath}: file listed in manifest.json is missing")
        hashes[name] = str(entry["sha256"])
        if verify:
            size = fpath.stat().st_size
            if "bytes" in entry and size != entry["bytes"]:
                raise ModelBundleError(
                    f"{fpath}: size {size} bytes does not match manifest ({entry['bytes']})"
                )
            actual = file_sha256(fpath)
            if actual != entry["sha256"]:
                raise ModelBundleError(
                    f"{fpath}: sha256 mismatch (file is corrupt or was changed): "
                    f"expected {entry['sha256'][:16]}…, got {actual[:16]}…"
                )
    expected_version = version_from_hashes(str(manifest["name"]), hashes, manifest)
    if verify and manifest["version"] != expected_version:
        raise ModelBundleError(
            f"{path / MANIFEST_FILE}: version {manifest['version']!r} does not match the "
            f"files and settings it lists ({expected_version!r}): the bundle was changed "
            "after it was built"
        )
    calibration = _read_json(path / CALIBRATION_FILE)
    if not isinstance(calibration, dict) or "temperature" not in calibration:
        raise ModelBundleError(f"{path / CALIBRATION_FILE}: lacks 'temperature'")
    return Bundle(path=path, manifest=manifest, calibration=calibration)


def write_manifest(path: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """Hash the bundle's files, set ``files`` and ``version``, and write manifest.json.

    ``manifest`` must already hold every other key; returns the written manifest.
    """
    files: dict[str, dict[str, Any]] = {}
    for name in REQUIRED_FILES:
        fpath = path / name
        if not fpath.is_file():
            raise ModelBundleError(f"{fpath}: cannot write manifest, file is missing")
        files[name] = {"sha256": file_sha256(fpath), "bytes": fpath.stat().st_size}
    for extra in manifest.get("extra_files", []):
        fpath = path / extra
        files[extra] = {"sha256": file_sha256(fpath), "bytes": fpath.stat().st_size}
    out = dict(manifest)
    out["format_version"] = BUNDLE_FORMAT_VERSION
    out["files"] = files
    out["version"] = version_from_hashes(
        str(out["name"]), {k: v["sha256"] for k, v in files.items()}, out
    )
    (path / MANIFEST_FILE).write_text(json.dumps(out, indent=2, sort_keys=True) + "\n", "utf-8")
    return out
