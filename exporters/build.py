"""``logtriage model build``: data → templates → fine-tuned encoder → ONNX int8 →
LightGBM → ensemble weights + temperature on a held-out split → bundle.

Everything is seeded; the same data, base model and options give the same bundle
metrics. Splits are by template (a template never sits in two splits).
"""

from __future__ import annotations

import contextlib
import json
import platform
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
from logtriage.labels import UNCLASSIFIED
from logtriage.model.bundle import MANIFEST_FILE

from exporters.data import (
    DEFAULT_ANOMALY_LABELS,
    Example,
    TemplateSet,
    grouped_split,
    mine_templates,
)

__all__ = [
    "BuildOptions",
    "build_bundle",
    "check_out_dir",
    "effective_epochs",
    "fit_calibration",
    "staged_dir",
    "template_weights",
    "train_lgbm",
]


@dataclass
class BuildOptions:
    """Options of :func:`build_bundle` (defaults suit 2 shared CPU cores)."""

    base_model: str = "all-MiniLM-L6-v2"
    name: str = "logtriage-custom"
    seed: int = 0
    epochs: int = 2
    min_steps: int = 100
    max_seq_len: int = 64
    batch_size: int = 32
    lr: float = 5e-5
    lgbm_rounds: int = 200
    min_confidence: float = 0.4
    split: tuple[float, float, float] = (0.7, 0.15, 0.15)
    max_templates: int = 4000
    line_weighted: bool = False
    anomaly_labels: list[str] | None = None
    data_description: str = ""
    keep_fp32: bool = False
    fp32_copy: Path | None = None
    log: Callable[[str], None] = field(default=lambda s: None)


