"""Shared helpers of the search-engine tests: realistic documents, loading, checks."""

from __future__ import annotations

import itertools
import random
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from logtriage.config import ModelSettings, SearchSettings, Settings, SidecarSettings, SinkSettings
from logtriage.search.client import SearchClient
from logtriage.search.templates import install_data_stream_template

_TEMPLATES = [
    "Accepted password for {user} from {ip} port {port} ssh2",
    "Failed password for invalid user {user} from {ip} port {port} ssh2",
    "Connection closed by {ip} [preauth]",
    "session opened for user {user} by (uid={num})",
    "Received block blk_{num} of size {size} from /{ip}",
    "PacketResponder {num} for block blk_{num} terminating",
    "ERROR DataXceiver: java.io.IOException: Connection reset by peer",
    "GET /api/v1/items/{num} HTTP/1.1 {status} {size}",
    "Out of memory: Kill process {num} ({proc}) score {num} or sacrifice child",
    "CPU usage {pct}% on core {core}, load average {pct}",
    "kernel: EXT4-fs error (device sda{core}): htree_dirblock_to_tree: bad entry",
    "User {user} changed password",
]


def make_messages(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        t = rng.choice(_TEMPLATES)
        out.append(
            t.format(
                user=rng.choice(["alice", "bob", "root", "svc-app", "oracle"]),
                ip=f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
                port=rng.randrange(1024, 65535),
                num=rng.randrange(10**6),
                size=rng.randrange(10**8),
                status=rng.choice([200, 201, 404, 500, 503]),
                proc=rng.choice(["java", "postgres", "nginx"]),
                pct=rng.randrange(100),
                core=rng.randrange(8),
            )
        )
    return out


def make_docs(n: int, seed: int = 0, start: datetime | None = None) -> list[dict[str, Any]]:
    """``n`` log documents, one every 10 ms (some share a timestamp on purpose)."""
    start = start or datetime(2026, 1, 1, tzinfo=timezone.utc)
    docs = []
    for i, msg in enumerate(make_messages(n, seed)):
        ts = start + timedelta(milliseconds=10 * (i // 3 * 3 + (i % 3 == 2)))
        docs.append(
            {
                "@timestamp": ts.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "message": msg,
                "host": {"name": f"node-{i % 4}"},
                "seq": i,
            }
        )
    return docs


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def load(
    client: SearchClient, index: str, docs: list[dict[str, Any]], *, op: str = "create"
) -> None:
    """Bulk-load documents (``create`` works for data streams and plain indices)."""
    import json

    for chunk_start in range(0, len(docs), 2000):
        lines = []
        for doc in docs[chunk_start : chunk_start + 2000]:
            lines.append(json.dumps({op: {"_index": index}}))
            lines.append(json.dumps(doc, ensure_ascii=False))
        resp = client.bulk(("\n".join(lines) + "\n").encode(), refresh="true")
        assert not resp.get("errors"), str(resp)[:2000]


def make_data_stream(client: SearchClient, name: str) -> None:
    install_data_stream_template(client, f"tpl-{name}", f"{name}*")


def make_index(client: SearchClient, name: str, shards: int = 2) -> None:
    client.request(
        "PUT",
        f"/{name}",
        body={
            "settings": {"number_of_shards": shards, "number_of_replicas": 0},
            "mappings": {
                "properties": {
                    "@timestamp": {"type": "date"},
                    "message": {"type": "text"},
                    "seq": {"type": "long"},
                }
            },
        },
    )


def settings_for(
    url: str,
    index: str,
    *,
    search: dict[str, Any] | None = None,
    sink: dict[str, Any] | None = None,
    sidecar: dict[str, Any] | None = None,
    model: dict[str, Any] | None = None,
) -> Settings:
    """Settings for a test sidecar; the model stage is off unless ``model`` turns it on
    (subprocess runs would otherwise load the shipped bundle each time)."""
    name = index.replace("*", "")
    return Settings(
        model=ModelSettings(**{"enabled": False, **(model or {})}),
        search=SearchSettings(hosts=[url], index=index, **(search or {})),
        sink=SinkSettings(**{"initial_backoff_s": 0.05, "max_backoff_s": 1.0, **(sink or {})}),
        sidecar=SidecarSettings(
            **{
                "name": name,
                "state_index": f"state-{name}",
                "batch_size": 200,
                "poll_interval_s": 0.2,
                "lease_ttl_s": 5.0,
                "metrics_enabled": False,
                **(sidecar or {}),
            }
        ),
    )


def fetch_all(client: SearchClient, index: str) -> list[dict[str, Any]]:
    """Every document with ``_version`` (sorted by ``seq``), through a PIT."""
    client.refresh(index)
    out: list[dict[str, Any]] = []
    pit = client.open_pit(index, "1m")
    try:
        after = None
        while True:
            body: dict[str, Any] = {
                "size": 5000,
                "version": True,
                "pit": {"id": pit, "keep_alive": "1m"},
                "sort": [
                    {"seq": {"order": "asc", "unmapped_type": "long"}},
                    *client.pit_tiebreaker,
                ],
            }
            if after:
                body["search_after"] = after
            hits = client.search(body)["hits"]["hits"]
            if not hits:
                break
            out.extend(hits)
            after = hits[-1]["sort"]
    finally:
        client.close_pit(pit)
    return out


def assert_labelled_once(
    hits: list[dict[str, Any]], originals: list[dict[str, Any]] | None = None
) -> None:
    """Every document carries labels (or an error), was updated exactly once
    (``_version == 2``), and its source fields are unchanged."""
    unlabelled = [h["_id"] for h in hits if "logtriage" not in h["_source"]]
    assert not unlabelled, f"{len(unlabelled)} unlabelled, e.g. {unlabelled[:3]}"
    twice = [(h["_id"], h["_version"]) for h in hits if h["_version"] != 2]
    assert not twice, f"{len(twice)} documents written more than once: {twice[:5]}"
    for h in hits:
        lt = h["_source"]["logtriage"]
        assert "processed_at" in lt
        assert ("label" in lt) != ("error" in lt), lt
    if originals is not None:
        assert len(hits) == len(originals)
        by_seq = {d["seq"]: d for d in originals}
        for h in hits:
            src = {k: v for k, v in h["_source"].items() if k != "logtriage"}
            assert src == by_seq[src["seq"]], (src, by_seq[src["seq"]])


def chunks(seq: list[Any], n: int) -> list[list[Any]]:
    it = iter(seq)
    return [list(c) for c in iter(lambda: list(itertools.islice(it, n)), [])]


def write_config(settings: Settings, path: Any) -> Any:
    """Write ``settings`` as a YAML config file for a sidecar subprocess."""
    import yaml

    data = settings.model_dump(mode="json", exclude_none=True)
    path.write_text(yaml.safe_dump(data))
    return path


_RUN = "from logtriage.cli import run; run()"


class SidecarProcess:
    """``logtriage run`` as a separate process (so it can be killed -9); output in files."""

    _n = 0

    def __init__(self, config: Any, *args: str, log_dir: Any = None) -> None:
        import subprocess
        import sys
        from pathlib import Path

        SidecarProcess._n += 1
        base = Path(log_dir or Path(config).parent) / f"sidecar-{SidecarProcess._n}"
        self.out_path, self.err_path = base.with_suffix(".out"), base.with_suffix(".err")
        with open(self.out_path, "w") as out, open(self.err_path, "w") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", _RUN, "run", "--config", str(config), *args],
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
            )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def signal(self, sig: int) -> None:
        self.proc.send_signal(sig)

    def wait(self, timeout: float) -> int:
        return self.proc.wait(timeout=timeout)

    @property
    def stdout(self) -> str:
        return self.out_path.read_text()

    @property
    def stderr(self) -> str:
        return self.err_path.read_text()

    def wait_labelled(
        self, client: SearchClient, index: str, n: int, timeout_s: float = 60, poll_s: float = 0.05
    ) -> None:
        """Wait until ``n`` documents of ``index`` are labelled, failing (with the
        process's stderr) if it exits first or ``timeout_s`` passes."""
        import time

        deadline = time.monotonic() + timeout_s
        while count_labelled(client, index) < n:
            assert self.proc.poll() is None, self.stderr[-3000:]
            assert time.monotonic() < deadline, self.stderr[-3000:]
            time.sleep(poll_s)

    def summary(self) -> dict[str, Any]:
        import json

        lines = self.stdout.strip().splitlines()
        assert lines, f"no summary on stdout; stderr:\n{self.stderr[-3000:]}"
        return json.loads(lines[-1])


def count_labelled(client: SearchClient, index: str) -> int:
    client.refresh(index)
    resp = client.search(
        {
            "size": 0,
            "track_total_hits": True,
            "query": {"exists": {"field": "logtriage.processed_at"}},
        },
        index=index,
    )
    return int(resp["hits"]["total"]["value"])
