"""Classifier latency on this machine.

- warm path: lines whose templates are cached, through ``Classifier.label_batch``
  (target ≥ 200,000 lines/s) and end to end through ``Pipeline.process_batch``
  (mining + rules + classifier; the miner's cost is the core's);
- cold path: every line a new template, ms per 512-line batch, p50/p99 (target p99 < 200 ms);
- int8 vs fp32 label agreement (target ≥ 99 %) and int8 speed-up on the encoder;
- peak RSS of a fresh process that loads the bundle and classifies (target < 500 MB).

Lines are the 24,000 LogHub-2k messages (read in place from shared data).

    python bench/classify_latency.py [--model BUNDLE] [--fp32 ONNX] [--repeats 5]
"""

from __future__ import annotations

import argparse
import csv
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from _common import peak_rss_mb
from _model_common import ROOT, SYSTEMS, append_results, shared_data
from logtriage.config import ModelSettings, Settings
from logtriage.model import Classifier, default_bundle_path
from logtriage.model.encoder import Encoder
from logtriage.pipeline import Pipeline

DEFAULT_FP32 = ROOT / "out" / "default-fp32" / "encoder.fp32.onnx"


def loghub_messages() -> list[str]:
    out: list[str] = []
    for s in SYSTEMS:
        path = shared_data() / "loghub-2k" / s / f"{s}_2k.log_structured.csv"
        with path.open(newline="", encoding="utf-8", errors="replace") as f:
            out += [r["Content"] for r in csv.DictReader(f)]
    return out


def mined(messages: list[str]) -> tuple[np.ndarray, list[str]]:
    pipe = Pipeline(Settings())
    batch = pipe.process_batch(messages)
    return batch.template_ids, batch.template_texts


def runtime_classifier(bundle: Path) -> Classifier:
    """The classifier as `logtriage` runs it: the bundle under the default model settings
    (token cap, batch size, threads)."""
    clf = Classifier.from_settings(ModelSettings(bundle=bundle))
    assert clf is not None  # enabled, and the bundle exists
    return clf


