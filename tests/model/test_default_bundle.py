"""The shipped default bundle: found without flags, verified, redistributable data only."""

from __future__ import annotations

import numpy as np
from logtriage.config import ModelSettings
from logtriage.model import Classifier, default_bundle_path, load_bundle

CATEGORIES = {
    "Critical Error", "Error", "Security Alert", "User Action", "HTTP Status",
    "Resource Usage", "System Notification",
}  # fmt: skip


def test_default_bundle_is_found_and_loads() -> None:
    path = default_bundle_path()
    assert path is not None, "plugin/logtriage/bundles/default is missing"
    b = load_bundle(path)  # verifies every sha256
    assert set(b.labels) == CATEGORIES
    assert set(b.anomaly_labels) == {"Critical Error", "Error", "Security Alert"}
    # Trained on the redistributable generator only, never on ../shared/data.
    assert b.manifest["training"]["data"].startswith("generated:")
    assert "shared" not in b.manifest["training"]["data"]
    total = sum(f["bytes"] for f in b.manifest["files"].values())
    assert total < 60 * 2**20
    clf = Classifier.from_settings(ModelSettings())
    assert clf is not None and clf.model_version == b.version


def test_default_bundle_labels_obvious_lines() -> None:
    clf = Classifier.from_settings(ModelSettings(min_confidence=0.0))
    assert clf is not None
    texts = [
        "Failed password for invalid user admin from <*> port <*> ssh2",
        "GET /index.html HTTP/1.1 200 <*>",
        "Out of memory: Killed process <*> (java)",
    ]
    out = clf.label_batch(texts, np.arange(3, dtype=np.uint32), texts, np.ones(3, np.uint8))
    assert out.label[0] == "Security Alert"
    assert out.label[1] == "HTTP Status"
    assert out.label[2] == "Critical Error"
    assert out.anomaly.tolist() == [True, False, True]
