"""Property tests of the core through the Python API (hypothesis).

State round trips keep template ids, equal input gives equal output, header
parsing keeps every line and rule matching accepts any text.
"""

from __future__ import annotations

import re

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st
from logtriage._core import (
    HeaderParser,
    Masker,
    Miner,
    RuleSet,
    features_batch,
    header_presets,
)
from logtriage.errors import ConfigError, RuleError

FAST = settings(max_examples=50, deadline=None)

WORDS = ["open", "close", "user", "root", "failed", "ok", "disk", "port", "from", "job"]
TOKENS = st.one_of(
    st.sampled_from(WORDS),
    st.integers(0, 99_999).map(str),
    st.tuples(*[st.integers(0, 255)] * 4).map(lambda t: ".".join(map(str, t))),
    st.sampled_from(WORDS).map(lambda w: f"{w}=x{len(w)}"),
    st.text(alphabet="abcxyz/:-_.", min_size=1, max_size=6),
)
# Log-like lines from a small vocabulary, so that templates meet, generalise,
# merge and get evicted; plus arbitrary text now and then.
LINE = st.one_of(
    st.lists(TOKENS, min_size=1, max_size=8).map(" ".join),
    st.text(max_size=40),
)
LINES = st.lists(LINE, max_size=40)
TEXTS = st.lists(st.text(max_size=80), max_size=20)

# Small limits: eviction, the `<*>` tree child and token truncation all happen.
MINER = {"max_templates": 4, "max_children": 3, "max_tokens": 6, "depth": 4}


def train(m: Miner, lines: list[str]) -> list[tuple[int, int]]:
    """(id, current id) per line (the template itself may be evicted by now)."""
    ids, _, _ = m.train_batch(lines)
    final = m.resolve_batch([int(i) for i in ids])
    return [(int(i), int(f)) for i, f in zip(ids, final, strict=True)]


def live(m: Miner) -> list[tuple[int, str, str, int]]:
    return [t[:4] for t in m.templates()]


@FAST
@given(a=LINES, b=LINES)
# Evicting `p a` used to leave its tree edge, so `p c` went to the `<*>` child
# in the trained miner but not in the loaded one.
@example(
    a=["p a", "p b", "q z", "r y", "s x"],
    b=["p c", "p d", "p e", "p f", "p g", "p h", "p c", "p e"],
)
def test_ids_stable_across_state_round_trip(a: list[str], b: list[str]) -> None:
    whole = Miner(**MINER)
    train(whole, a)
    expected = train(whole, b)

    first = Miner(**MINER)
    train(first, a)
    loaded = Miner.from_bytes(first.to_bytes())
    assert live(loaded) == live(first)
    assert train(loaded, b) == expected
    assert live(loaded) == live(whole)


@FAST
@given(lines=LINES)
def test_same_input_same_output(lines: list[str]) -> None:
    assert train(Miner(**MINER), lines) == train(Miner(**MINER), lines)
    assert Masker().mask_batch(lines) == Masker().mask_batch(lines)
    (x1, names1), (x2, names2) = features_batch(lines), features_batch(lines)
    assert names1 == names2 and x1.shape == (len(lines), len(names1))
    np.testing.assert_array_equal(x1, x2)
    rules = [(f"r.{w}", w, "Error", None, 0, None) for w in WORDS[:4]]
    np.testing.assert_array_equal(
        RuleSet(rules).match_batch(lines), RuleSet(rules).match_batch(lines)
    )


def check_parse(p: HeaderParser, lines: list[str]) -> None:
    cols, matched = p.parse_batch(lines)
    assert list(cols) == p.fields and len(matched) == len(lines)
    assert all(len(col) == len(lines) for col in cols.values())
    for i, line in enumerate(lines):
        if not matched[i]:
            assert cols["Content"][i] == line.strip()
            assert all(cols[f][i] == "" for f in p.fields if f != "Content")


@FAST
@given(name=st.sampled_from(sorted(header_presets())), lines=TEXTS)
def test_header_presets_keep_every_line(name: str, lines: list[str]) -> None:
    check_parse(HeaderParser.from_preset(name), lines)


FORMAT_PART = st.sampled_from(["<Date>", "<Level>", " ", "  ", ": ", r"\[", r"\]", "-", "<Pid>"])


@FAST
@given(parts=st.lists(FORMAT_PART, max_size=6), tail=st.text(max_size=8), lines=TEXTS)
def test_header_formats_keep_every_line(parts: list[str], tail: str, lines: list[str]) -> None:
    try:
        p = HeaderParser("".join(parts) + "<Content>" + tail)
    except ConfigError:
        return
    check_parse(p, lines)


@FAST
@given(
    words=st.lists(st.text(min_size=1, max_size=5), min_size=1, max_size=5, unique=True),
    lines=TEXTS,
)
def test_literal_rules_match_like_substring(words: list[str], lines: list[str]) -> None:
    rs = RuleSet([(f"r{i}", re.escape(w), "Error", None, 0, None) for i, w in enumerate(words)])
    got = rs.match_batch(lines, fields={"f": lines})
    assert got.shape == (len(lines),)
    for line, k in zip(lines, got, strict=True):
        hits = [i for i, w in enumerate(words) if w in line]
        assert k == (hits[0] if hits else -1)


@FAST
@given(
    patterns=st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=4),
    priorities=st.lists(st.integers(-5, 5), min_size=4, max_size=4),
    lines=TEXTS,
)
def test_user_rules_never_raise_on_text(
    patterns: list[str], priorities: list[int], lines: list[str]
) -> None:
    rules = [
        (f"r{i}", p, "Error", None, priorities[i], "f" if i % 2 else None)
        for i, p in enumerate(patterns)
    ]
    try:
        rs = RuleSet(rules)
    except (RuleError, ConfigError):
        return
    got = rs.match_batch(lines, fields={"f": [line[::-1] for line in lines]})
    assert got.shape == (len(lines),)
    assert all(-1 <= k < len(rules) for k in got)
