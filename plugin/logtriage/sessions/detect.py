"""Sequence anomaly detectors over sessions of template ids, and their bundles.

Two detectors share one verdict format (:class:`SessionVerdicts`):

- :class:`NgramDetector`: the count / n-gram baseline in Rust (``SequenceModel``).
- :class:`LstmDetector`: DeepLog's next-template LSTM, exported to ONNX by
  ``exporters/sequences`` and run here with onnxruntime (never torch). A position
  is a miss when its template is not among the ``top_g`` most likely next
  templates given the previous ``window`` ones (DeepLog's top-g rule).

Both pad a session with a start marker, predict an end marker after its last
template (``check_end``: a truncated session is a finding), and treat template
ids never seen in training as misses.

A bundle is a directory: ``manifest.json`` (``kind``, ``format_version``, the
settings, ``vocab``, ``metrics``, ``sha256`` of each file) plus ``ngram.json``
or ``model.onnx``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from logtriage._core import SequenceModel
from logtriage.config.sessions import SessionsSettings
from logtriage.errors import ModelBundleError, StateError

__all__ = [
    "BUNDLE_VERSION",
    "END",
    "PAD",
    "UNK",
    "LstmDetector",
    "NgramDetector",
    "SessionDetector",
    "SessionVerdict",
    "SessionVerdicts",
    "file_sha256",
    "load_detector",
    "read_manifest",
    "write_manifest",
]

BUNDLE_VERSION = 1
# LSTM token indices: template ``vocab[i]`` is index ``i + FIRST``.
PAD, END, UNK, FIRST = 0, 1, 2, 3


@dataclass(frozen=True, slots=True)
class SessionVerdict:
    """One session: ``position`` is the first offending index (``len(session)`` means it
    ended unexpectedly, -1 none) and ``template_id`` the template there (-1: none/end)."""

    anomalous: bool
    position: int
    template_id: int
    misses: int
    score: float


@dataclass(frozen=True)
class SessionVerdicts:
    """Column-wise verdicts, one row per scored session."""

    anomalous: npt.NDArray[np.bool_]
    position: npt.NDArray[np.int64]
    template_id: npt.NDArray[np.int64]
    misses: npt.NDArray[np.uint32]
    score: npt.NDArray[np.float32]

    def __len__(self) -> int:
        return len(self.anomalous)

    def __getitem__(self, i: int) -> SessionVerdict:
        return SessionVerdict(
            anomalous=bool(self.anomalous[i]),
            position=int(self.position[i]),
            template_id=int(self.template_id[i]),
            misses=int(self.misses[i]),
            score=float(self.score[i]),
        )

    def __iter__(self) -> Iterator[SessionVerdict]:
        return (self[i] for i in range(len(self)))


@runtime_checkable
class SessionDetector(Protocol):
    """What a door needs: score closed sessions, save the model."""

    kind: str

    def score(self, sessions: Sequence[Sequence[int]]) -> SessionVerdicts: ...

    def save(self, bundle_dir: Path, *, metrics: dict[str, Any] | None = None) -> None: ...


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_manifest(bundle_dir: Path, manifest: dict[str, Any], files: Sequence[str]) -> None:
    """Write ``manifest.json`` with the sha256 of each of ``files`` (inside the bundle)."""
    manifest = {
        **manifest,
        "format_version": BUNDLE_VERSION,
        "sha256": {name: file_sha256(bundle_dir / name) for name in files},
    }
    (bundle_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


def read_manifest(bundle_dir: Path) -> dict[str, Any]:
    """The checked manifest of a bundle.

    Raises:
        ModelBundleError: missing/unreadable manifest, other format version, or a file
            whose sha256 differs.
    """
    if not Path(bundle_dir).is_dir():
        raise ModelBundleError(f"{bundle_dir}: sequence bundle directory does not exist")
    path = Path(bundle_dir) / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelBundleError(f"{path}: file is missing (not a sequence bundle?)") from exc
    except OSError as exc:
        raise ModelBundleError(f"{path}: cannot read ({exc.strerror})") from exc
    except ValueError as exc:
        raise ModelBundleError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(manifest, dict):
        raise ModelBundleError(f"{path}: not a sequence bundle manifest (not a JSON object)")
    if manifest.get("format_version") != BUNDLE_VERSION:
        raise ModelBundleError(
            f"{path}: sequence bundle format_version {manifest.get('format_version')!r}, this "
            f"logtriage reads {BUNDLE_VERSION}; train it again with `logtriage sequences train`"
        )
    digests = manifest.get("sha256", {})
    if not isinstance(digests, dict):
        raise ModelBundleError(f"{path}: 'sha256' is not a mapping of file names to digests")
    for name, digest in digests.items():
        file = Path(bundle_dir) / name
        if not file.is_file() or file_sha256(file) != digest:
            raise ModelBundleError(f"{file}: missing or sha256 mismatch")
    return manifest


def _verdicts(
    anomalous: npt.NDArray[np.bool_],
    position: npt.NDArray[np.int64],
    template_id: npt.NDArray[np.int64],
    misses: npt.NDArray[np.uint32],
    score: npt.NDArray[np.float32],
) -> SessionVerdicts:
    return SessionVerdicts(anomalous, position, template_id, misses, score)


class NgramDetector:
    """The Rust count / n-gram baseline (see ``SequenceModel``)."""

    kind = "ngram"

    def __init__(self, model: SequenceModel) -> None:
        self.model = model

    @classmethod
    def from_settings(cls, settings: SessionsSettings) -> NgramDetector:
        return cls(
            SequenceModel(
                history=settings.history,
                top_g=settings.top_g,
                min_count=settings.min_count,
                check_end=settings.check_end,
            )
        )

    def fit(self, sessions: Sequence[Sequence[int]]) -> NgramDetector:
        """Train on normal sessions (incremental)."""
        self.model.train_batch([list(map(int, s)) for s in sessions])
        return self

    def score(self, sessions: Sequence[Sequence[int]]) -> SessionVerdicts:
        return _verdicts(*self.model.score_batch([list(map(int, s)) for s in sessions]))

    def save(self, bundle_dir: Path, *, metrics: dict[str, Any] | None = None) -> None:
        bundle_dir = Path(bundle_dir)
        bundle_dir.mkdir(parents=True, exist_ok=True)
        (bundle_dir / "ngram.json").write_text(self.model.to_json())
        manifest = {
            "kind": self.kind,
            "history": self.model.history,
            "top_g": self.model.top_g,
            "vocab": self.model.vocab,
            "metrics": metrics or {},
        }
        write_manifest(bundle_dir, manifest, ["ngram.json"])

    @classmethod
    def load(cls, bundle_dir: Path) -> NgramDetector:
        """Raises:
        ModelBundleError: the bundle, or its ``ngram.json``, is missing, corrupt or of
            a format this version does not read (the file named)."""
        read_manifest(bundle_dir)
        path = Path(bundle_dir) / "ngram.json"
        try:
            return cls(SequenceModel.from_json(path.read_text(encoding="utf-8")))
        except OSError as exc:
            raise ModelBundleError(f"{path}: cannot read ({exc.strerror})") from exc
        except (UnicodeDecodeError, StateError) as exc:
            # The core words its errors for miner state; this file is a sequence model.
            detail = str(exc).replace("corrupt miner state: ", "").replace("miner state ", "")
            raise ModelBundleError(
                f"{path}: not an n-gram sequence model this logtriage reads ({detail}); "
                "train it again with `logtriage sequences train`"
            ) from exc


class LstmDetector:
    """DeepLog next-template LSTM run by onnxruntime.

    Arguments:
        onnx_path: model with input ``windows`` (``int64[batch, window]`` token indices)
            and output ``logits`` (``float32[batch, classes]``).
        vocab: template ids in index order (template ``vocab[i]`` is token ``i + 3``).
        window: templates of context.
        top_g: how many most likely next templates count as normal.
        min_prob: a next template below this probability is a miss even inside the top g
            (with a small vocabulary, g can cover nearly every template).
        check_end: also check the predicted end of the session.
        batch_windows: windows per onnxruntime call.
    """

    kind = "lstm"

    def __init__(
        self,
        onnx_path: Path,
        vocab: Sequence[int],
        *,
        window: int = 10,
        top_g: int = 9,
        min_prob: float = 1e-3,
        check_end: bool = True,
        batch_windows: int = 8192,
        manifest: dict[str, Any] | None = None,
    ) -> None:
        try:
            import onnxruntime as ort
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ModelBundleError("the LSTM detector needs onnxruntime installed") from exc
        if window < 1 or top_g < 1:
            raise ModelBundleError("window and top_g must be >= 1")
        self.onnx_path = Path(onnx_path)
        options = ort.SessionOptions()
        options.log_severity_level = 3
        try:
            self._session = ort.InferenceSession(
                str(self.onnx_path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own, undocumented, types
            raise ModelBundleError(f"cannot load ONNX model {self.onnx_path}: {exc}") from exc
        self.vocab = [int(v) for v in vocab]
        self._index = {t: i + FIRST for i, t in enumerate(self.vocab)}
        self.window = window
        self.top_g = top_g
        self.min_prob = min_prob
        self.check_end = check_end
        self.batch_windows = batch_windows
        self.manifest = manifest or {}

    @classmethod
    def load(cls, bundle_dir: Path, *, top_g: int | None = None) -> LstmDetector:
        bundle_dir = Path(bundle_dir)
        m = read_manifest(bundle_dir)
        if m.get("kind") != cls.kind:
            raise ModelBundleError(f"{bundle_dir}: not an LSTM sequence bundle")
        try:
            vocab = [int(v) for v in m["vocab"]]
            window = int(m["window"])
            g = int(top_g if top_g is not None else m["top_g"])
            min_prob = float(m.get("min_prob", 1e-3))
        except KeyError as exc:
            raise ModelBundleError(
                f"{bundle_dir / 'manifest.json'}: an LSTM manifest needs {exc.args[0]!r}"
            ) from exc
        except (TypeError, ValueError) as exc:
            raise ModelBundleError(
                f"{bundle_dir / 'manifest.json'}: vocab, window, top_g or min_prob is not a "
                f"number ({exc})"
            ) from exc
        return cls(
            bundle_dir / "model.onnx",
            vocab,
            window=window,
            top_g=g,
            min_prob=min_prob,
            check_end=bool(m.get("check_end", True)),
            manifest=m,
        )

    def save(self, bundle_dir: Path, *, metrics: dict[str, Any] | None = None) -> None:
        bundle_dir = Path(bundle_dir)
        bundle_dir.mkdir(parents=True, exist_ok=True)
        target = bundle_dir / "model.onnx"
        if target.resolve() != self.onnx_path.resolve():
            target.write_bytes(self.onnx_path.read_bytes())
        manifest = {
            **self.manifest,
            "kind": self.kind,
            "window": self.window,
            "top_g": self.top_g,
            "min_prob": self.min_prob,
            "check_end": self.check_end,
            "vocab": self.vocab,
            "metrics": metrics if metrics is not None else self.manifest.get("metrics", {}),
        }
        manifest.pop("sha256", None)
        write_manifest(bundle_dir, manifest, ["model.onnx"])

    def tokens(self, session: Sequence[int]) -> list[int]:
        """Token indices of a session (unseen template ids become ``UNK``)."""
        return [self._index.get(int(t), UNK) for t in session]

    def logits(self, windows: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
        """Raw next-token scores for ``int64[n, window]`` contexts."""
        out = []
        for start in range(0, len(windows), self.batch_windows):
            chunk = np.ascontiguousarray(windows[start : start + self.batch_windows])
            out.append(self._session.run(["logits"], {"windows": chunk})[0])
        if not out:
            return np.zeros((0, len(self.vocab) + FIRST), dtype=np.float32)
        return np.concatenate(out).astype(np.float32, copy=False)

    def score(self, sessions: Sequence[Sequence[int]]) -> SessionVerdicts:
        w = self.window
        ctx_rows: list[npt.NDArray[np.int64]] = []
        labels: list[npt.NDArray[np.int64]] = []
        lengths = np.zeros(len(sessions), dtype=np.int64)
        for k, session in enumerate(sessions):
            toks = self.tokens(session)
            if self.check_end:
                toks.append(END)
            lengths[k] = len(toks)
            padded = np.array([PAD] * w + toks, dtype=np.int64)
            if toks:
                view = np.lib.stride_tricks.sliding_window_view(padded[:-1], w)
                ctx_rows.append(view)
                labels.append(padded[w:])
        n = len(sessions)
        anomalous = np.zeros(n, dtype=bool)
        position = np.full(n, -1, dtype=np.int64)
        template = np.full(n, -1, dtype=np.int64)
        misses = np.zeros(n, dtype=np.uint32)
        score = np.zeros(n, dtype=np.float32)
        if not ctx_rows:
            return _verdicts(anomalous, position, template, misses, score)
        ctx = np.concatenate(ctx_rows)
        y = np.concatenate(labels)
        # Sessions repeat: run the network once per distinct context.
        uniq, inverse = np.unique(ctx, axis=0, return_inverse=True)
        logits = self.logits(uniq)
        inverse = inverse.reshape(-1)
        shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
        probs = shifted / shifted.sum(axis=1, keepdims=True)
        target = logits[inverse, y]
        rank = (logits[inverse] > target[:, None]).sum(axis=1)
        miss = (rank >= self.top_g) | (probs[inverse, y] < self.min_prob) | (y == UNK)
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        for k in range(n):
            m = miss[offsets[k] : offsets[k + 1]]
            if lengths[k]:
                misses[k] = int(m.sum())
                score[k] = misses[k] / lengths[k]
            if misses[k]:
                anomalous[k] = True
                p = int(np.argmax(m))
                position[k] = p
                template[k] = int(sessions[k][p]) if p < len(sessions[k]) else -1
        return _verdicts(anomalous, position, template, misses, score)


def load_detector(bundle_dir: Path | str, *, top_g: int | None = None) -> SessionDetector:
    """The detector saved in ``bundle_dir`` (kind read from its manifest).

    Raises:
        ModelBundleError: missing, corrupt or unknown bundle.
    """
    bundle_dir = Path(bundle_dir)
    kind = read_manifest(bundle_dir).get("kind")
    if kind == "lstm":
        return LstmDetector.load(bundle_dir, top_g=top_g)
    if kind == "ngram":
        return NgramDetector.load(bundle_dir)
    if kind is None:
        raise ModelBundleError(
            f"{bundle_dir}: not a sequence bundle (its manifest names no 'kind'; "
            "`logtriage sequences train` writes one)"
        )
    raise ModelBundleError(f"{bundle_dir}: unknown sequence model kind {kind!r}")
