"""Template cache behaviour, dynamic padding, anomaly score."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from logtriage.errors import StateError
from logtriage.model import Classifier, TemplateCache
from logtriage.model.cache import CacheEntry


class _CountingEncoder:
    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.texts: list[list[str]] = []

    def encode(self, texts: list[str]) -> Any:
        self.texts.append(list(texts))
        return self.inner.encode(texts)


def _clf(bundle: Path, **kw: Any) -> tuple[Classifier, _CountingEncoder]:
    clf = Classifier(bundle, **kw)
    spy = _CountingEncoder(clf.encoder)
    clf.encoder = spy  # type: ignore[assignment]
    return clf, spy


def test_encoder_runs_once_per_template(tiny_bundle: Path) -> None:
    clf, spy = _clf(tiny_bundle)
    msgs = ["user a logged out", "user b logged out", "service x started", "user c logged out"]
    ids = np.array([7, 7, 9, 7], dtype=np.uint32)
    texts = [
        "user <*> logged out",
        "user <*> logged out",
        "service x started",
        "user <*> logged out",
    ]
    first = clf.label_batch(msgs, ids, texts, np.array([1, 0, 1, 0], np.uint8))
    assert [sorted(t) for t in spy.texts] == [["service x started", "user <*> logged out"]]
    second = clf.label_batch(msgs, ids, texts, np.zeros(4, np.uint8))
    assert len(spy.texts) == 1, "cached templates must not reach the encoder"
    assert first.label == second.label
    np.testing.assert_array_equal(first.confidence, second.confidence)
    assert clf.cache.hits == 2 and clf.cache.misses == 2
    # A generalised template (new text under the same id) is recomputed.
    texts2 = ["user <*> logged <*>", *texts[1:]]
    texts2[1] = texts2[3] = "user <*> logged <*>"
    clf.label_batch(msgs, ids, texts2, np.array([2, 2, 0, 2], np.uint8))
    assert spy.texts[-1] == ["user <*> logged <*>"]


def test_anomaly_score_novelty_and_rarity(tiny_bundle: Path) -> None:
    clf, _ = _clf(tiny_bundle)
    texts = ["kernel panic fatal error on node <*>"] * 2
    ids = np.array([1, 1], np.uint32)
    a = clf.label_batch(texts, ids, texts, np.array([1, 0], np.uint8))
    assert a.anomaly_score[0] > a.anomaly_score[1]  # first sighting is novel
    for _ in range(5):
        b = clf.label_batch(texts, ids, texts, np.zeros(2, np.uint8))
    assert b.anomaly_score[0] < a.anomaly_score[1]  # rarer earlier than later
    assert np.all((b.anomaly_score >= 0) & (b.anomaly_score <= 1))


def test_cache_is_bounded_and_keyed_by_version() -> None:
    c = TemplateCache(max_entries=2)
    c.put("v1", 1, CacheEntry("a", 0, 0.9, 0.1))
    c.put("v1", 2, CacheEntry("b", 1, 0.8, 0.2))
    assert c.get("v1", 1, "a") is not None  # 1 is now most recent
    c.put("v1", 3, CacheEntry("c", 2, 0.7, 0.3))
    assert len(c) == 2 and c.evictions == 1
    assert c.get("v1", 2, "b") is None
    assert c.get("v2", 1, "a") is None  # other model version
    assert c.get("v1", 1, "other text") is None


def test_cache_persists(tmp_path: Path, tiny_bundle: Path) -> None:
    clf, _ = _clf(tiny_bundle)
    texts = ["service x started", "user <*> logged out"]
    ids = np.array([3, 4], np.uint32)
    ref = clf.label_batch(texts, ids, texts, np.ones(2, np.uint8))
    path = tmp_path / "cache.json"
    clf.save_cache(path)
    other = TemplateCache()
    other.put("old-model@000", 99, CacheEntry("x", 0, 1.0, 0.0))
    other.save(tmp_path / "old.json")

    fresh, spy2 = _clf(tiny_bundle)
    assert fresh.load_cache(path) == 2
    assert fresh.load_cache(tmp_path / "old.json") == 0  # other version ignored
    got = fresh.label_batch(texts, ids, texts, np.zeros(2, np.uint8))
    assert spy2.texts == []
    assert got.label == ref.label
    (tmp_path / "bad.json").write_text('{"format_version": 99, "entries": []}')
    with pytest.raises(StateError, match="format_version"):
        fresh.load_cache(tmp_path / "bad.json")


def test_dynamic_padding_to_longest_with_cap(tiny_bundle: Path) -> None:
    clf = Classifier(tiny_bundle, max_seq_len=12, batch_size=2)
    enc = clf.encoder
    widths: list[int] = []
    real_run = enc.session.run

    class _Spy:
        def run(self, names: Any, feed: dict[str, np.ndarray]) -> Any:
            widths.append(feed["input_ids"].shape[1])
            return real_run(names, feed)

        def __getattr__(self, k: str) -> Any:
            return getattr(enc.session, k)

    enc.session = _Spy()  # type: ignore[assignment]
    short = ["ok", "ok ok"]
    long = ["user bob submitted job 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18"] * 2
    out = enc.encode([long[0], short[0], short[1], long[1]])
    assert out.embedding.shape[0] == 4
    lens = [len(e.ids) for e in enc.tokenizer.encode_batch(short)]
    # Sorted by length; the short batch is padded to its longest (batches may run in parallel).
    assert sorted(widths) == [max(lens), 12]
    # Order is preserved: equal inputs give equal outputs in their own positions.
    np.testing.assert_allclose(out.embedding[0], out.embedding[3], rtol=1e-5, atol=1e-6)


def test_model_sees_only_the_head_of_a_huge_template(tiny_bundle: Path) -> None:
    clf, spy = _clf(tiny_bundle, max_text_bytes=300)
    head = "kernel panic fatal error on node " + "n" * 266  # 299 bytes
    huge = head + "é" + " x" * 2_000_000  # byte 300 is the first half of 'é'

    got = clf.label_batch([huge], np.array([5], np.uint32), [huge], np.ones(1, np.uint8))
    (seen,) = spy.texts[0]
    assert seen == head, "cut at 300 bytes, stepping back to the start of the split 'é'"
    entry = clf.cache.get(clf.model_version, 5, seen)
    assert entry is not None and entry.text == seen
    same_head, _ = _clf(tiny_bundle, max_text_bytes=300)
    ref = same_head.label_batch([seen], np.array([5], np.uint32), [seen], np.ones(1, np.uint8))
    assert got.label == ref.label
    np.testing.assert_allclose(got.confidence, ref.confidence, rtol=1e-6)
