"""10,000 generated hostile documents in a real engine: every one ends labelled or with
``logtriage.error.reason``, ``logtriage run --once`` completes, and its peak RSS stays
under :data:`RSS_BOUND_MB`.

The corpus: non-UTF-8 input as JSON can carry it (U+FFFD replacement text, lone
surrogate escapes, Latin-1 mojibake, base64-ish and binary-looking garbage), three
10 MB messages (beyond ``max_message_bytes``) and messages just under the 1 MiB
limit, empty/blank/missing/null/numeric/boolean/array/object messages, deeply
nested JSON (message and a sibling field), control characters, regex-catastrophic
inputs against the rules (long runs of ``a``, ``a…a!`` nested-quantifier bait,
thousands of repeated tokens, deep parentheses), plus ordinary log lines.

Mapping conflict: a second index of the same pattern has ``logtriage.label``
already mapped as ``long`` and ``logtriage.template`` as ``keyword`` (a partial,
wrong pre-mapping). Labels cannot be stored there, so each of its documents must
end with ``logtriage.error.reason == "write_rejected"`` naming the conflict
(an index where ``logtriage`` itself is a keyword cannot hold any
``logtriage.*`` field; that case stops the run with a clear error and is tested
in ``test_hostile.py``).

Peak RSS is the child's ``VmHWM`` (the kernel's high-water mark of the process after
exec) sampled from ``/proc/<pid>/status`` until it exits. Not ``ru_maxrss``: Linux
carries it across exec, so it includes the forked copy of the (large) pytest process.
"""

from __future__ import annotations

import base64
import json
import os
import random
import time

from logtriage.local_engine import LocalEngine
from logtriage.search.client import SearchClient

from tests._search_helpers import (
    SidecarProcess,
    fetch_all,
    make_messages,
    settings_for,
    unique,
    write_config,
)

N_DOCS = 10_000
MB = 1024 * 1024
# The sidecar runs with the product's page settings (batch_size 10,000, pages cut to
# about max_page_bytes, 32 MiB, of response): it holds a page or two plus their parsed
# copies and the model-free pipeline. Without the byte cap a page would be the whole
# corpus (~35 MB of message text).
RSS_BOUND_MB = 512

_MAPPING = {
    "@timestamp": {"type": "date"},
    # Stored, not indexed: any JSON value (string, number, array, object) loads.
    "message": {"type": "object", "enabled": False},
    "payload": {"type": "object", "enabled": False},
    "seq": {"type": "long"},
    "kind": {"type": "keyword"},
}


def _nested(depth: int) -> object:
    value: object = "bottom"
    for i in range(depth):
        value = {"k": value} if i % 2 else [value]
    return value


