"""Shared helpers of the parsing benchmarks: data location, LogHub-2k loading,
GA/PA scoring (same definition as ../shared/tools/eval_parsing.py) and the
RESULTS.md header."""

from __future__ import annotations

import csv
import datetime as _dt
import os
import platform
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "RESULTS.md"
SYSTEMS = [
    "Android",
    "Apache",
    "BGL",
    "HDFS",
    "HPC",
    "Hadoop",
    "Linux",
    "Mac",
    "OpenSSH",
    "OpenStack",
    "Spark",
    "Zookeeper",
]


def shared_data() -> Path:
    """``$LOGTRIAGE_SHARED_DATA`` or ``../shared/data`` next to the repo (or its parent)."""
    env = os.environ.get("LOGTRIAGE_SHARED_DATA")
    candidates = [Path(env)] if env else []
    candidates += [REPO.parent / "shared" / "data", REPO.parent.parent / "shared" / "data"]
    for c in candidates:
        if (c / "loghub-2k").is_dir():
            return c
    raise SystemExit("shared data not found: set LOGTRIAGE_SHARED_DATA")


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


def machine() -> str:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"`{' '.join(platform.uname())}`; CPU {cpu}; {os.cpu_count()} cores"


def git_rev() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        )
        return out.stdout.strip() or "?"
    except OSError:
        return "?"


def append_results(title: str, body: str) -> None:
    now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    cmd = " ".join([Path(sys.executable).name, *sys.argv])
    text = (
        f"\n## {title} ({now})\n\n"
        f"- machine: {machine()}\n- command: `{cmd}` (commit {git_rev()})\n\n{body}\n"
    )
    with RESULTS.open("a", encoding="utf-8") as f:
        f.write(text)
