"""Tests of the sample-log generator (``logtriage.samples``)."""

from __future__ import annotations

import csv
import itertools
import json
import re
from collections import Counter
from datetime import datetime, timezone
from functools import cache
from pathlib import Path

import pytest
from logtriage.samples import (
    ANOMALY_LABELS,
    FAMILIES,
    LABELS,
    SampleLine,
    generate,
    templates,
    write_csv,
    write_jsonl,
)

from tests.shared_data import shared_data


@cache
def lines_20k() -> list[SampleLine]:
    return generate(20_000, seed=0)


def _pattern(template: str) -> re.Pattern[str]:
    return re.compile(".+?".join(re.escape(p) for p in template.split("<*>")), re.DOTALL)


def test_deterministic_for_same_seed_and_n() -> None:
    a = generate(3000, seed=11)
    b = generate(3000, seed=11)
    assert a == b
    c = generate(3000, seed=12)
    assert [x.message for x in a] != [x.message for x in c]
    assert generate(500, seed=11) == a[:500]


def test_exact_count_and_fields() -> None:
    for n in (0, 1, 7, 1234):
        out = generate(n, seed=3)
        assert len(out) == n
    line = generate(1, seed=3)[0]
    assert isinstance(line, SampleLine)
    with pytest.raises(AttributeError):
        line.label = "Error"  # type: ignore[misc]


def test_labels_and_anomaly_consistent() -> None:
    for line in lines_20k():
        assert line.label in LABELS
        assert line.anomaly == (line.label in ANOMALY_LABELS)
        assert line.service in FAMILIES
        assert line.message and line.raw and line.host and line.level
        assert line.message in line.raw or json.dumps(line.message)[1:-1] in line.raw
    # the same message text never carries two labels
    label_of: dict[str, str] = {}
    for line in lines_20k():
        assert label_of.setdefault(line.message, line.label) == line.label, line.message


def test_every_category_has_at_least_five_percent() -> None:
    counts = Counter(line.label for line in lines_20k())
    n = len(lines_20k())
    for label in LABELS:
        assert counts[label] / n >= 0.05, (label, counts)
    assert counts["System Notification"] == max(counts.values())


def test_timestamps_iso_and_strictly_increasing() -> None:
    stamps = [line.timestamp for line in lines_20k()]
    parsed = [datetime.fromisoformat(s.replace("Z", "+00:00")) for s in stamps]
    assert all(a < b for a, b in itertools.pairwise(parsed))


def test_start_time() -> None:
    start = datetime(2025, 6, 30, 23, 59, 59, tzinfo=timezone.utc)
    out = generate(500, seed=1, start=start)
    first = datetime.fromisoformat(out[0].timestamp.replace("Z", "+00:00"))
    last = datetime.fromisoformat(out[-1].timestamp.replace("Z", "+00:00"))
    assert start < first < last
    assert out[-1].timestamp.startswith("2025-07-01T")
    assert generate(500, seed=1, start=start.replace(tzinfo=None)) == out
    assert [x.template for x in out] == [x.template for x in generate(500, seed=1)]


def test_at_least_25_families_and_each_generates_alone() -> None:
    assert len(FAMILIES) >= 25
    assert len(set(FAMILIES)) == len(FAMILIES)
    for fam in FAMILIES:
        out = generate(200, seed=1, families=[fam])
        assert {line.service for line in out} == {fam}
        assert len({line.label for line in out}) >= 2, fam


def test_families_filter_and_unknown_family() -> None:
    out = generate(2000, seed=2, families=["sshd", "nginx_access"])
    assert {line.service for line in out} == {"sshd", "nginx_access"}
    with pytest.raises(ValueError, match="unknown families"):
        generate(10, families=["no-such-family"])