def _corpus(rng: random.Random) -> list[tuple[str, dict]]:
    """(kind, document) pairs; ``kind`` names the hostility."""
    out: list[tuple[str, dict]] = []

    def add(kind: str, doc: dict, times: int = 1) -> None:
        out.extend((kind, dict(doc)) for _ in range(times))

    raw = bytes(rng.randrange(256) for _ in range(4096))
    # Non-UTF-8 bytes as JSON can carry them.
    add("replacement", {"message": raw[:300].decode("utf-8", errors="replace")}, 200)
    add("latin1", {"message": "caf\xe9 na\xefve \xff\xfe login failed for r\xf6ot"}, 200)
    add("surrogate", {"message": raw[:64].decode("utf-8", errors="surrogateescape")}, 100)
    for _ in range(300):
        blob = bytes(rng.randrange(256) for _ in range(rng.randrange(16, 900)))
        add("base64", {"message": base64.b64encode(blob).decode()})
    add("escaped_bytes", {"message": "".join(f"\\x{b:02x}" for b in raw[:500])}, 100)
    # Size.
    add("huge_10mb", {"message": "a" * (10 * MB)})
    add("huge_10mb", {"message": base64.b64encode(os.urandom(7 * MB + MB // 2)).decode()})
    add("huge_10mb", {"message": ("ERROR disk full on /dev/sda1 " * 400_000)[: 10 * MB]})
    add("under_limit", {"message": "ERROR " + "a" * (MB - 64)}, 2)
    # Shapes.
    add("missing", {}, 200)
    add("null", {"message": None}, 100)
    add("empty", {"message": ""}, 100)
    add("blank", {"message": " \t \n  "}, 100)
    add("number", {"message": 12345}, 100)
    add("float", {"message": -1.5e300}, 50)
    add("bool", {"message": False}, 50)
    add("array", {"message": ["ERROR", "disk", {"full": True}]}, 100)
    add("object", {"message": {"text": "ERROR disk full", "level": "error"}}, 100)
    add("deep_message", {"message": _nested(300)}, 20)
    add("deep_payload", {"message": "deeply nested sibling", "payload": _nested(300)}, 20)
    # Control characters (NUL, BEL, DEL, C1) and harmless ones (tab, newline, ESC).
    for c in ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x7f"]:
        add("control", {"message": f"boot{c}loader failed"}, 25)
    # C1 controls (NEL, CSI) are what Latin-1 mojibake looks like: labelled, not refused.
    for c in ["\x85", "\x9b"]:
        add("c1", {"message": f"boot{c}loader failed"}, 25)
    add("ansi", {"message": "\x1b[31mERROR\x1b[0m failed password for root"}, 50)
    # Regex-catastrophic bait against the rules (nested quantifiers, long runs).
    add("runs_a", {"message": "a" * 200_000}, 5)
    add("runs_a_bang", {"message": "a" * 100_000 + "!"}, 5)
    add("nested_quant", {"message": ("(a+)+" * 20_000) + "b"}, 5)
    add("many_tokens", {"message": " ".join(["a"] * 100_000)}, 5)
    add("parens", {"message": "(" * 50_000 + "error" + ")" * 50_000}, 5)
    add("error_runs", {"message": "error " * 50_000 + "x" * 10_000 + "=" * 10_000}, 5)
    add("unicode", {"message": "日本語 ünïcødé 🙂 " * 200 + "ERROR"}, 50)
    # Fill with ordinary log lines.
    normal = make_messages(N_DOCS - len(out) - 500, seed=11)
    out += [("normal", {"message": m}) for m in normal]
    return out


def _bulk(client: SearchClient, index: str, docs: list[dict]) -> None:
    lines: list[str] = []
    size = 0
    for doc in docs:
        head = json.dumps({"create": {"_index": index, "_id": f"d{doc['seq']}"}})
        body = json.dumps(doc)  # ensure_ascii: lone surrogates travel as \udcxx escapes
        lines += [head, body]
        size += len(body)
        if size > 8 * MB:
            resp = client.bulk(("\n".join(lines) + "\n").encode())
            assert not resp.get("errors"), str(resp)[:2000]
            lines, size = [], 0
    if lines:
        resp = client.bulk(("\n".join(lines) + "\n").encode())
        assert not resp.get("errors"), str(resp)[:2000]
    client.refresh(index)


def _peak_rss_run(config) -> tuple[int, int, SidecarProcess]:
    """Run ``logtriage run --once``; return (exit code, sampled VmHWM KB)."""
    proc = SidecarProcess(config, "--once")
    hwm = 0
    deadline = time.monotonic() + 150
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{proc.pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        hwm = max(hwm, int(line.split()[1]))
        except OSError:
            pass
        pid, status, _usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.proc.returncode = os.waitstatus_to_exitcode(status)
            return proc.proc.returncode, hwm, proc
        time.sleep(0.05)
    proc.proc.kill()
    raise AssertionError("sidecar --once did not finish in 150 s")


def test_hostile_corpus_of_10k_documents(
    engine: LocalEngine, client: SearchClient, tmp_path
) -> None:
    base = unique("hostilecorpus")
    main, conflict = f"{base}-main", f"{base}-conflict"
    settings_body = {"number_of_shards": 1, "number_of_replicas": 0}
    client.request(
        "PUT", f"/{main}", body={"settings": settings_body, "mappings": {"properties": _MAPPING}}
    )
    bad_logtriage = {
        "properties": {
            "processed_at": {"type": "date"},
            "label": {"type": "long"},
            "template": {"type": "keyword"},
        }
    }
    client.request(
        "PUT",
        f"/{conflict}",
        body={
            "settings": settings_body,
            "mappings": {"properties": {**_MAPPING, "logtriage": bad_logtriage}},
        },
    )
    rng = random.Random(5)
    corpus = _corpus(rng)
    docs = []
    for i, (kind, doc) in enumerate(corpus):
        doc.update(seq=i, kind=kind)
        if i % 7:  # some documents have no timestamp
            doc["@timestamp"] = f"2026-01-01T00:{(i // 60) % 60:02d}:{i % 60:02d}Z"
        docs.append(doc)
    conflict_docs = [
        {"seq": N_DOCS + j, "kind": "conflict", "message": m, "@timestamp": "2026-01-02T00:00:00Z"}
        for j, m in enumerate(make_messages(500, seed=12))
    ]
    assert len(docs) + len(conflict_docs) == N_DOCS
    _bulk(client, main, docs)
    _bulk(client, conflict, conflict_docs)

    settings = settings_for(engine.url, f"{base}-*", sidecar={"batch_size": 10_000})
    config = write_config(settings, tmp_path / "logtriage.yaml")
    started = time.monotonic()
    rc, hwm_kb, proc = _peak_rss_run(config)
    seconds = time.monotonic() - started
    assert rc == 0, proc.stderr[-3000:]
    summary = proc.summary()
    assert summary["complete"], summary
    assert summary["failed"] == 0, summary
    peak_mb = hwm_kb / 1024
    print(f"hostile corpus: {seconds:.1f}s, peak RSS {peak_mb:.0f} MB, {summary['error_reasons']}")
    assert 0 < peak_mb < RSS_BOUND_MB, f"peak RSS {peak_mb:.0f} MB >= {RSS_BOUND_MB} MB"

    hits = fetch_all(client, f"{base}-*")
    assert len(hits) == N_DOCS
    reasons: dict[str, set] = {}
    for h in hits:
        src = h["_source"]
        lt = src.get("logtriage")
        assert isinstance(lt, dict) and "processed_at" in lt, (src["kind"], src["seq"])
        reason = (lt.get("error") or {}).get("reason")
        if reason is None:
            assert lt.get("label"), (src["kind"], lt)
        else:
            assert lt["error"]["detail"], lt
        reasons.setdefault(src["kind"], set()).add(reason)
    expected = {
        "missing": {"message_missing"},
        "null": {"message_missing"},
        "empty": {"message_empty"},
        "blank": {"message_empty"},
        "number": {"message_not_string"},
        "float": {"message_not_string"},
        "bool": {"message_not_string"},
        "array": {"message_not_string"},
        "object": {"message_not_string"},
        "deep_message": {"message_not_string"},
        "huge_10mb": {"message_too_large"},
        "control": {"message_control_chars"},
        "conflict": {"write_rejected"},
        "normal": {None},
        "runs_a": {None},
        "runs_a_bang": {None},
        "nested_quant": {None},
        "parens": {None},
        "under_limit": {None},
        "deep_payload": {None},
        "ansi": {None},
        "c1": {None},
        "base64": {None},
        "latin1": {None},
        "escaped_bytes": {None},
        "many_tokens": {None},
        "error_runs": {None},
        "unicode": {None},
    }
    for kind, want in expected.items():
        assert reasons.get(kind) == want, (kind, reasons.get(kind))
    # Engines may repair a lone surrogate escape into U+FFFD; otherwise it is reported.
    assert reasons["surrogate"] <= {"message_not_utf8", None}, reasons["surrogate"]
    total_errors = sum(summary["error_reasons"].values())
    assert summary["labelled"] + total_errors == N_DOCS, summary
