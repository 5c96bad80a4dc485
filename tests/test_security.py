"""Security guarantees: secrets never logged, TLS verified by default, rules files
cannot execute code.

- Secrets: ``logtriage doctor`` and ``logtriage run --once`` (real subprocesses) with
  an API key in the config file and a username/password (password and a bearer token
  from the environment), against the real engine (security is off there: the
  credentials are simply sent) and against a dead port. Neither stdout nor stderr may
  contain any secret string (nor its base64 Basic-auth form).
- TLS: ``SearchSettings().verify_certs`` is true, and a client built from default
  settings refuses a self-signed HTTPS server (a real stdlib ``ssl`` server with a
  certificate made by the ``openssl`` CLI) with an error naming certificate
  verification; with ``verify_certs: false`` the same server is reached.
- Rules/config YAML: ``!!python/object/apply:os.system`` tags are refused with a
  clear error and the command never runs (a marker file is never created).
"""

from __future__ import annotations

import base64
import http.server
import json
import os
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import urllib3
import yaml
from logtriage.config import RulesSettings, SearchSettings, load_settings
from logtriage.core import load_rules
from logtriage.errors import ConfigError
from logtriage.local_engine import LocalEngine, free_port
from logtriage.search.client import EngineRequestError, SearchClient

from tests._search_helpers import load, make_docs, settings_for, unique, write_config

API_KEY = "QXBpS2V5U2VjcmV0LWRvLW5vdC1sb2c6c2VjcmV0dmFsdWU5OTE="
PASSWORD = "hunter2-Pa55w0rd-never-logged"
BEARER = "bearer-token-9f8e7d6c-never-logged"
SECRETS = [
    API_KEY,
    PASSWORD,
    BEARER,
    base64.b64encode(f"elastic:{PASSWORD}".encode()).decode(),
]


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = "from logtriage.cli import app; app()"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        input="",
        env=env,
        timeout=180,
        check=False,
    )


def _assert_no_secret(proc: subprocess.CompletedProcess[str], what: str) -> None:
    for secret in SECRETS:
        assert secret not in proc.stdout, f"{what}: secret in stdout"
        assert secret not in proc.stderr, f"{what}: secret in stderr"


@pytest.mark.parametrize("kind", ["api_key", "password"])
def test_secrets_are_never_logged(es_engine: LocalEngine, tmp_path: Path, kind: str) -> None:
    client = SearchClient.connect(SearchSettings(hosts=[es_engine.url]))
    index = unique("secrets")
    load(client, index, make_docs(50, seed=3))
    client.close()
    env = {**os.environ}
    search: dict[str, object] = {"request_timeout_s": 3.0}
    if kind == "password":
        search["username"] = "elastic"
        env["LOGTRIAGE_SEARCH__PASSWORD"] = PASSWORD
    dead = f"http://127.0.0.1:{free_port()}"
    for url, label in ((es_engine.url, "live"), (dead, "dead")):
        settings = settings_for(
            url, index, search=search, sidecar={"name": f"sec-{label}", "max_backoff_s": 0.3}
        )
        config = write_config(settings, tmp_path / f"{label}.yaml")
        if kind == "api_key":  # write_config masks secrets; put the real one in the file
            data = yaml.safe_load(config.read_text())
            data["search"]["api_key"] = API_KEY
            config.write_text(yaml.safe_dump(data))
        assert (API_KEY in config.read_text()) == (kind == "api_key")
        doctor = _cli("doctor", "--config", str(config), env=env)
        _assert_no_secret(doctor, f"doctor ({label})")
        run = _cli("run", "--once", "--config", str(config), env=env)
        _assert_no_secret(run, f"run --once ({label})")
        debug = _cli("run", "--once", "--debug", "--config", str(config), env=env)
        _assert_no_secret(debug, f"run --once --debug ({label})")
        if label == "live":
            assert run.returncode == 0, run.stderr[-2000:]
            assert json.loads(run.stdout.strip().splitlines()[-1])["labelled"] == 50
        else:
            assert doctor.returncode == 1 and run.returncode == 1
            assert "no search engine reachable" in run.stderr
    # ``config show`` prints the resolved configuration: secrets masked there too.
    env["LOGTRIAGE_SEARCH__BEARER_TOKEN"] = BEARER
    shown = _cli("config", "show", "--config", str(config), env=env)
    assert shown.returncode == 0, shown.stderr
    _assert_no_secret(shown, "config show")


