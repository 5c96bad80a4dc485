"""Per-line service/host/time columns from ``_source`` dicts."""

from __future__ import annotations

from logtriage.sources.columns import columns_from_sources, epoch_seconds

T0 = 1_700_000_000.0


def test_epoch_seconds_parses_iso_offsets_naive_and_millis() -> None:
    assert epoch_seconds("2023-11-14T22:13:20Z", 0.0) == T0
    assert epoch_seconds("2023-11-15T00:13:20+02:00", 0.0) == T0
    assert epoch_seconds("2023-11-14T22:13:20", 0.0) == T0  # naive means UTC
    assert epoch_seconds(1_700_000_000_500, 0.0) == T0 + 0.5


def test_epoch_seconds_falls_back_on_garbage() -> None:
    for value in ("yesterday", True, None, {"a": 1}):
        assert epoch_seconds(value, 42.0) == 42.0


def test_absent_and_object_values_are_none_and_time_is_now() -> None:
    services, hosts, ts = columns_from_sources(
        [{"service": {"name": {"nested": 1}}, "@timestamp": "not a date"}, {}],
    )
    assert services == [None, None] and hosts == [None, None]
    assert ts.shape == (2,) and (ts > T0).all()  # "now", well after T0
