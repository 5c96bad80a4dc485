"""Session fixtures: ONE real Elasticsearch and ONE real OpenSearch for the whole run.

Both are Maven Central test distributions (see ``logtriage.local_engine``),
started in parallel on 127.0.0.1 with 512 MB heaps and stopped at the end. If one
cannot start, every test that needs it fails (never skips) with the reason.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest
from logtriage.config import SearchSettings
from logtriage.local_engine import LocalEngine, LocalEngineError
from logtriage.search.client import SearchClient

ENGINE_KINDS = ("elasticsearch", "opensearch")


class _External:
    """An already running engine (``LOGTRIAGE_TEST_<KIND>_URL``); cannot be restarted."""

    def __init__(self, kind: str, url: str) -> None:
        self.kind, self.url = kind, url

    def is_running(self) -> bool:
        return True

    def stop(self, *, keep_data: bool = False) -> None:
        pytest.fail("this test stops the engine: unset LOGTRIAGE_TEST_*_URL", pytrace=False)

    start = restart = stop


class _Engines:
    """Starts both engines concurrently on first use; remembers failures."""

    def __init__(self) -> None:
        self.engines: dict[str, LocalEngine] = {
            kind: LocalEngine(kind, heap_mb=512, startup_timeout_s=300) for kind in ENGINE_KINDS
        }
        self.errors: dict[str, str] = {}
        self._started = False
        self._lock = threading.Lock()

    def _start_one(self, kind: str) -> None:
        try:
            self.engines[kind].start()
        except LocalEngineError as exc:
            self.errors[kind] = str(exc)
        except Exception as exc:  # any other reason is still a reason to report
            self.errors[kind] = f"{type(exc).__name__}: {exc}"

    def get(self, kind: str) -> LocalEngine:
        url = os.environ.get(f"LOGTRIAGE_TEST_{kind.upper()}_URL")
        if url:  # developer shortcut: reuse an engine started by local_engine elsewhere
            return _External(kind, url)  # type: ignore[return-value]
        with self._lock:
            if not self._started:
                threads = [
                    threading.Thread(target=self._start_one, args=(k,)) for k in ENGINE_KINDS
                ]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                self._started = True
        if kind in self.errors:
            pytest.fail(f"cannot start local {kind}: {self.errors[kind]}", pytrace=False)
        engine = self.engines[kind]
        if not engine.is_running():
            try:
                engine.start()
            except LocalEngineError as exc:
                pytest.fail(f"local {kind} is down and cannot restart: {exc}", pytrace=False)
        return engine

    def stop_all(self) -> None:
        for engine in self.engines.values():
            engine.stop()


@pytest.fixture(scope="session")
def _engines() -> Iterator[_Engines]:
    engines = _Engines()
    yield engines
    engines.stop_all()


@pytest.fixture(scope="session")
def es_engine(_engines: _Engines) -> LocalEngine:
    return _engines.get("elasticsearch")


@pytest.fixture(scope="session")
def os_engine(_engines: _Engines) -> LocalEngine:
    return _engines.get("opensearch")


@pytest.fixture(params=ENGINE_KINDS)
def engine(request: pytest.FixtureRequest, _engines: _Engines) -> LocalEngine:
    """Each test using this runs once on Elasticsearch and once on OpenSearch."""
    return _engines.get(request.param)


@pytest.fixture
def client(engine: LocalEngine) -> Iterator[SearchClient]:
    c = SearchClient.connect(SearchSettings(hosts=[engine.url]))
    yield c
    c.close()
