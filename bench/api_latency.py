"""HTTP API latency and throughput: `logtriage serve` on loopback, measured from outside.

What it measures (each repeat starts a fresh server with the real CLI):

* warm: the same 512-line request again and again (templates known) -> p50/p99 ms;
* cold: 512 lines whose templates the server has never seen (a fresh random word
  leads each line, so every line makes a new template) -> p50/p99 ms;
* throughput: wrk (Debian's package) or a Python load generator in another
  process, keeping C connections busy with the warm request for D seconds ->
  requests/s and lines/s.

Peers measured in the same run, on the same 512 lines: the pipeline called in
process (what the HTTP door adds on top) and drain3's template miner (the usual
Python baseline). Medians over the repeats are printed and appended to
bench/RESULTS.md with date, machine and command. Never run by the test suite.

    .venv/bin/python bench/api_latency.py [--repeats 3] [--requests 200] [--duration 10]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import string
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import httpx
import numpy as np
from _common import machine
from logtriage.local_engine import free_port

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.shared_data import LOGHUB_SYSTEMS, loghub_dir  # noqa: E402

BATCH = 512


def loghub_lines() -> list[str]:
    lines: list[str] = []
    for system in LOGHUB_SYSTEMS:
        raw = (loghub_dir(system) / f"{system}_2k.log").read_text(
            encoding="utf-8", errors="replace"
        )
        lines.extend(line for line in raw.splitlines() if line.strip())
    return lines


def novel_batch(rng: random.Random, pool: list[str]) -> list[str]:
    """512 lines the server has not seen: a fresh random word leads each line."""
    return [
        "".join(rng.choices(string.ascii_lowercase, k=10)) + " " + rng.choice(pool)
        for _ in range(BATCH)
    ]


@contextmanager
def server(env_extra: dict[str, str]) -> Iterator[str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOGTRIAGE_")}
    env.update(env_extra)
    log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in finally, after the server)
    proc = subprocess.Popen(
        [sys.executable, "-m", "logtriage.cli", "serve", "--port", str(port),
         "--log-level", "warning"],
        stdout=subprocess.DEVNULL,
        stderr=log,
        env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"server exited: {log.read().decode()}")
            try:
                httpx.get(base + "/health", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def timed_requests(client: httpx.Client, bodies: list[list[str]]) -> list[float]:
    out: list[float] = []
    for body in bodies:
        t0 = time.perf_counter()
        r = client.post("/v1/classify", json=body)
        out.append((time.perf_counter() - t0) * 1000)
        if r.status_code != 200 or r.json()["count"] != len(body):
            raise RuntimeError(f"bad answer {r.status_code}: {r.text[:200]}")
    return out


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def wrk_throughput(base: str, body: bytes, connections: int, duration_s: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        body_file = Path(tmp) / "body.json"
        body_file.write_bytes(body)
        script = Path(tmp) / "post.lua"
        script.write_text(
            'wrk.method = "POST"\n'
            'wrk.headers["Content-Type"] = "application/json"\n'
            f'local f = io.open("{body_file}", "rb")\n'
            'wrk.body = f:read("*a")\nf:close()\n'
            "done = function(summary, latency, requests)\n"
            '  io.write(string.format("RESULT %d %d %d\\n", summary.requests,'
            " summary.duration, summary.errors.status + summary.errors.connect"
            " + summary.errors.read + summary.errors.write + summary.errors.timeout))\n"
            "end\n"
        )
        proc = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{duration_s}s", "--timeout", "30s",
             "-s", str(script), base + "/v1/classify"],
            capture_output=True, text=True, timeout=duration_s + 120,
        )  # fmt: skip
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT"))
    _, requests, duration_us, errors = line.split()
    if int(errors):
        raise RuntimeError(f"wrk saw {errors} errors:\n{proc.stdout}")
    return int(requests) / (int(duration_us) / 1e6)


def python_loadgen(base: str, body: bytes, connections: int, duration_s: int) -> float:
    code = (
        "import asyncio, sys, time, httpx\n"
        "base, conns, dur = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])\n"
        "body = sys.stdin.buffer.read()\n"
        "async def worker(c, stop, n):\n"
        "    while time.perf_counter() < stop:\n"
        "        r = await c.post('/v1/classify', content=body,"
        " headers={'Content-Type': 'application/json'})\n"
        "        assert r.status_code == 200, r.status_code\n"
        "        n[0] += 1\n"
        "async def main():\n"
        "    n = [0]\n"
        "    async with httpx.AsyncClient(base_url=base, timeout=60) as c:\n"
        "        t0 = time.perf_counter()\n"
        "        await asyncio.gather(*(worker(c, t0 + dur, n) for _ in range(conns)))\n"
        "        print(n[0] / (time.perf_counter() - t0))\n"
        "asyncio.run(main())\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, base, str(connections), str(duration_s)],
        input=body, capture_output=True, timeout=duration_s + 120, check=True,
    )  # fmt: skip
    return float(proc.stdout.decode().strip())


def in_process_ms(lines: list[str], repeats: int) -> tuple[float, float]:
    """Median ms of the pipeline in process and of drain3, on the same warm lines."""
    from drain3 import TemplateMiner  # type: ignore[import-untyped]
    from drain3.template_miner_config import TemplateMinerConfig  # type: ignore[import-untyped]
    from logtriage.config import load_settings
    from logtriage.pipeline import Pipeline

    pipeline = Pipeline(load_settings())
    pipeline.process_batch(lines)
    ours = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        pipeline.process_batch(lines)
        ours.append((time.perf_counter() - t0) * 1000)
    config = TemplateMinerConfig()
    config.profiling_enabled = False
    miner = TemplateMiner(config=config)
    for line in lines:
        miner.add_log_message(line)
    theirs = []
    for _ in range(max(3, repeats // 10)):
        t0 = time.perf_counter()
        for line in lines:
            miner.add_log_message(line)
        theirs.append((time.perf_counter() - t0) * 1000)
    return statistics.median(ours), statistics.median(theirs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--requests", type=int, default=200, help="timed requests per kind per repeat")
    ap.add_argument("--duration", type=int, default=10, help="throughput seconds per repeat")
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--loadgen", choices=["auto", "wrk", "python"], default="auto")
    ap.add_argument("--no-append", action="store_true", help="do not write bench/RESULTS.md")
    args = ap.parse_args()
    loadgen = args.loadgen
    if loadgen == "auto":
        loadgen = "wrk" if shutil.which("wrk") else "python"

    rng = random.Random(7)
    pool = loghub_lines()
    warm = rng.sample(pool, BATCH)
    warm_body = json.dumps(warm).encode()
    kinds = ("warm_p50", "warm_p99", "cold_p50", "cold_p99", "rps")
    runs: dict[str, list[float]] = {k: [] for k in kinds}
    for rep in range(args.repeats):
        with server({}) as base, httpx.Client(base_url=base, timeout=60) as client:
            # cold first: a fresh server, every request brings 512 new templates
            cold = timed_requests(client, [novel_batch(rng, pool) for _ in range(args.requests)])
            timed_requests(client, [warm] * 5)  # prime the warm lines' templates
            models = client.get("/v1/models").json()
            model = next(m for m in models["models"] if m["id"] == models["default"])
            hot = timed_requests(client, [warm] * args.requests)
            if loadgen == "wrk":
                rps = wrk_throughput(base, warm_body, args.connections, args.duration)
            else:
                rps = python_loadgen(base, warm_body, args.connections, args.duration)
        runs["warm_p50"].append(pct(hot, 50))
        runs["warm_p99"].append(pct(hot, 99))
        runs["cold_p50"].append(pct(cold, 50))
        runs["cold_p99"].append(pct(cold, 99))
        runs["rps"].append(rps)
        print(
            f"repeat {rep + 1}: warm p50 {pct(hot, 50):.1f} ms p99 {pct(hot, 99):.1f} ms; "
            f"cold p50 {pct(cold, 50):.1f} ms p99 {pct(cold, 99):.1f} ms; {rps:.1f} req/s",
            file=sys.stderr,
        )
    med = {k: statistics.median(v) for k, v in runs.items()}
    ours_ms, drain3_ms = in_process_ms(warm, repeats=max(20, args.requests // 5))
    verdict = "meets" if max(med["warm_p99"], med["cold_p99"]) < 200 else "MISSES"
    command = "python bench/api_latency.py " + " ".join(sys.argv[1:])
    date = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    report = "\n".join(
        [
            f"## api_latency — {date}",
            "",
            f"- machine: {machine()}",
            f"- command: `{command.strip()}`",
            f"- setup: `logtriage serve` on 127.0.0.1 (default settings; model "
            f"`{model['id']}` = {model['version']}), {args.repeats} repeats x "
            f"{args.requests} sequential requests of {BATCH} LogHub-2k lines per kind; "
            f"throughput: {loadgen}, "
            f"{args.connections} connections x {args.duration} s; medians over repeats",
            "",
            "| measure | median |",
            "| --- | --- |",
            f"| warm p50 / p99 (512 lines, known templates) | {med['warm_p50']:.1f} / "
            f"{med['warm_p99']:.1f} ms |",
            f"| cold p50 / p99 (512 lines, all new templates) | {med['cold_p50']:.1f} / "
            f"{med['cold_p99']:.1f} ms |",
            f"| sustained throughput (warm 512-line requests) | {med['rps']:.1f} req/s = "
            f"{med['rps'] * BATCH:,.0f} lines/s |",
            f"| pipeline in process, same 512 lines (peer) | {ours_ms:.1f} ms "
            f"(HTTP warm p50 = {med['warm_p50'] / ours_ms:.2f}x) |",
            f"| drain3 TemplateMiner, same 512 lines (peer) | {drain3_ms:.1f} ms "
            f"(HTTP warm p50 = {med['warm_p50'] / drain3_ms:.2f}x of drain3 alone) |",
            "",
            f"Target p99 < 200 ms for warm and cold 512-line requests: **{verdict}**.",
            "",
        ]
    )
    print(report)
    if not args.no_append:
        results = REPO / "bench" / "RESULTS.md"
        existing = (
            results.read_text(encoding="utf-8") if results.exists() else "# Benchmark results\n"
        )
        results.write_text(existing.rstrip("\n") + "\n\n" + report, encoding="utf-8")


if __name__ == "__main__":
    main()
