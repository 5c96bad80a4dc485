"""The README's least-privilege role, on an Elasticsearch with security switched on.

A separate single-node Elasticsearch (same test distribution, x-pack security with a
file-realm superuser, plain HTTP on loopback) is started for this module: the
session engines run with security off.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from logtriage.cli.doctor import run_checks
from logtriage.config import SearchSettings, Settings
from logtriage.local_engine import LocalEngine
from logtriage.search.client import EngineRequestError, SearchClient
from logtriage.sidecar import Sidecar
from pydantic import SecretStr

from tests._search_helpers import (
    assert_labelled_once,
    fetch_all,
    load,
    make_docs,
    make_index,
    settings_for,
)

ADMIN = ("lt-admin", "admin-Secret-123")
SIDECAR = ("lt-sidecar", "sidecar-Secret-123")
READER = ("lt-reader", "reader-Secret-123")
NO_META = ("lt-nometa", "nometa-Secret-123")
# The role exactly as README.md documents it, and a read-only one. File-based roles:
# the test distribution cannot create the .security index the roles API writes to.
ROLES_YML = """
logtriage:
  cluster: [monitor, manage_index_templates]
  indices:
    - names: ["logs-*"]
      privileges: [read, write, view_index_metadata]
    - names: [logtriage-state]
      privileges: [all]
logtriage-no-meta:
  cluster: [monitor, manage_index_templates]
  indices:
    - names: ["logs-*"]
      privileges: [read, write]
    - names: [logtriage-state]
      privileges: [all]
logtriage-read:
  cluster: [monitor]
  indices:
    - names: ["logs-*"]
      privileges: [read]
"""


@pytest.fixture(scope="module")
def secured() -> Iterator[LocalEngine]:
    engine = LocalEngine(
        "elasticsearch",
        superuser=ADMIN,
        file_roles=ROLES_YML,
        file_users=(
            (*SIDECAR, "logtriage"),
            (*READER, "logtriage-read"),
            (*NO_META, "logtriage-no-meta"),
        ),
    )
    engine.start()
    try:
        yield engine
    finally:
        engine.stop()


def _client(engine: LocalEngine, user: str, password: str) -> SearchClient:
    return SearchClient.connect(
        SearchSettings(hosts=[engine.url], username=user, password=password)
    )


def _as_user(engine: LocalEngine, index: str, user: str, password: str) -> Settings:
    base = settings_for(engine.url, index, sidecar={"state_index": "logtriage-state"})
    search = base.search.model_copy(update={"username": user, "password": SecretStr(password)})
    return base.model_copy(update={"search": search})


def _loaded(
    engine: LocalEngine, index: str, n: int, seed: int, user: tuple[str, str]
) -> tuple[SearchClient, list[dict[str, Any]], Settings]:
    """A new index of ``n`` documents (loaded by the admin) and settings for ``user``."""
    admin = _client(engine, *ADMIN)
    make_index(admin, index)
    docs = make_docs(n, seed=seed)
    load(admin, index, docs, op="index")
    return admin, docs, _as_user(engine, index, *user)


def test_readme_role_is_enough_and_doctor_agrees(secured: LocalEngine) -> None:
    index = "logs-app-least"
    admin, docs, settings = _loaded(secured, index, 400, 31, SIDECAR)

    checks = {c.name: c for c in run_checks(settings)}
    assert checks["privileges"].status == "ok", checks["privileges"].render()

    sidecar_client = _client(secured, *SIDECAR)
    summary = Sidecar(settings, client=sidecar_client).run(once=True)
    assert summary.labelled == 400 and summary.failed == 0
    assert_labelled_once(fetch_all(admin, index), docs)


def test_without_view_index_metadata_doctor_warns_and_partial_updates_label_all(
    secured: LocalEngine,
) -> None:
    index = "logs-app-nometa"
    admin, docs, settings = _loaded(secured, index, 120, 33, NO_META)

    checks = {c.name: c for c in run_checks(settings)}
    check = checks["privileges"]
    assert check.status == "warn", check.render()
    assert "view_index_metadata on logs-app-nometa" in check.detail
    assert "partial updates" in check.detail
    # Mappings it may not read are said to be unchecked, not "not mapped".
    assert checks["fields"].render() == (
        "warn  fields: cannot read the mappings of the source indices: not checked\n"
        "      fix: grant view_index_metadata on the source indices (the README role)"
    )
    for name in ("mappings", "_source"):
        assert checks[name].detail == (
            "cannot read the mappings of 1 index, e.g. logs-app-nometa: not checked"
        )

    sidecar = Sidecar(settings, client=_client(secured, *NO_META))
    summary = sidecar.run(once=True)
    assert summary.labelled == 120 and summary.failed == 0
    assert sidecar._rewritable == frozenset()  # settings unreadable: no re-indexing
    assert_labelled_once(fetch_all(admin, index), docs)


def test_read_only_user_is_reported_and_nothing_is_written(secured: LocalEngine) -> None:
    index = "logs-app-readonly"
    admin, _, settings = _loaded(secured, index, 50, 32, READER)

    check = {c.name: c for c in run_checks(settings)}["privileges"]
    assert check.status == "fail"
    assert "write on logs-app-readonly" in check.detail and "all on logtriage-state" in check.detail

    with pytest.raises(EngineRequestError) as err:
        Sidecar(settings, client=_client(secured, *READER)).run(once=True)
    assert err.value.status == 403
    hits = fetch_all(admin, index)
    assert all("logtriage" not in h["_source"] for h in hits)
