"""Mining speed when every line is a new template: lines of random words that no mask
catches (an operator's logs, mis-masked), with the default settings
(``max_templates`` 100,000). Nearly all of them end in one leaf of the prefix tree,
so a miner that scores every template of the leaf slows down as the leaf grows.

The stream is seeded: ``--tokens`` letter-only words per line out of a vocabulary of
50,000. logtriage (this checkout's extension) mines ``--lines`` lines (default
300,000: the cap is reached and evictions run); the peers mine the first
``--peer-lines`` of the same stream: drain3 0.9.11 (default config, profiling off)
and, with ``--old-core``, another build of the extension (e.g. the one before a
change), and logtriage mines that prefix too for a like-for-like row. Every run is
its own process; lines per CPU-second (``time.process_time``, batches of 1,000),
median of ``--repeats``. Appends to bench/RESULTS.md.

usage: python bench/miner_unmasked.py [--lines N] [--peer-lines M] [--old-core SO]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import append_results, package_with_core

BATCH = 1_000


def stream(n: int, tokens: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocab = ["".join(rng.choice(letters) for _ in range(7)) for _ in range(50_000)]
    return [" ".join(rng.choice(vocab) for _ in range(tokens)) for _ in range(n)]


def run_child(engine: str, n: int, tokens: int) -> dict[str, float]:
    """Mines the first ``n`` lines in this process; CPU seconds and the live count."""
    lines = stream(n, tokens)
    if engine == "drain3":
        from drain3 import TemplateMiner
        from drain3.template_miner_config import TemplateMinerConfig

        cfg = TemplateMinerConfig()
        cfg.profiling_enabled = False
        tm = TemplateMiner(config=cfg)
        t0 = time.process_time()
        for line in lines:
            tm.add_log_message(line)
        return {"cpu_s": time.process_time() - t0, "live": len(tm.drain.clusters)}
    from logtriage._core import Miner

    miner = Miner()
    t0 = time.process_time()
    for i in range(0, n, BATCH):
        miner.train_batch(lines[i : i + BATCH])
    return {
        "cpu_s": time.process_time() - t0,
        "live": len(miner),
        "memory_mb": miner.memory_bytes() / 2**20,
    }


def measure(engine: str, n: int, tokens: int, repeats: int, pythonpath: str) -> dict[str, float]:
    """Median lines per CPU-second over ``repeats`` processes."""
    runs = []
    env = dict(os.environ, PYTHONPATH=pythonpath)
    for _ in range(repeats):
        cmd = [sys.executable, __file__, "--child", engine, str(n), str(tokens)]
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
        runs.append(json.loads(out.stdout))
    speeds = sorted(n / r["cpu_s"] for r in runs)
    print(f"  {engine} {n:,} lines: {', '.join(f'{s:,.0f}' for s in speeds)} lines/CPU-s")
    return {**runs[-1], "speed": statistics.median(speeds), "low": speeds[0], "high": speeds[-1]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--lines", type=int, default=300_000)
    ap.add_argument("--peer-lines", type=int, default=20_000)
    ap.add_argument("--tokens", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--old-core", type=Path, help="another build of _core.abi3.so")
    ap.add_argument("--no-append", action="store_true")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        engine, n, tokens = args.child
        print(json.dumps(run_child(engine, int(n), int(tokens))))
        return 0

    here = os.environ.get("PYTHONPATH", "")
    rows: list[tuple[str, int, dict[str, float]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (args.peer_lines, args.lines):
            rows.append(
                ("logtriage (this build)", n, measure("ours", n, args.tokens, args.repeats, here))
            )
        if args.old_core:
            old = str(package_with_core(args.old_core, Path(tmp)))
            m = measure("ours", args.peer_lines, args.tokens, args.repeats, old)
            rows.append((f"logtriage, `{args.old_core.name}`", args.peer_lines, m))
        m = measure("drain3", args.peer_lines, args.tokens, args.repeats, here)
        rows.append(("drain3 0.9.11 `add_log_message`", args.peer_lines, m))
    table = [
        f"| engine | lines | lines per CPU-second (median of {args.repeats}; range) "
        "| live templates | `memory_bytes` MB |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, n, m in rows:
        mem = f"{m['memory_mb']:.1f}" if "memory_mb" in m else "-"
        table.append(
            f"| {name} | {n:,} | {m['speed']:,.0f} ({m['low']:,.0f}-{m['high']:,.0f}) "
            f"| {int(m['live']):,} | {mem} |"
        )
    table += [
        "",
        f"Stream: {args.tokens} random 7-letter words per line (vocabulary 50,000, seed 11), "
        "so every line is a new template; default settings (`max_templates` 100,000, "
        "evictions beyond it). Each run is its own process; batches of 1,000 lines. "
        "The peers' speed falls as their leaf grows, so their rows on the shorter prefix "
        "flatter them.",
    ]
    body = "\n".join(table)
    print(body)
    if not args.no_append:
        append_results("Mining speed, every line a new template", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
