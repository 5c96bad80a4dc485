"""``es_client``: an elasticsearch-py 8.x client on the session's real Elasticsearch.

The engine is the one ``tests/conftest.py`` starts (``es_engine``), or the one
named by ``LOGTRIAGE_TEST_ELASTICSEARCH_URL`` (the same developer shortcut).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from elasticsearch import Elasticsearch


@pytest.fixture(scope="session")
def es_client(request: pytest.FixtureRequest) -> Iterator[Elasticsearch]:
    url = os.environ.get("LOGTRIAGE_TEST_ELASTICSEARCH_URL")
    if not url:
        url = request.getfixturevalue("es_engine").url
    client = Elasticsearch(url, request_timeout=30)
    health = client.cluster.health(wait_for_status="yellow", timeout="30s")
    assert health["status"] in ("green", "yellow"), health
    yield client
    client.close()
