#!/usr/bin/env bash
# Runs every cargo-fuzz target of rust_core/fuzz for a bounded time and appends
# a dated section to bench/RESULTS.md.
#   FUZZ_SECONDS  seconds per target (default 60)
#   FUZZ_TARGETS  targets to run (default: all)
#   LOGTRIAGE_SHARED_DATA  LogHub-2k data used as seeds (never copied into the repo)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
secs=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-header mask miner miner_state rules}
loghub=${LOGTRIAGE_SHARED_DATA:-/work/shared/data}/loghub-2k
fuzz="$root/rust_core/fuzz"
flags="-max_total_time=$secs -rss_limit_mb=2048 -timeout=10 -max_len=8192"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Seeds in $tmp/seeds/<target>: the first lines of each LogHub system under the
# config line each target reads (see rust_core/fuzz/src/lib.rs).
make_seeds() {
    mkdir -p "$tmp"/seeds/{header,mask,miner,miner_state,rules}
    [ -f "$loghub/formats.json" ] || return 0
    python3 - "$loghub" "$tmp/seeds" <<'PY'
import json
import sys
from pathlib import Path

data, out = Path(sys.argv[1]), Path(sys.argv[2])
formats = json.loads((data / "formats.json").read_text())
rules = "r1\tfail|error|exception\tError\t1\x1fr2\t^\\d+\tInfo\t0\tf\x1fr3\t(?i)denied\tAuth\t2"
for k, (system, spec) in enumerate(sorted(formats.items())):
    log = data / system / f"{system}_2k.log"
    if not log.exists():
        continue
    lines = log.read_text(errors="replace").splitlines(keepends=True)[:40]
    body = "".join(lines)
    (out / "header" / system).write_text(spec["log_format"] + "\n" + body)
    (out / "header" / f"{system}-preset").write_text(f"@{k}\n" + body)
    (out / "mask" / system).write_text("\n" + body)
    (out / "rules" / system).write_text(rules + "\n" + body)
    miner = "".join(lines[:20]) + "--\n" + "".join(lines[20:])
    (out / "miner" / system).write_bytes(bytes([128, k, 5, 7, 16, k]) + b"\n" + miner.encode())
PY
}

make_seeds
load=$(cut -d' ' -f1-3 /proc/loadavg)
cd "$fuzz"
cargo +nightly fuzz build -O >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; exit 1; }

rows=""
total=0
for t in $targets; do
    mkdir -p "corpus/$t" "artifacts/$t"
    seed_dirs="$tmp/seeds/$t"
    [ -d "seeds/$t" ] && seed_dirs="$seed_dirs seeds/$t"
    before=$(find "artifacts/$t" -type f | sort)
    start=$(date +%s)
    # shellcheck disable=SC2086  # word splitting of the flag and seed lists is wanted
    cargo +nightly fuzz run -O "$t" "corpus/$t" $seed_dirs -- $flags >"$tmp/$t.log" 2>&1 || true
    took=$(($(date +%s) - start))
    runs=$(grep -oE '^(#[0-9]+|Done [0-9]+ runs)' "$tmp/$t.log" | grep -oE '[0-9]+' | tail -n1)
    new=$(comm -13 <(echo "$before") <(find "artifacts/$t" -type f | sort) | sed '/^$/d')
    crashes=$(echo -n "$new" | grep -c . || true)
    total=$((total + crashes))
    names=$(echo "$new" | xargs -r -n1 basename | paste -sd, - | sed 's/,/, /g')
    rows+="| $t | ${runs:-0} | $took | $crashes | ${names:--} |"$'\n'
    echo "$t: ${runs:-0} runs in ${took}s, $crashes crash(es) ${names}"
    [ "$crashes" -eq 0 ] || tail -n 40 "$tmp/$t.log"
done

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
{
    echo
    echo "## cargo fuzz (rust_core/fuzz) — $(date -u '+%Y-%m-%d %H:%M') UTC"
    echo
    echo "- machine: $(uname -srm) ; ${cpu:-unknown CPU}; $(nproc) cores; load average at start: $load (shared machine)"
    echo "- command: \`FUZZ_SECONDS=$secs bash bench/fuzz.sh\`, per target \`cargo +nightly fuzz run -O <target> corpus/<target> <seeds> -- $flags\` ($(cargo +nightly --version))"
    echo "- seeds: first 40 lines of each LogHub-2k system under each target's config line, plus rust_core/fuzz/seeds/"
    echo
    echo "| target | runs | seconds | crashes | artifacts |"
    echo "| --- | ---: | ---: | ---: | --- |"
    echo -n "$rows"
    echo
    if [ "$total" -eq 0 ]; then
        echo "- no crash, panic, out-of-memory or timeout found in this run"
    else
        echo "- $total crashing input(s) in rust_core/fuzz/artifacts/ (each fixed gets a regression test in rust_core/tests/)"
    fi
} >>"$root/bench/RESULTS.md"
