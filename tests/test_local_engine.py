"""The local engine survives a port taken between choosing it and binding it.

CI once failed every OpenSearch test because the HTTP port chosen for it was bound
by another node's transport port first ("This is not an HTTP port"). These start a
real OpenSearch against a port held by a stand-in for such a transport listener.
"""

from __future__ import annotations

import socket
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from logtriage.local_engine import LocalEngine, LocalEngineError


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A loopback port held by a listener that answers like a transport port."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen()

    def answer() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:  # closed at teardown
                return
            with conn:
                conn.recv(4096)
                conn.sendall(b"This is not an HTTP port")

    threading.Thread(target=answer, daemon=True).start()
    yield int(server.getsockname()[1])
    server.close()


def test_a_chosen_port_taken_before_the_first_start_moves_to_a_free_one(taken_port: int) -> None:
    engine = LocalEngine("opensearch", heap_mb=256)
    engine.port = taken_port  # as if something bound the chosen port in between
    try:
        engine.start()
        assert engine.port != taken_port
        with urllib.request.urlopen(f"{engine.url}/_cluster/health", timeout=10) as resp:
            assert resp.status == 200
        first_port = engine.port
        engine.restart()
        assert engine.port == first_port, "a restart keeps its port"
        # The JVM's temp dir lives in the instance, so stop() removes it with the data
        # (before, each start left a /tmp/opensearch-<n> behind).
        assert engine.pid is not None and engine.instance_dir is not None
        tmpdir = f"-Djava.io.tmpdir={engine.instance_dir / 'tmp'}"
        assert any(tmpdir in cmd for cmd in _group_commands(engine.pid)), tmpdir
    finally:
        engine.stop()
    assert engine.instance_dir is None


def _group_commands(pgid: int) -> list[str]:
    """Command lines of the processes in process group ``pgid``."""
    commands = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            group = int(stat.read_text().rsplit(")", 1)[1].split()[2])
            if group == pgid:
                commands.append((stat.parent / "cmdline").read_bytes().decode(errors="replace"))
        except (OSError, IndexError, ValueError):  # the process ended meanwhile
            continue
    return [c.replace("\0", " ") for c in commands]


def test_a_port_asked_for_and_taken_is_a_clear_error(taken_port: int) -> None:
    engine = LocalEngine("opensearch", heap_mb=256, port=taken_port)
    with pytest.raises(LocalEngineError) as info:
        engine.start()
    message = str(info.value)
    assert f"HTTP port {taken_port}" in message
    assert "already in use" in message
    assert "BindHttpException" in message
    assert not engine.is_running()
    engine.stop()
