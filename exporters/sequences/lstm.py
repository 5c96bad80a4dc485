"""DeepLog LSTM (Du et al., CCS 2017): predict the next template id from the previous
``window`` ones; train on normal sessions only; export to ONNX.

Token indices follow ``logtriage.sessions.detect``: 0 start padding, 1 end of
session, 2 unseen template, then the training vocabulary in ascending id order.
Seeds are fixed (``seed``), and training runs on CPU.
"""

from __future__ import annotations

import random
import time
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from logtriage.sessions.detect import END, FIRST, PAD, LstmDetector

if TYPE_CHECKING:
    import torch

__all__ = ["LstmTrainConfig", "build_lstm_bundle", "export_onnx", "require_torch", "train_lstm"]


def require_torch() -> None:
    """Raise a clear ImportError when torch or onnx is missing."""
    missing = []
    for name in ("torch", "onnx"):
        try:
            __import__(name)
        except ImportError:
            missing.append(name)
    if missing:
        raise ImportError(
            f"LSTM training needs {' and '.join(missing)}: "
            "pip install 'logtriage[train]' (or: pip install torch onnx)"
        )


@dataclass(frozen=True)
class LstmTrainConfig:
    """DeepLog defaults: 2 layers of 64 units over a window of 10 templates."""

    window: int = 10
    hidden: int = 64
    layers: int = 2
    embed_dim: int = 16
    epochs: int = 60
    batch_size: int = 256
    lr: float = 3e-3
    seed: int = 0
    top_g: int = 9
    min_prob: float = 1e-3
    check_end: bool = True
    threads: int = 2


def _windows(
    sessions: Sequence[Sequence[int]], index: dict[int, int], window: int, check_end: bool
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    xs: list[npt.NDArray[np.int64]] = []
    ys: list[npt.NDArray[np.int64]] = []
    for s in sessions:
        toks = [index[int(t)] for t in s] + ([END] if check_end else [])
        if not toks:
            continue
        padded = np.array([PAD] * window + toks, dtype=np.int64)
        xs.append(np.lib.stride_tricks.sliding_window_view(padded[:-1], window))
        ys.append(padded[window:])
    if not xs:
        raise ValueError("no training windows: every session is empty")
    return np.concatenate(xs), np.concatenate(ys)


def _model(classes: int, cfg: LstmTrainConfig) -> torch.nn.Module:
    from torch import nn

    class DeepLogLstm(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed = nn.Embedding(classes, cfg.embed_dim)
            self.lstm = nn.LSTM(cfg.embed_dim, cfg.hidden, cfg.layers, batch_first=True)
            self.head = nn.Linear(cfg.hidden, classes)

        def forward(self, windows: torch.Tensor) -> torch.Tensor:
            out, _ = self.lstm(self.embed(windows))
            return self.head(out[:, -1, :])

    return DeepLogLstm()


def train_lstm(
    sessions: Sequence[Sequence[int]], cfg: LstmTrainConfig | None = None
) -> tuple[torch.nn.Module, list[int], dict[str, Any]]:
    """Train on normal sessions. Returns the model (eval mode), the vocabulary (template
    ids in token order) and training stats (``train_s``, ``windows``, ``final_loss``)."""
    require_torch()
    import torch
    from torch import nn

    cfg = cfg or LstmTrainConfig()
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    vocab = sorted({int(t) for s in sessions for t in s})
    index = {t: i + FIRST for i, t in enumerate(vocab)}
    x_all, y_all = _windows(sessions, index, cfg.window, cfg.check_end)
    # Sessions repeat a lot: train on distinct (context, next) pairs weighted by their
    # count -- the same objective as every window, at a fraction of the cost.
    pairs, counts = np.unique(np.column_stack([x_all, y_all]), axis=0, return_counts=True)
    classes = len(vocab) + FIRST
    model = _model(classes, cfg)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    loss_fn = nn.CrossEntropyLoss(reduction="none")
    x = torch.from_numpy(np.ascontiguousarray(pairs[:, :-1]))
    y = torch.from_numpy(np.ascontiguousarray(pairs[:, -1]))
    w = torch.from_numpy(counts.astype(np.float32))
    gen = torch.Generator().manual_seed(cfg.seed)
    start = time.perf_counter()
    loss_sum, batches = 0.0, 0
    model.train()
    for _epoch in range(cfg.epochs):
        perm = torch.randperm(len(x), generator=gen)
        loss_sum, batches = 0.0, 0
        for b in range(0, len(x), cfg.batch_size):
            idx = perm[b : b + cfg.batch_size]
            opt.zero_grad()
            per = loss_fn(model(x[idx]), y[idx])
            loss = (per * w[idx]).sum() / w[idx].sum()
            loss.backward()
            opt.step()
            loss_sum += float(loss.item())
            batches += 1
    model.eval()
    stats = {
        "train_s": round(time.perf_counter() - start, 3),
        "windows": len(x_all),
        "distinct_windows": len(x),
        "sessions": len(sessions),
        "final_loss": round(loss_sum / max(batches, 1), 5),
    }
    return model, vocab, stats


def export_onnx(model: torch.nn.Module, path: Path, window: int) -> None:
    """Write ``model`` as ONNX: input ``windows`` int64[batch, window], output ``logits``."""
    require_torch()
    import torch

    dummy = torch.zeros((2, window), dtype=torch.int64)
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            (dummy,),
            str(path),
            input_names=["windows"],
            output_names=["logits"],
            dynamic_axes={"windows": {0: "batch"}, "logits": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )


def build_lstm_bundle(
    sessions: Sequence[Sequence[int]],
    out_dir: Path,
    cfg: LstmTrainConfig | None = None,
    *,
    metrics: dict[str, Any] | None = None,
) -> LstmDetector:
    """Train, export and write a bundle directory; return its runtime detector."""
    cfg = cfg or LstmTrainConfig()
    model, vocab, stats = train_lstm(sessions, cfg)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    export_onnx(model, out_dir / "model.onnx", cfg.window)
    detector = LstmDetector(
        out_dir / "model.onnx",
        vocab,
        window=cfg.window,
        top_g=cfg.top_g,
        min_prob=cfg.min_prob,
        check_end=cfg.check_end,
        manifest={"training": {**asdict(cfg), **stats}},
    )
    detector.save(out_dir, metrics=metrics)
    return detector
