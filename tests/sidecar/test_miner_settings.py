"""A restored miner keeps the settings it was mined with, so mining/masking
settings changed between two runs do not apply to it. That used to be silent (an
operator who added a mask for a template explosion saw nothing change); the sidecar
now warns, naming each difference and where the state is kept."""

from __future__ import annotations

import logging

import pytest
from logtriage.config import MaskingSettings, MiningSettings
from logtriage.local_engine import LocalEngine
from logtriage.search.client import SearchClient
from logtriage.sidecar import Sidecar

from tests._search_helpers import load, make_docs, make_index, settings_for, unique


def test_a_stored_miner_mined_with_other_settings_is_named_in_a_warning(
    engine: LocalEngine, client: SearchClient, caplog: pytest.LogCaptureFixture
) -> None:
    index = unique("drift")
    make_index(client, index)
    load(client, index, make_docs(50, seed=21), op="index")
    settings = settings_for(engine.url, index)
    Sidecar(settings, client=client).run(once=True)  # stores the miner state

    with caplog.at_level(logging.WARNING, logger="logtriage"):
        Sidecar(settings, client=client).run(once=True)
    assert "mined with other settings" not in caplog.text

    changed = settings.model_copy(
        update={
            "mining": MiningSettings(sim_threshold=0.7),
            "masking": MaskingSettings.model_validate(
                {"add": [{"name": "ticket", "regex": r"TICKET-\d+", "placeholder": "<T>"}]}
            ),
        }
    )
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="logtriage"):
        Sidecar(changed, client=client).run(once=True)
    warnings = [r.getMessage() for r in caplog.records if "mined with other" in r.getMessage()]
    assert len(warnings) == 1
    assert (
        f"document {settings.sidecar.name}:miner:0 of index {settings.sidecar.state_index}"
        in (warnings[0])
    )
    assert "mining.sim_threshold 0.5 (configured 0.7)" in warnings[0]
    assert "masks: configured adds ticket" in warnings[0]
