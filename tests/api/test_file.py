"""POST /v1/classify/file: CSV and plain-log uploads, answered with the labelled CSV."""

from __future__ import annotations

import csv
import gzip
import io
import time
from pathlib import Path
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from logtriage.api import create_app
from logtriage.api.uploads import LABEL_COLUMNS
from logtriage.config import Settings
from logtriage.core import build_header_parser

from tests.api.conftest import make_settings, manifest_labeler
from tests.shared_data import loghub_dir, loghub_format, shared_data


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csv_upload_with_chosen_column_keeps_the_input_columns(bundle_client: TestClient) -> None:
    data = (
        b"timestamp,source,log_message,extra\n"
        b'2025-01-01,web,"error: GET /a failed, retrying",1\n'
        b'2025-01-02,db,"user ""bob"" logged in",2\n'
        b"2025-01-03,db,permission denied for carol,3\n"
    )
    r = bundle_client.post(
        "/v1/classify/file",
        files={"file": ("events.csv", data, "text/csv")},
        data={"column": "log_message", "model": "tiny"},
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"] == 'attachment; filename="events.labelled.csv"'
    assert r.headers["x-logtriage-lines"] == "3"
    assert r.headers["x-logtriage-invalid-utf8"] == "0"
    assert r.headers["x-logtriage-model"] == "tiny"
    assert r.headers["x-logtriage-model-version"] == "tiny-1"
    assert r.headers["x-logtriage-message-column"] == "log_message"
    header = next(csv.reader(io.StringIO(r.text)))
    assert header == ["timestamp", "source", "log_message", "extra", *LABEL_COLUMNS]
    rows = read_csv(r.text)
    assert [row["log_message"] for row in rows] == [
        "error: GET /a failed, retrying",
        'user "bob" logged in',
        "permission denied for carol",
    ]
    assert [row["extra"] for row in rows] == ["1", "2", "3"]
    # Same labels as the JSON door gives for the same lines.
    again = bundle_client.post(
        "/v1/classify", json=[row["log_message"] for row in rows], params={"model": "tiny"}
    ).json()["results"]
    for row, x in zip(rows, again, strict=True):
        assert row["logtriage.label"] == x["label"]
        assert float(row["logtriage.confidence"]) == x["confidence"]
        assert row["logtriage.anomaly"] == ("true" if x["anomaly"] else "false")
        assert row["logtriage.rule"] == (x["rule"] or "")
        assert int(row["logtriage.template.id"]) == x["template_id"]
        assert row["logtriage.template.text"] == x["template"]
        assert row["logtriage.model.version"] == "tiny-1"


def test_csv_message_column_is_guessed(client: TestClient) -> None:
    data = b"Level,Content\nINFO,started\nWARN,slow disk\n"
    r = client.post("/v1/classify/file", files={"file": ("x.csv", data)})
    assert r.status_code == 200, r.text
    assert r.headers["x-logtriage-message-column"] == "Content"
    assert [row["Content"] for row in read_csv(r.text)] == ["started", "slow disk"]


@pytest.mark.parametrize(
    ("filename", "disposition"),
    [
        ("app log.txt", 'attachment; filename="app_log.labelled.csv"'),
        (
            "журнал.log",
            'attachment; filename="upload.labelled.csv"; '
            "filename*=UTF-8''%D0%B6%D1%83%D1%80%D0%BD%D0%B0%D0%BB.labelled.csv",
        ),
        (
            "café.csv",
            "attachment; filename=\"cafe.labelled.csv\"; filename*=UTF-8''caf%C3%A9.labelled.csv",
        ),
    ],
)
def test_download_name_keeps_non_ascii_letters_in_an_ascii_header(
    client: TestClient, filename: str, disposition: str
) -> None:
    """The header is ASCII (a Cyrillic name was a 500, a Latin-1 one raw bytes); the
    exact name travels percent-encoded in ``filename*``."""
    r = client.post("/v1/classify/file", files={"file": (filename, b"message\nstarted\n")})
    assert r.status_code == 200, r.text
    raw = dict(r.headers.raw)[b"content-disposition"]
    assert raw.isascii()
    assert raw.decode("ascii") == disposition


@pytest.mark.parametrize(
    ("filename", "content_type", "kind"),
    [
        ("events.tsv", "application/octet-stream", None),
        ("events.txt", "text/tab-separated-values", None),
        ("events.txt", "text/plain", "tsv"),
    ],
)
def test_tsv_is_split_on_tabs_and_answered_as_csv(
    client: TestClient, filename: str, content_type: str, kind: str | None
) -> None:
    data = b"level\tmessage\nWARN\tdisk full, retrying\nINFO\tdone\n"
    r = client.post(
        "/v1/classify/file",
        files={"file": (filename, data, content_type)},
        data={"kind": kind} if kind else {},
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["x-logtriage-message-column"] == "message"
    header = next(csv.reader(io.StringIO(r.text)))
    assert header == ["level", "message", *LABEL_COLUMNS]
    rows = read_csv(r.text)
    assert [(row["level"], row["message"]) for row in rows] == [
        ("WARN", "disk full, retrying"),
        ("INFO", "done"),
    ]


def test_a_tsv_row_with_an_extra_tab_is_refused_naming_the_tab(client: TestClient) -> None:
    data = b"message\tlevel\nok\tINFO\ndisk\tfull\tWARN\n"
    r = client.post("/v1/classify/file", files={"file": ("x.tsv", data)})
    assert r.status_code == 400
    assert r.json()["error"]["message"] == (
        "TSV line 3: 3 fields where the header has 2 (quote a field that holds a tab)"
    )


def test_message_column_header_is_percent_encoded_utf8(client: TestClient) -> None:
    """A header cannot carry "ü": it went out as "Meldung_?", which names no column."""
    data = "id,Meldung_ü\n1,disk full\n".encode()
    r = client.post(
        "/v1/classify/file", files={"file": ("de.csv", data)}, data={"column": "Meldung_ü"}
    )
    assert r.status_code == 200, r.text
    assert r.headers["x-logtriage-message-column"] == "Meldung_%C3%BC"
    assert unquote(r.headers["x-logtriage-message-column"]) in next(csv.reader(io.StringIO(r.text)))


def test_unknown_column_is_400_with_the_columns(client: TestClient) -> None:
    r = client.post(
        "/v1/classify/file",
        files={"file": ("x.csv", b"a,b\n1,2\n")},
        data={"column": "message"},
    )
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["type"] == "unknown_column" and err["columns"] == ["a", "b"]


def test_plain_log_upload(client: TestClient) -> None:
    data = b'first line 1\nsecond, with "quotes"\r\n\nthird line 3\n'
    r = client.post("/v1/classify/file", files={"file": ("app.log", data)})
    assert r.status_code == 200, r.text
    assert r.headers["x-logtriage-lines"] == "4"
    rows = read_csv(r.text)
    assert [row["line_id"] for row in rows] == ["1", "2", "3", "4"]
    assert [row["message"] for row in rows] == [
        "first line 1",
        'second, with "quotes"',
        "",
        "third line 3",
    ]
    assert all(row["logtriage.label"] == "Unclassified" or row["logtriage.rule"] for row in rows)


def test_csv_rows_of_empty_fields_are_kept_as_unclassified(client: TestClient) -> None:
    """Rows out match rows in, as for log lines and JSON items; a blank line is no row."""
    data = b'message,level\n,\n"",""\n\npermission denied,WARN\n'
    r = client.post("/v1/classify/file", files={"file": ("e.csv", data)})
    assert r.status_code == 200, r.text
    assert r.headers["x-logtriage-lines"] == "3"
    rows = read_csv(r.text)
    assert [(row["message"], row["level"]) for row in rows] == [
        ("", ""),
        ("", ""),
        ("permission denied", "WARN"),
    ]
    assert [row["logtriage.label"] for row in rows[:2]] == ["Unclassified"] * 2
    assert rows[2]["logtriage.rule"] == "test.denied"


def test_message_with_carriage_return_survives_the_csv(client: TestClient) -> None:
    data = b'message\n"one\rtwo"\n'
    r = client.post("/v1/classify/file", files={"file": ("cr.csv", data)})
    rows = read_csv(r.text)
    assert [row["message"] for row in rows] == ["one\rtwo"]


def test_non_utf8_upload_is_decoded_with_replacement_and_reported(client: TestClient) -> None:
    data = b"ok line\nbad \xff\xfe line\nlatin1 caf\xe9\nfine\n"
    r = client.post("/v1/classify/file", files={"file": ("bad.log", data)})
    assert r.status_code == 200, r.text
    assert r.headers["x-logtriage-invalid-utf8"] == "2"
    rows = read_csv(r.text)
    assert rows[1]["message"] == "bad \ufffd\ufffd line"
    assert rows[2]["message"] == "latin1 caf\ufffd"
    csv_bad = b"message\nbad \xff\nok\n"
    r = client.post("/v1/classify/file", files={"file": ("bad.csv", csv_bad)})
    assert r.status_code == 200 and r.headers["x-logtriage-invalid-utf8"] == "1"
    metrics = client.get("/metrics").text
    assert "logtriage_api_invalid_utf8_lines_total 3.0" in metrics


@pytest.mark.parametrize(
    ("data", "message"),
    [
        # An unquoted comma: cutting the row to the header would drop "WARN".
        (
            b"message,level\nok,INFO\ndisk full, retrying,WARN\n",
            "CSV line 3: 3 fields where the header has 2 (quote a field that holds a comma)",
        ),
        # A quote never closed: the rest of the file would become one message.
        (
            b'message,level\nok,INFO\n"never closed,ERROR\nmore,INFO\n',
            "CSV line 3: a quote in this row is never closed",
        ),
        # Text after a closing quote: '"x"y' would become 'xy'.
        (b'message,level\n"x"y,INFO\n', "CSV line 2: ',' expected after"),
    ],
)
def test_a_csv_that_would_lose_or_merge_text_is_refused_naming_the_line(
    client: TestClient, data: bytes, message: str
) -> None:
    r = client.post("/v1/classify/file", files={"file": ("u.csv", data)})
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["type"] == "invalid_csv"
    assert error["message"].startswith(message)
    # A short row is padded (trailing empty fields left out is common), not refused.
    r = client.post("/v1/classify/file", files={"file": ("s.csv", b"message,level\nok\n")})
    assert r.status_code == 200 and read_csv(r.text)[0]["level"] == ""


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b'message,level\nok,INFO\n"never closed,ERROR\n' + b"more,INFO\n" * 1000, 3),
        # A quoted field over two lines before it: the row still starts on line 4.
        (b'message,level\n"two\nlines",INFO\nok,"open\n' + b"more,INFO\n" * 10, 4),
    ],
)
def test_a_quote_never_closed_is_reported_where_its_row_starts(
    client: TestClient, data: bytes, line: int
) -> None:
    """``csv`` notices only at the end of the file; the user needs the row that opens it."""
    r = client.post("/v1/classify/file", files={"file": ("q.csv", data)})
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["message"] == f"CSV line {line}: a quote in this row is never closed"
    assert error["line"] == line


