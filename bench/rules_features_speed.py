"""Throughput of header parsing, regex rules (100 rules) and text features.

Usage: python bench/rules_features_speed.py [--lines 1000000] [--repeats 3] [--threads N]
       [--no-append]

Input: LogHub-2k (all 12 systems, read in place from ../shared/data or
$LOGTRIAGE_SHARED_DATA), replicated to --lines. Rules: the shipped default file
plus synthetic rules made from LogHub templates (literal text escaped, `<*>` as
`\\S+`) up to 100. Peers measured in the same run on a slice: Python's `re`
doing what logparser does (headers) and a loop of `re.search` over the same
100 rules (rules). Prints lines/s (median of --repeats) and the peak RSS, and
appends a section to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import re
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from _common import machine, shared_data

REPO = Path(__file__).resolve().parents[1]
RULES_YAML = REPO / "plugin" / "logtriage" / "rules" / "default_rules.yaml"
BATCH = 50_000


def loghub() -> Path:
    return shared_data() / "loghub-2k"


def load() -> tuple[dict[str, str], dict[str, list[str]], list[str], list[str]]:
    """Formats, raw lines per system, all contents, and templates."""
    base = loghub()
    formats = {
        s: v["log_format"] for s, v in json.loads((base / "formats.json").read_text()).items()
    }
    raw: dict[str, list[str]] = {}
    contents: list[str] = []
    templates: list[str] = []
    for system in sorted(formats):
        with open(base / system / f"{system}_2k.log", encoding="utf-8", errors="replace") as f:
            raw[system] = f.read().splitlines()
        with open(
            base / system / f"{system}_2k.log_structured.csv", encoding="utf-8", newline=""
        ) as f:
            rows = list(csv.DictReader(f))
        contents.extend(r["Content"] for r in rows)
        seen: dict[str, None] = {}
        for r in rows:
            seen.setdefault(r["EventTemplate"], None)
        templates.extend(seen)
    return formats, raw, contents, templates


def template_regex(template: str) -> str:
    parts = [re.escape(p) for p in template.split("<*>")]
    return r"\S*".join(parts).replace(r"\ ", " ")


def hundred_rules(templates: list[str]) -> list[tuple[str, str, str, bool | None, int, str | None]]:
    import yaml

    doc = yaml.safe_load(RULES_YAML.read_text())
    rules = [
        (
            r["id"],
            r["pattern"],
            r["label"],
            r.get("anomaly"),
            int(r.get("priority", 0)),
            r.get("field"),
        )
        for r in doc["rules"]
        if not r.get("field")
    ]
    # Templates with some literal text, spread over all systems.
    usable = [t for t in templates if len(t.replace("<*>", "").strip()) >= 12]
    step = max(1, len(usable) // (100 - len(rules)))
    for k, t in enumerate(usable[::step][: 100 - len(rules)]):
        rules.append(
            (f"synthetic.t{k}", template_regex(t), "System Notification", None, k % 5, None)
        )
    assert len(rules) == 100, len(rules)
    return rules


def replicate(items: list[str], n: int) -> list[str]:
    return (items * (n // len(items) + 1))[:n]


def timed(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def batched(fn: Callable[[list[str]], object], lines: list[str]) -> Callable[[], None]:
    def run() -> None:
        for i in range(0, len(lines), BATCH):
            fn(lines[i : i + BATCH])

    return run


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0, help="LOGTRIAGE_THREADS (0: all cores)")
    ap.add_argument("--peer-lines", type=int, default=50_000)
    ap.add_argument("--no-append", action="store_true")
    args = ap.parse_args()
    if args.threads:
        os.environ["LOGTRIAGE_THREADS"] = str(args.threads)
    from logtriage._core import HeaderParser, RuleSet, features_batch

    formats, raw, contents, templates = load()
    rss_base = peak_rss_mib()
    n = args.lines
    results: list[tuple[str, float, str]] = []

    # Header parsing: each system's lines with its own format.
    per_system = n // len(raw)
    parsers = {s: HeaderParser(f) for s, f in formats.items()}
    replicated = {s: replicate(lines, per_system) for s, lines in raw.items()}

    def parse_all() -> None:
        for s, lines in replicated.items():
            batched(lambda b, p=parsers[s]: p.parse_batch(b, fields=["Content"]), lines)()

    t = timed(parse_all, args.repeats)
    header_rate = per_system * len(raw) / t

    def parse_all_fields() -> None:
        for s, lines in replicated.items():
            batched(parsers[s].parse_batch, lines)()

    all_fields_rate = per_system * len(raw) / timed(parse_all_fields, args.repeats)
    compiled = {}
    for s, f in formats.items():
        pieces = re.split(r"(<[^<>]+>)", f)
        rx = "".join(
            f"(?P<{p[1:-1]}>.*?)" if k % 2 else re.sub(" +", r"\\s+", p)
            for k, p in enumerate(pieces)
        )
        compiled[s] = re.compile("^" + rx + "$")
    peer_n = max(1, args.peer_lines // len(raw))

    def parse_peer() -> None:
        for s, lines in replicated.items():
            rx = compiled[s]
            for line in lines[:peer_n]:
                m = rx.search(line.strip())
                _ = m.group("Content") if m else line

    peer_rate = peer_n * len(raw) / timed(parse_peer, args.repeats)
    results.append(
        (
            "header parse, Content column (12 LogHub formats)",
            header_rate,
            f"{header_rate / peer_rate:.1f}x python re ({peer_rate:,.0f}/s)",
        )
    )

    results.append(
        (
            "header parse, all fields (12 LogHub formats)",
            all_fields_rate,
            f"{all_fields_rate / peer_rate:.1f}x python re",
        )
    )

    # Rules: 100 rules over contents.
    rules = hundred_rules(templates)
    ruleset = RuleSet(rules)
    lines = replicate(contents, n)
    hits = ruleset.match_batch(contents)
    rule_rate = n / timed(batched(ruleset.match_batch, lines), args.repeats)
    compiled_rules = [(re.compile(r[1]), r[4], i) for i, r in enumerate(rules)]
    peer_lines = lines[: args.peer_lines]

    def rules_peer() -> None:
        for line in peer_lines:
            best = None
            for rx, prio, i in compiled_rules:
                if rx.search(line) and (best is None or prio > best[0]):
                    best = (prio, i)

    rules_peer_rate = len(peer_lines) / timed(rules_peer, args.repeats)
    results.append(
        (
            "rules (100 rules, one RegexSet)",
            rule_rate,
            f"{rule_rate / rules_peer_rate:.1f}x python re loop ({rules_peer_rate:,.0f}/s); "
            f"{(hits >= 0).mean():.0%} of lines matched",
        )
    )

    # Features.
    _, names = features_batch(contents[:10])
    feat_rate = n / timed(batched(features_batch, lines), args.repeats)
    results.append(("features", feat_rate, f"{len(names)} columns"))

    rss = peak_rss_mib()
    threads = args.threads or os.cpu_count()
    command = "python " + " ".join([str(Path(sys.argv[0])), *sys.argv[1:]])
    report = [
        f"## rules/features/header speed — {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC",
        "",
        f"- machine: {machine()}",
        f"- command: `{command}` (threads: {threads}, batch {BATCH:,} lines, "
        f"median of {args.repeats})",
        f"- input: LogHub-2k (12 systems) replicated to {n:,} lines",
        "",
        "| stage | lines/s | notes |",
        "| --- | ---: | --- |",
        *[f"| {name} | {rate:,.0f} | {note} |" for name, rate, note in results],
        "",
        f"- peak RSS: {rss:,.0f} MiB (after loading the data: {rss_base:,.0f} MiB)",
        "",
    ]
    text = "\n".join(report)
    print(text)
    if not args.no_append:
        path = REPO / "bench" / "RESULTS.md"
        prefix = "" if path.exists() else "# Benchmark results\n\n"
        with open(path, "a", encoding="utf-8") as f:
            f.write(prefix + text + "\n")


if __name__ == "__main__":
    main()
