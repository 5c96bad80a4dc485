"""The shared Pipeline: rules decide first, templates always, labeler for the rest."""

from __future__ import annotations

import random
import re
import string
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from logtriage.config import MiningSettings, Settings, load_settings
from logtriage.errors import StateError
from logtriage.labels import UNCLASSIFIED, LabelColumns
from logtriage.pipeline import Pipeline


class RecordingLabeler:
    """A real Labeler implementation that labels by a keyword and records its calls."""

    model_version = "test-1"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def label_batch(self, messages, template_ids, template_texts, changes) -> LabelColumns:  # type: ignore[no-untyped-def]
        self.calls.append(list(messages))
        n = len(messages)
        labels = ["Error" if "fail" in m else "System Notification" for m in messages]
        return LabelColumns(
            label=labels,
            confidence=np.full(n, 0.9, dtype=np.float32),
            anomaly=np.array([lab == "Error" for lab in labels]),
            anomaly_score=np.full(n, 0.5, dtype=np.float32),
        )


def write_rules(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(
        "rules:\n"
        "  - id: test.denied\n"
        "    pattern: 'permission denied'\n"
        "    label: Security Alert\n"
        "    anomaly: true\n"
    )
    return path


def test_rules_decide_before_the_labeler(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LOGTRIAGE_RULES__USE_DEFAULTS", "false")
    monkeypatch.setenv("LOGTRIAGE_RULES__PATH", str(write_rules(tmp_path)))
    labeler = RecordingLabeler()
    pipeline = Pipeline(load_settings(), labeler=labeler)
    batch = pipeline.process_batch(["permission denied for bob", "task 1 failed", "task 2 started"])
    assert batch.rules == ["test.denied", None, None]
    assert batch.labels.label == ["Security Alert", "Error", "System Notification"]
    assert batch.labels.anomaly.tolist() == [True, True, False]
    assert labeler.calls == [["task 1 failed", "task 2 started"]]
    assert batch.model_version == "test-1"
    assert len(batch.template_texts) == 3


def test_blank_lines_are_unclassified_not_guessed() -> None:
    labeler = RecordingLabeler()
    pipeline = Pipeline(load_settings(), labeler=labeler)
    batch = pipeline.process_batch(["", "task 1 failed", " \t ", "task 2 started"])
    assert batch.labels.label == [UNCLASSIFIED, "Error", UNCLASSIFIED, "System Notification"]
    assert batch.labels.confidence.tolist() == [0.0, np.float32(0.9), 0.0, np.float32(0.9)]
    assert batch.labels.anomaly.tolist() == [False, True, False, False]
    assert batch.labels.anomaly_score.tolist() == [0.0, 0.5, 0.0, 0.5]
    assert labeler.calls == [["task 1 failed", "task 2 started"]]
    assert batch.template_texts[0] == batch.template_texts[2] == ""
    later = pipeline.process_batch(["  ", "task 3 started"])  # the blank template is known now
    assert later.labels.label == [UNCLASSIFIED, "System Notification"]
    assert labeler.calls[-1] == ["task 3 started"]


def test_without_model_lines_are_unclassified_and_novel_once() -> None:
    pipeline = Pipeline(load_settings())
    first = pipeline.process_batch(["cache warmed in 12 ms", "cache warmed in 15 ms"])
    assert first.labels.label == [UNCLASSIFIED, UNCLASSIFIED]
    assert first.labels.anomaly_score.tolist() == [1.0, 0.0]
    assert first.template_ids[0] == first.template_ids[1]


def test_state_round_trip_keeps_ids(tmp_path: Path) -> None:
    settings = load_settings()
    pipeline = Pipeline(settings)
    lines = ["disk sda1 at 91% capacity", "user alice logged in from 10.1.2.3"]
    before = pipeline.process_batch(lines).template_ids.tolist()
    state = tmp_path / "miner.state"
    pipeline.save_state(state)
    restored = Pipeline(settings, miner=Pipeline.load_miner(state))
    after = restored.process_batch(list(reversed(lines))).template_ids.tolist()
    assert after == list(reversed(before))


def test_a_state_file_that_is_not_one_names_the_file(tmp_path: Path) -> None:
    state = tmp_path / "session.log"  # e.g. a log given where --state is expected
    state.write_text("2024-01-01 12:00:00 INFO started\n")
    with pytest.raises(StateError, match=rf"^state file {re.escape(str(state))}: corrupt"):
        Pipeline.load_miner(state)


def test_memory_for_template_texts_stays_bounded_by_max_templates() -> None:
    """A sidecar that meets new templates for days (ids, words no mask covers) kept the
    text of every template it had ever mined, evicted ones included: Python memory grew
    by about 130 bytes per template for ever (2.6 MB per 20,000). It now stays within
    about twice ``mining.max_templates`` texts; the lines keep their templates."""
    pipeline = Pipeline(Settings(mining=MiningSettings(max_templates=500)))
    rng = random.Random(5)

    def fresh_lines(n: int) -> list[str]:  # a new template each: new first word and length
        return [
            " ".join(
                "".join(rng.choice(string.ascii_lowercase) for _ in range(8))
                for _ in range(rng.randrange(3, 12))
            )
            for _ in range(n)
        ]

    for _ in range(3):  # fill the miner to max_templates (400 a batch: under it)
        pipeline.process_batch(fresh_lines(400))
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        for _ in range(50):
            lines = fresh_lines(400)
            batch = pipeline.process_batch(lines)
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    assert batch.template_texts[-1] == lines[-1]  # still labelled by their own template
    grown = sum(
        stat.size_diff
        for stat in after.compare_to(before, "filename")
        if stat.traceback[0].filename.endswith("pipeline.py")
    )
    assert grown < 300_000, f"{grown} bytes more after 20,000 new templates"


def test_a_batch_with_more_new_templates_than_max_templates_is_labelled_whole() -> None:
    """Templates created and evicted within one batch (mining.max_templates 10, 50 new
    ones) were gone from the miner when their texts were looked up: KeyError, so a
    sidecar with a small max_templates stopped at its first page of new lines."""
    pipeline = Pipeline(Settings(mining=MiningSettings(max_templates=10)))
    words = ["".join(random.Random(i).choices(string.ascii_lowercase, k=8)) for i in range(50)]
    messages = [f"{word} started the {word} service" for word in words]
    batch = pipeline.process_batch(messages)
    assert batch.template_texts == messages  # one line each: the text is the line
    assert len(set(batch.template_ids.tolist())) == 50
    assert len(pipeline.miner) == 10