def test_bad_uploads_are_4xx(client: TestClient) -> None:
    r = client.post("/v1/classify/file", files={"file": ("e.log", b"  \n\n")})
    assert (r.status_code, r.json()["error"]["type"]) == (400, "empty_upload")
    huge = b'message\n"' + b"x" * 200_000 + b'"\n'  # over the csv module's field limit
    r = client.post("/v1/classify/file", files={"file": ("h.csv", huge)})
    assert (r.status_code, r.json()["error"]["type"]) == (400, "invalid_csv")
    r = client.post("/v1/classify/file", files={"file": ("d.csv", b"a,a\n1,2\n")})
    assert (r.status_code, r.json()["error"]["type"]) == (400, "invalid_csv")
    r = client.post("/v1/classify/file", files={"file": ("x.log", b"a\n")}, data={"model": "nope"})
    assert (r.status_code, r.json()["error"]["type"]) == (404, "unknown_model")
    r = client.post("/v1/classify/file", data={"model": "none"})
    assert r.status_code == 422


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (gzip.compress(b"job 1 done\n"), "gzip-compressed"),
        ("job 1 done\n".encode("utf-16"), "UTF-16 text"),
    ],
    ids=["gzip", "utf-16"],
)
def test_a_log_that_is_no_utf8_text_is_415(client: TestClient, data: bytes, what: str) -> None:
    """Before: a UTF-16 log was a 500 (the file source's refusal was unexpected), and a
    gzip file was answered 200 with a row of replaced bytes per stretch between 0x0a."""
    r = client.post("/v1/classify/file", files={"file": ("app.log", data)})
    assert r.status_code == 415, r.text
    assert r.json()["error"] == {
        "type": "unsupported_upload",
        "message": f"the uploaded log is {what}: upload it as UTF-8 text",
    }


