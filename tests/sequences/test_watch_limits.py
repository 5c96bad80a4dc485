"""The sidecar's session watch when a limit (max_length, max_session_s) cuts a session:
a normal session longer than the limit is not flagged, an abnormal start still is."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from logtriage.config import SessionsSettings
from logtriage.sessions import NgramDetector
from logtriage.sidecar.sessions import SessionFlag, SessionWatch

NORMAL = [1, 2, 3, 4, 5, 6, 7, 8]


def _watch(tmp_path: Path, **limits: float) -> SessionWatch:
    model = tmp_path / "m"
    NgramDetector.from_settings(SessionsSettings(history=2, top_g=1)).fit([NORMAL]).save(model)
    settings = SessionsSettings(key_regex=r"(blk_\d+)", model_path=model, **limits)
    return SessionWatch(settings)


def _feed(watch: SessionWatch, key: str, ids: list[int], t0: float) -> list[SessionFlag]:
    n = len(ids)
    return watch.observe(
        [f"line of {key}"] * n,
        [{}] * n,
        np.array(ids, dtype=np.uint32),
        np.arange(n, dtype=np.float64) + t0,
        [(key, i) for i in range(n)],
    )


def test_a_normal_session_cut_by_max_length_is_not_flagged(tmp_path: Path) -> None:
    watch = _watch(tmp_path, max_length=3)
    flags = _feed(watch, "blk_1", NORMAL, 0.0) + watch.expire(1e9)
    assert flags == [], "the cut is no end, and the rest starts mid-sequence"
    assert watch.scored == 1 and watch.anomalous == 0


def test_a_normal_session_cut_by_max_session_s_is_not_flagged(tmp_path: Path) -> None:
    watch = _watch(tmp_path, max_session_s=2.5)
    assert _feed(watch, "blk_1", NORMAL, 0.0) + watch.expire(1e9) == []


def test_a_cut_session_that_goes_wrong_before_the_cut_is_flagged(tmp_path: Path) -> None:
    watch = _watch(tmp_path, max_length=3)
    flags = _feed(watch, "blk_2", [1, 9, 3, 4, 5, 6, 7, 8], 0.0) + watch.expire(1e9)
    assert {ref for ref, _ in flags} == {("blk_2", 0), ("blk_2", 1), ("blk_2", 2)}
    assert flags[0][1]["position"] == 1 and flags[0][1]["template_id"] == 9


def test_after_a_cut_session_ends_the_key_starts_afresh(tmp_path: Path) -> None:
    """Once the cut session has closed (idle), the key's next session is scored again."""
    watch = _watch(tmp_path, max_length=5, idle_timeout_s=10)
    assert _feed(watch, "blk_3", NORMAL, 0.0) + watch.expire(100.0) == []
    flags = _feed(watch, "blk_3", [1, 2, 9], 200.0) + watch.expire(1e9)
    assert [ref for ref, _ in flags] == [("blk_3", 0), ("blk_3", 1), ("blk_3", 2)]
