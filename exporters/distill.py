"""Distil a small BERT student from a sentence encoder (all-MiniLM-L6-v2 by default).

The student keeps the teacher's tokenizer and vocabulary and is narrower and shallower
(e.g. 128 wide, 1 layer: ~54x less encoder compute per token than MiniLM's 384 x 6).
Its embeddings start from the teacher's token, position and type embeddings projected
onto their top principal components; the transformer layers start random. It learns to
reproduce the teacher's mean-pooled, L2-normalised sentence embedding of log lines
through a linear projection to the teacher's width (cosine + MSE loss); the projection
is dropped afterwards. The result is a Hugging Face model directory that
``logtriage model build --base-model DIR`` fine-tunes, exports and quantizes like any
other base model.

Training texts are generated lines only (``logtriage.samples``, redistributable): raw
lines, their mined templates, the generator's own templates, splices of two lines
(first half of one + second half of another) for wider token combinations, and a share
(``vocab_fraction``) of random sequences of whole words of the teacher's vocabulary, so
tokens the generator never uses still get the teacher's meaning.
Everything is seeded; the same options give the same student on the same machine.

    python -m exporters.distill --out out/student [--hidden 128] [--layers 1]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from exporters import require_torch

__all__ = ["DistillOptions", "distill", "distill_texts", "main"]

#: tokenizer files copied from the teacher when present (``save_tokenizer`` needs one
#: of tokenizer.json or the AutoTokenizer files).
_TOKENIZER_FILES = (
    "tokenizer.json",
    "vocab.txt",
    "tokenizer_config.json",
    "special_tokens_map.json",
)


@dataclass
class DistillOptions:
    """Options of :func:`distill` (defaults: a few minutes on 2 CPU cores)."""

    teacher: str = "all-MiniLM-L6-v2"
    hidden: int = 128
    layers: int = 1
    head_dim: int = 32
    lines: int = 30000
    max_texts: int = 12000
    vocab_fraction: float = 0.25
    max_seq_len: int = 64
    epochs: int = 8
    batch_size: int = 64
    lr: float = 1e-3
    seed: int = 0
    data_seed: int = 1


def _vocab_words(tokenizer_path: Path) -> list[str]:
    """Whole-word entries of a WordPiece vocabulary: alphabetic, 3+ letters."""
    from tokenizers import Tokenizer

    vocab = Tokenizer.from_file(str(tokenizer_path)).get_vocab()
    return sorted(w for w in vocab if len(w) >= 3 and w.isascii() and w.isalpha())


def distill_texts(
    n_lines: int,
    max_texts: int,
    seed: int,
    *,
    vocab_words: list[str] | None = None,
    vocab_fraction: float = 0.0,
) -> list[str]:
    """Distinct training texts from ``n_lines`` generated lines and, for a
    ``vocab_fraction`` share, random 3-12 word sequences of ``vocab_words``."""
    from logtriage.samples import generate

    from exporters.data import Example, mine_templates

    rng = random.Random(seed)
    word_texts: list[str] = []
    if vocab_words:
        for _ in range(int(max_texts * vocab_fraction)):
            word_texts.append(" ".join(rng.choices(vocab_words, k=rng.randint(3, 12))))
        max_texts -= len(word_texts)
    lines = generate(n_lines, seed=seed)
    ts = mine_templates([Example(s.message, s.label) for s in lines])
    messages = sorted({s.message for s in lines})
    rng.shuffle(messages)
    templates = list(dict.fromkeys([*ts.texts, *sorted({s.template for s in lines})]))
    n_raw = max(0, (max_texts - len(templates)) * 3 // 4)
    raw = messages[:n_raw]
    spliced: list[str] = []
    pool = templates + raw
    while len(templates) + len(raw) + len(spliced) < max_texts and len(pool) > 1:
        a, b = rng.sample(pool, 2)
        wa, wb = a.split(), b.split()
        spliced.append(" ".join(wa[: max(1, len(wa) // 2)] + wb[len(wb) // 2 :]))
    return list(dict.fromkeys(templates + raw + spliced))[:max_texts] + word_texts


def _mean_pool(hidden: Any, mask: Any) -> Any:
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)


def _batches(lengths: list[int], batch_size: int) -> list[np.ndarray]:
    """Index batches of similar length (little padding), in length order."""
    order = np.argsort(lengths, kind="stable")
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def _teacher_embeddings(
    teacher: Any, seqs: list[list[int]], batch_size: int
) -> Any:  # torch.Tensor [n, d]
    from exporters.encoder import _pad

    torch = require_torch()
    out = torch.zeros((len(seqs), teacher.config.hidden_size))
    with torch.no_grad():
        for idx in _batches([len(s) for s in seqs], batch_size * 2):
            ids, mask = _pad([seqs[i] for i in idx], 0)
            tm = torch.from_numpy(mask)
            hidden = teacher(input_ids=torch.from_numpy(ids), attention_mask=tm)[0]
            out[torch.from_numpy(idx)] = torch.nn.functional.normalize(
                _mean_pool(hidden, tm), p=2.0, dim=-1
            )
    return out


def _init_student(teacher: Any, opts: DistillOptions) -> Any:
    """A BERT of the student size with embeddings projected from the teacher's (PCA)."""
    torch = require_torch()
    from transformers import BertConfig, BertModel

    tcfg = teacher.config
    if opts.hidden % opts.head_dim:
        raise ValueError(f"hidden {opts.hidden} is not a multiple of head_dim {opts.head_dim}")
    cfg = BertConfig(
        vocab_size=tcfg.vocab_size,
        hidden_size=opts.hidden,
        num_hidden_layers=opts.layers,
        num_attention_heads=opts.hidden // opts.head_dim,
        intermediate_size=4 * opts.hidden,
        max_position_embeddings=tcfg.max_position_embeddings,
        type_vocab_size=tcfg.type_vocab_size,
        pad_token_id=tcfg.pad_token_id,
        hidden_act="gelu",
    )
    student = BertModel(cfg, add_pooling_layer=False)
    te = teacher.embeddings
    with torch.no_grad():
        w = te.word_embeddings.weight.detach().double()
        mean = w.mean(0, keepdim=True)
        # top principal directions of the teacher's token embeddings: [hidden, d_teacher]
        _, _, vh = torch.linalg.svd(w - mean, full_matrices=False)
        proj = vh[: opts.hidden].T
        se = student.embeddings
        se.word_embeddings.weight.copy_(((w - mean) @ proj).float())
        se.position_embeddings.weight.copy_((te.position_embeddings.weight.double() @ proj).float())
        se.token_type_embeddings.weight.copy_(
            (te.token_type_embeddings.weight.double() @ proj).float()
        )
    return student


