"""Distilling a student from a (tiny random) teacher, then building a bundle on it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from logtriage.model import Classifier, load_bundle

from .conftest import make_lines, write_csv


def test_distilled_student_learns_the_teacher_and_builds_a_bundle(tmp_path: Path) -> None:
    from transformers import AutoConfig

    from exporters.build import BuildOptions, build_bundle
    from exporters.data import load_spec
    from exporters.distill import DistillOptions, distill
    from exporters.tiny import make_tiny_base

    teacher = make_tiny_base(tmp_path / "teacher", "bert")
    opts = DistillOptions(
        teacher=str(teacher), hidden=16, layers=1, head_dim=8, lines=600, max_texts=300, epochs=3
    )
    report = distill(tmp_path / "student", opts, log=lambda s: None)
    cfg = AutoConfig.from_pretrained(str(tmp_path / "student"))
    assert (cfg.hidden_size, cfg.num_hidden_layers, cfg.num_attention_heads) == (16, 1, 2)
    assert cfg.vocab_size == AutoConfig.from_pretrained(str(teacher)).vocab_size
    assert (tmp_path / "student" / "tokenizer.json").is_file()
    saved = json.loads((tmp_path / "student" / "distill.json").read_text())
    assert saved == report
    assert report["n_texts"] == 300
    assert report["val_cosine"] > report["val_cosine_init"] + 0.05

    # Same options and seed: the same student.
    again = distill(tmp_path / "student2", opts, log=lambda s: None)
    assert again["val_cosine"] == report["val_cosine"]

    data = write_csv(tmp_path / "train.csv", make_lines())
    out = tmp_path / "bundle"
    build_bundle(
        load_spec(f"csv:{data}"),
        out,
        BuildOptions(
            base_model=str(tmp_path / "student"),
            epochs=1,
            min_steps=0,
            max_seq_len=32,
            lgbm_rounds=20,
            min_confidence=0.0,
        ),
    )
    b = load_bundle(out)
    assert b.input_spec["embedding_dim"] == 16
    texts = [m for m, _, _ in make_lines(1, seed=5)]
    clf = Classifier(b)
    pred = clf.predict_texts(texts)
    assert pred.probs.shape == (len(texts), len(b.labels))
    assert np.allclose(pred.probs.sum(axis=1), 1.0)
