"""POST /v1/classify with the real app, pipeline, rules and TemplateOnlyLabeler."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from logtriage.api import create_app
from logtriage.config import Settings
from logtriage.labels import UNCLASSIFIED, Labeler
from logtriage.pipeline import Pipeline

from tests.api.conftest import make_settings, manifest_labeler

RESULT_KEYS = {"label", "confidence", "anomaly", "anomaly_score", "template", "template_id", "rule"}


def direct(
    settings: Settings,
    lines: list[str],
    fields: dict[str, list[str]] | None = None,
    labeler: Labeler | None = None,
) -> list[dict[str, object]]:
    """What a fresh pipeline says about ``lines``: the API must report exactly this."""
    batch = Pipeline(settings, labeler=labeler).process_batch(lines, fields=fields)
    return [
        {
            "label": batch.labels.label[i],
            "confidence": round(float(batch.labels.confidence[i]), 6),
            "anomaly": bool(batch.labels.anomaly[i]),
            "anomaly_score": round(float(batch.labels.anomaly_score[i]), 6),
            "template": batch.template_texts[i],
            "template_id": int(batch.template_ids[i]),
            "rule": batch.rules[i],
        }
        for i in range(len(lines))
    ]


LINES = [
    "Accepted password for alice from 10.0.0.1 port 22 ssh2",
    "permission denied for user bob",
    "Connection closed by 192.168.1.5",
    "error: disk /dev/sda1 is full",
    "Accepted password for carol from 10.0.0.9 port 2222 ssh2",
]


def test_list_of_strings_reports_what_the_pipeline_says(
    client: TestClient, settings: Settings
) -> None:
    r = client.post("/v1/classify", json=LINES, params={"model": "none"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["model"], body["model_version"], body["count"]) == ("none", "none", len(LINES))
    results = body["results"]
    assert [set(x) for x in results] == [RESULT_KEYS] * len(LINES)
    assert results == direct(settings, LINES)
    # Without a model, what no rule decides is unclassified with confidence 0.
    for x in results:
        if x["rule"] is None:
            assert (x["label"], x["confidence"], x["anomaly"]) == (UNCLASSIFIED, 0.0, False)
        assert isinstance(x["template_id"], int) and x["template"]
        assert 0.0 <= x["anomaly_score"] <= 1.0


def test_default_model_labels_what_no_rule_decided(
    bundle_client: TestClient, bundle_settings: Settings, tiny_bundle: Path
) -> None:
    r = bundle_client.post("/v1/classify", json=LINES)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["model"], body["model_version"]) == ("tiny", "tiny-1")
    results = body["results"]
    assert results == direct(bundle_settings, LINES, labeler=manifest_labeler(tiny_bundle))
    undecided = [x for x, line in zip(results, LINES, strict=True) if x["rule"] is None]
    assert undecided, "the placeholder rules decide nothing; the real ones decide line 2 only"
    for x in undecided:
        assert x["label"] in ("Error", "System Notification")
        assert x["confidence"] == 0.75
    assert results[3]["label"] == "Error" or results[3]["rule"] is not None


def test_same_line_twice_gets_the_same_template(client: TestClient) -> None:
    line = "worker started in 3 ms"
    a = client.post("/v1/classify", json=[line]).json()["results"][0]
    b = client.post("/v1/classify", json=[line]).json()["results"][0]
    assert a["template_id"] == b["template_id"]
    assert a["template"] == b["template"]


def test_objects_pass_their_other_fields_to_the_rules(
    client: TestClient, settings: Settings
) -> None:
    items: list[dict[str, object]] = [
        {"message": "disk array degraded", "level": "CRITICAL"},
        {"message": "disk array degraded", "level": "INFO", "host": "db1"},
        {"message": "permission denied", "retries": 3, "ok": False, "meta": None},
    ]
    r = client.post("/v1/classify", json=items)
    assert r.status_code == 200, r.text
    fields = {
        "host": ["", "db1", ""],
        "level": ["CRITICAL", "INFO", ""],
        "meta": ["", "", ""],
        "ok": ["", "", "false"],
        "retries": ["", "", "3"],
    }
    assert r.json()["results"] == direct(settings, [str(i["message"]) for i in items], fields)


def test_empty_list_is_fine(client: TestClient) -> None:
    r = client.post("/v1/classify", json=[])
    assert r.status_code == 200
    assert r.json()["count"] == 0 and r.json()["results"] == []


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"lines": ["a"]}, "got an object (send the list itself, not an object around it)"),
        ({"message": "a"}, "got an object (one line is a list of one: [{...}])"),
        ([1, 2, 3], 'item 1: expected a string or an object with a "message" field, got a number'),
        (["a", None], 'item 2: expected a string or an object with a "message" field, got null'),
        ([{"msg": "no message field"}], 'item 1: an object needs a "message" string field'),
        ([{"message": 7}], 'item 1: an object needs a "message" string field'),
        (["a", {"message": "mixed"}], "item 2 is an object but item 1 is a string"),
        ("just a string", "the body must be a JSON list of lines"),
    ],
)
def test_malformed_bodies_are_422_naming_the_line_and_the_rule(
    client: TestClient, body: object, says: str
) -> None:
    """Pydantic alone says "body.list[str].0: Input should be a valid string" for an
    object without ``message``: it names the union branch, not the problem."""
    r = client.post("/v1/classify", json=body)
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["type"] == "invalid_request"
    assert says in err["message"]
    assert "list[str]" not in err["message"]
    assert err["details"]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (rb'["ok", "half \ud800 pair"]', "item 2: the line has a lone surrogate (\\ud800)"),
        (rb'[{"message": "x \udfff"}]', 'item 1: field "message" has a lone surrogate (\\udfff)'),
        (
            rb'[{"message": "ok"}, {"message": "ok", "level": "\udc00"}]',
            'item 2: field "level" has a lone surrogate (\\udc00)',
        ),
        (rb'[{"message": "ok", "\ud800": "x"}]', "item 1: a field name has a lone surrogate"),
    ],
)
def test_a_lone_surrogate_is_422_naming_the_item(
    client: TestClient, body: bytes, says: str
) -> None:
    """JSON can escape half a UTF-16 pair; it is no character (this was a 500)."""
    r = client.post("/v1/classify", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["type"] == "invalid_request"
    assert err["message"].startswith(says)
    assert err["message"].endswith("which is not valid Unicode")
    # A whole pair is one character, and fine.
    r = client.post(
        "/v1/classify",
        content=rb'["smile \ud83d\ude00"]',
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 200 and r.json()["count"] == 1


@pytest.mark.parametrize(
    ("headers", "got"),
    [
        (
            {"Content-Type": "application/x-www-form-urlencoded"},
            "got 'application/x-www-form-urlencoded'",
        ),
        ({"Content-Type": "text/plain"}, "got 'text/plain'"),
        ({}, "got no Content-Type"),
    ],
)
def test_a_body_not_sent_as_json_is_415_saying_so(
    client: TestClient, headers: dict[str, str], got: str
) -> None:
    """``curl -d '["a"]'`` sends a form type; before, the answer was "got an object"."""
    r = client.post("/v1/classify", content=b'["a line"]', headers=headers)
    assert r.status_code == 415
    assert r.json()["error"] == {
        "type": "unsupported_media_type",
        "message": f"send the lines as JSON with the header Content-Type: application/json ({got})",
    }
    for json_type in ("application/json; charset=utf-8", "application/vnd.lines+json"):
        r = client.post("/v1/classify", content=b'["a line"]', headers={"Content-Type": json_type})
        assert r.status_code == 200, (json_type, r.text)


def test_no_body_is_422_showing_the_expected_shape(client: TestClient) -> None:
    r = client.post("/v1/classify", headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    assert r.json()["error"]["message"].startswith(
        'the body must be a JSON list of lines, ["a line", ...]'
    )


@pytest.mark.parametrize(
    ("body", "says", "line", "column"),
    [
        (b"\xff\xfenot json", "Expecting value at line 1, column 1", 1, 1),
        (b'[\n  "a",\n  "b" "c"\n]', "Expecting ',' delimiter at line 3, column 7", 3, 7),
        # Not UTF-8: FastAPI's own answer was a 400 "There was an error parsing the body".
        (b'[\n  "caf\xe9"\n]', "byte 0xe9 is not UTF-8 at line 2, column 7", 2, 7),
    ],
)
def test_not_json_is_422_naming_line_and_column(
    client: TestClient, body: bytes, says: str, line: int, column: int
) -> None:
    r = client.post("/v1/classify", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["type"] == "invalid_request"
    assert err["message"] == f"the body is not valid JSON: {says}"
    assert (err["line"], err["column"]) == (line, column)


def test_line_limit(rules_file: Path) -> None:
    app = create_app(make_settings(rules_file, max_lines=5))
    with TestClient(app) as c:
        assert c.post("/v1/classify", json=["x"] * 5).status_code == 200
        r = c.post("/v1/classify", json=["x"] * 6)
        assert r.status_code == 413
        err = r.json()["error"]
        assert err["type"] == "too_many_lines"
        assert err["limit_lines"] == 5 and err["lines"] == 6
        metrics = c.get("/metrics").text
    assert 'logtriage_api_rejected_total{reason="lines"} 1.0' in metrics


def test_byte_limit_by_content_length_and_by_stream(rules_file: Path) -> None:
    app = create_app(make_settings(rules_file, max_request_bytes=2048))
    with TestClient(app) as c:
        assert c.post("/v1/classify", json=["y" * 100]).status_code == 200
        r = c.post("/v1/classify", json=["y" * 5000])
        assert r.status_code == 413
        assert r.json()["error"] == {
            "type": "request_too_large",
            "message": "request body is larger than 2048 bytes",
            "limit_bytes": 2048,
        }

        def chunks():  # no Content-Length: the limit must hold while streaming
            yield b'["'
            for _ in range(100):
                yield b"z" * 100
            yield b'"]'

        r = c.post("/v1/classify", content=chunks(), headers={"Content-Type": "application/json"})
        assert r.status_code == 413
        assert r.json()["error"]["type"] == "request_too_large"
        metrics = c.get("/metrics").text
    # Counted under the route refused, not as "unmatched" (so it was, by Content-Length).
    assert 'route="/v1/classify",status="413"} 2.0' in metrics
    assert "unmatched" not in metrics
    assert 'logtriage_api_rejected_total{reason="bytes"} 2.0' in metrics


def test_batches_larger_than_batch_lines_keep_order(rules_file: Path) -> None:
    app = create_app(make_settings(rules_file, batch_lines=7))
    lines = [f"permission denied {i}" if i % 5 == 0 else f"job {i} ok" for i in range(50)]
    with TestClient(app) as c:
        res = c.post("/v1/classify", json=lines).json()["results"]
    assert len(res) == 50
    # One pipeline fed 7 lines at a time says the same as one fed all 50 at once.
    assert res == direct(make_settings(rules_file), lines)


def test_concurrent_requests_are_serialised_through_one_pipeline(rules_file: Path) -> None:
    app = create_app(make_settings(rules_file), labeler_factory=manifest_labeler)

    async def main() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            return await asyncio.gather(
                *(
                    c.post("/v1/classify", json=[f"request {k} line {i} done" for i in range(200)])
                    for k in range(8)
                )
            )

    responses = asyncio.run(main())
    assert [r.status_code for r in responses] == [200] * 8
    assert all(r.json()["count"] == 200 for r in responses)
    with TestClient(app) as c:
        templates = c.get("/v1/templates", params={"limit": 10000}).json()
    assert sum(t["count"] for t in templates["templates"]) == 1600
    assert sum(sum(t["labels"].values()) for t in templates["templates"]) == 1600