@pytest.mark.parametrize(
    ("form", "got"),
    [({"model": "none"}, 'no "file" field'), ({"file": "app.log"}, "text, not a file")],
)
def test_a_missing_file_is_422_saying_how_to_send_one(
    client: TestClient, form: dict[str, str], got: str
) -> None:
    """Before: "body.file: Value error, Expected UploadFile, received: <class 'str'>"."""
    r = client.post("/v1/classify/file", data=form)
    assert r.status_code == 422
    assert r.json()["error"]["message"] == (
        'send the file as a multipart/form-data file field named "file" '
        f'(curl -F "file=@app.log"); got {got}'
    )
    # Another field wrong, with the file there: pydantic's words name it.
    r = client.post("/v1/classify/file", files={"file": ("a.log", b"a\n")}, data={"kind": "xml"})
    assert r.status_code == 422
    assert r.json()["error"]["message"].startswith("body.kind: Input should be 'auto'")


def test_upload_limits(rules_file: Path) -> None:
    app = create_app(make_settings(rules_file, max_lines=3, max_request_bytes=4096))
    with TestClient(app) as c:
        r = c.post("/v1/classify/file", files={"file": ("a.log", b"1\n2\n3\n4\n")})
        assert (r.status_code, r.json()["error"]["type"]) == (413, "too_many_lines")
        r = c.post("/v1/classify/file", files={"file": ("a.log", b"x" * 5000)})
        assert (r.status_code, r.json()["error"]["type"]) == (413, "request_too_large")


