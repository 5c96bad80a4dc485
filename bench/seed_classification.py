"""`model build` on the seed classification CSV (a user's own labels), template-grouped
split, side by side with TF-IDF + logistic regression and MiniLM-embedding + logistic
regression baselines in the same run.

The seed CSV is evaluation-only (no licence): the bundle built here goes to a temporary
directory outside the repository and is deleted. The 7 LegacyCRM rows (Workflow Error,
Deprecation Warning: 4 and 3 rows, sent to an LLM by the original system) are left out;
scores are over the 7 remaining categories. A template (mined by the runtime miner) is
never in both train and test.

    python bench/seed_classification.py [--epochs 1] [--seed 0]
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _model_common import append_results, shared_data

from exporters.build import BuildOptions, build_bundle
from exporters.data import Example, grouped_split, mine_templates
from exporters.evaluate import evaluate_bundle, line_scores

ANOMALY = {"Critical Error", "Error", "Security Alert"}
RARE = {"Workflow Error", "Deprecation Warning"}


def load_seed() -> list[Example]:
    path = shared_data() / "seed-classification" / "synthetic_logs.csv"
    with path.open(newline="", encoding="utf-8") as f:
        return [
            Example(r["log_message"], r["target_label"], r["target_label"] in ANOMALY)
            for r in csv.DictReader(f)
            if r["target_label"] not in RARE
        ]


def minilm_embed(texts: list[str]) -> np.ndarray:
    """Mean-pooled, normalised all-MiniLM-L6-v2 sentence embeddings (torch, baseline only)."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    from exporters.encoder import resolve_base_model

    path = resolve_base_model("all-MiniLM-L6-v2")
    tok = AutoTokenizer.from_pretrained(str(path))
    model = AutoModel.from_pretrained(str(path)).eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(texts), 64):
            b = tok(
                texts[i : i + 64], padding=True, truncation=True, max_length=64, return_tensors="pt"
            )
            h = model(**b).last_hidden_state
            m = b["attention_mask"].unsqueeze(-1).float()
            e = (h * m).sum(1) / m.sum(1)
            out.append(torch.nn.functional.normalize(e, dim=-1).numpy())
    return np.concatenate(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--test-fraction", type=float, default=0.3)
    args = ap.parse_args()
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    examples = load_seed()
    ts = mine_templates(examples)
    _, te_t = grouped_split(ts.labels, (1 - args.test_fraction, args.test_fraction), seed=args.seed)
    te_set = set(te_t)
    train = [e for e, k in zip(examples, ts.line_template, strict=True) if k not in te_set]
    test = [e for e, k in zip(examples, ts.line_template, strict=True) if k in te_set]
    tr_ids = {k for k in ts.line_template if k not in te_set}
    assert not tr_ids & te_set, "a template is in both train and test"

    y_te = [e.label for e in test]
    a_te = [bool(e.anomaly) for e in test]
    rows = []

    t = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        opts = BuildOptions(
            base_model="all-MiniLM-L6-v2",
            name="seed-eval",
            seed=args.seed,
            epochs=args.epochs,
            data_description="seed-classification train split",
            min_confidence=0.0,
            log=lambda m: print(m, file=sys.stderr),
        )
        build_bundle(train, Path(tmp) / "bundle", opts)
        rep = evaluate_bundle(Path(tmp) / "bundle", test, Path(tmp) / "report")
    rows.append(
        (
            "logtriage `model build` (MiniLM int8 + LightGBM ensemble)",
            rep["macro_f1"],
            rep["anomaly_f1"],
            time.perf_counter() - t,
        )
    )

    def lr_row(name: str, x_tr: np.ndarray, x_te: np.ndarray, secs: float) -> None:
        clf = LogisticRegression(max_iter=2000, C=10.0, random_state=args.seed)
        clf.fit(x_tr, [e.label for e in train])
        pred = clf.predict(x_te).tolist()
        s = line_scores(y_te, pred, a_te, [p in ANOMALY for p in pred])
        rows.append((name, s["macro_f1"], s["anomaly_f1"], secs))

    t = time.perf_counter()
    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True)
    x_tr = vec.fit_transform([e.message for e in train])
    lr_row(
        "TF-IDF (1-2 grams) + logistic regression",
        x_tr,
        vec.transform([e.message for e in test]),
        0.0,
    )
    rows[-1] = (*rows[-1][:3], time.perf_counter() - t)

    t = time.perf_counter()
    emb = minilm_embed([e.message for e in train + test])
    lr_row(
        "MiniLM embedding (frozen) + logistic regression", emb[: len(train)], emb[len(train) :], 0.0
    )
    rows[-1] = (*rows[-1][:3], time.perf_counter() - t)

    body = "\n".join(
        [
            f"- data: seed-classification CSV read in place ({len(examples)} rows, 7 categories; "
            f"LegacyCRM's 7 rare-label rows left out), {len(ts.texts)} mined templates split "
            f"{1 - args.test_fraction:.0%}/{args.test_fraction:.0%} by template (stratified, seed "
            f"{args.seed}): {len(train)} train lines / {len(test)} test lines, no template in both",
            f"- `model build` options: epochs {args.epochs}, max_seq_len 64; the bundle is "
            "built in a "
            "temporary directory and deleted (the seed data may not be shipped)",
            "",
            "| method | macro-F1 (test lines) | anomaly F1 | seconds |",
            "| --- | ---: | ---: | ---: |",
            *[f"| {n} | {m:.4f} | {a:.4f} | {s:.0f} |" for n, m, a, s in rows],
        ]
    )
    append_results(
        "seed classification CSV, template-grouped split (bench/seed_classification.py)", body
    )


if __name__ == "__main__":
    main()
