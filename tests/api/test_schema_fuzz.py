"""Fuzz the API from its own OpenAPI schema with schemathesis: no 5xx, and responses
match the schema. Bounded: a few dozen examples per operation (well under 60 s)."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from logtriage.api import create_app
from logtriage.config import ApiSettings, ModelSettings, RulesSettings, Settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import RULES_YAML, manifest_labeler, write_bundle


def _app_settings() -> Settings:
    root = Path(tempfile.mkdtemp(prefix="logtriage-fuzz-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    rules = root / "rules.yaml"
    rules.write_text(RULES_YAML)
    bundle = write_bundle(root / "configured", "tiny", "tiny-1", ["Error", "Info"])
    bundles = root / "bundles"
    write_bundle(bundles, "alt", "alt-1", ["A", "B"])
    return Settings(
        rules=RulesSettings(path=rules),
        model=ModelSettings.model_validate({"bundle": bundle}),
        api=ApiSettings.model_validate(
            {"bundles_dir": bundles, "max_request_bytes": 256 * 1024, "max_lines": 1000}
        ),
    )


APP = create_app(_app_settings(), labeler_factory=manifest_labeler)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_server_errors_and_schema_conformance(case: schemathesis.Case) -> None:
    case.call_and_validate(
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ]
    )