@pytest.mark.parametrize("by_name", [False, True], ids=["format", "preset"])
def test_log_format_splits_header_fields(client: TestClient, by_name: bool) -> None:
    system = "OpenSSH"
    raw = (loghub_dir(system) / f"{system}_2k.log").read_bytes()
    head = b"".join(raw.splitlines(keepends=True)[:50])
    r = client.post(
        "/v1/classify/file",
        files={"file": ("ssh.log", head)},
        data={"log_format": "openssh" if by_name else loghub_format(system)},
    )
    assert r.status_code == 200, r.text
    rows = read_csv(r.text)
    assert len(rows) == 50
    assert r.headers["x-logtriage-unmatched"] == "0"
    header = next(csv.reader(io.StringIO(r.text)))
    fields = [f for f in build_header_parser(loghub_format(system)).fields if f != "Content"]
    assert header == ["line_id", "message", *fields, *LABEL_COLUMNS]


def test_100k_line_csv_upload(rules_file: Path, tmp_path: Path) -> None:
    """The page's promise: 100k lines in one upload, streamed back in batches."""
    seed = shared_data() / "seed-classification" / "synthetic_logs.csv"
    with open(seed, newline="", encoding="utf-8") as f:
        source = list(csv.DictReader(f))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["source", "log_message"])
    for i in range(100_000):
        row = source[i % len(source)]
        writer.writerow([row["source"], row["log_message"]])
    data = out.getvalue().encode()
    settings: Settings = make_settings(rules_file)
    app = create_app(settings, labeler_factory=manifest_labeler)
    with TestClient(app) as c:
        t0 = time.perf_counter()
        r = c.post("/v1/classify/file", files={"file": ("big.csv", data, "text/csv")})
        elapsed = time.perf_counter() - t0
    assert r.status_code == 200, r.text[:500]
    assert r.headers["x-logtriage-lines"] == "100000"
    rows = read_csv(r.text)
    assert len(rows) == 100_000
    assert rows[-1]["log_message"] == source[99_999 % len(source)]["log_message"]
    assert all(row["logtriage.label"] for row in rows)
    assert elapsed < 120, f"100k lines took {elapsed:.1f}s"
