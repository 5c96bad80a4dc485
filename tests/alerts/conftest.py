"""A local webhook receiver (stdlib http.server on 127.0.0.1, random port)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


class Receiver:
    """Records JSON bodies and their headers; answers ``fail_first`` requests with
    ``fail_status``."""

    def __init__(self, fail_first: int = 0, fail_status: int = 500, delay_s: float = 0.0) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.attempts = 0
        self.gets = 0
        self.location: str | None = None  # sent with a failing answer (e.g. a 301)
        self.fail_first = fail_first
        self.fail_status = fail_status
        self.delay_s = delay_s
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length))
                owner.attempts += 1
                if owner.delay_s:
                    time.sleep(owner.delay_s)
                if owner.attempts <= owner.fail_first:
                    self.send_response(owner.fail_status)
                    if owner.location:
                        self.send_header("Location", owner.location)
                    self.end_headers()
                    return
                owner.bodies.append(body)
                owner.headers.append(dict(self.headers))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def do_GET(self) -> None:
                owner.gets += 1
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"a web page")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, n: int, timeout_s: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout_s
        while len(self.bodies) < n and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.bodies

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()
