"""Fixtures: a tiny bundle built from a tiny random DistilBERT in the test session."""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # exporters/ lives at the top of the checkout
    sys.path.insert(0, str(ROOT))

TEMPLATES = {
    "Security Alert": [
        "Failed password for invalid user {u} from {ip} port {n} ssh2",
        "authentication failure denied for user {u} from {ip}",
        "POSSIBLE BREAK-IN ATTEMPT from {ip} invalid login",
    ],
    "Critical Error": [
        "kernel panic fatal error on node {n}",
        "critical disk failure on block {n} data lost",
        "service {w} crashed with fatal exception and stopped",
    ],
    "Error": [
        "connection to {ip} failed timeout after {n} ms",
        "request {n} failed with exception retrying",
        "error reading block {n} from {ip}",
    ],
    "HTTP Status": [
        "GET /api/{w}/{n} HTTP/1.1 status 200",
        "POST /login HTTP/1.1 status {n}",
        "DELETE /api/{w} HTTP/1.1 status 404 bytes {n}",
    ],
    "Resource Usage": [
        "memory usage {n} mb of {n} mb",
        "cpu usage {n} percent on node {n}",
        "disk usage {n} gb quota {n} gb",
    ],
    "User Action": [
        "session opened for user {u} by root",
        "user {u} logged out",
        "user {u} submitted job {n}",
    ],
    "System Notification": [
        "service {w} started",
        "heartbeat from node {n} ok",
        "config loaded from /etc/{w}.conf",
    ],
}
ANOMALY = {"Security Alert", "Critical Error", "Error"}


def make_lines(n_per_template: int = 6, seed: int = 0) -> list[tuple[str, str, int]]:
    rng = random.Random(seed)
    words = ["alpha", "beta", "gamma", "delta", "nova", "kafka"]
    users = ["bob", "alice", "root", "admin", "carol"]
    rows = []
    for label, temps in TEMPLATES.items():
        for t in temps:
            for _ in range(n_per_template):
                msg = t.format(
                    u=rng.choice(users),
                    ip=f"10.0.{rng.randint(0, 9)}.{rng.randint(1, 250)}",
                    n=rng.randint(1, 99999),
                    w=rng.choice(words),
                )
                rows.append((msg, label, int(label in ANOMALY)))
    rng.shuffle(rows)
    return rows


def write_csv(path: Path, rows: list[tuple[str, str, int]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["message", "label", "anomaly"])
        w.writerows(rows)
    return path


def build_tiny(tmp: Path, arch: str = "distilbert", seed: int = 0) -> Path:
    from exporters.build import BuildOptions, build_bundle
    from exporters.data import load_spec
    from exporters.tiny import make_tiny_base

    base = make_tiny_base(tmp / f"base-{arch}", arch, seed=seed)
    data = write_csv(tmp / "train.csv", make_lines())
    out = tmp / f"bundle-{arch}"
    opts = BuildOptions(
        base_model=str(base),
        name=f"tiny-{arch}",
        seed=seed,
        epochs=1,
        min_steps=0,
        max_seq_len=32,
        lgbm_rounds=20,
        min_confidence=0.0,
        keep_fp32=True,
    )
    build_bundle(load_spec(f"csv:{data}"), out, opts)
    return out


@pytest.fixture(scope="session")
def tiny_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bundle built end to end (fine-tune → ONNX → int8 → LightGBM → calibration)."""
    return build_tiny(tmp_path_factory.mktemp("tiny"))
