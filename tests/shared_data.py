"""Where the shared evaluation data lives, and the LogPAI grouping accuracy.

The data is read in place from ``../shared/data`` (next to the repository) or
``$LOGTRIAGE_SHARED_DATA``; it is never copied into the repository.
"""

from __future__ import annotations

import csv
import json
import os
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
LOGHUB_SYSTEMS = (
    "Android", "Apache", "BGL", "HDFS", "HPC", "Hadoop",
    "Linux", "Mac", "OpenSSH", "OpenStack", "Spark", "Zookeeper",
)  # fmt: skip


def shared_data() -> Path:
    """The shared data folder: ``$LOGTRIAGE_SHARED_DATA``, else ``shared/data`` beside the
    repository (or beside its parent, for worktrees one level deeper). Fails (never
    skips) when it is missing."""
    env = os.environ.get("LOGTRIAGE_SHARED_DATA")
    candidates = [Path(env)] if env else []
    candidates += [
        REPO_ROOT.parent / "shared" / "data",
        REPO_ROOT.parent.parent / "shared" / "data",
    ]
    for root in candidates:
        if (root / "loghub-2k").is_dir():
            return root
    raise FileNotFoundError(
        f"shared evaluation data not found at {candidates[0]}; set LOGTRIAGE_SHARED_DATA"
    )


def loghub_dir(system: str) -> Path:
    return shared_data() / "loghub-2k" / system


def loghub_format(system: str) -> str:
    formats = json.loads((shared_data() / "loghub-2k" / "formats.json").read_text())
    return str(formats[system]["log_format"])


def loghub_structured(system: str) -> list[dict[str, str]]:
    path = loghub_dir(system) / f"{system}_2k.log_structured.csv"
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def grouping_accuracy(truth: Sequence[str], predicted: Sequence[object]) -> float:
    """LogPAI GA: a line is correct when the lines sharing its predicted group are
    exactly the lines sharing its true template (grouped by template text)."""
    true_groups: dict[str, set[int]] = defaultdict(set)
    pred_groups: dict[object, set[int]] = defaultdict(set)
    for i, (t, p) in enumerate(zip(truth, predicted, strict=True)):
        true_groups[t].add(i)
        pred_groups[p].add(i)
    correct = 0
    for members in pred_groups.values():
        templates = {truth[i] for i in members}
        if len(templates) == 1 and true_groups[next(iter(templates))] == members:
            correct += len(members)
    return correct / len(truth)
