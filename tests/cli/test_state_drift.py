"""`parse --state` with a config whose mining/masking settings differ from the
state's: the state's stay in force (its template ids keep their meaning), and a
warning now says so instead of ignoring the configured ones silently."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_parse import run_cli


def test_parse_warns_when_the_state_was_mined_with_other_settings(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    log.write_text("ticket TICKET-17 opened by bob\nticket TICKET-18 opened by ann\n")
    state, out = tmp_path / "miner.state", tmp_path / "out.csv"
    first = run_cli("parse", str(log), "--state", str(state), "-o", str(out))
    assert first.returncode == 0, first.stderr
    same = run_cli("parse", str(log), "--state", str(state), "-o", str(out))
    assert "warning" not in same.stderr.decode()

    config = tmp_path / "logtriage.yaml"
    config.write_text(
        "masking:\n  remove: [ipv4]\n"
        "  add: [{name: ticket, regex: 'TICKET-\\d+', placeholder: '<T>'}]\n"
        "mining:\n  max_templates: 10\n"
    )
    proc = run_cli(
        "parse", str(log), "--state", str(state), "-o", str(out), "--config", str(config)
    )
    assert proc.returncode == 0, proc.stderr
    (warning,) = [x for x in proc.stderr.decode().splitlines() if x.startswith("warning")]
    assert f"--state {state} was mined with other settings" in warning
    assert "mining.max_templates 100000 (configured 10)" in warning
    assert "masks: configured adds ticket; drops ipv4" in warning
    assert "give a new --state file" in warning
