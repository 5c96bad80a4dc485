"""``logtriage model eval``: run a bundle through the Pipeline on labelled lines and write
a report (per-class P/R/F1, macro-F1, anomaly F1, confusion-matrix PNG, latency)."""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
from logtriage.config import Settings, load_settings
from logtriage.wording import counted

from exporters.data import DEFAULT_ANOMALY_LABELS, Example

__all__ = ["anomaly_f1_text", "evaluate_bundle", "line_scores"]


def line_scores(
    y_true: list[str], y_pred: list[str], a_true: list[bool], a_pred: list[bool]
) -> dict[str, Any]:
    """Line-level scores with the conventions of ``tools/eval_classify.py``: macro-F1 over
    the labels present in ``y_true``; anomaly F1 on the flags."""
    from sklearn.metrics import f1_score, precision_recall_fscore_support

    present = sorted(set(y_true))
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=present, zero_division=0)
    per_class = {
        c: {
            "precision": float(p[i]),
            "recall": float(r[i]),
            "f1": float(f[i]),
            "support": int(s[i]),
        }
        for i, c in enumerate(present)
    }
    tp = sum(1 for t, q in zip(a_true, a_pred, strict=True) if t and q)
    fp = sum(1 for t, q in zip(a_true, a_pred, strict=True) if q and not t)
    fn = sum(1 for t, q in zip(a_true, a_pred, strict=True) if t and not q)
    anom = 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)
    return {
        "macro_f1": float(np.mean([per_class[c]["f1"] for c in present])),
        "anomaly_f1": anom if (tp + fn) else float("nan"),
        "accuracy": float(np.mean([a == b for a, b in zip(y_true, y_pred, strict=True)])),
        "per_class": per_class,
        "n": len(y_true),
        "weighted_f1": float(
            f1_score(y_true, y_pred, labels=present, average="weighted", zero_division=0)
        ),
    }


def _confusion_png(y_true: list[str], y_pred: list[str], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import confusion_matrix

    rows = sorted(set(y_true))
    cols = rows + sorted(set(y_pred) - set(rows))
    cm = confusion_matrix(y_true, y_pred, labels=cols)[: len(rows)]
    fig, ax = plt.subplots(figsize=(1.2 * len(cols) + 3, 0.8 * len(rows) + 2.5))
    ax.imshow(cm / np.maximum(cm.sum(axis=1, keepdims=True), 1), cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(cols)), cols, rotation=35, ha="right")
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    for i in range(len(rows)):
        for j in range(len(cols)):
            if cm[i, j]:
                ax.text(j, i, str(cm[i, j]), ha="center", va="center", fontsize=8)
    ax.set_title("confusion matrix (lines, row-normalised colour)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def evaluate_bundle(
    bundle: Path,
    examples: list[Example],
    out: Path,
    *,
    settings: Settings | None = None,
    data_description: str = "",
) -> dict[str, Any]:
    """Score ``bundle`` on ``examples`` as ``logtriage classify`` labels lines: through
    the Pipeline (rules, then the model) with ``settings`` (default: the defaults and
    ``LOGTRIAGE_*``), its ``model`` section pointed at ``bundle``."""
    from logtriage.model import Classifier
    from logtriage.pipeline import Pipeline

    settings = settings if settings is not None else load_settings(None)
    model = settings.model.model_copy(update={"bundle": bundle, "enabled": True})
    clf = Classifier.from_settings(model)
    assert clf is not None  # enabled, with a bundle
    b = clf.bundle
    out.mkdir(parents=True, exist_ok=True)
    pipe = Pipeline(settings, labeler=clf)
    messages = [e.message for e in examples]
    y_pred: list[str] = []
    a_pred: list[bool] = []
    cold_ms: list[float] = []
    for start in range(0, len(messages), 512):
        t = time.perf_counter()
        res = pipe.process_batch(messages[start : start + 512])
        cold_ms.append((time.perf_counter() - t) * 1000)
        y_pred += res.labels.label
        a_pred += res.labels.anomaly.tolist()
    t = time.perf_counter()
    for start in range(0, len(messages), 4096):
        pipe.process_batch(messages[start : start + 4096])
    warm_s = time.perf_counter() - t
    anomaly_labels = set(b.anomaly_labels) or set(DEFAULT_ANOMALY_LABELS)
    a_true = [e.anomaly if e.anomaly is not None else e.label in anomaly_labels for e in examples]
    y_true = [e.label for e in examples]
    known = set(b.labels)
    foreign = Counter(label for label in y_true if label not in known)
    scores = line_scores(y_true, y_pred, a_true, a_pred)
    _confusion_png(y_true, y_pred, out / "confusion.png")
    report = {
        "bundle": str(bundle),
        "model_version": b.version,
        "data": data_description,
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        **scores,
        "labels_not_in_bundle": dict(foreign.most_common()),
        "unclassified_rate": float(np.mean([y == "Unclassified" for y in y_pred])),
        "latency": {
            "first_pass_ms_per_512_lines_p50": float(np.percentile(cold_ms, 50)),
            "first_pass_ms_per_512_lines_p99": float(np.percentile(cold_ms, 99)),
            "warm_lines_per_s": len(messages) / warm_s if warm_s > 0 else float("inf"),
        },
    }
    # Strict JSON: an anomaly F1 that is undefined (no anomalies in the data) is null.
    as_json = {
        **report,
        "anomaly_f1": None if np.isnan(scores["anomaly_f1"]) else scores["anomaly_f1"],
    }
    (out / "report.json").write_text(json.dumps(as_json, indent=2) + "\n", "utf-8")
    (out / "report.md").write_text(_markdown(report), "utf-8")
    return report


def anomaly_f1_text(value: float) -> str:
    """``0.1234``, or ``n/a`` when the data holds no anomalies (F1 undefined)."""
    return "n/a (no anomalies in the data)" if np.isnan(value) else f"{value:.4f}"


def _markdown(r: dict[str, Any]) -> str:
    foreign = ", ".join(f"{k} ({counted(v, 'line')})" for k, v in r["labels_not_in_bundle"].items())
    lines = [
        f"# Evaluation of `{r['model_version']}`",
        "",
        f"- data: `{r['data']}` ({r['n']} lines), {r['date']}",
        *([f"- labels the bundle cannot give (counted wrong): {foreign}"] if foreign else []),
        f"- macro-F1 **{r['macro_f1']:.4f}**, accuracy {r['accuracy']:.4f}, "
        f"anomaly F1 **{anomaly_f1_text(r['anomaly_f1'])}**, "
        f"Unclassified {r['unclassified_rate']:.2%}",
        f"- latency: first pass p50 {r['latency']['first_pass_ms_per_512_lines_p50']:.1f} ms / "
        f"p99 {r['latency']['first_pass_ms_per_512_lines_p99']:.1f} ms per 512 lines; warm "
        f"{r['latency']['warm_lines_per_s']:,.0f} lines/s (Pipeline incl. mining)",
        "",
        "| label | precision | recall | F1 | support |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for c, m in r["per_class"].items():
        lines.append(
            f"| {c} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['support']} |"
        )
    lines += ["", "![confusion matrix](confusion.png)", ""]
    return "\n".join(lines)
