"""`logtriage serve` in a subprocess, as a user runs it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from logtriage.local_engine import free_port

CLI = [sys.executable, "-m", "logtriage.cli"]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOGTRIAGE_")}
    env.update(extra)
    return env


def test_non_loopback_without_token_exits_1_with_one_error_line(tmp_path: Path) -> None:
    proc = subprocess.run(
        [*CLI, "serve", "--host", "0.0.0.0", "--port", "0"],
        capture_output=True,
        timeout=60,
        env=_env(),
    )
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert err.startswith("error: api.token is required (bound to non-loopback address '0.0.0.0')")
    assert "Traceback" not in err


def test_a_taken_port_or_unknown_host_is_one_error_line_and_exit_1() -> None:
    """Before, uvicorn logged the bind error and exited 3, an exit code the README does
    not list."""
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        proc = subprocess.run(
            [*CLI, "serve", "--port", str(port)], capture_output=True, timeout=60, env=_env()
        )
    assert proc.returncode == 1
    (line,) = proc.stderr.decode().strip().splitlines()
    assert line == (
        f"error: cannot listen on 127.0.0.1:{port}: Address already in use "
        "(--port/--host, or api.port/api.host)"
    )
    proc = subprocess.run(
        [*CLI, "serve", "--host", "nonsense.invalid", "--port", "0"],
        capture_output=True,
        timeout=60,
        env=_env(LOGTRIAGE_API__TOKEN="t" * 32),
    )
    assert proc.returncode == 1
    (line,) = proc.stderr.decode().strip().splitlines()
    assert line.startswith("error: cannot listen on nonsense.invalid:0: ")
    assert "Unknown error" not in line and "while attempting" not in line


def test_bad_config_exits_1(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("api:\n  port: -5\n  auth: maybe\n")
    proc = subprocess.run(
        [*CLI, "serve", "--config", str(config)], capture_output=True, timeout=60, env=_env()
    )
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert "api.port" in err and "api.auth" in err


def test_serve_answers_on_loopback_with_config_file(tmp_path: Path) -> None:
    port = free_port()
    config = tmp_path / "c.yaml"
    config.write_text("api:\n  host: 127.0.0.1\n  port: 1\n  max_lines: 3\n")
    log = tmp_path / "serve.log"
    with open(log, "wb") as err:
        proc = subprocess.Popen(
            [*CLI, "serve", "--config", str(config), "--port", str(port), "--log-level", "warning"],
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=_env(),
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                health = httpx.get(base + "/health", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert health.json()["status"] == "ok"
        r = httpx.post(base + "/v1/classify", json=["a 1", "a 2"], timeout=30)
        assert r.status_code == 200 and r.json()["count"] == 2
        r = httpx.post(base + "/v1/classify", json=["x"] * 4, timeout=30)
        assert r.status_code == 413  # max_lines from the config file
        assert httpx.get(base + "/", timeout=5).status_code == 200
        assert "server" not in httpx.get(base + "/health", timeout=5).headers
    finally:
        proc.terminate()
        proc.wait(timeout=30)
