"""Tiny randomly initialised base models (DistilBERT, BERT) for tests of the whole
build → export → quantize → load → classify chain in seconds."""

from __future__ import annotations

from pathlib import Path

from exporters import require_torch

__all__ = ["make_tiny_base"]

_WORDS = [
    "error",
    "failed",
    "failure",
    "exception",
    "timeout",
    "refused",
    "denied",
    "invalid",
    "user",
    "password",
    "login",
    "logout",
    "session",
    "opened",
    "closed",
    "for",
    "root",
    "from",
    "port",
    "ssh",
    "get",
    "post",
    "put",
    "delete",
    "http",
    "status",
    "request",
    "response",
    "memory",
    "cpu",
    "disk",
    "usage",
    "percent",
    "bytes",
    "mb",
    "gb",
    "quota",
    "started",
    "stopped",
    "starting",
    "service",
    "node",
    "block",
    "connection",
    "kernel",
    "panic",
    "fatal",
    "critical",
    "warning",
    "info",
    "debug",
    "job",
    "task",
    "submitted",
    "completed",
    "heartbeat",
    "config",
    "loaded",
    "the",
    "a",
    "to",
    "of",
    "in",
    "on",
    "is",
    "was",
    "by",
    "with",
]


def _write_tokenizer(out: Path) -> list[str]:
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

    vocab = [
        "[PAD]",
        "[UNK]",
        "[CLS]",
        "[SEP]",
        "[MASK]",
        "<",
        ">",
        "*",
        ":",
        "/",
        ".",
        "=",
        *[str(d) for d in range(10)],
        *_WORDS,
    ]
    vocab += [f"##{c}" for c in "abcdefghijklmnopqrstuvwxyz0123456789"]
    vocab += list("abcdefghijklmnopqrstuvwxyz")
    vocab = list(dict.fromkeys(vocab))
    tok = Tokenizer(models.WordPiece({w: i for i, w in enumerate(vocab)}, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    tok.save(str(out / "tokenizer.json"))
    (out / "vocab.txt").write_text("\n".join(vocab) + "\n", "utf-8")
    return vocab


def make_tiny_base(out: Path, arch: str = "distilbert", *, seed: int = 0) -> Path:
    """Write a tiny random ``arch`` ("distilbert" or "bert") model + tokenizer to ``out``."""
    torch = require_torch()
    from transformers import AutoModel, BertConfig, DistilBertConfig, PretrainedConfig

    out.mkdir(parents=True, exist_ok=True)
    vocab = _write_tokenizer(out)
    torch.manual_seed(seed)
    cfg: PretrainedConfig
    if arch == "distilbert":
        cfg = DistilBertConfig(
            vocab_size=len(vocab),
            dim=32,
            hidden_dim=64,
            n_layers=2,
            n_heads=2,
            max_position_embeddings=128,
            pad_token_id=0,
        )
    elif arch == "bert":
        cfg = BertConfig(
            vocab_size=len(vocab),
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=2,
            num_attention_heads=2,
            max_position_embeddings=128,
            pad_token_id=0,
        )
    else:
        raise ValueError(f"unknown tiny architecture {arch!r}")
    AutoModel.from_config(cfg).save_pretrained(str(out))
    return out
