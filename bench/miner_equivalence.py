"""Do two builds of the extension mine exactly alike? A check for miner changes that
must not change results (an index, a faster data structure).

Each build runs in its own process (a copy of ``plugin/logtriage`` with that build's
``_core.abi3.so`` first on ``PYTHONPATH``) through the same scenarios: every LogHub-2k
system with the default settings, ``max_templates`` 50 and 500 (evictions, merges),
a narrow tree (``depth`` 3, ``max_children`` 2: big leaves) at several
``sim_threshold`` values, all systems in one stream, and seeded synthetic streams of
random words (several lengths; few words so lines join, merge and generalise, or
many so every line is new; with and without numbers and literal ``<*>`` tokens that
become wildcards). Each scenario trains in batches, saves and reloads its state
halfway, and records per batch the template ids, change codes and reported
templates, then ``match_batch`` and ``resolve_batch`` of its lines, ``templates()``
and ``to_bytes()``. ``first_seen_s``/``last_seen_s`` are set to 0 before comparing:
they are the wall clock of each run. Exits 1 at the first difference.

usage: python bench/miner_equivalence.py --old-core OLD.so [--new-core NEW.so]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, package_with_core
from _parsing import SYSTEMS, contents

BATCH = 500
PACKAGE = ROOT / "plugin" / "logtriage"
WORDS = [f"{a}{b}" for a in ("ka", "lo", "mi", "nu", "pe", "ra", "si", "tu") for b in "xyzw"]


def synthetic(seed: int, n: int, length: int, vocab: int, variables: bool) -> list[str]:
    """Lines of ``length`` tokens over ``vocab`` letter-only words; with
    ``variables`` about one token in six is a number or a literal ``<*>``."""
    rng = random.Random(seed)
    words = [
        WORDS[i % len(WORDS)] + "q" * (i // len(WORDS)) for i in range(vocab)
    ]  # letters only: no mask catches them
    out = []
    for _ in range(n):
        toks = []
        for _ in range(length):
            r = rng.random()
            if variables and r < 0.1:
                toks.append(str(rng.randrange(10_000)))
            elif variables and r < 0.17:
                toks.append("<*>")
            else:
                toks.append(rng.choice(words))
        out.append(" ".join(toks))
    return out


def scenarios() -> Iterator[tuple[str, dict[str, Any], list[str]]]:
    """(name, Miner keyword arguments, lines)."""
    for s in SYSTEMS:
        lines = contents(s)
        yield f"{s} default", {}, lines
        yield f"{s} max_templates=50", {"max_templates": 50}, lines
        yield f"{s} narrow tree", {"depth": 3, "max_children": 2}, lines
    every = [line for s in SYSTEMS for line in contents(s)]
    yield "all systems default", {}, every
    yield "all systems max_templates=500", {"max_templates": 500}, every
    for t in (0.3, 0.7, 1.0):
        yield (
            f"all systems narrow, sim {t}",
            {"depth": 3, "max_children": 2, "sim_threshold": t},
            every,
        )
    yield "all systems masks", {"masks": [("num", r"\d+", "<NUM>")], "max_templates": 500}, every
    for length in (3, 5, 8, 12, 20):
        for vocab, variables in ((6, True), (12, False), (5000, False), (5000, True)):
            name = f"random len={length} vocab={vocab} variables={variables}"
            lines = synthetic(length * 7919 + vocab, 12_000, length, vocab, variables)
            yield name, {}, lines
            yield f"{name} max_templates=500", {"max_templates": 500}, lines
            yield (
                f"{name} narrow sim 0.3",
                {"depth": 3, "max_children": 2, "sim_threshold": 0.3},
                lines,
            )


def digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:16]


def untimed_state(data: bytes) -> object:
    state = json.loads(data)
    for t in state["templates"]:
        t["first_seen_s"] = t["last_seen_s"] = 0
    return state


def run_worker() -> int:
    """Runs every scenario with the ``logtriage`` on ``PYTHONPATH``; one JSON line each."""
    from logtriage._core import Miner

    for name, kwargs, lines in scenarios():
        miner = Miner(**kwargs)
        record: list[str] = []
        seen: list[int] = []
        half = len(lines) // 2 // BATCH * BATCH
        for i in range(0, len(lines), BATCH):
            if i == half:
                state = miner.to_bytes()
                record.append(digest(untimed_state(state)))
                miner = Miner.from_bytes(state)
            ids, changes, reported = miner.train_batch(lines[i : i + BATCH])
            seen.extend(int(x) for x in ids)
            record.append(digest([ids.tolist(), changes.tolist(), reported]))
        record.append(digest(miner.match_batch(lines).tolist()))
        record.append(digest(miner.resolve_batch(seen).tolist()))
        record.append(digest([t[:4] for t in miner.templates()]))
        record.append(digest(untimed_state(miner.to_bytes())))
        print(json.dumps({"name": name, "templates": len(miner), "record": record}), flush=True)
    return 0


def run_builds(cores: list[Path]) -> list[list[dict[str, Any]]]:
    """The worker's records for each build (the workers run side by side), each with
    a copy of the package around that build's ``_core.abi3.so``."""
    with tempfile.TemporaryDirectory() as tmp:
        procs = []
        for i, core in enumerate(cores):
            path = package_with_core(core, Path(tmp) / str(i))
            env = dict(os.environ, PYTHONPATH=str(path))
            procs.append(
                subprocess.Popen(
                    [sys.executable, __file__, "--worker"],
                    env=env,
                    stdout=subprocess.PIPE,
                    text=True,
                )
            )
        outs = [p.communicate()[0] for p in procs]
        if any(p.returncode for p in procs):
            raise RuntimeError("a worker failed")
    return [[json.loads(line) for line in out.splitlines()] for out in outs]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--old-core", type=Path)
    ap.add_argument("--new-core", type=Path, default=PACKAGE / "_core.abi3.so")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return run_worker()
    if args.old_core is None:
        ap.error("--old-core is required")
    old, new = run_builds([args.old_core, args.new_core])
    if len(old) != len(new):
        print(f"scenario counts differ: {len(old)} vs {len(new)}")
        return 1
    for a, b in zip(old, new, strict=True):
        if a != b:
            pairs = zip(a["record"], b["record"], strict=False)
            step = next((i for i, (x, y) in enumerate(pairs) if x != y), len(a["record"]))
            print(f"DIFFERENT: {a['name']} (record {step} of {len(a['record'])})")
            return 1
        print(f"same: {a['name']} ({a['templates']} templates, {len(a['record'])} checks)")
    print(f"all {len(old)} scenarios identical")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
