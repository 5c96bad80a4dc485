"""Parsing accuracy on LogHub-2k (corrected): GA and PA per system for
logtriage's miner (ONE default configuration) and drain3 0.9.11 (per-system
settings from formats.json: its masks, ``st``, ``depth``), side by side.

usage: python bench/parse_accuracy.py [--check] [--out-dir DIR] [--no-append]

``--check`` also scores every prediction CSV with ../shared/tools/eval_parsing.py
and fails when the figures differ. Appends a markdown table to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _parsing import (
    SYSTEMS,
    append_results,
    ga_pa,
    load_system,
    shared_data,
    structured_csv,
    write_prediction,
)
from logtriage._core import Miner


def run_ours(lines: list[str]) -> tuple[list[int], list[str]]:
    miner = Miner()
    ids, _changes, _changed = miner.train_batch(lines)
    final = miner.resolve_batch([int(i) for i in ids]).tolist()
    text = {i: miner.template_text(i) for i in set(final)}
    return final, [text[i] for i in final]


def run_drain3(lines: list[str], settings: dict) -> tuple[list[int], list[str]]:
    from drain3 import TemplateMiner
    from drain3.masking import MaskingInstruction
    from drain3.template_miner_config import TemplateMinerConfig

    cfg = TemplateMinerConfig()
    cfg.drain_sim_th = settings["st"]
    cfg.drain_depth = settings["depth"]
    cfg.masking_instructions = [MaskingInstruction(r, "*") for r in settings["regex"]]
    cfg.profiling_enabled = False
    tm = TemplateMiner(config=cfg)
    ids = [tm.add_log_message(line)["cluster_id"] for line in lines]
    clusters = {c.cluster_id: c.get_template() for c in tm.drain.clusters}
    return ids, [clusters[i] for i in ids]


def eval_script(truth: Path, pred: Path) -> tuple[float, float]:
    tool = shared_data().parent / "tools" / "eval_parsing.py"
    out = subprocess.run(
        [sys.executable, str(tool), str(truth), str(pred)],
        capture_output=True,
        text=True,
        check=True,
    )
    ga, pa = out.stdout.split()
    return float(ga), float(pa)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--check", action="store_true", help="cross-check with eval_parsing.py")
    ap.add_argument("--out-dir", type=Path, default=None, help="where prediction CSVs go")
    ap.add_argument("--no-append", action="store_true", help="do not touch bench/RESULTS.md")
    args = ap.parse_args()
    out_dir = args.out_dir or Path(tempfile.mkdtemp(prefix="logtriage-parse-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    formats = json.loads((shared_data() / "loghub-2k" / "formats.json").read_text())

    rows_md = [
        "| system | GA ours | GA drain3 | PA ours | PA drain3 | templates ours / truth |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    sums = [0.0, 0.0, 0.0, 0.0]
    worse = []
    for system in SYSTEMS:
        rows = load_system(system)
        lines = [r["Content"] for r in rows]
        truth = [r["EventTemplate"] for r in rows]
        ids, texts = run_ours(lines)
        ga, pa = ga_pa(truth, ids, texts)
        pred = out_dir / f"{system}_ours.csv"
        write_prediction(pred, ids, texts)
        if args.check:
            sga, spa = eval_script(structured_csv(system), pred)
            if abs(sga - ga) > 1e-4 or abs(spa - pa) > 1e-4:
                print(f"{system}: mismatch with eval_parsing.py: {sga} {spa} vs {ga} {pa}")
                return 1
        d_ids, d_texts = run_drain3(lines, formats[system])
        dga, dpa = ga_pa(truth, d_ids, d_texts)
        write_prediction(out_dir / f"{system}_drain3.csv", d_ids, d_texts)
        n_truth = len(set(truth))
        rows_md.append(
            f"| {system} | {ga:.4f} | {dga:.4f} | {pa:.4f} | {dpa:.4f} "
            f"| {len(set(ids))} / {n_truth} |"
        )
        for k, v in enumerate((ga, dga, pa, dpa)):
            sums[k] += v
        if ga < dga:
            worse.append(system)
        print(f"{system:10} GA {ga:.4f} (drain3 {dga:.4f})  PA {pa:.4f} (drain3 {dpa:.4f})")
    n = len(SYSTEMS)
    avg = [s / n for s in sums]
    rows_md.append(
        f"| **average** | **{avg[0]:.4f}** | {avg[1]:.4f} | **{avg[2]:.4f}** | {avg[3]:.4f} | |"
    )
    table = "\n".join(rows_md)
    note = (
        "ours: `Miner()` defaults, one configuration for all systems; ids resolved after "
        "training (`resolve_batch`). drain3 0.9.11: per-system `regex`/`st`/`depth` from "
        "formats.json. GA/PA as ../shared/tools/eval_parsing.py"
        + (" (cross-checked on every system)." if args.check else ".")
        + f"\nSystems where ours < drain3: {', '.join(worse) or 'none'}."
    )
    print(table)
    print(f"average GA {avg[0]:.4f} (drain3 {avg[1]:.4f}); predictions in {out_dir}")
    if not args.no_append:
        append_results("Parsing accuracy, LogHub-2k corrected", f"{table}\n\n{note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
