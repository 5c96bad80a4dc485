"""Template mining speed (masking + mining + ids) through the Python API.

LogHub-2k *Content* strings of all 12 systems (24,000 lines) are replicated to
at least ``--lines`` lines (default 2,000,000) and fed to ``Miner.train_batch``
in chunks of ``--chunk`` lines; one fresh miner per repeat, median of
``--repeats`` (>= 3). drain3 0.9.11 (default config, no masks, profiling off)
runs in the same process on the first ``--drain3-lines`` of the same lines and
is extrapolated in lines/s. Peak RSS is read with ``resource.getrusage``
after each engine. Appends to bench/RESULTS.md.

usage: python bench/parse_speed.py [--lines N] [--repeats R] [--drain3-lines M]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _parsing import SYSTEMS, append_results, contents
from logtriage._core import Miner


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def bench_ours(lines: list[str], chunk: int) -> tuple[float, float, Miner]:
    """(wall seconds, CPU seconds of this process, miner)."""
    miner = Miner()
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(0, len(lines), chunk):
        miner.train_batch(lines[i : i + chunk])
    return time.perf_counter() - t0, time.process_time() - c0, miner


def bench_drain3(lines: list[str]) -> tuple[float, float]:
    from drain3 import TemplateMiner
    from drain3.template_miner_config import TemplateMinerConfig

    cfg = TemplateMinerConfig()
    cfg.profiling_enabled = False
    tm = TemplateMiner(config=cfg)
    t0, c0 = time.perf_counter(), time.process_time()
    for line in lines:
        tm.add_log_message(line)
    return time.perf_counter() - t0, time.process_time() - c0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--lines", type=int, default=2_000_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--chunk", type=int, default=100_000)
    ap.add_argument("--drain3-lines", type=int, default=100_000)
    ap.add_argument("--no-append", action="store_true")
    args = ap.parse_args()
    base = [line for s in SYSTEMS for line in contents(s)]
    reps = -(-args.lines // len(base))
    lines = base * reps
    print(f"{len(lines):,} lines ({len(base):,} distinct LogHub-2k contents x {reps})")

    walls, cpus = [], []
    miner = None
    for _ in range(max(3, args.repeats)):
        w, c, miner = bench_ours(lines, args.chunk)
        walls.append(w)
        cpus.append(c)
        print(f"  ours: {len(lines) / w:,.0f} lines/s wall, {len(lines) / c:,.0f} per CPU-s")
    assert miner is not None
    n = len(lines)
    ours_wall = n / statistics.median(walls)
    ours_cpu = n / statistics.median(cpus)
    rss_ours = peak_rss_mb()
    per_template = miner.memory_bytes() / max(1, len(miner))

    sub = lines[: args.drain3_lines]
    d = [bench_drain3(sub) for _ in range(max(3, args.repeats))]
    d_wall = len(sub) / statistics.median([x[0] for x in d])
    d_cpu = len(sub) / statistics.median([x[1] for x in d])
    rss_all = peak_rss_mb()
    body = "\n".join(
        [
            f"| engine | lines | lines/s wall (median of {len(walls)}) | lines per CPU-second "
            "| ratio wall / CPU | peak RSS MB |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
            f"| logtriage `Miner.train_batch` | {n:,} | {ours_wall:,.0f} | {ours_cpu:,.0f} "
            f"| {ours_wall / d_wall:.1f}x / {ours_cpu / d_cpu:.1f}x | {rss_ours:.0f} |",
            f"| drain3 0.9.11 `add_log_message` | {len(sub):,} (extrapolated) | "
            f"{d_wall:,.0f} | {d_cpu:,.0f} | 1.0x | {rss_all:.0f} (process, after both) |",
            "",
            f"Templates: {len(miner)}; `memory_bytes()` {miner.memory_bytes():,} B = "
            f"{per_template:,.0f} B per template (includes tree, interner, repeat cache). "
            f"Chunks of {args.chunk:,} lines; one core (the miner is single-threaded). "
            "drain3 runs with its default config (no masks) on the first "
            f"{len(sub):,} of the same lines; its lines/s is extrapolated. CPU-seconds are "
            "`time.process_time()` (robust when the machine is shared).",
        ]
    )
    print(body)
    if not args.no_append:
        append_results("Template mining speed", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
