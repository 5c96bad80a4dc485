"""Benchmark of the sample-log generator: lines/s for 200,000 lines.

Prints the time next to a pure-Python reference loop measured in the same run, so the
figure can be read on a loaded or slow machine (target: < 5 s on an idle core).

    .venv/bin/python bench/bench_samples.py
"""

from __future__ import annotations

import time

from logtriage.samples import generate


def _reference() -> float:
    t = time.perf_counter()
    for _ in range(10_000_000):
        pass
    return time.perf_counter() - t


def main(n: int = 200_000) -> None:
    ref = _reference()
    t = time.perf_counter()
    lines = generate(n, seed=0)
    dt = time.perf_counter() - t
    print(f"generate({n}): {dt:.2f} s, {len(lines) / dt:,.0f} lines/s")
    print(f"reference loop (1e7 empty iterations): {ref:.2f} s; ratio {dt / ref:.1f}x")


if __name__ == "__main__":
    main()