@pytest.fixture
def self_signed_https(tmp_path: Path) -> Iterator[str]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # an OpenSearch-like answer, if TLS lets it through
            body = json.dumps(
                {"version": {"distribution": "opensearch", "number": "2.18.0"}}
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_tls_verification_is_on_by_default(self_signed_https: str) -> None:
    assert SearchSettings().verify_certs is True
    assert load_settings().search.verify_certs is True
    with pytest.raises(EngineRequestError) as info:
        SearchClient.connect(SearchSettings(hosts=[self_signed_https]))
    msg = str(info.value)
    assert "no search engine reachable" in msg and self_signed_https in msg
    assert "CERTIFICATE_VERIFY_FAILED" in msg or "certificate verify failed" in msg, msg
    # The same server is reached once verification is explicitly turned off, so the
    # failure above is the certificate check, not a broken server.
    # (urllib3 warns about the unverified request: opting out is visible.)
    with pytest.warns(urllib3.exceptions.InsecureRequestWarning):
        client = SearchClient.connect(SearchSettings(hosts=[self_signed_https], verify_certs=False))
    assert client.engine == "opensearch"
    client.close()


PAYLOAD = '!!python/object/apply:os.system ["touch {marker}"]'


def test_rules_file_cannot_execute_code(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        f"rules:\n  - id: evil\n    pattern: {PAYLOAD.format(marker=marker)}\n    label: error\n"
    )
    with pytest.raises(ConfigError) as info:
        load_rules(RulesSettings(path=rules))
    assert f"rules file {rules} is not valid YAML" in str(info.value)
    assert "python/object/apply" in str(info.value)
    assert not marker.exists()

    # The top-level tag form, through the CLI that loads rules (classify).
    rules.write_text(f"{PAYLOAD.format(marker=marker)}\n")
    config = tmp_path / "c.yaml"
    config.write_text(f"rules:\n  path: {rules}\nmodel:\n  enabled: false\n")
    proc = _cli("classify", "--config", str(config), "-", env={**os.environ})
    assert proc.returncode != 0
    assert "is not valid YAML" in proc.stderr + proc.stdout
    assert not marker.exists()


def test_config_file_cannot_execute_code(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    config = tmp_path / "c.yaml"
    config.write_text(f"search: {PAYLOAD.format(marker=marker)}\n")
    with pytest.raises(ConfigError, match="is not valid YAML"):
        load_settings(config)
    proc = _cli("doctor", "--config", str(config), env={**os.environ})
    assert proc.returncode == 1
    assert "is not valid YAML" in proc.stdout + proc.stderr
    assert not marker.exists()


def test_a_password_in_the_engine_url_is_never_logged(
    es_engine: LocalEngine, tmp_path: Path
) -> None:
    """``search.hosts: ["http://user:password@host:9200"]``: doctor and run name the host
    with the password masked, whether it answers or not (a dead host's error was
    logged on every retry with the URL whole)."""
    password = "url-Pa55w0rd-never-logged"
    live = es_engine.url.replace("http://", f"http://elastic:{password}@")
    dead = f"http://elastic:{password}@127.0.0.1:{free_port()}"
    for url, label in ((live, "live"), (dead, "dead")):
        settings = settings_for(
            url,
            unique("urlpw"),
            search={"request_timeout_s": 3.0},
            sidecar={"max_backoff_s": 0.1},
        )
        config = write_config(settings, tmp_path / f"{label}.yaml")
        assert password in config.read_text()
        for args in (("doctor",), ("run", "--once")):
            proc = _cli(*args, "--config", str(config), env={**os.environ})
            output = proc.stdout + proc.stderr
            assert password not in output, f"{args} ({label}): {output[-2000:]}"
            if label == "dead" or args == ("doctor",):  # these name the host
                assert "elastic:**********@127.0.0.1" in output, f"{args} ({label}): {output}"
