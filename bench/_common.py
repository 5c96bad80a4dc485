"""What every benchmark shares: the repository root, where the evaluation data is
(read in place, never copied), the LogHub-2k system list, a one-line description of
the machine, and appending a dated section to bench/RESULTS.md."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # exporters/, tests.shared_data
RESULTS = ROOT / "bench" / "RESULTS.md"

from tests.shared_data import LOGHUB_SYSTEMS, shared_data  # noqa: E402

__all__ = [
    "RESULTS",
    "ROOT",
    "SYSTEMS",
    "append_results",
    "machine",
    "package_with_core",
    "shared_data",
]

SYSTEMS = list(LOGHUB_SYSTEMS)


def machine() -> str:
    """OS, cores, CPU model, memory, Python and the load average right now."""
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.system()} {platform.release()} {platform.machine()}, {os.cpu_count()} cores "
        f"({cpu}), {mem:.0f} GB RAM, Python {platform.python_version()}, "
        f"load avg {os.getloadavg()[0]:.1f}"
    )


def peak_rss_mb() -> float:
    """This process's peak RSS (``VmHWM``). Not ``ru_maxrss``: Linux carries that across
    exec, so a child started by a large parent reports the parent's size."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def package_with_core(core: Path, dest: Path) -> Path:
    """Copies ``plugin/logtriage`` into ``dest`` with ``core`` as its extension (to
    compare builds, each in its own process); returns the directory to put first
    on ``PYTHONPATH``."""
    pkg = dest / "logtriage"
    src = ROOT / "plugin" / "logtriage"
    shutil.copytree(src, pkg, ignore=shutil.ignore_patterns("__pycache__", "*.so"))
    shutil.copy(core, pkg / "_core.abi3.so")
    return dest


def git_rev() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return "?"
    return out.stdout.strip() or "?"


def append_results(title: str, body: str) -> None:
    """Append a dated section (title, machine, command, commit, body) to RESULTS.md."""
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    cmd = " ".join(["python", *sys.argv])
    text = (
        f"\n## {title} — {now}\n\n- machine: {machine()}\n"
        f"- command: `{cmd}` (commit {git_rev()})\n\n{body.rstrip()}\n"
    )
    with RESULTS.open("a", encoding="utf-8") as f:
        f.write(text)
    print(text)
