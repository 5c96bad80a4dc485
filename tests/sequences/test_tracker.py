"""Grouping lines into sessions: keys, idle timeouts, sessions that never close."""

from __future__ import annotations

import numpy as np
import pytest
from logtriage.config import SessionsSettings, load_settings
from logtriage.errors import ConfigError
from logtriage.sessions import SessionKeyer, SessionTracker


def test_keyer_regex_and_field() -> None:
    k = SessionKeyer(key_regex=r"(blk_-?\d+)")
    msgs = ["Receiving block blk_-42 src", "no block here", "Deleting blk_7"]
    assert k.keys_batch(msgs) == ["blk_-42", None, "blk_7"]
    named = SessionKeyer(key_field="trace", key_regex=r"req=(?P<key>\w+)")
    keys = named.keys_batch(["a req=r1", "b req=r2", "c"], {"trace": ["t1", "", ""]})
    assert keys == ["t1", "r2", None]
    with pytest.raises(ConfigError):
        SessionKeyer()
    with pytest.raises(ConfigError):
        SessionKeyer(key_regex="(")


def test_idle_timeout_closes_interleaved_sessions() -> None:
    t = SessionTracker(idle_timeout_s=10)
    ids = np.array([1, 5, 2, 6])
    closed = t.observe(["a", "b", "a", "b"], ids, [0, 1, 2, 3], refs=list("wxyz"))
    assert closed == [] and len(t) == 2
    closed = t.observe(["c"], [9], [20.0])
    assert sorted(c.key for c in closed) == ["a", "b"]
    a = next(c for c in closed if c.key == "a")
    assert a.template_ids == [1, 2] and a.refs == ["w", "y"] and a.reason == "idle"
    assert (a.start_s, a.end_s) == (0, 2)
    assert [c.key for c in t.flush()] == ["c"] and len(t) == 0


def test_session_that_never_goes_quiet_is_flushed_at_max_age() -> None:
    t = SessionTracker(idle_timeout_s=5, max_session_s=30)
    closed = []
    for second in range(0, 100, 2):
        closed += t.observe(["busy"], [1], [float(second)])
    assert [c.reason for c in closed] == ["max_age"] * 3
    assert all(c.end_s - c.start_s >= 30 for c in closed)
    assert sum(len(c) for c in closed) + sum(1 for _ in range(len(t))) <= 50


def test_expire_uses_wall_clock_without_new_lines() -> None:
    t = SessionTracker(idle_timeout_s=60)
    t.observe(["k"], [3], [1000.0])
    assert t.expire(1030.0) == []
    (closed,) = t.expire(1061.0)
    assert closed.template_ids == [3] and closed.reason == "idle"
    t.observe(["k2"], [3])  # timestamps default to now
    assert t.expire() == [] and len(t) == 1


def test_window_length_and_eviction_limits() -> None:
    t = SessionTracker(idle_timeout_s=100, window_s=10)
    closed = t.observe(["h"] * 4, [1, 2, 3, 4], [0, 5, 10, 12])
    assert [(c.reason, c.template_ids) for c in closed] == [("window", [1, 2])]
    t = SessionTracker(max_length=3)
    closed = t.observe(["k"] * 7, range(7), [0.0] * 7)
    assert [c.template_ids for c in closed] == [[0, 1, 2], [3, 4, 5]]
    t = SessionTracker(max_open_sessions=2)
    closed = t.observe(["a", "b", "a", "c"], [1, 2, 3, 4], [0, 1, 2, 3])
    assert [(c.key, c.reason) for c in closed] == [("b", "evicted")]
    with pytest.raises(ConfigError):
        t.observe(["a"], [1, 2], [0.0])
    with pytest.raises(ConfigError):
        SessionTracker(idle_timeout_s=0)


def test_none_keys_are_ignored_and_settings_build_tracker(tmp_path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("sessions:\n  key_regex: '(blk_\\d+)'\n  idle_timeout_s: 5\n")
    s = load_settings(cfg).sessions
    assert s.enabled and not SessionsSettings().enabled
    t = SessionTracker.from_settings(s)
    keys = SessionKeyer.from_settings(s).keys_batch(["x blk_1", "y", "z blk_1"])
    t.observe(keys, [1, 2, 3], [0, 0, 0])
    (closed,) = t.flush()
    assert closed.template_ids == [1, 3] and closed.reason == "flush"
    bad = tmp_path / "bad.yaml"
    bad.write_text("sessions:\n  key_regex: '('\n  idle_timeout_s: -1\n")
    with pytest.raises(ConfigError) as exc:
        load_settings(bad)
    assert "idle_timeout_s" in str(exc.value)
