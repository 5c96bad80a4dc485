"""LightGBM on [embedding, text features, template stats] blended with the encoder head.

Shared by training (exporters) and the runtime so both build the exact same
feature matrix: :func:`feature_matrix`. Probabilities are blended as
``w * softmax(logits) + (1 - w) * p_lgbm`` and calibrated by temperature
(``p ** (1/T)`` renormalised), both fitted on a held-out split.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from logtriage.errors import ModelBundleError

__all__ = [
    "TEMPLATE_STAT_NAMES",
    "Ensemble",
    "apply_temperature",
    "blend",
    "feature_matrix",
    "softmax",
    "template_stats",
]

TEMPLATE_STAT_NAMES = ["tpl_tokens", "tpl_wildcards", "tpl_wildcard_frac", "tpl_chars"]
_WILDCARD = re.compile(r"<[^<>\s]*>")


def template_stats(texts: list[str]) -> npt.NDArray[np.float32]:
    """Per template: token count, wildcard count, wildcard fraction, characters."""
    out = np.zeros((len(texts), len(TEMPLATE_STAT_NAMES)), dtype=np.float32)
    for i, t in enumerate(texts):
        toks = t.split()
        wild = len(_WILDCARD.findall(t))
        out[i] = (len(toks), wild, wild / max(len(toks), 1), len(t))
    return out


def text_features(texts: list[str]) -> tuple[npt.NDArray[np.float32], list[str]]:
    """The Rust text-complexity features (``logtriage._core.features_batch``)."""
    from logtriage._core import features_batch

    feats, names = features_batch(texts)
    return np.asarray(feats, dtype=np.float32).reshape(len(texts), len(names)), list(names)


def feature_matrix(
    embedding: npt.NDArray[np.float32], texts: list[str], names: list[str] | None = None
) -> tuple[npt.NDArray[np.float32], list[str]]:
    """``[embedding | text features | template stats]`` and the text feature names.

    ``names`` selects (and orders) the text feature columns by name, so a bundle keeps
    working when the runtime adds features; all of them must exist (checked at load)."""
    feats, runtime_names = text_features(texts)
    if names is None:
        names = runtime_names
    elif names != runtime_names:
        pos = {n: i for i, n in enumerate(runtime_names)}
        feats = feats[:, [pos[n] for n in names]]
    stats = template_stats(texts)
    return np.hstack([embedding.astype(np.float32), feats, stats]), names


def softmax(logits: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
    z = logits.astype(np.float64)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True))


def blend(
    p_encoder: npt.NDArray[np.float64], p_lgbm: npt.NDArray[np.float64], w_encoder: float
) -> npt.NDArray[np.float64]:
    return np.asarray(w_encoder * p_encoder + (1.0 - w_encoder) * p_lgbm)


def apply_temperature(p: npt.NDArray[np.float64], temperature: float) -> npt.NDArray[np.float64]:
    """Temperature scaling on log-probabilities: ``softmax(log p / T)``."""
    logp = np.log(np.clip(p, 1e-12, 1.0)) / temperature
    return softmax(logp.astype(np.float64))


class Ensemble:
    """The LightGBM booster plus calibration parameters of a bundle.

    Arguments:
        lgbm_path: LightGBM model text file.
        calibration: parsed calibration.json (``encoder_weight``, ``temperature``).
        n_labels: number of labels the manifest declares.
        n_features: columns the booster must take (embedding + features + stats).
        threads: LightGBM prediction threads (the encoder's count: a cold 512-template
            batch predicts 1,400 trees per row, about 30% faster on 2 threads than 1).
    """

    def __init__(
        self,
        lgbm_path: Path,
        calibration: dict[str, Any],
        n_labels: int,
        n_features: int,
        *,
        threads: int = 1,
    ) -> None:
        import lightgbm as lgb

        self.threads = threads

        try:
            self.booster = lgb.Booster(model_file=str(lgbm_path))
        except Exception as exc:  # lightgbm raises LightGBMError / others
            raise ModelBundleError(f"{lgbm_path}: cannot load LightGBM model ({exc})") from exc
        if self.booster.num_feature() != n_features:
            raise ModelBundleError(
                f"{lgbm_path}: booster takes {self.booster.num_feature()} features, the input "
                f"spec in manifest.json implies {n_features}"
            )
        classes = self.booster.num_model_per_iteration()
        if classes != n_labels:
            raise ModelBundleError(
                f"{lgbm_path}: booster has {classes} classes, manifest.json lists {n_labels} labels"
            )
        self.encoder_weight = float(calibration.get("encoder_weight", 0.5))
        self.temperature = float(calibration["temperature"])
        if not (0.0 <= self.encoder_weight <= 1.0) or self.temperature <= 0:
            raise ModelBundleError("calibration.json: encoder_weight or temperature out of range")

    def predict_proba(
        self, x: npt.NDArray[np.float32], logits: npt.NDArray[np.float32]
    ) -> npt.NDArray[np.float64]:
        """Calibrated class probabilities ``float64[n, n_labels]``."""
        p_lgbm = np.asarray(self.booster.predict(x, num_threads=self.threads), dtype=np.float64)
        p = blend(softmax(logits), p_lgbm, self.encoder_weight)
        return apply_temperature(p, self.temperature)
