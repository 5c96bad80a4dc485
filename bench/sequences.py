"""Sequence anomaly detection on the shared HDFS sessions, peers side by side.

Detectors, all trained on ``normal_train`` only and scored on ``normal_test`` +
``abnormal_test`` in the same run:

- ``lstm``: DeepLog next-template LSTM (2x64, window 10, top-g), trained in torch,
  run through ONNX Runtime (``logtriage.sessions.LstmDetector``).
- ``ngram``: the Rust count / n-gram baseline (``SequenceModel``, top-g).
- ``pca``: invariant/count baseline -- PCA on per-session template count vectors
  (Xu et al., SOSP 2009; loglizer-style TF-IDF weighting, components for 95% of the
  variance, SPE against the Q-statistic at alpha = 0.001). Sessions holding a
  template unseen in training are flagged, as for the other detectors.
- ``exact``: "anomalous unless the exact sequence is in normal_train" (SOURCES.md).

F1 is reported on all sessions and on distinct sequences (sessions repeat a lot).
Training time and scoring throughput (sessions/s, all 9,000 test sessions in one
batch) are measured here. Results are appended to bench/RESULTS.md.

    python bench/sequences.py [--epochs 20] [--no-append]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
from _common import append_results, shared_data
from logtriage.config import SessionsSettings
from logtriage.sessions import NgramDetector, read_session_file

from exporters.sequences import LstmTrainConfig, build_lstm_bundle

Sessions = list[list[int]]
Scorer = Callable[[Sessions], npt.NDArray[np.bool_]]


def data_dir() -> Path:
    d = shared_data() / "hdfs-sessions"
    if not d.is_dir():
        sys.exit(f"error: {d} not found; set LOGTRIAGE_SHARED_DATA")
    return d


class PcaDetector:
    """PCA subspace detector on template count vectors (Xu et al. 2009)."""

    def __init__(self, variance: float = 0.95, alpha_c: float = 3.2905) -> None:
        self.variance = variance
        self.alpha_c = alpha_c

    def _counts(self, sessions: Sessions) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
        x = np.zeros((len(sessions), len(self.index)))
        unseen = np.zeros(len(sessions), dtype=bool)
        for r, s in enumerate(sessions):
            for t in s:
                c = self.index.get(t)
                if c is None:
                    unseen[r] = True
                else:
                    x[r, c] += 1
        return x, unseen

    def fit(self, sessions: Sessions) -> PcaDetector:
        self.index = {t: i for i, t in enumerate(sorted({t for s in sessions for t in s}))}
        x, _ = self._counts(sessions)
        df = (x > 0).sum(axis=0)
        self.idf = np.log(len(x) / np.maximum(df, 1))
        x = x * self.idf
        self.mean = x.mean(axis=0)
        x = x - self.mean
        cov = x.T @ x / len(x)
        vals, vecs = np.linalg.eigh(cov)
        order = np.argsort(vals)[::-1]
        vals, vecs = np.maximum(vals[order], 0), vecs[:, order]
        k = int(np.searchsorted(np.cumsum(vals) / vals.sum(), self.variance) + 1)
        p = vecs[:, :k]
        self.residual = np.eye(len(vals)) - p @ p.T
        lam = vals[k:]
        phi = [float(np.sum(lam**i)) for i in (1, 2, 3)]
        h0 = 1.0 - 2 * phi[0] * phi[2] / (3.0 * phi[1] ** 2)
        self.threshold = phi[0] * (
            self.alpha_c * np.sqrt(2 * phi[1] * h0**2) / phi[0]
            + 1
            + phi[1] * h0 * (h0 - 1) / phi[0] ** 2
        ) ** (1.0 / h0)
        return self

    def score(self, sessions: Sessions) -> npt.NDArray[np.bool_]:
        x, unseen = self._counts(sessions)
        y = (x * self.idf - self.mean) @ self.residual
        spe = np.sum(y * y, axis=1)
        return (spe > self.threshold) | unseen


def prf(normal: npt.NDArray[np.bool_], abnormal: npt.NDArray[np.bool_]) -> tuple[float, ...]:
    tp, fp = int(abnormal.sum()), int(normal.sum())
    fn = len(abnormal) - tp
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0), fp, tp


def distinct(sessions: Sessions) -> Sessions:
    return [list(s) for s in dict.fromkeys(tuple(s) for s in sessions)]


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=LstmTrainConfig().epochs)
    ap.add_argument("--top-g", type=int, default=LstmTrainConfig().top_g)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-append", action="store_true", help="Do not append to RESULTS.md.")
    args = ap.parse_args(argv)

    d = data_dir()
    train = read_session_file(d / "normal_train.txt")
    normal = read_session_file(d / "normal_test.txt")
    abnormal = read_session_file(d / "abnormal_test.txt")
    test = normal + abnormal
    dn, da = distinct(normal), distinct(abnormal)

    train_set = {tuple(s) for s in train}
    settings = SessionsSettings()
    tmp = Path(tempfile.mkdtemp(prefix="bench-seq-"))
    detectors: dict[str, tuple[str, Callable[[], Scorer]]] = {}

    def fit_lstm() -> Scorer:
        det = build_lstm_bundle(
            train,
            tmp / "lstm",
            LstmTrainConfig(epochs=args.epochs, top_g=args.top_g, seed=args.seed),
        )
        return lambda s: det.score(s).anomalous

    def fit_ngram() -> Scorer:
        det = NgramDetector.from_settings(settings).fit(train)
        return lambda s: det.score(s).anomalous

    def fit_pca() -> Scorer:
        return PcaDetector().fit(train).score

    def fit_exact() -> Scorer:
        return lambda s: np.array([tuple(x) not in train_set for x in s], dtype=bool)

    detectors["lstm"] = (
        f"DeepLog LSTM 2x64 w10 g{args.top_g} p>=1e-3, {args.epochs} epochs, ONNX Runtime",
        fit_lstm,
    )
    detectors["ngram"] = (
        f"Rust n-gram h{settings.history} g{settings.top_g} (end checked)",
        fit_ngram,
    )
    detectors["pca"] = ("PCA on TF-IDF count vectors, SPE/Q-stat a=0.001", fit_pca)
    detectors["exact"] = ("exact sequence seen in normal_train", fit_exact)

    rows = []
    for name, (desc, fit) in detectors.items():
        t0 = time.perf_counter()
        scorer = fit()
        train_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        flags = scorer(test)
        score_s = time.perf_counter() - t0
        p, r, f1, fp, tp = prf(flags[: len(normal)], flags[len(normal) :])
        *_, f1d, fpd, tpd = prf(scorer(dn), scorer(da))
        rows.append((name, desc, p, r, f1, fp, tp, f1d, fpd, tpd, train_s, len(test) / score_s))
        print(
            f"{name:6s} P={p:.4f} R={r:.4f} F1={f1:.4f} (fp {fp}, tp {tp}) "
            f"distinct F1={f1d:.4f} (fp {fpd}/{len(dn)}, tp {tpd}/{len(da)}) "
            f"train {train_s:.2f}s, {len(test) / score_s:,.0f} sessions/s",
            flush=True,
        )

    lstm_f1, ngram_f1 = rows[0][4], rows[1][4]
    print(f"lstm F1 / ngram F1 = {lstm_f1 / ngram_f1:.3f}; target F1 >= 0.95")
    if not args.no_append:
        lines = [
            f"- data: hdfs-sessions, train {len(train)} normal; test {len(normal)} normal + "
            f"{len(abnormal)} abnormal (distinct: {len(dn)} + {len(da)})",
            "",
            "| detector | what | precision | recall | F1 | FP | TP | F1 distinct | "
            "train s | sessions/s |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for name, desc, p, r, f1, fp, tp, f1d, _fpd, _tpd, train_s, sps in rows:
            lines.append(
                f"| {name} | {desc} | {p:.4f} | {r:.4f} | {f1:.4f} | {fp} | {tp} | "
                f"{f1d:.4f} | {train_s:.2f} | {sps:,.0f} |"
            )
        append_results("sequences", "\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
