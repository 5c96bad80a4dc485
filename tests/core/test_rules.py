"""RuleSet: one RegexSet pass, priority resolution, field rules, clear errors, default rules."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
import yaml
from logtriage._core import RuleSet
from logtriage.errors import ConfigError, RuleError

REPO = Path(__file__).resolve().parents[2]
DEFAULT_RULES = REPO / "plugin" / "logtriage" / "rules" / "default_rules.yaml"

LABELS = {
    "Critical Error",
    "Error",
    "Security Alert",
    "User Action",
    "HTTP Status",
    "Resource Usage",
    "System Notification",
}


def rule(id_, pattern, label="Error", anomaly=None, priority=0, field=None):
    return (id_, pattern, label, anomaly, priority, field)


def load_yaml_rules(path: Path) -> RuleSet:
    doc = yaml.safe_load(path.read_text())
    return RuleSet(
        [
            (
                r["id"],
                r["pattern"],
                r["label"],
                r.get("anomaly"),
                int(r.get("priority", 0)),
                r.get("field"),
            )
            for r in doc["rules"]
        ]
    )


def test_priority_then_earlier_rule() -> None:
    rs = RuleSet(
        [
            rule("a.fail", "fail"),
            rule("b.failed", "failed"),
            rule("c.password", "password", priority=5),
            rule("d.pass", "pass", priority=5),
            rule("e.neg", "x", priority=-3),
        ]
    )
    out = rs.match_batch(["it failed", "Failed password for root", "pass", "nothing", "x fail"])
    assert out.dtype == np.int32
    assert out.tolist() == [0, 2, 3, -1, 0]
    assert len(rs) == 5
    assert rs.ids == ["a.fail", "b.failed", "c.password", "d.pass", "e.neg"]
    assert rs.priorities == [0, 0, 5, 5, -3]


def test_field_rules_use_columns() -> None:
    rs = RuleSet(
        [
            rule("msg.timeout", "timeout", priority=0),
            rule("lvl.error", "^(ERROR|FATAL)$", priority=1, field="Level"),
            rule("comp.sshd", "^sshd", label="Security Alert", priority=2, field="Component"),
        ]
    )
    lines = ["read timeout", "ok", "ERROR in message only", "timeout"]
    fields = {
        "Level": ["INFO", "ERROR", "INFO", "FATAL"],
        "Component": ["kernel", "kernel", "kernel", "sshd"],
    }
    assert rs.match_batch(lines, fields=fields).tolist() == [0, 1, -1, 2]
    # Without the columns, field rules cannot fire.
    assert rs.match_batch(lines).tolist() == [0, -1, -1, 0]
    assert rs.fields == [None, "Level", "Component"]
    with pytest.raises(ConfigError, match="Level"):
        rs.match_batch(lines, fields={"Level": ["INFO"]})


def test_bad_regex_names_rule_and_pattern() -> None:
    with pytest.raises(RuleError) as info:
        RuleSet([rule("ok.rule", "fine"), rule("broken.rule", r"unclosed (group")])
    err = info.value
    assert err.rule_id == "broken.rule"
    assert err.pattern == r"unclosed (group"
    assert "broken.rule" in str(err)
    assert "unclosed group" in str(err)
    # The error survives pickling with its data.
    again = pickle.loads(pickle.dumps(err))
    assert (again.rule_id, again.pattern) == ("broken.rule", r"unclosed (group")


@pytest.mark.parametrize(
    ("rules", "error"),
    [
        ([rule("dup", "a"), rule("dup", "b")], ConfigError),
        ([rule("", "a")], ConfigError),
        ([rule("x", "a", label="")], ConfigError),
        ([rule("empty", "")], RuleError),
        ([rule("huge", r"\w{5000}\w{5000}")], RuleError),
        ([rule("backref", r"(a)\1")], RuleError),
    ],
)
def test_invalid_rule_sets(rules, error) -> None:
    with pytest.raises(error):
        RuleSet(rules)


def test_huge_line() -> None:
    rs = RuleSet([rule("kernel.panic", "Kernel panic")])
    line = "x" * 10_000_000
    assert rs.match_batch([line, line + " Kernel panic"]).tolist() == [-1, 0]


def test_big_batch_matches_small_batches() -> None:
    rs = RuleSet([rule("num", r"\b\d{3}\b"), rule("z", "z", priority=1)])
    lines = [f"line {i} {'z' if i % 7 == 0 else ''}" for i in range(20_000)]
    whole = rs.match_batch(lines)
    parts = np.concatenate([rs.match_batch(lines[i : i + 100]) for i in range(0, len(lines), 100)])
    assert (whole == parts).all()
    assert whole[0] == 1
    assert whole[100] == 0
    assert whole[1] == -1


def test_default_rules_compile_and_are_well_formed() -> None:
    doc = yaml.safe_load(DEFAULT_RULES.read_text())
    assert set(doc) == {"rules"}
    for r in doc["rules"]:
        assert set(r) <= {"id", "pattern", "label", "anomaly", "priority", "field"}, r
        assert r["label"] in LABELS, r
        assert "." in r["id"], r
    rs = load_yaml_rules(DEFAULT_RULES)
    assert len(rs) == len(doc["rules"]) >= 15
    assert set(rs.labels) <= LABELS


SAMPLES = {
    # OpenSSH (LogHub)
    "Failed password for invalid user webmaster from 173.234.31.186 port 38926 ssh2": (
        "sshd.auth_failure"
    ),
    "Invalid user webmaster from 173.234.31.186": "sshd.invalid_user",
    "reverse mapping checking getaddrinfo for ns.example.com [1.2.3.4] failed - "
    "POSSIBLE BREAK-IN ATTEMPT!": "sshd.break_in_attempt",
    "Disconnecting: Too many authentication failures for root [preauth]": (
        "sshd.too_many_auth_failures"
    ),
    "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
    "rhost=1.2.3.4  user=root": "pam.auth_failure",
    # Linux kernel
    "Kernel panic - not syncing: Fatal exception in interrupt": "kernel.panic",
    "Out of memory: Killed process 1234 (java) total-vm:123kB": "kernel.oom_kill",
    "app[1234]: segfault at 0000000000000010 ip 00007f sp 00007ff error 4": "kernel.segfault",
    # HTTP
    '10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326': (
        "http.access_log"
    ),
    '10.11.10.1 "GET /v2/servers/detail HTTP/1.1" status: 200 len: 1893 time: 0.2477': (
        "http.status_line"
    ),
    "write failed: No space left on device": "disk.no_space",
    "[client 1.2.3.4] Directory index forbidden by rule: /var/www/html/": (
        "apache.directory_forbidden"
    ),
}


def test_default_rules_fire_on_samples() -> None:
    rs = load_yaml_rules(DEFAULT_RULES)
    lines = list(SAMPLES)
    got = rs.match_batch(lines)
    assert [rs.ids[i] if i >= 0 else None for i in got] == list(SAMPLES.values())
    by_id = dict(zip(rs.ids, zip(rs.labels, rs.anomalies, strict=True), strict=True))
    assert by_id["sshd.auth_failure"] == ("Security Alert", True)
    assert by_id["kernel.panic"][0] == "Critical Error"
    assert by_id["http.access_log"][0] == "HTTP Status"


def test_default_rules_stay_quiet_on_ordinary_lines() -> None:
    rs = load_yaml_rules(DEFAULT_RULES)
    quiet = [
        "Accepted password for root from 1.2.3.4 port 22 ssh2",
        "session opened for user root by (uid=0)",
        "PacketResponder 1 for block blk_38865049064139660 terminating",
        "Received block blk_3587508140051953248 of size 67108864 from /10.251.42.84",
        "jk2_init() Found child 6725 in scoreboard slot 10",
    ]
    assert rs.match_batch(quiet).tolist() == [-1] * len(quiet)


def test_default_level_rules_need_the_level_field() -> None:
    rs = load_yaml_rules(DEFAULT_RULES)
    lines = ["something broke", "something broke", "all good"]
    levels = {"Level": ["ERROR", "error", "INFO"]}
    got = rs.match_batch(lines, fields=levels)
    assert [rs.ids[i] if i >= 0 else None for i in got] == ["level.error", "level.error", None]
    assert rs.match_batch(lines).tolist() == [-1, -1, -1]
