"""`logtriage config show|validate` in a subprocess, as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml
from logtriage.config.sessions import SessionsSettings
from logtriage.sessions import NgramDetector

CLI = [sys.executable, "-m", "logtriage.cli"]


def run_config(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LOGTRIAGE_")}
    return subprocess.run(
        [*CLI, "config", *args], capture_output=True, text=True, env={**clean, **env}, timeout=60
    )


def test_validate_takes_the_file_as_argument_or_option(tmp_path: Path) -> None:
    cfg = tmp_path / "logtriage.yaml"
    cfg.write_text("search:\n  hosts: [http://es:9200]\n")
    for args in ([str(cfg)], ["--config", str(cfg)], ["-c", str(cfg)]):
        proc = run_config("validate", *args)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip() == f"{cfg} + LOGTRIAGE_* environment: ok"


def test_validate_lists_every_problem_with_hints_and_where_it_came_from(tmp_path: Path) -> None:
    cfg = tmp_path / "logtriage.yaml"
    cfg.write_text("search:\n  hots: [a]\nsidecar:\n  poll_interval_s: soon\n")
    proc = run_config("validate", str(cfg), LOGTRIAGE_SIDECAR__WORKERS="0")
    assert proc.returncode == 1
    assert proc.stdout == ""
    err = proc.stderr.strip()
    assert err.startswith(f"error: invalid configuration in {cfg}: ")
    assert "search.hots: Extra inputs are not permitted (did you mean search.hosts?)" in err
    assert "sidecar.poll_interval_s: Input should be a valid number" in err
    assert "sidecar.workers: Input should be greater than or equal to 1 " in err
    assert "(set by LOGTRIAGE_SIDECAR__WORKERS)" in err
    assert "Traceback" not in err


def test_validate_without_a_file_checks_the_environment() -> None:
    assert run_config("validate").returncode == 0
    proc = run_config("validate", LOGTRIAGE_API__PORT="eighty")
    assert proc.returncode == 1
    assert "api.port" in proc.stderr and "(set by LOGTRIAGE_API__PORT)" in proc.stderr


def test_validate_names_an_environment_variable_whose_section_is_misspelt() -> None:
    proc = run_config("validate", LOGTRIAGE_MINNING__DEPTH="5")
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        "error: invalid configuration: minning: Extra inputs are not permitted "
        "(did you mean mining? set by LOGTRIAGE_MINNING__DEPTH)"
    )


def test_show_resolves_file_and_env_and_masks_secrets(tmp_path: Path) -> None:
    cfg = tmp_path / "logtriage.yaml"
    cfg.write_text("search:\n  hosts: [http://es:9200]\n  api_key: s3cret-key\n")
    proc = run_config("show", "--config", str(cfg), LOGTRIAGE_SIDECAR__WORKERS="3")
    assert proc.returncode == 0, proc.stderr
    shown = yaml.safe_load(proc.stdout)
    assert shown["search"]["hosts"] == ["http://es:9200"]
    assert shown["sidecar"]["workers"] == 3
    assert shown["search"]["api_key"] == "**********"
    assert "s3cret" not in proc.stdout


def test_show_masks_passwords_in_urls_webhook_paths_and_header_values(tmp_path: Path) -> None:
    """The help said secrets are masked, yet the password in LOGTRIAGE_ES_URL, a Slack
    webhook URL (its path is the secret) and receivers' header values printed verbatim.
    Scheme, user and host stay visible: which cluster, which receiver."""
    cfg = tmp_path / "logtriage.yaml"
    cfg.write_text(
        "alerts:\n  receivers:\n"
        "    - {name: slack, url: 'https://hooks.slack.com/services/T0/B0/s3cretpath'}\n"
        "    - name: pager\n      url: 'https://ops:pagerpw@pager.example:8443/?key=s3cretkey'\n"
        "      headers: {Authorization: Bearer s3crettoken}\n"
        "    - {name: plain, url: 'http://hook.example'}\n"
    )
    proc = run_config(
        "show", "-c", str(cfg), LOGTRIAGE_ES_URL="http://elastic:s3cretpw@es.example:9200/proxy"
    )
    assert proc.returncode == 0, proc.stderr
    assert "s3cret" not in proc.stdout and "pagerpw" not in proc.stdout
    shown = yaml.safe_load(proc.stdout)
    assert shown["search"]["hosts"] == ["http://elastic:**********@es.example:9200/proxy"]
    receivers = shown["alerts"]["receivers"]
    assert [r["url"] for r in receivers] == [
        "https://hooks.slack.com/**********",
        "https://ops:**********@pager.example:8443/**********",
        "http://hook.example/",
    ]
    assert receivers[1]["headers"] == {"Authorization": "**********"}


def test_validate_reads_the_rules_files_run_would_read(tmp_path: Path) -> None:
    """The config alone was ok for validate while `run` then failed on the files it
    names (or on alerting enabled without a receiver)."""
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - id: broken\n    pattern: 'a('\n    label: Error\n")
    cfg = tmp_path / "logtriage.yaml"
    cfg.write_text(f"rules:\n  path: {rules}\n")
    proc = run_config("validate", str(cfg))
    assert proc.returncode == 1
    assert proc.stderr.startswith(f'error: rules file {rules}: rule "broken": invalid pattern')
    cfg.write_text(
        "alerts:\n  enabled: true\n  rules_file: missing.yaml\n"
        "  receivers: [{name: hook, url: 'http://127.0.0.1:9/x'}]\n"
    )
    proc = run_config("validate", str(cfg))
    assert proc.returncode == 1
    assert (
        proc.stderr.strip()
        == f"error: cannot read alert rules file {tmp_path / 'missing.yaml'}: No such file or "
        "directory"
    )
    cfg.write_text("alerts:\n  enabled: true\n")
    proc = run_config("validate", str(cfg))
    assert proc.stderr.strip() == (
        f"error: invalid configuration in {cfg}: alerts: enabled needs at least one entry in "
        "alerts.receivers"
    )


def test_relative_paths_in_the_file_are_read_beside_it_from_any_directory(
    tmp_path: Path,
) -> None:
    """A service reads /etc/logtriage.yaml from / (systemd): `rules: {path:
    my_rules.yaml}` beside the file was looked for in the current directory."""
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "my_rules.yaml").write_text(
        "rules:\n  - id: disk\n    pattern: 'disk full'\n    label: Resource Usage\n"
    )
    cfg = etc / "logtriage.yaml"
    cfg.write_text("rules:\n  path: my_rules.yaml\nmodel:\n  cache_path: cache/t.json\n")
    elsewhere = tmp_path / "work"
    elsewhere.mkdir()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LOGTRIAGE_")}
    proc = subprocess.run(
        [*CLI, "config", "validate", str(cfg)],
        capture_output=True,
        text=True,
        env=clean,
        cwd=elsewhere,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    proc = subprocess.run(
        [*CLI, "config", "show", "-c", str(cfg)],
        capture_output=True,
        text=True,
        env=clean,
        cwd=elsewhere,
        timeout=60,
    )
    shown = yaml.safe_load(proc.stdout)
    assert shown["rules"]["path"] == str(etc / "my_rules.yaml")
    assert shown["model"]["cache_path"] == str(etc / "cache" / "t.json")


def test_validate_warns_of_a_rule_label_that_looks_misspelt(tmp_path: Path) -> None:
    """`label: critical error` was accepted in silence: the lines it labels are missed by
    every dashboard panel and alert rule made for `Critical Error`. A label of one's own
    (`Deployment`) is allowed and not warned of."""
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n"
        "  - {id: oom, pattern: 'out of memory', label: critical error}\n"
        "  - {id: deploy, pattern: 'deployed version', label: Deployment}\n"
        "  - {id: disk, pattern: 'disk full', label: Resource Usage}\n"
    )
    cfg = tmp_path / "logtriage.yaml"
    cfg.write_text(f"rules:\n  path: {rules}\nmodel:\n  enabled: false\n")
    proc = run_config("validate", str(cfg))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines() == [
        f"warning: rules file {rules}: rule 'oom' labels lines 'critical error', which is no "
        "label of the model or the built-in rules (did you mean 'Critical Error'?)"
    ]
    assert proc.stdout.strip().endswith(": ok")


def test_validate_refuses_a_file_as_argument_and_another_as_option(tmp_path: Path) -> None:
    """`validate A.yaml -c B.yaml` checked A and said ok without a word about B."""
    good = tmp_path / "good.yaml"
    good.write_text("mining:\n  depth: 5\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("mining:\n  depth: 1\n")
    proc = run_config("validate", str(good), "-c", str(bad))
    assert proc.returncode == 2
    assert proc.stdout == ""
    said = " ".join(proc.stderr.replace("│", " ").split())  # typer boxes and wraps it
    assert "give the config file as CONFIG or as --config, not both" in said


def test_validate_builds_masks_and_models_and_lists_every_problem(tmp_path: Path) -> None:
    """validate said ok while parse refused the masks, classify the model bundle and run
    the sequence model; now it builds what they build and names every problem."""
    cfg = tmp_path / "logtriage.yaml"
    cfg.write_text(
        "masking:\n  remove: [nosuchmask]\n"
        "  add: [{name: ticket, regex: '([', placeholder: '<T>'}]\n"
        f"sessions:\n  key_regex: '(blk_\\d+)'\n  model_path: {tmp_path / 'no-seq'}\n"
    )
    proc = run_config("validate", str(cfg), LOGTRIAGE_MODEL__BUNDLE=str(tmp_path / "no-model"))
    assert proc.returncode == 1
    assert proc.stdout == ""
    err = proc.stderr
    assert err.startswith("error: masking.remove names unknown masks: nosuchmask (masks: uuid, ")
    assert 'mask "ticket": invalid regex' in err
    assert f"{tmp_path / 'no-model'}: model bundle directory does not exist" in err
    assert f"{tmp_path / 'no-seq'}: sequence bundle directory does not exist" in err
    assert "Traceback" not in err


def test_validate_loads_the_sequence_model_run_would_load(tmp_path: Path) -> None:
    model = tmp_path / "seq"
    NgramDetector.from_settings(SessionsSettings()).fit([[1, 2, 3]]).save(model)
    cfg = tmp_path / "logtriage.yaml"
    cfg.write_text("sessions:\n  key_regex: '(blk_\\d+)'\n")
    proc = run_config("validate", str(cfg))
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: sessions: set sessions.model_path to a model written by")
    cfg.write_text(f"sessions:\n  key_regex: '(blk_\\d+)'\n  model_path: {model}\n")
    proc = run_config("validate", str(cfg))
    assert proc.returncode == 0, proc.stderr
    (model / "ngram.json").write_text("{}")
    proc = run_config("validate", str(cfg))
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"error: {model / 'ngram.json'}: missing or sha256 mismatch"