def rss_child(bundle: Path) -> None:
    """Run in a fresh process: load, classify cold + warm, print peak RSS in MB."""
    msgs = loghub_messages()
    ids, texts = mined(msgs)
    clf = runtime_classifier(bundle)
    for start in range(0, len(msgs), 4096):
        sl = slice(start, start + 4096)
        clf.label_batch(msgs[sl], ids[sl], texts[sl], np.zeros(len(msgs[sl]), np.uint8))
    print(peak_rss_mb())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--fp32", type=Path, default=DEFAULT_FP32)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--cold-batches", type=int, default=12)
    ap.add_argument("--agreement-sample", type=int, default=2000)
    ap.add_argument("--rss-child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    bundle = args.model or default_bundle_path()
    if bundle is None:
        raise SystemExit("no bundle: pass --model")
    if args.rss_child:
        rss_child(bundle)
        return

    msgs = loghub_messages()
    ids, texts = mined(msgs)
    zeros = np.zeros(len(msgs), np.uint8)
    clf = runtime_classifier(bundle)
    n_templates = len(set(ids.tolist()))

    # Warm: fill the cache once, then time batches of 8192 lines.
    clf.label_batch(msgs, ids, texts, zeros)
    big = 8
    w_msgs, w_ids, w_texts = msgs * big, np.tile(ids, big), texts * big
    w_zero = np.zeros(len(w_msgs), np.uint8)
    warm = []
    for _ in range(args.repeats):
        t = time.perf_counter()
        for start in range(0, len(w_msgs), 8192):
            sl = slice(start, start + 8192)
            clf.label_batch(w_msgs[sl], w_ids[sl], w_texts[sl], w_zero[sl])
        warm.append(len(w_msgs) / (time.perf_counter() - t))
    warm_lps = statistics.median(warm)

    # End to end through the Pipeline (mining + rules + classifier), known templates.
    pipe = Pipeline(Settings(), labeler=clf)
    pipe.process_batch(msgs)
    e2e = []
    for _ in range(args.repeats):
        t = time.perf_counter()
        for start in range(0, len(msgs), 8192):
            pipe.process_batch(msgs[start : start + 8192])
        e2e.append(len(msgs) / (time.perf_counter() - t))
    e2e_lps = statistics.median(e2e)

    # Cold: 512 distinct templates per batch, cache cleared before each batch.
    uniq = sorted(set(texts))
    rng = np.random.default_rng(0)
    cold = []
    n_batches = args.cold_batches
    for _ in range(n_batches):
        pick = rng.choice(len(uniq), size=min(512, len(uniq)), replace=False)
        bt = [uniq[i] for i in pick]
        clf.cache.clear()
        t = time.perf_counter()
        clf.label_batch(bt, np.arange(len(bt), dtype=np.uint32), bt, np.ones(len(bt), np.uint8))
        cold.append((time.perf_counter() - t) * 1000)
    cold_p50 = float(np.percentile(cold, 50))
    cold_p99 = float(np.percentile(cold, 99))

    # int8 vs fp32 on every distinct template.
    agree_line = "fp32 encoder not found (rebuild with scripts/build_default_bundle.sh)"
    if args.fp32.is_file():
        pick = np.random.default_rng(1).permutation(len(uniq))[: args.agreement_sample]
        sample_t = [uniq[i] for i in sorted(pick)]
        pred8 = clf.predict_texts(sample_t)
        fp = runtime_classifier(bundle)
        fp.encoder = Encoder(
            args.fp32, clf.bundle.file("tokenizer.json"), max_seq_len=clf.encoder.max_seq_len
        )
        pred32 = fp.predict_texts(sample_t)
        agree = float(np.mean(pred8.label_idx == pred32.label_idx))
        t8, t32 = [], []
        sample = uniq[:512]
        for _ in range(args.repeats):
            t = time.perf_counter()
            clf.encoder.encode(sample)
            t8.append(time.perf_counter() - t)
            t = time.perf_counter()
            fp.encoder.encode(sample)
            t32.append(time.perf_counter() - t)
        speedup = statistics.median(t32) / statistics.median(t8)
        agree_line = (
            f"int8 vs fp32 label agreement **{agree:.2%}** on {len(sample_t)} templates; "
            f"int8 encoder speed-up x{speedup:.2f} (512 templates: "
            f"{statistics.median(t8) * 1000:.0f} ms vs {statistics.median(t32) * 1000:.0f} ms)"
        )

    res = subprocess.run(
        [sys.executable, __file__, "--rss-child", "--model", str(bundle)],
        capture_output=True,
        text=True,
        check=True,
    )
    rss_mb = float(res.stdout.strip().splitlines()[-1])

    body = "\n".join(
        [
            f"- bundle: `{clf.model_version}`; {len(msgs)} LogHub-2k lines, "
            f"{n_templates} mined templates",
            f"- warm path, `Classifier.label_batch` (cached templates, 8192-line batches): "
            f"**{warm_lps:,.0f} lines/s** (median of {args.repeats}; target ≥ 200,000)",
            f"- warm path end to end, `Pipeline.process_batch` (mining + rules + classifier): "
            f"{e2e_lps:,.0f} lines/s (median of {args.repeats})",
            f"- cold path (512 new templates per batch, int8): p50 {cold_p50:.0f} ms, "
            f"**p99 {cold_p99:.0f} ms** per batch over {n_batches} batches (target < 200 ms)",
            f"- {agree_line}",
            f"- peak RSS, fresh process loading the bundle and classifying 24k lines: "
            f"**{rss_mb:.0f} MB** (target < 500)",
        ]
    )
    append_results("classify latency (bench/classify_latency.py)", body)


if __name__ == "__main__":
    main()
