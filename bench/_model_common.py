"""Helpers shared by the model benchmarks: shared data location, machine line, RESULTS.md."""

from __future__ import annotations

import json
import os
import platform
import sys
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # exporters/
RESULTS = ROOT / "bench" / "RESULTS.md"
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
    """``$LOGTRIAGE_SHARED_DATA`` or ``../shared/data`` from the repository root (read in place)."""
    env = os.environ.get("LOGTRIAGE_SHARED_DATA")
    for cand in ([Path(env)] if env else []) + [
        ROOT.parent / "shared" / "data",
        Path("/work/shared/data"),
    ]:
        if (cand / "loghub-2k").is_dir():
            return cand
    raise SystemExit("shared data not found: set LOGTRIAGE_SHARED_DATA")


def loghub_formats() -> dict[str, dict[str, object]]:
    return json.loads((shared_data() / "loghub-2k" / "formats.json").read_text())


def machine() -> str:
    cpu = "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    py = platform.python_version()
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}), Python {py}"


def append_results(title: str, body: str) -> None:
    """Append a dated section (title, machine, command, body) to bench/RESULTS.md."""
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    cmd = " ".join(["python", *sys.argv])
    text = (
        f"\n## {title} — {now}\n\n- machine: {machine()}\n- command: `{cmd}`\n\n{body.rstrip()}\n"
    )
    with RESULTS.open("a", encoding="utf-8") as f:
        f.write(text)
    print(text)
