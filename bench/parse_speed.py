"""Template mining speed (masking + mining + ids) through the Python API.

LogHub-2k *Content* strings of all 12 systems (24,000 lines) are replicated to
at least ``--lines`` lines (default 2,000,000) and fed to ``Miner.train_batch``
in chunks of ``--chunk`` lines; one fresh miner per repeat, median of
``--repeats`` (>= 3). drain3 0.9.11 (default config, no masks, profiling off)
runs in the same process on the first ``--drain3-lines`` of the same lines and
is extrapolated in lines/s. The two alternate (ours, drain3, ours, ...) so each
repeat gives a paired ratio measured under the same machine load; the median and
range of those ratios are reported (this VM's speed drifts by up to 1.4x between
minutes). Peak RSS is read with ``resource.getrusage`` after each engine.
Appends to bench/RESULTS.md.

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

    sub = lines[: args.drain3_lines]
    walls, cpus, d_walls, d_cpus = [], [], [], []
    miner = None
    rss_ours = 0.0
    for i in range(max(3, args.repeats)):
        w, c, miner = bench_ours(lines, args.chunk)
        if i == 0:
            rss_ours = peak_rss_mb()
        dw, dc = bench_drain3(sub)
        walls.append(w)
        cpus.append(c)
        d_walls.append(dw)
        d_cpus.append(dc)
        print(
            f"  ours: {len(lines) / c:,.0f} lines per CPU-s; drain3: {len(sub) / dc:,.0f}; "
            f"paired ratio {(len(lines) / c) / (len(sub) / dc):.1f}x"
        )
    assert miner is not None
    n = len(lines)
    ours_wall = n / statistics.median(walls)
    ours_cpu = n / statistics.median(cpus)
    per_template = miner.memory_bytes() / max(1, len(miner))
    d_wall = len(sub) / statistics.median(d_walls)
    d_cpu = len(sub) / statistics.median(d_cpus)
    paired = sorted((n / c) / (len(sub) / dc) for c, dc in zip(cpus, d_cpus, strict=True))
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
            f"Paired ratio (per repeat, CPU lines/s ours / drain3, run back to back): median "
            f"**{statistics.median(paired):.1f}x**, range {paired[0]:.1f}x to {paired[-1]:.1f}x "
            f"over {len(paired)} repeats.",
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