def distill(out: Path, opts: DistillOptions, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Train the student and save it (HF model dir + tokenizer files) to ``out``."""
    torch = require_torch()
    from transformers import AutoModel

    from exporters.encoder import _pad, _tokenize, resolve_base_model, seed_everything

    t0 = time.perf_counter()
    seed_everything(opts.seed)
    teacher_dir = resolve_base_model(opts.teacher)
    tok_path = teacher_dir / "tokenizer.json"
    if not tok_path.is_file():
        raise ValueError(f"{teacher_dir}: the teacher needs a tokenizer.json")
    texts = distill_texts(
        opts.lines,
        opts.max_texts,
        opts.data_seed,
        vocab_words=_vocab_words(tok_path),
        vocab_fraction=opts.vocab_fraction,
    )
    seqs = _tokenize(tok_path, texts, opts.max_seq_len)
    rng = np.random.default_rng(opts.seed)
    perm = rng.permutation(len(texts))
    n_val = max(1, len(texts) // 20)
    val, train = np.sort(perm[:n_val]), perm[n_val:]
    teacher = AutoModel.from_pretrained(str(teacher_dir)).eval()
    log(f"{len(texts)} texts; embedding them with the teacher {teacher_dir.name}")
    target = _teacher_embeddings(teacher, seqs, opts.batch_size)
    log(f"teacher done in {time.perf_counter() - t0:.0f}s")
    student = _init_student(teacher, opts)
    del teacher
    proj = torch.nn.Linear(opts.hidden, target.shape[1])
    params = list(student.parameters()) + list(proj.parameters())
    opt = torch.optim.AdamW(params, lr=opts.lr, weight_decay=0.01)
    train_lens = [len(seqs[i]) for i in train]
    batches = _batches(train_lens, opts.batch_size)
    steps = opts.epochs * len(batches)
    warmup = max(1, steps // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, 1.0 - s / max(steps, 1))
    )

    def embed(idx: np.ndarray) -> Any:
        ids, mask = _pad([seqs[i] for i in idx], 0)
        tm = torch.from_numpy(mask)
        hidden = student(input_ids=torch.from_numpy(ids), attention_mask=tm)[0]
        return torch.nn.functional.normalize(proj(_mean_pool(hidden, tm)), p=2.0, dim=-1)

    def val_cosine() -> float:
        student.eval()
        with torch.no_grad():
            cos = [
                (embed(val[b]) * target[torch.from_numpy(val[b])]).sum(-1)
                for b in _batches([len(seqs[i]) for i in val], 256)
            ]
        student.train()
        return float(torch.cat(cos).mean())

    cos_init = val_cosine()
    log(f"student {opts.hidden}x{opts.layers}: val cosine before training {cos_init:.4f}")
    student.train()
    for epoch in range(opts.epochs):
        total = 0.0
        for b in rng.permutation(len(batches)):
            idx = train[batches[b]]
            pred = embed(idx)
            tgt = target[torch.from_numpy(idx)]
            loss = (1.0 - (pred * tgt).sum(-1)).mean() + ((pred - tgt) ** 2).sum(-1).mean()
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(idx)
        log(
            f"epoch {epoch + 1}/{opts.epochs}: loss {total / len(train):.4f}, "
            f"val cosine {val_cosine():.4f} ({time.perf_counter() - t0:.0f}s)"
        )
    student.eval()
    out.mkdir(parents=True, exist_ok=True)
    student.save_pretrained(str(out))
    for name in _TOKENIZER_FILES:
        if (teacher_dir / name).is_file():
            shutil.copyfile(teacher_dir / name, out / name)
    report = {
        "teacher": opts.teacher,
        "options": asdict(opts),
        "n_texts": len(texts),
        "n_val": len(val),
        "val_cosine_init": round(cos_init, 4),
        "val_cosine": round(val_cosine(), 4),
        "seconds": round(time.perf_counter() - t0, 1),
        "data": f"logtriage.samples generate({opts.lines}, seed={opts.data_seed})",
    }
    (out / "distill.json").write_text(json.dumps(report, indent=2) + "\n", "utf-8")
    log(f"student written to {out} (val cosine {report['val_cosine']})")
    return report


def main(argv: list[str] | None = None) -> None:
    d = DistillOptions()
    ap = argparse.ArgumentParser(prog="python -m exporters.distill", description=__doc__)
    ap.add_argument("--out", type=Path, required=True, help="student model directory")
    ap.add_argument("--teacher", default=d.teacher, help="local model dir or all-MiniLM-L6-v2")
    ap.add_argument("--hidden", type=int, default=d.hidden)
    ap.add_argument("--layers", type=int, default=d.layers)
    ap.add_argument("--lines", type=int, default=d.lines, help="generated lines to draw from")
    ap.add_argument("--max-texts", type=int, default=d.max_texts)
    ap.add_argument(
        "--vocab-fraction",
        type=float,
        default=d.vocab_fraction,
        help="share of random vocabulary-word texts",
    )
    ap.add_argument("--max-seq-len", type=int, default=d.max_seq_len)
    ap.add_argument("--epochs", type=int, default=d.epochs)
    ap.add_argument("--lr", type=float, default=d.lr)
    ap.add_argument("--seed", type=int, default=d.seed)
    ap.add_argument("--data-seed", type=int, default=d.data_seed)
    a = ap.parse_args(argv)
    opts = DistillOptions(
        teacher=a.teacher,
        hidden=a.hidden,
        layers=a.layers,
        lines=a.lines,
        max_texts=a.max_texts,
        vocab_fraction=a.vocab_fraction,
        max_seq_len=a.max_seq_len,
        epochs=a.epochs,
        lr=a.lr,
        seed=a.seed,
        data_seed=a.data_seed,
    )
    distill(a.out, opts, log=lambda s: print(s, flush=True))


if __name__ == "__main__":
    main()
