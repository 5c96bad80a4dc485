"""The committed Grafana/Kibana artifacts: fresh, valid, and exported with user names.

Dashboards are checked against grafana-foundation-sdk's models (the pinned
version), alert-rule files against a JSON Schema written from Grafana's
file-provisioning documentation, Kibana ndjson for structure and references.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from logtriage.cli import main
from logtriage.cli.dashboards import render

from dashboards import generate, grafana_gen, kibana_gen
from dashboards.names import FieldNames
from dashboards.validate import (
    validate_alert_rules_file,
    validate_dashboard,
    validate_datasources_file,
    validate_kibana_ndjson,
)

ROOT = generate.OUT
DS_UIDS = {grafana_gen.ES_DS_UID, grafana_gen.PROM_DS_UID}
CUSTOM = FieldNames(
    index="app-logs-*,audit-*",
    message="log.original",
    timestamp="event.created",
    service="svc.id",
    host="agent.hostname",
)


def _load(rel: str) -> Any:
    text = (ROOT / rel).read_text(encoding="utf-8")
    return json.loads(text) if rel.endswith(".json") else yaml.safe_load(text)


def test_committed_artifacts_are_what_the_generator_writes() -> None:
    assert generate.main(["--check"]) == 0


@pytest.mark.parametrize("stem", ["logtriage-overview", "logtriage-operations"])
def test_dashboard_matches_sdk_model(stem: str) -> None:
    board = _load(f"grafana/{stem}.json")
    assert validate_dashboard(board, DS_UIDS) == []
    assert board["schemaVersion"] >= 39


def test_overview_has_the_promised_panels_and_variables() -> None:
    board = _load("grafana/logtriage-overview.json")
    titles = [p["title"] for p in board["panels"] if p["type"] != "row"]
    assert titles == [
        "Labelled volume by label",
        "Anomaly rate",
        "Critical Error and Security Alert",
        "Top templates",
        "Newly seen templates",
        "Confidence distribution",
        "Logs (filtered by label, template, service, host)",
    ]
    assert [v["name"] for v in board["templating"]["list"]] == [
        "ds", "label", "service", "host", "template",
    ]  # fmt: skip


def test_validator_rejects_unknown_fields_and_panel_types() -> None:
    board = _load("grafana/logtriage-overview.json")
    bad = copy.deepcopy(board)
    bad["panels"][1]["notAGrafanaField"] = 1
    bad["panels"][2]["type"] = "no-such-panel"
    bad["panels"][4]["datasource"]["uid"] = "${missing}"
    problems = validate_dashboard(bad, DS_UIDS)
    assert any("notAGrafanaField" in p for p in problems)
    assert any("no-such-panel" in p for p in problems)
    assert any("${missing}" in p for p in problems)


def test_alert_rules_file_matches_grafana_provisioning_schema() -> None:
    doc = _load("grafana/provisioning/alerting/logtriage-rules.yaml")
    assert validate_alert_rules_file(doc, DS_UIDS) == []
    uids = [r["uid"] for r in doc["groups"][0]["rules"]]
    assert uids == [
        "logtriage-critical-burst",
        "logtriage-new-severe-template",
        "logtriage-anomaly-rate",
        "logtriage-sidecar-lag",
        "logtriage-sidecar-errors",
    ]


@pytest.mark.parametrize(
    ("mutate", "expect"),
    [
        (lambda r: r.pop("condition"), "'condition' is a required property"),
        (lambda r: r.update(condition="Z"), "condition Z is not a refId"),
        (lambda r: r.update(noDataState="Maybe"), "Maybe"),
        (lambda r: r["data"][0].update(datasourceUid="nope"), "datasource nope"),
        (lambda r: r["data"][-1]["model"].update(expression="$Q > 1"), "unknown $Q"),
        (lambda r: r.update(uid="has space"), "does not match"),
    ],
)
def test_alert_rules_validator_catches(mutate: Any, expect: str) -> None:
    doc = _load("grafana/provisioning/alerting/logtriage-rules.yaml")
    mutate(doc["groups"][0]["rules"][0])
    problems = validate_alert_rules_file(doc, DS_UIDS)
    assert any(expect in p for p in problems), problems


def test_datasources_and_dashboard_provider_files() -> None:
    assert validate_datasources_file(_load("grafana/provisioning/datasources/logtriage.yaml")) == []
    provider = _load("grafana/provisioning/dashboards/logtriage.yaml")
    assert provider["apiVersion"] == 1 and provider["providers"][0]["type"] == "file"
    bad = _load("grafana/provisioning/datasources/logtriage.yaml")
    del bad["datasources"][0]["jsonData"]["index"]
    assert validate_datasources_file(bad) == [
        "datasource logtriage logs: jsonData.index is required"
    ]


def test_kibana_saved_objects_structure_and_references() -> None:
    text = (ROOT / "kibana/logtriage.ndjson").read_text(encoding="utf-8")
    assert validate_kibana_ndjson(text) == []
    objs = [json.loads(line) for line in text.splitlines()]
    assert [o["type"] for o in objs].count("search") == len(kibana_gen.DEFAULT_LABELS) + 1
    assert objs[-1]["type"] == "dashboard"


def test_kibana_validator_catches_broken_references() -> None:
    objs = kibana_gen.saved_objects()
    objs[1]["references"][0]["id"] = "gone"
    objs[2]["attributes"]["columns"].append("no.such.field")
    problems = validate_kibana_ndjson(kibana_gen.to_ndjson(objs))
    assert any("index-pattern/gone missing" in p for p in problems)
    assert any("no.such.field is not in the data view" in p for p in problems)


def test_export_substitution_equals_generating_with_those_names() -> None:
    """What the CLI writes (text substitution, no SDK needed at run time) is exactly
    what the SDK generator produces for the same names."""
    names = {
        "index": CUSTOM.index,
        "message": CUSTOM.message,
        "timestamp": CUSTOM.timestamp,
        "service": CUSTOM.service,
        "host": CUSTOM.host,
    }
    expected = generate.artifacts(CUSTOM)
    for rel, text in generate.artifacts().items():
        if rel.endswith(".yaml"):  # same data; quoting of '@...' scalars may differ
            assert yaml.safe_load(render(text, names)) == yaml.safe_load(expected[rel]), rel
        else:
            assert render(text, names) == expected[rel], rel
    overview = json.loads(expected["grafana/logtriage-overview.json"])
    assert validate_dashboard(overview, DS_UIDS) == []
    assert "svc.id:$service" in json.dumps(overview)


def test_cli_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "dashboards", "export", "--out", str(tmp_path), "--kibana",
            "--index", "app-logs-*", "--host-field", "agent.hostname",
        ]
    )  # fmt: skip
    assert code == 0
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.*"))
    assert written == sorted(generate.artifacts())
    ds = yaml.safe_load((tmp_path / "grafana/provisioning/datasources/logtriage.yaml").read_text())
    assert ds["datasources"][0]["jsonData"]["index"] == "app-logs-*"
    ndjson = (tmp_path / "kibana/logtriage.ndjson").read_text()
    assert validate_kibana_ndjson(ndjson) == [] and "agent.hostname" in ndjson
    assert "host.name" not in ndjson
    assert main(["dashboards", "export", "--out", str(tmp_path), "--message-field", "a b"]) == 1
    assert "invalid message field name" in capsys.readouterr().err


def test_cli_export_takes_names_from_the_config_and_flags_win(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in [k for k in os.environ if k.startswith("LOGTRIAGE_")]:
        monkeypatch.delenv(key)
    cfg = tmp_path / "logtriage.yaml"
    cfg.write_text(
        "search:\n  index: 'app-logs-*'\n  message_field: log.original\n"
        "alerts:\n  host_field: agent.hostname\n"
    )
    out = tmp_path / "out"
    args = ["dashboards", "export", "--out", str(out), "--kibana", "--config", str(cfg)]
    assert main([*args, "--host-field", "host.hostname"]) == 0
    ds = yaml.safe_load((out / "grafana/provisioning/datasources/logtriage.yaml").read_text())
    assert ds["datasources"][0]["jsonData"]["index"] == "app-logs-*"
    ndjson = (out / "kibana/logtriage.ndjson").read_text()
    assert "log.original" in ndjson and "host.hostname" in ndjson
    assert "agent.hostname" not in ndjson  # the flag beat the config
    monkeypatch.setenv("LOGTRIAGE_SEARCH__INDEX", "from-env-*")
    assert main(args) == 0
    ds = yaml.safe_load((out / "grafana/provisioning/datasources/logtriage.yaml").read_text())
    assert ds["datasources"][0]["jsonData"]["index"] == "from-env-*"


def test_an_installed_package_exports_without_the_source_checkout(tmp_path: Path) -> None:
    """A wheel holds the ``logtriage`` package and nothing else of the checkout. The
    artifacts used to live in the checkout's ``dashboards/``, so after ``pip install``
    export and provision said "cannot find the generated dashboards". Here the package
    is copied alone (as a wheel installs it) and export runs from it."""
    import shutil
    import subprocess
    import sys

    import logtriage

    site = tmp_path / "site-packages"
    shutil.copytree(
        Path(logtriage.__file__).parent,
        site / "logtriage",
        ignore=shutil.ignore_patterns("__pycache__", "bundles"),
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOGTRIAGE_")}
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "logtriage.cli", "dashboards", "export", "--out", str(out),
         "--kibana"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
        env={**env, "PYTHONPATH": str(site)},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.*"))
    assert written == sorted(generate.artifacts())


def test_cli_export_in_index_write_mode_reads_the_labels_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``sink.write_mode: index`` puts the labels in ``sink.labels_index``; the export
    used ``search.index``, whose documents have no ``logtriage.*``: every panel empty."""
    for key in [k for k in os.environ if k.startswith("LOGTRIAGE_")]:
        monkeypatch.delenv(key)
    cfg = tmp_path / "logtriage.yaml"
    cfg.write_text(
        "search:\n  index: 'app-logs-*'\n  timestamp_field: event.created\n"
        "sink:\n  write_mode: index\n  labels_index: app-labels\n"
    )
    out = tmp_path / "out"
    assert main(["dashboards", "export", "--out", str(out), "--kibana", "-c", str(cfg)]) == 0
    ds = yaml.safe_load((out / "grafana/provisioning/datasources/logtriage.yaml").read_text())
    es = ds["datasources"][0]["jsonData"]
    assert (es["index"], es["timeField"]) == ("app-labels", "@timestamp")
    err = capsys.readouterr().err
    assert "note: sink.write_mode is index, so the labels are in 'app-labels'" in err
    # --index still wins, without the note.
    assert main(["dashboards", "export", "--out", str(out), "-c", str(cfg), "--index", "x-*"]) == 0
    ds = yaml.safe_load((out / "grafana/provisioning/datasources/logtriage.yaml").read_text())
    assert ds["datasources"][0]["jsonData"]["index"] == "x-*"
    assert "note:" not in capsys.readouterr().err
