"""Masker: every default mask kind, custom masks and bad regexes."""

from __future__ import annotations

import pytest
from logtriage._core import Masker, default_masks
from logtriage.errors import ConfigError

CASES = [
    ("id 550e8400-e29b-41d4-a716-446655440000 ok", "id <UUID> ok"),
    ("get http://h.com:80/a?b=1 now", "get <URL> now"),
    ("mail root@example.com sent", "mail <EMAIL> sent"),
    ("at 2016-09-28 04:30:30.123 x", "at <TS> x"),
    ("mac 00:1a:2b:3c:4d:5e up", "mac <MAC> up"),
    ("from fe80::1ff:fe23:4567:890a up", "from <IP> up"),
    ("from 10.0.0.1:50010 up", "from <IP> up"),
    ("open /var/log/syslog failed", "open <PATH> failed"),
    ("addr 0x1f and 3fa9c01d", "addr <HEX> and <HEX>"),
    ("took 12ms for 3.5GB, -42", "took <NUM> for <NUM>, <NUM>"),
    ("user=root done", "user=<VAL> done"),
    ('say "hello world" now', 'say "<STR>" now'),
    ("dev 'sda' gone", "dev '<STR>' gone"),
    ("plain words only", "plain words only"),
]


def test_default_masks_are_data() -> None:
    masks = default_masks()
    names = [m[0] for m in masks]
    assert len(set(names)) == len(names)
    for kind in ("uuid", "ipv4", "ipv6", "mac", "hex", "num", "timestamp", "path", "url", "email"):
        assert kind in names
    assert Masker().names == names


@pytest.mark.parametrize(("line", "expected"), CASES)
def test_every_kind(line: str, expected: str) -> None:
    assert Masker().mask_batch([line]) == [expected]


def test_custom_masks_replace_defaults() -> None:
    m = Masker(masks=[("color", r"\b(?:red|blue)\b", "<COLOR>")])
    assert m.names == ["color"]
    assert m.mask_batch(["red car 42", "blue"]) == ["<COLOR> car 42", "<COLOR>"]


def test_bad_regex_names_the_mask() -> None:
    with pytest.raises(ConfigError, match="broken"):
        Masker(masks=[("broken", "(", "<X>")])


def test_non_ascii_and_empty() -> None:
    assert Masker().mask_batch(["", "héllo wörld 42"]) == ["", "héllo wörld <NUM>"]
