"""features_batch: named float32 columns, exact values on known strings, huge lines."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from logtriage._core import Masker, feature_names, features_batch


def row(line: str) -> dict[str, float]:
    matrix, names = features_batch([line])
    return dict(zip(names, matrix[0].tolist(), strict=True))


def test_shape_dtype_and_names() -> None:
    lines = ["a", "b c", ""] * 10
    matrix, names = features_batch(lines)
    assert isinstance(matrix, np.ndarray)
    assert matrix.dtype == np.float32
    assert matrix.shape == (30, len(names))
    assert matrix.flags.c_contiguous
    assert names == feature_names()
    assert len(set(names)) == len(names)
    for required in [
        "length",
        "tokens",
        "mean_token_length",
        "digit_ratio",
        "upper_ratio",
        "punct_ratio",
        "whitespace_ratio",
        "entropy",
        "kw_error",
        "kw_warn",
        "kw_fatal",
        "kw_critical",
        "kw_info",
        "kw_debug",
        "kw_fail",
        "kw_denied",
        "kw_refused",
        "kw_timeout",
        "kw_exception",
        "exception_class",
        "stack_markers",
        "kv_count",
        "json_valid",
        "json_pairs",
        "http_method",
        "url_scheme",
    ]:
        assert required in names, required


def test_mask_columns_follow_the_default_masker() -> None:
    names = feature_names()
    mask_cols = [n for n in names if n.startswith("mask_")]
    assert mask_cols == [f"mask_{m}" for m in Masker().names]


def test_empty_batch() -> None:
    matrix, names = features_batch([])
    assert matrix.shape == (0, len(names))


def test_exact_values() -> None:
    f = row("aaaa")
    assert f["length"] == 4
    assert f["tokens"] == 1
    assert f["entropy"] == 0.0
    assert f["alpha_ratio"] == 1.0
    assert f["mean_token_length"] == 4.0

    f = row("ab 12 CD!")
    assert f["length"] == 9
    assert f["tokens"] == 3
    assert f["mean_token_length"] == pytest.approx(7 / 3)
    assert f["max_token_length"] == 3
    assert f["digit_ratio"] == pytest.approx(2 / 9)
    assert f["upper_ratio"] == pytest.approx(2 / 9)
    assert f["punct_ratio"] == pytest.approx(1 / 9)
    assert f["whitespace_ratio"] == pytest.approx(2 / 9)
    assert f["digit_token_ratio"] == pytest.approx(1 / 3)

    assert row("abcd")["entropy"] == pytest.approx(2.0)
    assert row("aabb")["entropy"] == pytest.approx(1.0)
    p = [3 / 6, 2 / 6, 1 / 6]
    assert row("aaabbc")["entropy"] == pytest.approx(-sum(x * math.log2(x) for x in p), rel=1e-6)

    f = row("")
    assert f["length"] == 0
    assert f["tokens"] == 0
    assert f["entropy"] == 0


def test_keywords_and_markers() -> None:
    f = row("ERROR Failed password; Connection timed out, timeout=30 user=root")
    assert f["kw_error"] == 1
    assert f["kw_fail"] == 1
    assert f["kw_auth"] == 1
    assert f["kw_timeout"] == 2
    assert f["kv_count"] == 2
    assert f["kw_warn"] == 0

    f = row("WARN [main] Connection refused; permission denied")
    assert (f["kw_warn"], f["kw_refused"], f["kw_denied"], f["kw_error"]) == (1, 1, 1, 0)

    f = row("Caused by: java.io.IOException: boom\n\tat org.apache.hadoop.Foo.bar(Foo.java:12)")
    assert f["exception_class"] == 1
    assert f["kw_exception"] == 1
    assert f["stack_markers"] == 2
    assert row("Traceback (most recent call last):")["stack_markers"] == 1
    assert row("plain text")["stack_markers"] == 0

    f = row('1.2.3.4 - - "GET /index.html HTTP/1.1" 404 12 "http://x.org/"')
    assert (f["http_method"], f["http_version"], f["http_status"], f["url_scheme"]) == (
        1,
        1,
        404,
        1,
    )
    assert row("GET me a coffee")["http_method"] == 0

    f = row('{"level": "info", "msg": "ok", "n": [1, 2]}')
    assert (f["json_valid"], f["json_pairs"], f["kw_info"]) == (1, 3, 1)
    assert row('{"level": "info", "msg": ')["json_valid"] == 0


def test_replacement_character_from_bad_bytes() -> None:
    line = b"caf\xc3\xa9 \xff\xfe".decode("utf-8", errors="replace")
    assert line == "caf\u00e9 \ufffd\ufffd"
    f = row(line)
    assert f["length"] == 7
    assert f["replacement_chars"] == 2
    assert f["non_ascii_ratio"] == pytest.approx(3 / 7)


def test_ten_megabyte_line_is_fast_and_length_is_true() -> None:
    line = "x1 " * 3_500_000  # 10.5 MB
    start = time.perf_counter()
    matrix, names = features_batch([line, "short"])
    elapsed = time.perf_counter() - start
    f = dict(zip(names, matrix[0].tolist(), strict=True))
    assert elapsed < 2.0
    assert f["length"] == len(line)
    assert f["tokens"] == 3_500_000
    assert f["truncated"] == 1
    assert dict(zip(names, matrix[1].tolist(), strict=True))["truncated"] == 0


def test_big_batch_equals_row_by_row() -> None:
    lines = [f"user{i} ERROR code={i % 13} x" * (i % 5) for i in range(6000)]
    whole, _ = features_batch(lines)
    for i in (0, 1, 777, 5999):
        single, _ = features_batch([lines[i]])
        assert (whole[i] == single[0]).all()
