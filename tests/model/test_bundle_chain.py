"""build → export → quantize → load → classify on tiny random models; bad bundles."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from logtriage.errors import ModelBundleError
from logtriage.labels import UNCLASSIFIED
from logtriage.model import Classifier, load_bundle
from logtriage.model.bundle import ENCODER_FILE, LGBM_FILE, MANIFEST_FILE, write_manifest

from .conftest import TEMPLATES, build_tiny, make_lines


def _classify(clf: Classifier, texts: list[str]) -> list[str]:
    ids = np.arange(len(texts), dtype=np.uint32)
    out = clf.label_batch(texts, ids, texts, np.ones(len(texts), np.uint8))
    return out.label


def test_tiny_distilbert_bundle_loads_and_classifies(tiny_bundle: Path) -> None:
    b = load_bundle(tiny_bundle)
    assert b.labels == sorted(TEMPLATES)
    assert set(b.anomaly_labels) == {"Security Alert", "Critical Error", "Error"}
    assert b.manifest["encoder"]["architecture"] == "distilbert"
    assert b.version.startswith("tiny-distilbert@")
    for name in (ENCODER_FILE, LGBM_FILE, "tokenizer.json", "calibration.json"):
        assert len(b.manifest["files"][name]["sha256"]) == 64
    clf = Classifier(b, min_confidence=0.0)
    rows = make_lines(n_per_template=2, seed=7)
    msgs = [m for m, _, _ in rows]
    labels = _classify(clf, msgs)
    assert len(labels) == len(msgs)
    assert set(labels) <= set(b.labels)
    # The training metrics are recorded and the model learned something on its own data.
    assert b.manifest["metrics"]["train"]["accuracy"] > 0.5
    acc = np.mean([p == y for p, (_, y, _) in zip(labels, rows, strict=True)])
    assert acc > 1 / 7


def test_int8_smaller_than_fp32_and_agrees(tiny_bundle: Path) -> None:
    int8 = (tiny_bundle / ENCODER_FILE).stat().st_size
    fp32 = (tiny_bundle / "encoder.fp32.onnx").stat().st_size
    assert int8 < fp32
    from logtriage.model.encoder import Encoder

    texts = [m for m, _, _ in make_lines(1, seed=3)]
    a = Encoder(tiny_bundle / ENCODER_FILE, tiny_bundle / "tokenizer.json").encode(texts)
    b = Encoder(tiny_bundle / "encoder.fp32.onnx", tiny_bundle / "tokenizer.json").encode(texts)
    cos = (a.embedding * b.embedding).sum(axis=1)
    assert cos.min() > 0.9


def test_tiny_bert_chain(tmp_path: Path) -> None:
    bundle = build_tiny(tmp_path, "bert")
    clf = Classifier(bundle)
    assert load_bundle(bundle).manifest["encoder"]["architecture"] == "bert"
    labels = _classify(clf, ["user bob logged out", "kernel panic fatal error on node 3"])
    assert all(x in [*clf.labels, UNCLASSIFIED] for x in labels)


def test_build_is_reproducible(tiny_bundle: Path, tmp_path: Path) -> None:
    again = build_tiny(tmp_path)
    m1 = load_bundle(tiny_bundle).manifest["metrics"]
    m2 = load_bundle(again).manifest["metrics"]
    assert m1 == m2
    assert (tiny_bundle / LGBM_FILE).read_text() == (again / LGBM_FILE).read_text()


def test_unclassified_below_min_confidence(tiny_bundle: Path) -> None:
    texts = ["service nova started", "GET /api/x/1 HTTP/1.1 status 200", "user bob logged out"]
    strict = Classifier(tiny_bundle, min_confidence=1.0)
    assert _classify(strict, texts) == [UNCLASSIFIED] * 3
    lax = Classifier(tiny_bundle, min_confidence=0.0)
    assert UNCLASSIFIED not in _classify(lax, texts)
    # Confidence is reported either way, and it is what the threshold compared.
    out = strict.label_batch(texts, np.arange(3, dtype=np.uint32), texts, np.zeros(3, np.uint8))
    assert np.all(out.confidence > 0) and np.all(out.confidence <= 1)


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def test_flipped_byte_names_the_file(tiny_bundle: Path, tmp_path: Path) -> None:
    bad = _copy(tiny_bundle, tmp_path / "bad")
    target = bad / LGBM_FILE
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    with pytest.raises(ModelBundleError, match=r"lgbm\.txt: sha256 mismatch"):
        Classifier(bad)


def test_missing_file_and_bad_manifest(tiny_bundle: Path, tmp_path: Path) -> None:
    bad = _copy(tiny_bundle, tmp_path / "missing")
    (bad / ENCODER_FILE).unlink()
    with pytest.raises(ModelBundleError, match=r"encoder\.int8\.onnx: file listed .* missing"):
        load_bundle(bad)
    broken = _copy(tiny_bundle, tmp_path / "broken")
    (broken / MANIFEST_FILE).write_text("{not json")
    with pytest.raises(ModelBundleError, match=r"manifest\.json: not valid JSON"):
        load_bundle(broken)
    with pytest.raises(ModelBundleError, match="does not exist"):
        load_bundle(tmp_path / "nowhere")


def test_mismatched_feature_names(tiny_bundle: Path, tmp_path: Path) -> None:
    bad = _copy(tiny_bundle, tmp_path / "feat")
    manifest = json.loads((bad / MANIFEST_FILE).read_text())
    manifest["input"]["feature_names"] = ["some_other_feature"]
    write_manifest(bad, manifest)  # a new version: the problem is the runtime contract
    load_bundle(bad)
    with pytest.raises(ModelBundleError, match=r"manifest\.json: input feature names"):
        Classifier(bad)


def test_runtime_never_imports_torch(tiny_bundle: Path) -> None:
    code = (
        "import sys, numpy as np\n"
        "from logtriage.model import Classifier\n"
        f"c = Classifier({str(tiny_bundle)!r})\n"
        "t = ['user bob logged out']\n"
        "c.label_batch(t, np.zeros(1, np.uint32), t, np.ones(1, np.uint8))\n"
        "assert 'torch' not in sys.modules, 'torch imported'\n"
        "assert 'transformers' not in sys.modules\n"
        "print('ok')\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "ok"


def test_missing_torch_fails_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    from exporters import require_torch

    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(RuntimeError, match=r"train extra"):
        require_torch()
