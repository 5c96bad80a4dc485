"""Miner memory over a long run that keeps creating templates (a sidecar on badly
masked logs), with the template cache capped.

A seeded stream of lines made of random words that no mask catches (70% lone lines,
30% groups of four that differ in one word, so templates merge) is fed in batches of
1,000 to ``Miner(max_templates=--live)``, until ``--created`` templates were created.
At every tenth of the run it records ``memory_bytes()`` and the process RSS. drain3
0.9.11 with ``max_clusters`` set to the same cap (its LRU cache) runs the same stream
in its own process, as the peer; each engine has its own process so each RSS is its
own. Appends to bench/RESULTS.md.

usage: python bench/miner_memory.py [--created N] [--live M]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _parsing import append_results

BATCH = 1_000


def rss_mb() -> float:
    """Resident set size of this process now (MB)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def _word(rng: random.Random) -> str:
    return "".join(rng.choice("bcdghjkmnpqrsvwxz") for _ in range(rng.randint(5, 9)))


def batches(seed: int = 7) -> Iterator[list[str]]:
    """Endless batches of lines that keep creating templates."""
    rng = random.Random(seed)
    while True:
        out: list[str] = []
        while len(out) < BATCH:
            if rng.random() < 0.7:
                out.append(" ".join(_word(rng) for _ in range(rng.randint(4, 9))))
            else:
                a, c = _word(rng), _word(rng)
                out += [f"job {a} step {_word(rng)} failed on {c}" for _ in range(4)]
        yield out


def run_logtriage(created: int, live: int) -> list[dict[str, float]]:
    from logtriage._core import Miner

    miner = Miner(max_templates=live)
    rows, made, lines, step = [], 0, 0, created // 10
    t0 = time.process_time()
    for batch in batches():
        _ids, changes, _texts = miner.train_batch(batch)
        made += int((changes == 1).sum())
        lines += len(batch)
        if made >= step * (len(rows) + 1):
            rows.append(
                {"created": made, "lines": lines, "live": len(miner),
                 "memory_mb": miner.memory_bytes() / 2**20, "rss_mb": rss_mb(),
                 "cpu_s": time.process_time() - t0}
            )  # fmt: skip
            if made >= created:
                return rows
    raise AssertionError("unreachable")


def run_drain3(lines_total: int, live: int, checkpoints: list[int]) -> list[dict[str, float]]:
    """drain3 on the same stream, up to the same line counts as logtriage's rows
    (drain3 does not report which lines created a cluster)."""
    from drain3 import TemplateMiner
    from drain3.template_miner_config import TemplateMinerConfig

    cfg = TemplateMinerConfig()
    cfg.profiling_enabled = False
    cfg.drain_max_clusters = live
    tm = TemplateMiner(config=cfg)
    rows, lines, t0 = [], 0, time.process_time()
    for batch in batches():
        for line in batch:
            tm.add_log_message(line)
        lines += len(batch)
        if lines >= checkpoints[len(rows)]:
            rows.append(
                {"lines": lines, "live": len(tm.drain.clusters), "rss_mb": rss_mb(),
                 "cpu_s": time.process_time() - t0}
            )  # fmt: skip
            if lines >= lines_total:
                return rows
    raise AssertionError("unreachable")


def _child(args: list[str]) -> list[dict[str, float]]:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=True
    )
    return json.loads(proc.stdout)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--created", type=int, default=200_000, help="templates to create")
    ap.add_argument("--live", type=int, default=500, help="max_templates / max_clusters")
    ap.add_argument("--no-append", action="store_true")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "logtriage":
            rows = run_logtriage(int(rest[0]), int(rest[1]))
        else:
            rows = run_drain3(int(rest[0]), int(rest[1]), [int(x) for x in rest[2:]])
        print(json.dumps(rows))
        return 0

    ours = _child(["logtriage", str(args.created), str(args.live)])
    marks = [int(r["lines"]) for r in ours]
    peer = _child(["drain3", str(marks[-1]), str(args.live), *map(str, marks)])
    lines = [
        "| templates created | lines | logtriage `memory_bytes` MB | logtriage RSS MB "
        "| drain3 RSS MB | RSS ratio logtriage / drain3 |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for o, d in zip(ours, peer, strict=True):
        lines.append(
            f"| {int(o['created']):,} | {int(o['lines']):,} | {o['memory_mb']:.1f} "
            f"| {o['rss_mb']:.1f} | {d['rss_mb']:.1f} | {o['rss_mb'] / d['rss_mb']:.2f}x |"
        )
    first, last = ours[0], ours[-1]
    lines += [
        "",
        f"Cap {args.live} live templates (`max_templates`; drain3 `max_clusters`); live at "
        f"the end: logtriage {int(last['live'])}, drain3 {int(peer[-1]['live'])}. "
        f"logtriage `memory_bytes` {first['memory_mb']:.1f} MB after "
        f"{int(first['created']):,} templates created, {last['memory_mb']:.1f} MB after "
        f"{int(last['created']):,}. CPU: logtriage {last['cpu_s']:.1f} s, drain3 "
        f"{peer[-1]['cpu_s']:.1f} s for the same {int(last['lines']):,} lines "
        f"({peer[-1]['cpu_s'] / last['cpu_s']:.1f}x). RSS growth from the first row to "
        f"the last: logtriage {last['rss_mb'] - first['rss_mb']:+.1f} MB, drain3 "
        f"{peer[-1]['rss_mb'] - peer[0]['rss_mb']:+.1f} MB. Each engine runs in its own "
        "process (logtriage's RSS includes numpy and the extension).",
    ]
    body = "\n".join(lines)
    print(body)
    if not args.no_append:
        append_results("Miner memory over a long run (bench/miner_memory.py)", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
