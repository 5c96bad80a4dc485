"""DeepLog LSTM: training on a small sample in CI time, ONNX export/load round trip,
unseen template ids, and a runtime that never imports torch."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from logtriage.errors import ModelBundleError
from logtriage.sessions import LstmDetector, load_detector

from tests.shared_data import REPO_ROOT


def _need_torch() -> None:
    from exporters.sequences import require_torch

    try:
        require_torch()
    except ImportError as exc:
        pytest.fail(f"{exc} -- these tests need the training dependencies installed")


@pytest.fixture(scope="module")
def small_bundle(
    tmp_path_factory: pytest.TempPathFactory, hdfs: dict[str, list[list[int]]]
) -> tuple[Path, float, list[list[int]]]:
    _need_torch()
    from exporters.sequences import LstmTrainConfig, build_lstm_bundle

    out = tmp_path_factory.mktemp("lstm")
    sample = hdfs["normal_train"][:400]
    start = time.perf_counter()
    build_lstm_bundle(
        sample, out, LstmTrainConfig(epochs=25, batch_size=1024, lr=2e-2, seed=7, threads=1)
    )
    return out, time.perf_counter() - start, sample


def test_small_sample_trains_in_ci_time_and_detects(
    small_bundle: tuple[Path, float, list[list[int]]], hdfs: dict[str, list[list[int]]]
) -> None:
    out, seconds, _ = small_bundle
    assert seconds < 60, f"training took {seconds:.1f}s"
    det = load_detector(out)
    assert isinstance(det, LstmDetector) and det.window == 10
    fp = int(det.score(hdfs["normal_test"][:500]).anomalous.sum())
    tp = int(det.score(hdfs["abnormal_test"][:500]).anomalous.sum())
    assert tp >= 450, f"recall {tp}/500"
    assert fp <= 50, f"false positives {fp}/500"


def test_onnx_export_load_round_trip(
    small_bundle: tuple[Path, float, list[list[int]]], tmp_path: Path
) -> None:
    _need_torch()
    import torch

    from exporters.sequences import LstmTrainConfig, export_onnx, train_lstm

    _, _, sample = small_bundle
    model, vocab, stats = train_lstm(sample[:50], LstmTrainConfig(epochs=1, seed=3))
    assert stats["windows"] > 0
    export_onnx(model, tmp_path / "m.onnx", 10)
    det = LstmDetector(tmp_path / "m.onnx", vocab, window=10)
    windows = np.random.default_rng(0).integers(0, len(vocab) + 3, size=(64, 10))
    with torch.no_grad():
        expected = model(torch.from_numpy(windows)).numpy()
    np.testing.assert_allclose(det.logits(windows), expected, rtol=1e-4, atol=1e-4)

    # Save under a new name, reload, same verdicts; a corrupted file is refused.
    det.save(tmp_path / "bundle")
    back = load_detector(tmp_path / "bundle")
    probe = [*sample[:20], [999, 5, 5], []]
    assert back.score(probe).anomalous.tolist() == det.score(probe).anomalous.tolist()
    (tmp_path / "bundle" / "model.onnx").write_bytes(b"not onnx")
    with pytest.raises(ModelBundleError):
        load_detector(tmp_path / "bundle")


def test_unseen_template_ids_are_flagged_where_they_occur(
    small_bundle: tuple[Path, float, list[list[int]]],
) -> None:
    out, _, sample = small_bundle
    det = load_detector(out, top_g=10_000)  # g above the vocabulary: only unseen ids miss
    normal = sample[0]
    odd = [*normal[:3], 123_456, *normal[3:]]
    v = det.score([normal, odd])
    assert not v.anomalous[0]
    assert v[1].anomalous and v[1].position == 3 and v[1].template_id == 123_456


def test_runtime_never_imports_torch(small_bundle: tuple[Path, float, list[list[int]]]) -> None:
    out, _, _ = small_bundle
    code = (
        "import sys; from logtriage.sessions import load_detector; "
        f"d = load_detector({str(out)!r}); print(d.score([[5, 5, 5]]).anomalous.tolist()); "
        "assert 'torch' not in sys.modules, 'runtime imported torch'"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() in ("[True]", "[False]")


def test_manifest_without_window_or_with_a_bad_vocab_is_a_bundle_error(
    small_bundle: tuple[Path, float, list[list[int]]], tmp_path: Path
) -> None:
    """A hand-edited or foreign manifest is one ModelBundleError, not a KeyError."""
    bundle = tmp_path / "b"
    shutil.copytree(small_bundle[0], bundle)
    manifest = json.loads((bundle / "manifest.json").read_text())
    del manifest["window"]
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelBundleError, match="an LSTM manifest needs 'window'"):
        load_detector(bundle)
    manifest = {**manifest, "window": 10, "vocab": ["x"]}
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelBundleError, match="is not a number"):
        load_detector(bundle)
