"""``logtriage dashboards provision`` against a local stand-in for Grafana.

No Grafana server can be installed on these machines, so this test runs a
stdlib ``http.server`` on 127.0.0.1 (random port) that records every call
grafana-client makes and checks it against Grafana's HTTP API documentation:
Folder API (``GET/PUT /api/folders/:uid``, ``POST /api/folders`` with
``title``), Data source API (``GET/PUT /api/datasources/uid/:uid``,
``POST /api/datasources`` with ``name``/``type``/``access``), Dashboard API
(``GET /api/dashboards/uid/:uid``, ``POST /api/dashboards/db`` with
``dashboard``), Alerting provisioning API (``/api/v1/provisioning/alert-rules``
with the ``ProvisionedAlertRule`` required fields, and
``/api/v1/provisioning/folder/:uid/rule-groups/:group``), bearer-token auth.
Anything else is answered 400/404 and recorded as a violation.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from logtriage.cli import main

TOKEN = "glsa_test_token"
RULE_REQUIRED = (
    "condition", "data", "execErrState", "folderUID", "for", "noDataState", "orgID",
    "ruleGroup", "title",
)  # fmt: skip


def _stored(datasource: dict[str, Any]) -> dict[str, Any]:
    """A datasource as Grafana keeps and returns it: ``secureJsonData`` is encrypted
    away, and ``secureJsonFields`` says which of its fields are set."""
    secure = datasource.get("secureJsonData") or {}
    plain = {k: v for k, v in datasource.items() if k != "secureJsonData"}
    return {**plain, "secureJsonFields": {k: True for k in secure}, "_secrets": secure}


class FakeGrafana:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.violations: list[str] = []
        self.folders: dict[str, dict[str, Any]] = {}
        self.datasources: dict[str, dict[str, Any]] = {}
        self.dashboards: dict[str, dict[str, Any]] = {}
        self.rules: dict[str, dict[str, Any]] = {}
        self.groups: dict[tuple[str, str], int] = {}
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self, method: str) -> None:
                owner.calls.append((method, self.path))
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    owner.violations.append(f"{method} {self.path}: no bearer token")
                    return self._send(401, {"message": "Unauthorized"})
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                status, payload = owner.route(method, self.path, body)
                self._send(status, payload)

            def _send(self, status: int, payload: Any) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

            def do_PUT(self) -> None:
                self._handle("PUT")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _require(self, what: str, body: Any, keys: tuple[str, ...]) -> bool:
        missing = [k for k in keys if not isinstance(body, dict) or k not in body]
        if missing:
            self.violations.append(f"{what}: missing {missing}")
        return not missing

    def route(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        nf = (404, {"message": "not found"})
        if m := re.fullmatch(r"/api/folders/([\w-]+)", path):
            uid = m.group(1)
            if method == "GET":
                return (200, self.folders[uid]) if uid in self.folders else nf
            if method == "PUT" and self._require("PUT folder", body, ("title",)):
                if "version" not in body and not body.get("overwrite"):
                    self.violations.append("PUT folder: needs version or overwrite")
                self.folders[uid] = {**self.folders[uid], "title": body["title"]}
                return 200, self.folders[uid]
        if (path, method) == ("/api/folders", "POST") and self._require(
            "POST folder", body, ("title",)
        ):
            uid = body.get("uid") or "generated"
            self.folders[uid] = {"uid": uid, "title": body["title"], "version": 1}
            return 200, self.folders[uid]
        if m := re.fullmatch(r"/api/datasources/uid/([\w-]+)", path):
            uid = m.group(1)
            if method == "GET":
                return (200, self.datasources[uid]) if uid in self.datasources else nf
            if method == "PUT" and self._require(
                "PUT datasource", body, ("name", "type", "access")
            ):
                self.datasources[uid] = {**_stored(body), "uid": uid, "readOnly": False}
                return 200, {"datasource": self.datasources[uid], "message": "Datasource updated"}
        if (path, method) == ("/api/datasources", "POST") and self._require(
            "POST datasource", body, ("name", "type", "access")
        ):
            uid = body["uid"]
            stored = _stored(body)
            self.datasources[uid] = {**stored, "id": len(self.datasources) + 1, "readOnly": False}
            return 200, {"datasource": self.datasources[uid], "message": "Datasource added"}
        if m := re.fullmatch(r"/api/dashboards/uid/([\w-]+)", path):
            uid = m.group(1)
            return (200, self.dashboards[uid]) if uid in self.dashboards else nf
        if (
            (path, method) == ("/api/dashboards/db", "POST")
            and self._require("POST dashboard", body, ("dashboard",))
            and self._require("POST dashboard.dashboard", body["dashboard"], ("title", "uid"))
        ):
            board = body["dashboard"]
            old = self.dashboards.get(board["uid"])
            if old and not body.get("overwrite"):
                return 412, {"message": "version-mismatch"}
            version = old["dashboard"]["version"] + 1 if old else 1
            self.dashboards[board["uid"]] = {
                "dashboard": {**board, "id": 7, "version": version},
                "meta": {"folderUid": body.get("folderUid", "")},
            }
            return 200, {"uid": board["uid"], "status": "success", "version": version}
        if m := re.fullmatch(r"/api/v1/provisioning/alert-rules/([\w-]+)", path):
            uid = m.group(1)
            if method == "GET":
                return (200, self.rules[uid]) if uid in self.rules else nf
            if method == "PUT" and self._require(f"PUT rule {uid}", body, RULE_REQUIRED):
                self.rules[uid] = {**body, "uid": uid, "id": 3, "updated": "now"}
                return 200, self.rules[uid]
        if (path, method) == ("/api/v1/provisioning/alert-rules", "POST") and self._require(
            "POST rule", body, RULE_REQUIRED
        ):
            self.rules[body["uid"]] = {**body, "id": 3, "updated": "now"}
            self.groups.setdefault((body["folderUID"], body["ruleGroup"]), 60)
            return 201, self.rules[body["uid"]]
        if m := re.fullmatch(r"/api/v1/provisioning/folder/([\w-]+)/rule-groups/([\w-]+)", path):
            key = (m.group(1), m.group(2))
            if key not in self.groups:
                return nf
            rules = [r for r in self.rules.values() if (r["folderUID"], r["ruleGroup"]) == key]
            if method == "GET":
                group = {"title": key[1], "folderUid": key[0], "interval": self.groups[key]}
                return 200, {**group, "rules": rules}
            if method == "PUT" and self._require(
                "PUT rule group", body, ("title", "folderUid", "interval", "rules")
            ):
                self.groups[key] = body["interval"]
                return 200, body
        self.violations.append(f"{method} {path}: not in Grafana's API documentation")
        return 400, {"message": "unexpected call"}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def grafana() -> Iterator[FakeGrafana]:
    g = FakeGrafana()
    yield g
    g.close()


def _provision(grafana: FakeGrafana, *extra: str) -> int:
    return main(["dashboards", "provision", "--grafana-url", grafana.url, "--token", TOKEN, *extra])


def test_provision_creates_then_is_idempotent(
    grafana: FakeGrafana, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _provision(grafana, "--es-url", "http://es:9200", "--index", "app-*") == 0
    first = capsys.readouterr().out.splitlines()
    assert grafana.violations == []
    assert sum(line.startswith("created") for line in first) == 1 + 2 + 2 + 5
    assert set(grafana.folders) == {"logtriage"}
    assert grafana.datasources["logtriage-es"]["url"] == "http://es:9200"
    assert grafana.datasources["logtriage-es"]["jsonData"]["index"] == "app-*"
    assert set(grafana.dashboards) == {"logtriage-overview", "logtriage-operations"}
    assert grafana.dashboards["logtriage-overview"]["meta"]["folderUid"] == "logtriage"
    assert len(grafana.rules) == 5 and grafana.groups[("logtriage", "logtriage")] == 60

    writes_before = [c for c in grafana.calls if c[0] != "GET"]
    assert _provision(grafana, "--es-url", "http://es:9200", "--index", "app-*") == 0
    second = capsys.readouterr().out.splitlines()
    assert all(line.startswith("unchanged") for line in second), second
    assert [c for c in grafana.calls if c[0] != "GET"] == writes_before  # no writes at all
    assert grafana.violations == []


def test_provision_updates_only_what_drifted(
    grafana: FakeGrafana, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _provision(grafana) == 0
    capsys.readouterr()
    grafana.dashboards["logtriage-overview"]["dashboard"]["title"] = "edited in the UI"
    grafana.rules["logtriage-anomaly-rate"]["for"] = "1h"
    grafana.groups[("logtriage", "logtriage")] = 300
    grafana.datasources["logtriage-prom"]["url"] = "http://elsewhere:9090"
    assert _provision(grafana) == 0
    changed = {
        line.split()[1] + " " + line.split()[2]
        for line in capsys.readouterr().out.splitlines()
        if line.startswith("updated")
    }
    assert changed == {
        "dashboard logtriage-overview",
        "alert-rule logtriage-anomaly-rate",
        "rule-group logtriage",
        "datasource logtriage-prom",
    }
    assert grafana.dashboards["logtriage-overview"]["dashboard"]["title"] == "logtriage / overview"
    assert grafana.dashboards["logtriage-overview"]["dashboard"]["version"] == 2
    assert grafana.rules["logtriage-anomaly-rate"]["for"] == "5m"
    assert grafana.groups[("logtriage", "logtriage")] == 60
    assert grafana.violations == []


def test_provision_reports_refusal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    g = FakeGrafana()
    try:
        code = main(["dashboards", "provision", "--grafana-url", g.url, "--token", "wrong"])
    finally:
        g.close()
    assert code == 1
    assert "error: Grafana at" in capsys.readouterr().err


def test_provision_reports_unreachable_grafana(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    code = main(["dashboards", "provision", "--grafana-url", f"http://127.0.0.1:{port}",
                 "--token", TOKEN])  # fmt: skip
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith("error: cannot reach Grafana at") and err.count("\n") == 1


def test_dry_run_reads_only(grafana: FakeGrafana, capsys: pytest.CaptureFixture[str]) -> None:
    assert _provision(grafana, "--dry-run") == 0
    captured = capsys.readouterr()
    out = captured.out.splitlines()
    assert sum(line.startswith("created") for line in out) == 1 + 2 + 2 + 5 + 1
    # It said "11 changed", as if it had written them.
    assert captured.err == "dry run, nothing written: 11 would change, 0 unchanged\n"
    assert {m for m, _ in grafana.calls} == {"GET"}
    assert not grafana.dashboards and not grafana.rules and grafana.violations == []


def test_provision_takes_names_and_the_engine_url_from_the_config(
    grafana: FakeGrafana, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in [k for k in os.environ if k.startswith("LOGTRIAGE_")]:
        monkeypatch.delenv(key)
    cfg = tmp_path / "logtriage.yaml"
    cfg.write_text("search:\n  hosts: [http://es.internal:9200]\n  index: 'app-*'\n")
    assert _provision(grafana, "--config", str(cfg)) == 0
    es = grafana.datasources["logtriage-es"]
    assert (es["url"], es["jsonData"]["index"]) == ("http://es.internal:9200", "app-*")
    assert _provision(grafana, "-c", str(cfg), "--es-url", "http://es.public:9200") == 0
    assert grafana.datasources["logtriage-es"]["url"] == "http://es.public:9200"
    assert _provision(grafana) == 0  # no config, no hosts set: the file's URL
    assert grafana.datasources["logtriage-es"]["url"] == "http://localhost:9200"
    assert grafana.violations == []


@pytest.mark.parametrize(
    ("flag", "url", "expect"),
    [
        ("--grafana-url", "grafana:3000", "(e.g. http://grafana:3000)"),
        ("--grafana-url", "ftp://grafana", "needs http:// or https://"),
        ("--es-url", "es:9200", "(e.g. http://es:9200)"),
        ("--prometheus-url", "http://", "and a host"),
    ],
)
def test_provision_refuses_a_url_without_http_scheme_or_host(
    grafana: FakeGrafana, capsys: pytest.CaptureFixture[str], flag: str, url: str, expect: str
) -> None:
    """One error line naming the flag (grafana-client said "No connection adapters were
    found for 'grafana://None/3000api/...'"), before anything is sent to Grafana."""
    args = ["dashboards", "provision", "--grafana-url", grafana.url, "--token", TOKEN]
    assert main([*args, flag, url]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {flag} {url}: ") and expect in err and err.count("\n") == 1
    assert grafana.calls == []


def test_errors_never_print_the_password_of_the_grafana_url(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """grafana-client takes basic auth in the URL (``http://admin:pw@grafana:3000``);
    the error lines used to print it whole."""
    g = FakeGrafana()
    try:
        url = g.url.replace("http://", "http://admin:hunter2@")
        code = main(["dashboards", "provision", "--grafana-url", url, "--token", "wrong"])
        assert code == 1
        err = capsys.readouterr().err
        assert err.startswith("error: Grafana at http://admin:**********@127.0.0.1:"), err
        assert "hunter2" not in err
    finally:
        g.close()
    code = main(["dashboards", "provision", "--grafana-url", url, "--token", TOKEN])
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith("error: cannot reach Grafana at http://admin:**********@"), err
    assert "hunter2" not in err


def test_credentials_in_the_engine_url_become_basic_auth_not_part_of_the_url(
    grafana: FakeGrafana,
) -> None:
    """The URL of a datasource is shown to every Grafana user who can open it; the
    sidecar's credentials in it were stored there in plain text."""
    url = "https://logtriage:s%40cret@es.internal:9200"
    assert _provision(grafana, "--es-url", url) == 0
    es = grafana.datasources["logtriage-es"]
    assert es["url"] == "https://es.internal:9200"
    assert (es["basicAuth"], es["basicAuthUser"]) == (True, "logtriage")
    assert es["_secrets"] == {"basicAuthPassword": "s@cret"}
    assert "cret" not in json.dumps({k: v for k, v in es.items() if k != "_secrets"})
    calls = len(grafana.calls)
    assert _provision(grafana, "--es-url", url) == 0
    assert ("PUT", "/api/datasources/uid/logtriage-es") not in grafana.calls[calls:]
    assert grafana.violations == []
