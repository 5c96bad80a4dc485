"""Alert rules that name a label the pipeline never writes are refused, by
``config validate`` and by ``run`` (a typo such as ``Critical error`` would
otherwise keep the rule silent for ever)."""

from __future__ import annotations

from pathlib import Path

import pytest
from logtriage.config import load_settings
from logtriage.errors import ConfigError
from logtriage.sidecar import Sidecar

from tests.cli.test_config_cmd import run_config

RULES = """
rules:
  - {id: crit, kind: label_count, label: Critical error, threshold: 20}
  - {id: sec, kind: new_template, labels: [Security Alert, security alerts]}
  - {id: none, kind: label_count, label: Unclassified, threshold: 100}
  - {id: mine, kind: label_count, label: Disk Full, threshold: 0}
  - {id: rate, kind: anomaly_rate, threshold: 0.1}
"""
MY_RULES = "rules:\n  - {id: disk, pattern: 'No space left', label: Disk Full}\n"


def _config(tmp_path: Path, *, model: bool) -> Path:
    (tmp_path / "alerts.yaml").write_text(RULES)
    (tmp_path / "my_rules.yaml").write_text(MY_RULES)
    cfg = tmp_path / "logtriage.yaml"
    cfg.write_text(
        f"model:\n  enabled: {str(model).lower()}\n"
        f"rules:\n  path: {tmp_path / 'my_rules.yaml'}\n"
        f"alerts:\n  enabled: true\n  rules_file: {tmp_path / 'alerts.yaml'}\n"
        "  receivers:\n    - {name: ops, url: 'http://127.0.0.1:9/hook'}\n"
    )
    return cfg


def test_validate_names_unknown_labels_with_the_closest_one(tmp_path: Path) -> None:
    proc = run_config("validate", str(_config(tmp_path, model=True)))
    assert proc.returncode == 1, proc.stdout
    err = proc.stderr
    assert f"invalid alert rules in {tmp_path / 'alerts.yaml'}" in err
    assert "rule 'crit': no document is ever labelled 'Critical error' (did you mean " in err
    assert "'Critical Error'?)" in err
    assert "rule 'sec': no document is ever labelled 'security alerts'" in err
    # Unclassified, the model's labels and the user's regex rules' labels are fine.
    for fine in ("'Unclassified'", "'Security Alert' (", "'Disk Full'", "rule 'rate'"):
        assert fine not in err.split("The labels written here")[0], err


def test_run_refuses_them_before_connecting(tmp_path: Path) -> None:
    """Model off: only the regex rules' labels and Unclassified are written."""
    settings = load_settings(_config(tmp_path, model=False))
    with pytest.raises(ConfigError) as err:
        Sidecar(settings)
    msg = str(err.value)
    assert "'Critical error' (did you mean 'Critical Error'?)" in msg
    assert "'Disk Full'" not in msg.split("The labels written here")[0]
    assert "Unclassified" in msg.split("The labels written here")[1]


def test_known_labels_pass(tmp_path: Path) -> None:
    (tmp_path / "alerts.yaml").write_text(
        "rules:\n  - {id: crit, kind: label_count, label: Critical Error, threshold: 2}\n"
    )
    cfg = tmp_path / "logtriage.yaml"
    cfg.write_text(
        f"alerts:\n  enabled: true\n  rules_file: {tmp_path / 'alerts.yaml'}\n"
        "  receivers:\n    - {name: ops, url: 'http://127.0.0.1:9/hook'}\n"
    )
    proc = run_config("validate", str(cfg))
    assert proc.returncode == 0, proc.stderr
