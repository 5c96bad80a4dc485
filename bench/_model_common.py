"""Helpers shared by the model benchmarks (on top of :mod:`_common`)."""

from __future__ import annotations

import json

from _common import ROOT, SYSTEMS, append_results, shared_data

__all__ = ["ROOT", "SYSTEMS", "append_results", "loghub_formats", "shared_data"]


def loghub_formats() -> dict[str, dict[str, object]]:
    return json.loads((shared_data() / "loghub-2k" / "formats.json").read_text())
