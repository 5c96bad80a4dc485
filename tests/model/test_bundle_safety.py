"""A build never destroys what --out held before it succeeds; a bundle's version covers
what its manifest tells the runtime; manifests with wrong types are one clear error."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from logtriage.cli.classify import classify_file
from logtriage.cli.model import app
from logtriage.errors import ModelBundleError
from logtriage.model import load_bundle
from logtriage.model.bundle import MANIFEST_FILE, version_from_hashes
from typer.testing import CliRunner

from .conftest import make_lines, write_csv


def _build_args(data: Path, out: Path, base: str) -> list[str]:
    return ["build", "--data", f"csv:{data}", "--base-model", base, "--out", str(out)]


def test_build_refuses_an_out_dir_holding_other_files(tmp_path: Path) -> None:
    data = write_csv(tmp_path / "train.csv", make_lines(2))
    mine = tmp_path / "mydocs"
    mine.mkdir()
    (mine / "notes.txt").write_text("my notes")
    res = CliRunner().invoke(app, _build_args(data, mine, "all-MiniLM-L6-v2"))
    assert res.exit_code == 1
    assert f"--out {mine} holds files that are not a model bundle" in res.stderr
    assert (mine / "notes.txt").read_text() == "my notes"


def test_a_failed_build_leaves_the_old_bundle_whole(tiny_bundle: Path, tmp_path: Path) -> None:
    data = write_csv(tmp_path / "train.csv", make_lines(2))
    old = tmp_path / "bundle"
    shutil.copytree(tiny_bundle, old)
    before = {p.name: p.read_bytes() for p in old.iterdir()}
    not_a_model = tmp_path / "empty-base"
    not_a_model.mkdir()
    res = CliRunner().invoke(app, _build_args(data, old, str(not_a_model)))
    assert res.exit_code == 1
    assert f"base model {not_a_model} has no config.json" in res.stderr
    assert {p.name: p.read_bytes() for p in old.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle", "empty-base", "train.csv"]


def test_unclassified_is_not_a_training_label(tmp_path: Path) -> None:
    rows = [
        (m, "Unclassified" if label == "User Action" else label, a) for m, label, a in make_lines(2)
    ]
    data = write_csv(tmp_path / "train.csv", rows)
    res = CliRunner().invoke(app, _build_args(data, tmp_path / "b", "all-MiniLM-L6-v2"))
    assert res.exit_code == 1
    assert "'Unclassified' cannot be a training label" in res.stderr


def test_out_of_range_options_are_usage_errors(tmp_path: Path) -> None:
    data = write_csv(tmp_path / "train.csv", make_lines(2))
    args = _build_args(data, tmp_path / "b", "all-MiniLM-L6-v2")
    for option, value in [
        ("--min-confidence", "1.5"),
        ("--max-seq-len", "0"),
        ("--max-templates", "0"),
    ]:
        res = CliRunner().invoke(app, [*args, option, value])
        assert res.exit_code == 2, (option, res.output)
        assert option in res.stderr


def test_version_covers_labels_and_thresholds(tiny_bundle: Path, tmp_path: Path) -> None:
    manifest = json.loads((tiny_bundle / MANIFEST_FILE).read_text())
    hashes = {name: entry["sha256"] for name, entry in manifest["files"].items()}
    same = version_from_hashes(manifest["name"], hashes, manifest)
    assert same == manifest["version"]
    stricter = {**manifest, "thresholds": {**manifest["thresholds"], "min_confidence": 0.9}}
    assert version_from_hashes(manifest["name"], hashes, stricter) != same
    reordered = {**manifest, "labels": list(reversed(manifest["labels"]))}
    assert version_from_hashes(manifest["name"], hashes, reordered) != same

    edited = tmp_path / "edited"
    shutil.copytree(tiny_bundle, edited)
    (edited / MANIFEST_FILE).write_text(json.dumps(reordered))
    with pytest.raises(ModelBundleError, match="the bundle was changed after it was built"):
        load_bundle(edited)


@pytest.mark.parametrize(
    ("path", "value", "says"),
    [
        (
            ("thresholds", "min_confidence"),
            "high",
            "thresholds.min_confidence: Input should be a valid number",
        ),
        (("thresholds",), [], "thresholds: Input should be a valid dictionary"),
        (
            ("input", "max_seq_len"),
            -1,
            "input.max_seq_len: Input should be greater than or equal to 1",
        ),
        (("labels",), ["Error", "Error"], "labels: Value error, labels must be distinct"),
    ],
)
def test_manifest_with_a_wrong_type_names_the_field(
    tiny_bundle: Path, tmp_path: Path, path: tuple[str, ...], value: object, says: str
) -> None:
    bad = tmp_path / "bad"
    shutil.copytree(tiny_bundle, bad)
    manifest = json.loads((bad / MANIFEST_FILE).read_text())
    node = manifest
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    (bad / MANIFEST_FILE).write_text(json.dumps(manifest))
    with pytest.raises(ModelBundleError) as info:
        load_bundle(bad)
    assert str(info.value).startswith(f"{bad / MANIFEST_FILE}: {says}")


def test_a_file_given_as_the_bundle_says_so(tiny_bundle: Path) -> None:
    with pytest.raises(ModelBundleError, match="is a file; give the model bundle directory"):
        load_bundle(tiny_bundle / MANIFEST_FILE)


def test_eval_labels_with_the_configuration_classify_uses(
    tiny_bundle: Path, tmp_path: Path
) -> None:
    data = write_csv(tmp_path / "eval.csv", make_lines(1, seed=7))
    config = tmp_path / "logtriage.yaml"
    config.write_text("model:\n  min_confidence: 1.0\n")
    out = tmp_path / "report"
    args = ["eval", str(tiny_bundle), "--data", f"csv:{data}", "--out", str(out)]
    res = CliRunner().invoke(app, [*args, "--config", str(config)])
    assert res.exit_code == 0, res.output
    report = json.loads((out / "report.json").read_text())
    log = tmp_path / "eval.log"
    log.write_text("".join(f"{m}\n" for m, _label, _a in make_lines(1, seed=7)))
    classify_file(
        str(log), str(tmp_path / "out.csv"), log_format="raw", model=tiny_bundle, config=config
    )
    with (tmp_path / "out.csv").open(newline="") as f:
        labels = [row["label"] for row in csv.DictReader(f)]
    classified_rate = sum(label == "Unclassified" for label in labels) / len(labels)
    assert report["unclassified_rate"] == pytest.approx(classified_rate)
    assert 0.5 < classified_rate < 1.0  # only lines a rule decided (confidence 1) stay

    nowhere = tmp_path / "nowhere"
    res = CliRunner().invoke(
        app, ["eval", str(nowhere), "--data", f"csv:{data}", "--out", str(tmp_path / "r2")]
    )
    assert res.exit_code == 1
    assert not (tmp_path / "r2").exists()  # no empty report directory left behind
