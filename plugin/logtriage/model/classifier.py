"""The runtime classifier: template cache → ONNX encoder + LightGBM → calibrated label.

Implements :class:`logtriage.labels.Labeler`; the :class:`~logtriage.pipeline.Pipeline`
applies rules first and calls :meth:`Classifier.label_batch` only for the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from logtriage.config.model import ModelSettings
from logtriage.errors import ModelBundleError
from logtriage.labels import UNCLASSIFIED, LabelColumns
from logtriage.model.bundle import (
    ENCODER_FILE,
    LGBM_FILE,
    MANIFEST_FILE,
    TOKENIZER_FILE,
    Bundle,
    configured_bundle_path,
    load_bundle,
)
from logtriage.model.cache import CacheEntry, TemplateCache
from logtriage.model.encoder import Encoder
from logtriage.model.ensemble import TEMPLATE_STAT_NAMES, Ensemble, feature_matrix, text_features

__all__ = ["Classifier", "Predictions"]

_DEFAULT_SCORE_WEIGHTS = {"model": 0.8, "novelty": 0.1, "rarity": 0.1}


@dataclass(frozen=True)
class Predictions:
    """Uncached per-text output of the model (no threshold applied)."""

    probs: npt.NDArray[np.float64]
    label_idx: npt.NDArray[np.int64]
    confidence: npt.NDArray[np.float32]
    anomaly_prob: npt.NDArray[np.float32]


class Classifier:
    """Labels template texts with a bundle, caching per template.

    Arguments:
        bundle: a loaded :class:`Bundle` or a bundle directory.
        min_confidence: below it a line is ``Unclassified``; ``None`` takes the bundle's.
        anomaly_threshold: anomaly probability that flags a line; ``None`` takes the bundle's.
        max_seq_len: token cap (``None``: the bundle's ``input.max_seq_len``).
        batch_size: texts per encoder call.
        cache_size: templates kept in the cache.
        threads: encoder batches run at once and LightGBM prediction threads.
        max_text_bytes: the model (and the cache) see at most this many UTF-8 bytes of a
            template; its tail would not change the label (the encoder reads
            ``max_seq_len`` tokens) but would be tokenized, featurised and cached.

    Raises:
        ModelBundleError: the bundle is corrupt or does not match this runtime (e.g. the
            Rust text features have other names than the bundle was trained with).
    """

    def __init__(
        self,
        bundle: Bundle | Path | str,
        *,
        min_confidence: float | None = None,
        anomaly_threshold: float | None = None,
        max_seq_len: int | None = None,
        batch_size: int = 64,
        cache_size: int = 100_000,
        threads: int | None = None,
        max_text_bytes: int = 16_384,
    ) -> None:
        self.max_text_bytes = max_text_bytes
        self.bundle = bundle if isinstance(bundle, Bundle) else load_bundle(bundle)
        b = self.bundle
        spec = b.input_spec
        thresholds = b.manifest["thresholds"]
        self.min_confidence = float(
            min_confidence if min_confidence is not None else thresholds.get("min_confidence", 0.5)
        )
        self.anomaly_threshold = float(
            anomaly_threshold if anomaly_threshold is not None else thresholds.get("anomaly", 0.5)
        )
        _, runtime_names = text_features([""])
        self.feature_names = [str(n) for n in spec["feature_names"]]
        missing = [n for n in self.feature_names if n not in runtime_names]
        if missing or len(set(self.feature_names)) != len(self.feature_names):
            raise ModelBundleError(
                f"{b.file(MANIFEST_FILE)}: input feature names {self.feature_names} "
                f"do not match this runtime's logtriage._core.features_batch names "
                f"{runtime_names} (missing: {missing}); rebuild the bundle with this "
                "version of logtriage"
            )
        if list(spec["template_stats"]) != TEMPLATE_STAT_NAMES:
            raise ModelBundleError(
                f"{b.file(MANIFEST_FILE)}: template stats {spec['template_stats']} do not match "
                f"this runtime's {TEMPLATE_STAT_NAMES}"
            )
        cap = int(spec["max_seq_len"]) if max_seq_len is None else min(max_seq_len, 512)
        self.encoder = Encoder(
            b.file(ENCODER_FILE),
            b.file(TOKENIZER_FILE),
            max_seq_len=cap,
            batch_size=batch_size,
            threads=threads,
        )
        n_features = int(spec["embedding_dim"]) + len(self.feature_names) + len(TEMPLATE_STAT_NAMES)
        self.ensemble = Ensemble(
            b.file(LGBM_FILE),
            b.calibration,
            len(b.labels),
            n_features,
            threads=self.encoder.threads,
        )
        self.labels = b.labels
        self._label_names = np.array([*self.labels, UNCLASSIFIED], dtype=object)
        self._anomaly_idx = np.array(
            [self.labels.index(x) for x in b.anomaly_labels], dtype=np.int64
        )
        w = {**_DEFAULT_SCORE_WEIGHTS, **b.calibration.get("anomaly_score_weights", {})}
        self._w_model, self._w_novel, self._w_rare = w["model"], w["novelty"], w["rarity"]
        self.cache = TemplateCache(cache_size)
        self._version = b.version
        self._check_embedding_dim(int(spec["embedding_dim"]))

    def _check_embedding_dim(self, dim: int) -> None:
        out = self.encoder.encode(["probe"])
        if out.embedding.shape[1] != dim:
            raise ModelBundleError(
                f"{self.bundle.file(ENCODER_FILE)}: embedding has {out.embedding.shape[1]} "
                f"dimensions, manifest.json says {dim}"
            )
        if out.logits.shape[1] != len(self.labels):
            raise ModelBundleError(
                f"{self.bundle.file(ENCODER_FILE)}: head has {out.logits.shape[1]} outputs, "
                f"manifest.json lists {len(self.labels)} labels"
            )

    @classmethod
    def from_settings(cls, settings: ModelSettings) -> Classifier | None:
        """The classifier the settings ask for: ``settings.bundle`` or the shipped default;
        ``None`` when the model is disabled or no bundle exists (templates and rules only)."""
        path = configured_bundle_path(settings)
        if path is None:
            return None
        clf = cls(
            path,
            min_confidence=settings.min_confidence,
            anomaly_threshold=settings.anomaly_threshold,
            max_seq_len=settings.max_seq_len,
            batch_size=settings.batch_size,
            cache_size=settings.cache_size,
            threads=settings.threads,
            max_text_bytes=settings.max_message_bytes,
        )
        if settings.cache_path is not None and Path(settings.cache_path).is_file():
            clf.cache.load(Path(settings.cache_path), version=clf.model_version)
        return clf

    @property
    def model_version(self) -> str:
        return self._version

    def predict_texts(self, texts: list[str]) -> Predictions:
        """Run the model on template texts (no cache, no threshold)."""
        out = self.encoder.encode(texts)
        x, _ = feature_matrix(out.embedding, texts, self.feature_names)
        probs = self.ensemble.predict_proba(x, out.logits)
        idx = probs.argmax(axis=1)
        conf = probs[np.arange(len(texts)), idx].astype(np.float32)
        anom = (
            probs[:, self._anomaly_idx].sum(axis=1).astype(np.float32)
            if len(self._anomaly_idx)
            else np.zeros(len(texts), np.float32)
        )
        return Predictions(probs=probs, label_idx=idx, confidence=conf, anomaly_prob=anom)

    def label_batch(
        self,
        messages: list[str],
        template_ids: npt.NDArray[np.uint32],
        template_texts: list[str],
        changes: npt.NDArray[np.uint8],
    ) -> LabelColumns:
        """Label lines by their template: cached templates cost a lookup, new or
        generalised ones go through the model once per batch."""
        n = len(messages)
        if n == 0:
            z = np.zeros(0, np.float32)
            return LabelColumns([], z, np.zeros(0, np.bool_), z)
        ids = np.asarray(template_ids, dtype=np.int64)
        uniq, first, inv, counts = np.unique(
            ids, return_index=True, return_inverse=True, return_counts=True
        )
        version = self._version
        m = len(uniq)
        label_u = np.empty(m, dtype=np.int64)
        conf_u = np.empty(m, dtype=np.float32)
        anom_u = np.empty(m, dtype=np.float32)
        count_u = np.empty(m, dtype=np.float32)
        entries: list[CacheEntry | None] = []
        missing: list[int] = []
        head_texts = [_utf8_head(template_texts[fi], self.max_text_bytes) for fi in first.tolist()]
        for k, tid in enumerate(uniq.tolist()):
            e = self.cache.get(version, tid, head_texts[k])
            entries.append(e)
            if e is None:
                missing.append(k)
        if missing:
            texts = [head_texts[k] for k in missing]
            pred = self.predict_texts(texts)
            for j, k in enumerate(missing):
                e = CacheEntry(
                    text=texts[j],
                    label_idx=int(pred.label_idx[j]),
                    confidence=float(pred.confidence[j]),
                    anomaly_prob=float(pred.anomaly_prob[j]),
                )
                self.cache.put(version, int(uniq[k]), e)
                entries[k] = e
        for k, e in enumerate(entries):
            assert e is not None
            e.count += int(counts[k])
            label_u[k] = e.label_idx
            conf_u[k] = e.confidence
            anom_u[k] = e.anomaly_prob
            count_u[k] = e.count
        label_u[conf_u < self.min_confidence] = len(self.labels)
        labels = self._label_names[label_u[inv]].tolist()
        confidence = conf_u[inv]
        p_anom = anom_u[inv]
        novelty = (np.asarray(changes) == 1).astype(np.float32)
        rarity = 1.0 / np.sqrt(count_u[inv])
        score = self._w_model * p_anom + self._w_novel * novelty + self._w_rare * rarity
        return LabelColumns(
            label=labels,
            confidence=confidence,
            anomaly=p_anom >= self.anomaly_threshold,
            anomaly_score=np.clip(score, 0.0, 1.0).astype(np.float32),
        )

    def save_cache(self, path: Path) -> None:
        self.cache.save(path)

    def load_cache(self, path: Path) -> int:
        """Load entries of this model version; returns how many."""
        return self.cache.load(path, version=self._version)


def _utf8_head(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes, never inside a character."""
    if len(text) * 4 <= limit:  # cannot exceed it even if every character takes 4 bytes
        return text
    data = text.encode("utf-8", "surrogatepass")
    if len(data) <= limit:
        return text
    cut = limit
    while cut > 0 and data[cut] & 0xC0 == 0x80:  # a continuation byte: step back to its start
        cut -= 1
    return data[:cut].decode("utf-8", "surrogatepass")
