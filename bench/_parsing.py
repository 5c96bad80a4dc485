"""Shared helpers of the parsing benchmarks: LogHub-2k loading and GA/PA scoring
(same definition as ../shared/tools/eval_parsing.py), on top of :mod:`_common`."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

from _common import SYSTEMS, append_results, shared_data

__all__ = [
    "SYSTEMS",
    "append_results",
    "contents",
    "ga_pa",
    "load_system",
    "shared_data",
    "structured_csv",
    "write_prediction",
]


def structured_csv(system: str) -> Path:
    return shared_data() / "loghub-2k" / system / f"{system}_2k.log_structured.csv"


def load_system(system: str) -> list[dict[str, str]]:
    """Rows of the ground truth (LineId, Content, EventTemplate, ...)."""
    with structured_csv(system).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def contents(system: str) -> list[str]:
    return [r["Content"] for r in load_system(system)]


def _norm(t: str) -> str:
    return re.sub(r"\s+", " ", (t or "").strip())


def ga_pa(truth: list[str], groups: list[object], templates: list[str]) -> tuple[float, float]:
    """LogPAI grouping accuracy (truth grouped by template text) and parsing accuracy."""
    gt_groups: dict[str, set[int]] = defaultdict(set)
    pred_groups: dict[object, set[int]] = defaultdict(set)
    for i, (t, g) in enumerate(zip(truth, groups, strict=True)):
        gt_groups[t].add(i)
        pred_groups[g].add(i)
    correct = 0
    for ids in pred_groups.values():
        tmpl = {truth[i] for i in ids}
        if len(tmpl) == 1 and gt_groups[next(iter(tmpl))] == ids:
            correct += len(ids)
    pa = sum(_norm(a) == _norm(b) for a, b in zip(truth, templates, strict=True))
    return correct / len(truth), pa / len(truth)


def write_prediction(path: Path, groups: list[object], templates: list[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["LineId", "EventId", "EventTemplate"])
        for i, (g, t) in enumerate(zip(groups, templates, strict=True), start=1):
            w.writerow([i, f"E{g}", t])