def test_template_counts() -> None:
    by_text = {t.text: t for t in templates()}
    assert len(by_text) >= 400
    per_label = Counter(t.label for t in by_text.values())
    for label in LABELS:
        assert per_label[label] >= 30, (label, per_label)
    # a template text carries one label everywhere it is used
    labels_of: dict[str, set[str]] = {}
    for t in templates():
        labels_of.setdefault(t.text, set()).add(t.label)
    assert all(len(v) == 1 for v in labels_of.values())


def test_most_templates_are_used_in_20k_lines() -> None:
    used = {line.template for line in lines_20k()}
    assert len(used) >= 0.9 * len({t.text for t in templates()})


def test_templates_match_their_messages() -> None:
    patterns: dict[str, re.Pattern[str]] = {}
    for line in lines_20k():
        p = patterns.get(line.template)
        if p is None:
            p = patterns[line.template] = _pattern(line.template)
        assert p.fullmatch(line.message), (line.template, line.message)
        assert "<*>" not in line.message


def test_hard_cases_present() -> None:
    texts = {t.text: t.label for t in templates()}
    # failed vs successful logins
    assert texts["Accepted password for <*> from <*> port <*> ssh2 (session <*>)"] == "User Action"
    assert texts["Failed password for <*> from <*> port <*> ssh2 [attempt <*>]"] == "Security Alert"
    # access lines are HTTP Status whatever the status code, 5xx included
    access = '<*> - - [<*>] "<*> <*> HTTP/1.1" <*> <*> "<*>" "<*>"'
    assert texts[access] == "HTTP Status"
    assert any(
        line.label == "HTTP Status" and re.search(r'" 5\d\d ', line.message) for line in lines_20k()
    )
    # multi-line stack traces emitted as separate Error lines
    frames = [line for line in lines_20k() if line.message.startswith("\tat ")]
    assert frames and all(line.label == "Error" for line in frames)
    assert any(line.message.startswith("Caused by: ") for line in lines_20k())
    assert any(line.message == "Traceback (most recent call last):" for line in lines_20k())


def _norm(t: str) -> str:
    return re.sub(r"(?:<\*>\s*)+", "<*> ", re.sub(r"\s+", " ", t)).strip().lower()


def test_no_template_copied_from_loghub() -> None:
    files = sorted((shared_data() / "loghub-2k").glob("*/*_templates.csv"))
    assert len(files) >= 10
    theirs: set[str] = set()
    for f in files:
        with open(f, newline="", encoding="utf-8") as fh:
            theirs.update(row["EventTemplate"].strip() for row in csv.DictReader(fh))
    assert len(theirs) > 500
    ours = {t.text for t in templates()}
    assert not ours & theirs
    theirs_norm = {_norm(t) for t in theirs}
    copied = sorted(t for t in ours if _norm(t) in theirs_norm)
    assert not copied, copied
    # and no generated message is a LogHub line's content
    contents: set[str] = set()
    for f in sorted((shared_data() / "loghub-2k").glob("*/*_structured.csv")):
        with open(f, newline="", encoding="utf-8") as fh:
            contents.update(row["Content"].strip() for row in csv.DictReader(fh))
    assert len(contents) > 1000
    same = {line.message.strip() for line in lines_20k()} & contents
    assert not same, sorted(same)[:5]


def test_each_category_spans_many_families() -> None:
    fams_of: dict[str, set[str]] = {}
    for t in templates():
        fams_of.setdefault(t.label, set()).add(t.family)
    for label in LABELS:
        assert len(fams_of[label]) >= 12, (label, sorted(fams_of[label]))


def test_write_csv_and_jsonl(tmp_path: Path) -> None:
    out = generate(300, seed=4)
    write_csv(out, tmp_path / "s.csv")
    with open(tmp_path / "s.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["message", "label", "anomaly"]
    assert rows[1:] == [[x.message, x.label, str(int(x.anomaly))] for x in out]
    write_jsonl(out, tmp_path / "s.jsonl")
    back = [json.loads(s) for s in (tmp_path / "s.jsonl").read_text("utf-8").splitlines()]
    assert [SampleLine(**d) for d in back] == out
