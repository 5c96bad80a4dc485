"""Helpers shared by the model benchmarks (on top of :mod:`_common`)."""

from __future__ import annotations

import json

import numpy as np
from _common import ROOT, SYSTEMS, append_results, shared_data

__all__ = [
    "ROOT",
    "SYSTEMS",
    "append_results",
    "loghub_formats",
    "minilm_embed",
    "shared_data",
]


def loghub_formats() -> dict[str, dict[str, object]]:
    return json.loads((shared_data() / "loghub-2k" / "formats.json").read_text())


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