def effective_epochs(epochs: int, n_train: int, batch_size: int, min_steps: int) -> int:
    """``epochs``, raised until fine-tuning takes at least ``min_steps`` optimiser steps.

    A small CSV mines into few templates, hence few steps per epoch: 202 templates give
    7 steps, too few for the head to learn (seed CSV: macro-F1 0.76 at 1 epoch, 0.89 at
    8). 0 (a frozen encoder) stays 0."""
    if epochs <= 0 or n_train <= 0:
        return epochs
    steps_per_epoch = -(-n_train // batch_size)
    return max(epochs, -(-min_steps // steps_per_epoch))


def template_weights(counts: np.ndarray, line_weighted: bool) -> np.ndarray:
    """Training weight of each template: its line count, or ``1 + log(count)``.

    Line weights match a line-level score on data like the training data; log weights
    keep a chatty template from drowning rare ones (the generated default data, where
    line counts are the generator's choice)."""
    return counts.astype(np.float64) if line_weighted else 1.0 + np.log(counts)


def train_lgbm(
    x: np.ndarray,
    y: np.ndarray,
    n_labels: int,
    *,
    seed: int,
    rounds: int,
    weight: np.ndarray | None = None,
) -> Any:
    """A deterministic multiclass LightGBM booster."""
    import lightgbm as lgb

    n = len(y)
    params = {
        "objective": "multiclass",
        "num_class": n_labels,
        "learning_rate": 0.08,
        "num_leaves": 15,
        "min_data_in_leaf": max(1, min(10, n // 30)),
        "min_sum_hessian_in_leaf": 1e-3,
        "feature_fraction": 0.3,
        "bagging_fraction": 0.9,
        "bagging_freq": 1,
        "lambda_l2": 1.0,
        "seed": seed,
        "deterministic": True,
        "force_row_wise": True,
        "num_threads": 2,
        "verbose": -1,
    }
    ds = lgb.Dataset(x, label=y, weight=weight, free_raw_data=False)
    return lgb.train(params, ds, num_boost_round=rounds)


def _nll(p: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    return float(-(np.log(np.clip(p[np.arange(len(y)), y], 1e-12, 1.0)) * w).sum() / w.sum())


def fit_calibration(
    p_enc: np.ndarray, p_lgbm: np.ndarray, y: np.ndarray, w: np.ndarray, *, fine_tuned: bool
) -> dict[str, float]:
    """Encoder weight (grid 0..1) then temperature (grid 0.25..4) minimising held-out NLL."""
    from logtriage.model.ensemble import apply_temperature, blend

    if len(y) == 0:
        return {"encoder_weight": 0.5 if fine_tuned else 0.0, "temperature": 1.0}
    grid = np.linspace(0.0, 1.0, 11) if fine_tuned else np.array([0.0])
    best_w = min(grid, key=lambda g: _nll(blend(p_enc, p_lgbm, float(g)), y, w))
    p = blend(p_enc, p_lgbm, float(best_w))
    temps = np.geomspace(0.25, 4.0, 41)
    best_t = min(temps, key=lambda t: _nll(apply_temperature(p, float(t)), y, w))
    return {"encoder_weight": round(float(best_w), 3), "temperature": round(float(best_t), 4)}


def _metrics(y: np.ndarray, pred: np.ndarray, w: np.ndarray, labels: list[str]) -> dict[str, Any]:
    from sklearn.metrics import f1_score

    present = sorted(set(y.tolist()))
    return {
        "macro_f1": round(
            float(
                f1_score(y, pred, labels=present, average="macro", sample_weight=w, zero_division=0)
            ),
            4,
        ),
        "accuracy": round(float(((y == pred) * w).sum() / w.sum()), 4),
        "n_templates": len(y),
        "n_lines": int(w.sum()),
        "labels_present": [labels[i] for i in present],
    }


def _subsample(ts: TemplateSet, max_templates: int, seed: int) -> list[int]:
    """Template indices to train on: all, or a label-stratified sample of ``max_templates``."""
    n = len(ts.texts)
    if n <= max_templates:
        return list(range(n))
    part = grouped_split(ts.labels, (max_templates / n, 1 - max_templates / n), seed=seed)[0]
    return part


def build_bundle(examples: list[Example], out: Path, opts: BuildOptions) -> dict[str, Any]:
    """Train and write a bundle to ``out``; returns its manifest. ``out`` must be new,
    empty or a bundle, which is replaced only when the build succeeds."""
    from exporters.encoder import resolve_base_model, seed_everything

    t0 = time.perf_counter()
    log = opts.log
    check_out_dir(out)
    seed_everything(opts.seed)
    ts = mine_templates(examples)
    keep = _subsample(ts, opts.max_templates, opts.seed)
    labels = sorted({ts.labels[i] for i in keep})
    if len(labels) < 2:
        raise ValueError("training data needs at least 2 labels")
    if UNCLASSIFIED in labels:
        raise ValueError(
            f"{UNCLASSIFIED!r} cannot be a training label: the runtime gives it to lines "
            "below min_confidence (rename that label, or leave those rows out)"
        )
    base_dir = resolve_base_model(opts.base_model)
    with staged_dir(out) as staging:
        manifest = _train_and_write(
            examples, ts, keep, labels, staging, opts, base_dir=base_dir, started=t0
        )
    log(
        f"bundle {manifest['version']} written to {out} (test macro-F1 "
        f"{manifest['metrics']['test'].get('macro_f1', float('nan'))})"
    )
    return manifest


def check_out_dir(out: Path) -> None:
    """Refuse an ``--out`` whose files are not a bundle: building replaces it whole."""
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} is a file; give a directory for the bundle")
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST_FILE).is_file():
        raise ValueError(
            f"--out {out} holds files that are not a model bundle; give a new or empty "
            "directory (an existing bundle there is replaced when the build succeeds)"
        )


@contextlib.contextmanager
def staged_dir(out: Path) -> Iterator[Path]:
    """A fresh directory beside ``out`` to build in; it replaces ``out`` (and what was
    there) only when the block succeeds, and is removed when it fails."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        out.rename(old / out.name)
    staging.rename(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _train_and_write(
    examples: list[Example],
    ts: TemplateSet,
    keep: list[int],
    labels: list[str],
    out: Path,
    opts: BuildOptions,
    *,
    base_dir: Path,
    started: float,
) -> dict[str, Any]:
    """Fine-tune, export, quantize, train LightGBM and calibrate into ``out``."""
    from logtriage.model.bundle import (
        CALIBRATION_FILE,
        ENCODER_FILE,
        LGBM_FILE,
        TOKENIZER_FILE,
        write_manifest,
    )
    from logtriage.model.encoder import Encoder
    from logtriage.model.ensemble import (
        TEMPLATE_STAT_NAMES,
        apply_temperature,
        blend,
        feature_matrix,
        softmax,
    )

    from exporters.encoder import export_onnx, finetune, load_base, quantize_int8, save_tokenizer

    log = opts.log
    lab_idx = {y: i for i, y in enumerate(labels)}
    texts = [ts.texts[i] for i in keep]
    y_all = np.array([lab_idx[ts.labels[i]] for i in keep], dtype=np.int64)
    counts = np.array([ts.counts[i] for i in keep], dtype=np.float64)
    sample_w = template_weights(counts, opts.line_weighted)
    anomaly_labels = _anomaly_labels(ts, keep, labels, opts.anomaly_labels)
    log(f"{len(examples)} lines → {len(ts.texts)} templates ({len(keep)} used), labels {labels}")
    parts = grouped_split([ts.labels[i] for i in keep], opts.split, seed=opts.seed)
    tr, cal, te = (np.array(p, dtype=np.int64) for p in parts)

    tok_path = out / TOKENIZER_FILE
    save_tokenizer(base_dir, tok_path)
    model = load_base(base_dir, len(labels))
    epochs = effective_epochs(opts.epochs, len(tr), opts.batch_size, opts.min_steps)
    raised = ""
    if epochs > opts.epochs:
        raised = f" (raised from {opts.epochs} to reach {opts.min_steps} steps)"
    if epochs:
        log(f"fine-tuning {opts.base_model} for {epochs} epoch(s){raised} on {len(tr)} templates")
    else:
        log(f"{opts.base_model}: encoder frozen (--epochs 0)")
    model = finetune(
        model,
        tok_path,
        [texts[i] for i in tr],
        y_all[tr].tolist(),
        epochs=epochs,
        max_len=opts.max_seq_len,
        seed=opts.seed,
        batch_size=opts.batch_size,
        lr=opts.lr,
        weights=sample_w[tr].tolist(),
        log=log,
    )
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "encoder.fp32.onnx"
        export_onnx(model, fp32)
        quantize_int8(fp32, out / ENCODER_FILE)
        if opts.keep_fp32:
            shutil.copyfile(fp32, out / "encoder.fp32.onnx")
        if opts.fp32_copy is not None:  # outside the bundle, e.g. for int8-vs-fp32 benches
            opts.fp32_copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(fp32, opts.fp32_copy)
    log("exported and quantized; embedding templates with the int8 encoder")
    enc = Encoder(out / ENCODER_FILE, tok_path, max_seq_len=opts.max_seq_len, batch_size=64)
    eo = enc.encode(texts)
    x, feat_names = feature_matrix(eo.embedding, texts)
    booster = train_lgbm(
        x[tr], y_all[tr], len(labels), seed=opts.seed, rounds=opts.lgbm_rounds, weight=sample_w[tr]
    )
    booster.save_model(str(out / LGBM_FILE))
    p_enc = softmax(eo.logits)
    p_lgbm = np.asarray(booster.predict(x, num_threads=1), dtype=np.float64)
    fine_tuned = opts.epochs > 0
    calib = fit_calibration(p_enc[cal], p_lgbm[cal], y_all[cal], counts[cal], fine_tuned=fine_tuned)
    calib_doc = {
        **calib,
        "anomaly_score_weights": {"model": 0.8, "novelty": 0.1, "rarity": 0.1},
        "fitted_on": {"split": "calibration", "n_templates": len(cal)},
    }
    (out / CALIBRATION_FILE).write_text(json.dumps(calib_doc, indent=2) + "\n", "utf-8")
    p = apply_temperature(blend(p_enc, p_lgbm, calib["encoder_weight"]), calib["temperature"])
    pred = p.argmax(axis=1)
    metrics: dict[str, Any] = {
        "test": _metrics(y_all[te], pred[te], counts[te], labels) if len(te) else {},
        "test_lgbm_only": _metrics(y_all[te], p_lgbm[te].argmax(1), counts[te], labels)
        if len(te)
        else {},
        "test_encoder_head_only": _metrics(y_all[te], p_enc[te].argmax(1), counts[te], labels)
        if len(te) and fine_tuned
        else {},
        "calibration": _metrics(y_all[cal], pred[cal], counts[cal], labels) if len(cal) else {},
        "train": _metrics(y_all[tr], pred[tr], counts[tr], labels),
        "note": "template-grouped split; line-weighted (each template counts its lines)",
    }
    manifest: dict[str, Any] = {
        "name": opts.name,
        "created_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "labels": labels,
        "anomaly_labels": anomaly_labels,
        "thresholds": {"min_confidence": opts.min_confidence, "anomaly": 0.5},
        "input": {
            "text": "template",
            "max_seq_len": opts.max_seq_len,
            "embedding_dim": int(eo.embedding.shape[1]),
            "feature_names": feat_names,
            "template_stats": TEMPLATE_STAT_NAMES,
            "encoder_inputs": enc.input_names,
            "encoder_outputs": ["embedding", "logits"],
        },
        "encoder": {
            "base_model": opts.base_model,
            "architecture": getattr(model.base.config, "model_type", "unknown"),
            "quantization": "onnxruntime dynamic int8 (QInt8 weights)",
            "fine_tuned_epochs": epochs,
            "pooling": "mean, L2-normalised",
        },
        "metrics": metrics,
        "training": {
            "data": opts.data_description,
            "seed": opts.seed,
            "n_lines": len(examples),
            "n_templates": len(ts.texts),
            "n_templates_used": len(keep),
            "split_templates": {"train": len(tr), "calibration": len(cal), "test": len(te)},
            "lgbm_rounds": opts.lgbm_rounds,
            "python": platform.python_version(),
            "seconds": round(time.perf_counter() - started, 1),
        },
    }
    if opts.keep_fp32:
        manifest["extra_files"] = ["encoder.fp32.onnx"]
    return write_manifest(out, manifest)


def _anomaly_labels(
    ts: TemplateSet, keep: list[int], labels: list[str], given: list[str] | None
) -> list[str]:
    if given is not None:
        return [y for y in given if y in labels]
    flagged: dict[str, list[bool]] = {}
    for i in keep:
        if ts.anomaly[i] is not None:
            flagged.setdefault(ts.labels[i], []).append(bool(ts.anomaly[i]))
    if flagged:
        return [y for y in labels if y in flagged and np.mean(flagged[y]) > 0.5]
    return [y for y in labels if y in DEFAULT_ANOMALY_LABELS]
