"""The Rust n-gram baseline through its Python wrapper."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from logtriage._core import SequenceModel
from logtriage.config import SessionsSettings
from logtriage.errors import ConfigError, ModelBundleError, StateError
from logtriage.sessions import NgramDetector, load_detector
from logtriage.sessions.detect import file_sha256


def test_rust_defaults_match_config_defaults() -> None:
    m = SequenceModel()
    s = SessionsSettings()
    assert (m.history, m.top_g, m.min_count, m.check_end) == (
        s.history,
        s.top_g,
        s.min_count,
        s.check_end,
    )


def test_locates_first_deviation_and_unexpected_end() -> None:
    m = SequenceModel(history=2, top_g=1)
    m.train_batch([[1, 2, 3, 4]] * 3)
    anomalous, position, template, misses, score = m.score_batch(
        [[1, 2, 3, 4], [1, 2, 4, 3], [1, 2, 3], []]
    )
    assert anomalous.tolist() == [False, True, True, True]
    assert position.tolist() == [-1, 2, 3, 0]
    assert template.tolist() == [-1, 4, -1, -1]
    assert misses[0] == 0 and misses[1] >= 1
    assert score.dtype == np.float32 and 0 < score[1] <= 1


def test_unseen_template_ids_are_anomalous() -> None:
    m = SequenceModel(history=1, top_g=50)
    m.train_batch([[5, 6, 7]])
    anomalous, position, template, _, _ = m.score_batch([[5, 6, 7], [5, 999, 7]])
    assert anomalous.tolist() == [False, True]
    assert (position[1], template[1]) == (1, 999)
    assert m.vocab == [5, 6, 7]


def test_invalid_settings_and_reserved_ids_raise() -> None:
    with pytest.raises(ConfigError):
        SequenceModel(history=0)
    with pytest.raises(ConfigError):
        SequenceModel(top_g=0)
    m = SequenceModel()
    with pytest.raises(ConfigError):
        m.train_batch([[1, 2**32 - 1]])
    with pytest.raises(OverflowError):
        m.train_batch([[-1]])


def test_json_round_trip_and_bad_state() -> None:
    m = SequenceModel(history=3, top_g=2)
    m.train_batch([[1, 2, 3, 4, 5], [1, 3, 2, 4, 5]])
    back = SequenceModel.from_json(m.to_json())
    probe = [[1, 2, 3, 4, 5], [1, 2, 4], [9]]
    for a, b in zip(m.score_batch(probe), back.score_batch(probe), strict=True):
        assert a.tolist() == b.tolist()
    assert back.sessions_trained == 2 and back.contexts == m.contexts
    with pytest.raises(StateError):
        SequenceModel.from_json(json.dumps({"version": 99}))
    with pytest.raises(StateError):
        SequenceModel.from_json("{")


def test_hdfs_sample_reaches_f1(hdfs: dict[str, list[list[int]]]) -> None:
    det = NgramDetector.from_settings(SessionsSettings()).fit(hdfs["normal_train"][:1000])
    fp = int(det.score(hdfs["normal_test"]).anomalous.sum())
    tp = int(det.score(hdfs["abnormal_test"]).anomalous.sum())
    precision = tp / (tp + fp)
    recall = tp / len(hdfs["abnormal_test"])
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= 0.95, (fp, tp, f1)


def test_bundle_round_trip_and_tamper(tmp_path: Path) -> None:
    det = NgramDetector(SequenceModel(history=2)).fit([[1, 2, 3], [1, 2, 2, 3]])
    det.save(tmp_path / "b", metrics={"f1": 1.0})
    loaded = load_detector(tmp_path / "b")
    assert loaded.kind == "ngram"
    probe = [[1, 2, 3], [3, 2, 1]]
    assert loaded.score(probe).anomalous.tolist() == det.score(probe).anomalous.tolist()
    (tmp_path / "b" / "ngram.json").write_text("{}")
    with pytest.raises(ModelBundleError):
        load_detector(tmp_path / "b")
    with pytest.raises(ModelBundleError):
        load_detector(tmp_path / "missing")


def _rehash(bundle: Path) -> None:
    """Make the manifest's sha256 agree with the files again (a bundle as another
    logtriage version would write it, not a damaged copy)."""
    manifest = json.loads((bundle / "manifest.json").read_text())
    for name in manifest["sha256"]:
        manifest["sha256"][name] = file_sha256(bundle / name)
    (bundle / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize(
    ("ngram_json", "says"),
    [
        ('{"version": 7}', "format version 7 is not supported (expected 1)"),
        ("not json", "at line 1 column"),
    ],
)
def test_model_file_of_another_version_or_corrupt_names_the_file(
    tmp_path: Path, ngram_json: str, says: str
) -> None:
    bundle = tmp_path / "m"
    NgramDetector.from_settings(SessionsSettings()).fit([[1, 2, 3]]).save(bundle)
    (bundle / "ngram.json").write_text(ngram_json)
    _rehash(bundle)
    with pytest.raises(ModelBundleError) as info:
        load_detector(bundle)
    message = str(info.value)
    assert message.startswith(f"{bundle / 'ngram.json'}: not an n-gram sequence model")
    assert says in message and "miner state" not in message


def test_manifest_of_another_format_or_with_bad_digests_is_a_bundle_error(tmp_path: Path) -> None:
    bundle = tmp_path / "m"
    NgramDetector.from_settings(SessionsSettings()).fit([[1, 2, 3]]).save(bundle)
    manifest = json.loads((bundle / "manifest.json").read_text())
    (bundle / "manifest.json").write_text(json.dumps({**manifest, "format_version": 2}))
    with pytest.raises(ModelBundleError, match="format_version 2, this logtriage reads 1"):
        load_detector(bundle)
    (bundle / "manifest.json").write_text(json.dumps({**manifest, "sha256": ["ngram.json"]}))
    with pytest.raises(ModelBundleError, match="'sha256' is not a mapping"):
        load_detector(bundle)
