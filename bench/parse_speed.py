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

from _parsing import SYSTEMS, append_results, contents  # noqa: E402

from logtriage._core import Miner  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def bench_ours(lines: list[str], chunk: int) -> tuple[float, Miner]:
    miner = Miner()
    t0 = time.perf_counter()
    for i in range(0, len(lines), chunk):
        miner.train_batch(lines[i : i + chunk])
    return time.perf_counter() - t0, miner


def bench_drain3(lines: list[str]) -> float:
    from drain3 import TemplateMiner
    from drain3.template_miner_config import TemplateMinerConfig

    cfg = TemplateMinerConfig()
    cfg.profiling_enabled = False
    tm = TemplateMiner(config=cfg)
    t0 = time.perf_counter()
    for line in lines:
        tm.add_log_message(line)
    return time.perf_counter() - t0


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

    times = []
    miner = None
    for _ in range(max(3, args.repeats)):
        t, miner = bench_ours(lines, args.chunk)
        times.append(t)
        print(f"  ours: {len(lines) / t:,.0f} lines/s")
    assert miner is not None
    ours_lps = len(lines) / statistics.median(times)
    rss_ours = peak_rss_mb()
    per_template = miner.memory_bytes() / max(1, len(miner))

    sub = lines[: args.drain3_lines]
    d_times = [bench_drain3(sub) for _ in range(max(3, args.repeats))]
    d_lps = len(sub) / statistics.median(d_times)
    rss_all = peak_rss_mb()
    ratio = ours_lps / d_lps
    body = "\n".join(
        [
            "| engine | lines | lines/s (median of "
            f"{len(times)}) | ratio | peak RSS MB |",
            "| --- | ---: | ---: | ---: | ---: |",
            f"| logtriage `Miner.train_batch` | {len(lines):,} | {ours_lps:,.0f} | "
            f"{ratio:.1f}x | {rss_ours:.0f} |",
            f"| drain3 0.9.11 `add_log_message` | {len(sub):,} (extrapolated) | "
            f"{d_lps:,.0f} | 1.0x | {rss_all:.0f} (process, after both) |",
            "",
            f"Templates: {len(miner)}; `memory_bytes()` {miner.memory_bytes():,} B = "
            f"{per_template:,.0f} B per template (includes tree, interner, repeat cache). "
            f"Chunks of {args.chunk:,} lines; one core (the miner is single-threaded). "
            "drain3 runs with its default config (no masks) on the first "
            f"{len(sub):,} of the same lines.",
        ]
    )
    print(body)
    if not args.no_append:
        append_results("Template mining speed", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
