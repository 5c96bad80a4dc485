"""Auth, CORS, models, templates, health, metrics and OpenAPI of the real app."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from logtriage.api import create_app
from logtriage.config import ModelSettings, RulesSettings, Settings
from logtriage.config.serve import is_loopback
from logtriage.errors import ConfigError
from logtriage.pipeline import LabeledBatch, Pipeline

from tests.api.conftest import make_settings, manifest_labeler

TOKEN = "s3cret-token-for-tests-0123456789"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("10.1.2.3", False),
        ("example.org", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_non_loopback_without_token_refuses_to_start(rules_file: Path) -> None:
    with pytest.raises(ConfigError, match=r"api\.token is required"):
        create_app(make_settings(rules_file, host="0.0.0.0"))
    with pytest.raises(ConfigError, match="at least 16"):
        create_app(make_settings(rules_file, host="0.0.0.0", token="short"))
    with pytest.raises(ConfigError, match="auth='on'"):
        create_app(make_settings(rules_file, auth="on"))
    # Explicitly off is allowed (e.g. behind an authenticating proxy).
    create_app(make_settings(rules_file, host="0.0.0.0", auth="off"))


@pytest.mark.parametrize("settings_api", [{"host": "0.0.0.0"}, {"auth": "on"}])
def test_bearer_token_is_required_where_configured(
    rules_file: Path, settings_api: dict[str, str]
) -> None:
    app = create_app(make_settings(rules_file, token=TOKEN, **settings_api))
    good = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(app) as c:
        for method, path in (
            ("POST", "/v1/classify"),
            ("GET", "/v1/models"),
            ("GET", "/v1/templates"),
            ("GET", "/metrics"),
        ):
            kwargs = {"json": ["x"]} if method == "POST" else {}
            r = c.request(method, path, **kwargs)  # type: ignore[arg-type]
            assert r.status_code == 401, path
            assert r.json()["error"]["type"] == "unauthorized"
            assert r.headers["www-authenticate"] == "Bearer"
            bad = {"Authorization": "Bearer wrong-token-wrong-token"}
            r = c.request(method, path, headers=bad, **kwargs)  # type: ignore[arg-type]
            assert r.status_code == 401 and r.json()["error"]["message"] == "invalid bearer token"
            r = c.request(method, path, headers=good, **kwargs)  # type: ignore[arg-type]
            assert r.status_code == 200, (path, r.text)
        health = c.get("/health")
        assert health.status_code == 200 and health.json()["auth_required"] is True
        assert c.get("/").status_code == 200
        assert c.get("/static/app.js").status_code == 200
        upload = c.post("/v1/classify/file", files={"file": ("a.log", b"x\n")})
        assert upload.status_code == 401


@pytest.mark.parametrize(
    ("path", "body", "content_type"),
    [
        ("/v1/classify", b'["not closed', "application/json"),
        ("/v1/classify", b'["caf\xe9"]', "application/json"),
        ("/v1/classify/file", b"--x\r\nnot a part", "multipart/form-data; boundary=x"),
    ],
)
def test_the_token_is_checked_before_the_body_is_read(
    rules_file: Path, path: str, body: bytes, content_type: str
) -> None:
    """A caller without the token gets 401, whatever its body (before: 422 or 400)."""
    app = create_app(make_settings(rules_file, auth="on", token=TOKEN))
    headers = {"Content-Type": content_type}
    with TestClient(app) as c:
        r = c.post(path, content=body, headers=headers)
        assert r.status_code == 401, r.text
        assert r.json()["error"] == {"type": "unauthorized", "message": "missing bearer token"}
        assert r.headers["www-authenticate"] == "Bearer"
        authorized = {**headers, "Authorization": f"Bearer {TOKEN}"}
        assert c.post(path, content=body, headers=authorized).status_code in (400, 422)


@pytest.mark.parametrize("path", ["/health", "/", "/v1/models", "/v1/templates", "/metrics"])
def test_head_is_answered_wherever_get_is(client: TestClient, path: str) -> None:
    """``curl -I`` and uptime checks send HEAD; FastAPI routes answered 405."""
    got = client.get(path)
    r = client.head(path)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == got.headers["content-type"]
    assert r.content == b""


def test_options_says_which_methods_a_path_takes(client: TestClient) -> None:
    r = client.options("/health")
    assert r.status_code == 204
    assert r.headers["allow"] == "GET, HEAD, OPTIONS"
    r = client.options("/v1/classify")
    assert (r.status_code, r.headers["allow"]) == (204, "POST, OPTIONS")
    # Methods a path does not take stay 405, naming the ones it does.
    r = client.head("/v1/classify")
    assert (r.status_code, r.headers["allow"]) == (405, "POST, OPTIONS")
    r = client.put("/health")
    assert (r.status_code, r.headers["allow"]) == (405, "GET, HEAD, OPTIONS")
    assert r.json()["error"]["type"] == "method_not_allowed"
    assert client.options("/nowhere").status_code == 404


def test_loopback_needs_no_token(client: TestClient) -> None:
    assert client.get("/health").json()["auth_required"] is False
    assert client.get("/v1/models").status_code == 200


def test_cors_is_off_by_default(client: TestClient) -> None:
    r = client.options(
        "/v1/classify",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in r.headers
    r = client.get("/health", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in r.headers


def test_cors_allows_only_configured_origins(rules_file: Path) -> None:
    app = create_app(make_settings(rules_file, cors_origins=["http://ok.example"]))
    with TestClient(app) as c:
        r = c.options(
            "/v1/classify",
            headers={"Origin": "http://ok.example", "Access-Control-Request-Method": "POST"},
        )
        assert r.headers["access-control-allow-origin"] == "http://ok.example"
        r = c.get("/health", headers={"Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in r.headers
        r = c.options(
            "/v1/classify",
            headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert r.status_code == 400
        assert r.json()["error"] == {
            "type": "cors_refused",
            "message": "Disallowed CORS origin (allowed: api.cors_origins)",
        }


class FailingPipeline(Pipeline):
    def process_batch(self, *args: Any, **kwargs: Any) -> LabeledBatch:
        raise RuntimeError("boom: secret internals")


def test_an_unexpected_failure_is_a_json_500_with_the_traceback_logged(
    rules_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(
        make_settings(rules_file),
        pipeline_factory=lambda settings, labeler: FailingPipeline(settings, labeler=labeler),
    )
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.post("/v1/classify", json=["a line"])
    assert r.status_code == 500
    assert r.json() == {
        "error": {
            "type": "internal_error",
            "message": "the server failed to answer this request; its log has the details",
        }
    }
    [record] = [r for r in caplog.records if r.name == "logtriage.api"]
    assert record.getMessage() == "POST /v1/classify failed"
    assert record.exc_info is not None and "boom: secret internals" in str(record.exc_info[1])


def test_models_lists_none_the_configured_bundle_and_the_bundles_dir(
    bundle_client: TestClient,
) -> None:
    r = bundle_client.get("/v1/models")
    assert r.status_code == 200
    body = r.json()
    assert body["default"] == "tiny"
    by_id = {m["id"]: m for m in body["models"]}
    assert set(by_id) == {"none", "tiny", "alt", "broken", "default"}
    assert by_id["tiny"]["version"] == "tiny-1"
    assert by_id["tiny"]["labels"] == ["Error", "System Notification"]
    assert by_id["tiny"]["metrics"]["test"] == {"macro_f1": 0.91, "accuracy": 0.93}
    assert by_id["tiny"]["summary"] == {"name": "tiny test bundle"}
    assert by_id["tiny"]["default"] is True and by_id["none"]["default"] is False
    assert by_id["alt"]["available"] is True
    assert by_id["broken"]["available"] is False
    assert "not valid JSON" in by_id["broken"]["error"]


def test_model_choice_per_request(bundle_client: TestClient) -> None:
    lines = ["error while reading block 7", "user logged in"]
    alt = bundle_client.post("/v1/classify", json=lines, params={"model": "alt"}).json()
    assert (alt["model"], alt["model_version"]) == ("alt", "alt-7")
    assert [x["label"] for x in alt["results"] if x["rule"] is None] == [
        lab
        for lab, x in zip(["Critical Error", "User Action"], alt["results"], strict=True)
        if x["rule"] is None
    ]
    none = bundle_client.post("/v1/classify", json=lines, params={"model": "none"}).json()
    assert none["model_version"] == "none"
    # Every model shares the one miner: same template ids for the same lines.
    assert [x["template_id"] for x in none["results"]] == [x["template_id"] for x in alt["results"]]

    r = bundle_client.post("/v1/classify", json=lines, params={"model": "nope"})
    assert r.status_code == 404
    err = r.json()["error"]
    assert err["type"] == "unknown_model"
    assert set(err["models"]) == {"none", "tiny", "alt", "broken", "default"}

    r = bundle_client.post("/v1/classify", json=lines, params={"model": "broken"})
    assert r.status_code == 503
    assert r.json()["error"]["type"] == "model_unavailable"


def test_a_bundle_dropped_into_the_dir_appears_without_restart(
    bundle_client: TestClient, bundles_dir: Path
) -> None:
    from tests.api.conftest import write_bundle

    write_bundle(bundles_dir, "late", "late-1", ["A", "B"])
    ids = {m["id"] for m in bundle_client.get("/v1/models").json()["models"]}
    assert "late" in ids
    r = bundle_client.post("/v1/classify", json=["x"], params={"model": "late"})
    assert r.json()["model_version"] == "late-1"


def test_templates_have_counts_and_labels(bundle_client: TestClient) -> None:
    lines = [
        "error reading block 1",
        "error reading block 2",
        "service ready",
        "error reading block 3",
    ]
    results = bundle_client.post("/v1/classify", json=lines).json()["results"]
    r = bundle_client.get("/v1/templates", params={"limit": 10000})
    assert r.status_code == 200
    body = r.json()
    by_id = {t["template_id"]: t for t in body["templates"]}
    assert body["total"] == len(by_id)
    expected: dict[int, dict[str, int]] = {}
    for x in results:
        counts = expected.setdefault(x["template_id"], {})
        counts[x["label"]] = counts.get(x["label"], 0) + 1
    assert {tid: by_id[tid]["labels"] for tid in expected} == expected
    for tid, labels in expected.items():
        t = by_id[tid]
        assert t["count"] == sum(labels.values())
        assert t["label"] == max(labels.items(), key=lambda kv: kv[1])[0]
        assert t["template"] == next(x["template"] for x in results if x["template_id"] == tid)
    frequencies = [t["count"] for t in body["templates"]]
    assert frequencies == sorted(frequencies, reverse=True)

    ready = bundle_client.get("/v1/templates", params={"q": "READY"}).json()
    assert ready["total"] >= 1 and all("ready" in t["template"].lower() for t in ready["templates"])
    paged = bundle_client.get("/v1/templates", params={"limit": 1, "offset": 1}).json()
    assert paged["templates"] == body["templates"][1:2]
    by_label = bundle_client.get("/v1/templates", params={"label": "Error"}).json()
    assert all(t["label"] == "Error" for t in by_label["templates"])
    assert bundle_client.get("/v1/templates", params={"limit": 0}).status_code == 422


def test_health(bundle_client: TestClient) -> None:
    body = bundle_client.get("/health").json()
    assert body["status"] == "ok" and body["default_model"] == "tiny"
    assert body["version"]


def test_metrics_count_requests_lines_and_labels(bundle_client: TestClient) -> None:
    bundle_client.post("/v1/classify", json=["error one", "fine two", "fine three"])
    bundle_client.post("/v1/classify", json=["x"], params={"model": "nope"})
    bundle_client.post("/v1/classify/file", files={"file": ("f.log", b"error a\nok b\n")})
    r = bundle_client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    text = r.text
    assert (
        'logtriage_api_requests_total{method="POST",route="/v1/classify",status="200"} 1.0' in text
    )
    assert (
        'logtriage_api_requests_total{method="POST",route="/v1/classify",status="404"} 1.0' in text
    )
    assert 'logtriage_api_lines_total{door="json",model="tiny"} 3.0' in text
    assert 'logtriage_api_lines_total{door="file",model="tiny"} 2.0' in text
    assert 'logtriage_api_request_duration_seconds_count{route="/v1/classify"} 2.0' in text
    assert "logtriage_api_templates " in text
    assert 'logtriage_api_labels_total{label="Error",model="tiny"}' in text


def test_openapi_and_docs(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {
        "/v1/classify",
        "/v1/classify/file",
        "/v1/models",
        "/v1/templates",
        "/health",
        "/metrics",
    } <= set(spec["paths"])
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    docs = client.get("/docs")
    assert docs.status_code == 200
    # Offline: every script and stylesheet of the docs page is served by the app itself.
    assets = re.findall(r"(?:src|href)=['\"]([^'\"]+)['\"]", docs.text)
    assert assets and all(a.startswith("/") for a in assets), assets
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


def test_page_is_served(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200 and "<title>logtriage</title>" in r.text
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    for asset in ("app.js", "style.css"):
        assert client.get(f"/static/{asset}").status_code == 200


def test_settings_from_env(monkeypatch: pytest.MonkeyPatch, rules_file: Path) -> None:
    monkeypatch.setenv("LOGTRIAGE_API__HOST", "0.0.0.0")
    monkeypatch.setenv("LOGTRIAGE_API__TOKEN", TOKEN)
    settings = Settings(rules=RulesSettings(path=rules_file))
    assert settings.api.auth_required()
    app = create_app(settings, labeler_factory=manifest_labeler)
    with TestClient(app) as c:
        assert c.get("/v1/models").status_code == 401
        assert c.get("/v1/models", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_default_labeler_factory_failure_is_503_not_a_crash(
    rules_file: Path, tiny_bundle: Path
) -> None:
    """Without labeler_factory the model runtime's Classifier loads bundles; a bundle it
    cannot load (here a manifest-only test bundle) answers 503, and the server still runs."""
    settings = Settings(
        rules=RulesSettings(path=rules_file),
        model=ModelSettings.model_validate({"bundle": tiny_bundle}),
    )
    with TestClient(create_app(settings)) as c:
        assert c.get("/health").json()["default_model"] == "tiny"
        r = c.post("/v1/classify", json=["a line"])
        assert r.status_code == 503
        err = r.json()["error"]
        assert err["type"] == "model_unavailable" and err["message"]
        r = c.post("/v1/classify/file", files={"file": ("a.log", b"a line\n")})
        assert r.status_code == 503
        ok = c.post("/v1/classify", json=["a line"], params={"model": "none"})
        assert ok.status_code == 200 and ok.json()["model"] == "none"
