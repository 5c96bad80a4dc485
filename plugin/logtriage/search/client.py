"""One client adapter over elasticsearch-py 8.x and opensearch-py, picked from the server.

The engine is detected with a raw ``GET /`` (OpenSearch answers with
``version.distribution: opensearch``); Elasticsearch's test distribution answers
405 there, so the fallback is ``GET /_cluster/health`` and its
``X-elastic-product: Elasticsearch`` header. The native client is then built
with the same auth/TLS options, and every call goes through
:meth:`SearchClient.request`, which maps both clients' exceptions to
:class:`EngineRequestError` (with ``status`` and ``retryable``).

Client retries are disabled: the sidecar owns retries (backoff with jitter).
Response bodies are decoded with :func:`logtriage.search.jsonio.loads`, which keeps
each number's original text, so a ``_source`` read can be written back unchanged.
:meth:`SearchClient.search_raw` returns the undecoded bytes instead (the sidecar's
page reader decodes them in the Rust core): the clients' deserializers hand back a
:class:`RawBody` while a context variable says so, in that thread only.
"""

from __future__ import annotations

import base64
import json
import logging
import warnings
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal

import urllib3

from logtriage.config import SearchSettings
from logtriage.config.redact import url_without_password
from logtriage.errors import SearchEngineError
from logtriage.search import jsonio

__all__ = [
    "EngineInfo",
    "EngineRequestError",
    "NotAnEngineError",
    "SearchClient",
    "detect_engine",
]

log = logging.getLogger(__name__)

EngineName = Literal["elasticsearch", "opensearch"]
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


_RAW_BODY: ContextVar[bool] = ContextVar("logtriage_raw_body", default=False)


class RawBody:
    """A response body left undecoded (see :meth:`SearchClient.search_raw`)."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data

    def decoded(self) -> Any:
        """The body as :func:`jsonio.loads` reads it (its text when it is not JSON)."""
        try:
            return jsonio.loads(self.data)
        except ValueError:
            return self.data.decode("utf-8", "replace")


def _body(data: bytes | str) -> Any:
    """What the clients' deserializers return: raw while asked for, else decoded."""
    if _RAW_BODY.get():
        return RawBody(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    return jsonio.loads(data)


class EngineRequestError(SearchEngineError):
    """A request failed. ``status`` is the HTTP status (``None``: no answer, e.g.
    connection refused or timeout); ``retryable`` says whether trying again later
    can help (429, 5xx, no answer)."""

    def __init__(
        self,
        message: str,
        status: int | None = None,
        error_type: str | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message, status, error_type, body)
        self.status = status
        self.error_type = error_type
        self.body = body

    @property
    def retryable(self) -> bool:
        return self.status is None or self.status in RETRYABLE_STATUS

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class EngineInfo:
    """What answered: ``engine`` name, ``version`` (may be ``"unknown"``) and the URL asked."""

    engine: EngineName
    version: str
    url: str

    @property
    def major(self) -> int:
        return self.release[0]

    @property
    def release(self) -> tuple[int, int]:
        """``(major, minor)``; ``(0, 0)`` when the version is not a number."""
        parts = self.version.split(".")
        try:
            return int(parts[0]), int(parts[1]) if len(parts) > 1 else 0
        except ValueError:
            return 0, 0


def _auth_headers(settings: SearchSettings) -> dict[str, str]:
    if settings.api_key is not None:
        return {"Authorization": f"ApiKey {settings.api_key.get_secret_value()}"}
    if settings.bearer_token is not None:
        return {"Authorization": f"Bearer {settings.bearer_token.get_secret_value()}"}
    if settings.username is not None:
        pw = settings.password.get_secret_value() if settings.password is not None else ""
        token = base64.b64encode(f"{settings.username}:{pw}".encode()).decode()
        return {"Authorization": f"Basic {token}"}
    return {}


def _pool(settings: SearchSettings) -> urllib3.PoolManager:
    kwargs: dict[str, Any] = {"timeout": urllib3.Timeout(total=settings.request_timeout_s)}
    if settings.verify_certs:
        kwargs["cert_reqs"] = "CERT_REQUIRED"
        if settings.ca_certs is not None:
            kwargs["ca_certs"] = str(settings.ca_certs)
    else:
        kwargs["cert_reqs"] = "CERT_NONE"
    return urllib3.PoolManager(retries=False, **kwargs)


class NotAnEngineError(EngineRequestError):
    """A host answered HTTP, but neither as Elasticsearch nor as OpenSearch (e.g.
    ``search.hosts`` names another service's port)."""


def _credentials(settings: SearchSettings) -> list[str]:
    """Every secret ``settings`` sends: as configured, and as the Authorization header."""
    secrets = [
        s.get_secret_value()
        for s in (settings.api_key, settings.bearer_token, settings.password)
        if s is not None
    ]
    secrets += [value.split(" ", 1)[1] for value in _auth_headers(settings).values()]
    return [s for s in secrets if s]


def _first_bytes(data: bytes, settings: SearchSettings, limit: int = 80) -> str:
    """The start of a response body on one line, for a message; the credentials of
    ``settings`` masked (a server that echoes the request would show them)."""
    text = data[:65536].decode("utf-8", "replace")
    for secret in _credentials(settings):
        text = text.replace(secret, "***")
    text = " ".join(text.split())
    if not text:
        return "an empty body"
    return repr(text[:limit] + ("…" if len(text) > limit else ""))


def _engine_from_root(resp: urllib3.BaseHTTPResponse, base: str) -> EngineInfo | None:
    """The engine a ``GET /`` answer names (``None``: it names none)."""
    try:
        body = json.loads(resp.data or b"{}")
    except ValueError:
        return None
    version = body.get("version") if isinstance(body, dict) else None
    if not isinstance(version, dict):
        return None
    if version.get("distribution") == "opensearch":
        return EngineInfo("opensearch", str(version.get("number", "unknown")), base)
    if resp.headers.get("X-elastic-product") == "Elasticsearch":
        return EngineInfo("elasticsearch", str(version.get("number", "unknown")), base)
    return None


def detect_engine(settings: SearchSettings) -> EngineInfo:
    """Ask the first reachable host what it is.

    Raises:
        NotAnEngineError: no host answered as an engine, and one answered as something
            else; the message says what it answered.
        EngineRequestError: no host answered, or one refused the credentials.
    """
    pool = _pool(settings)
    headers = {"Accept": "application/json", **_auth_headers(settings)}
    problems: list[str] = []
    answered = False
    for host in settings.hosts:
        base = host.rstrip("/")
        shown = url_without_password(base)  # what messages say: no password from the URL
        try:
            resp = pool.request("GET", f"{base}/", headers=headers)
            if resp.status == 200:
                info = _engine_from_root(resp, shown)
                if info is not None:
                    return info
            elif resp.status in (401, 403):
                raise EngineRequestError(
                    f"{shown} refused the credentials (HTTP {resp.status})", resp.status
                )
            health = pool.request("GET", f"{base}/_cluster/health", headers=headers)
            if health.status in (401, 403):
                raise EngineRequestError(
                    f"{shown} refused the credentials (HTTP {health.status})", health.status
                )
            if health.headers.get("X-elastic-product") == "Elasticsearch":
                return EngineInfo("elasticsearch", _es_version(pool, base, headers), shown)
            answered = True
            problems.append(
                f"the server at {shown} did not answer as Elasticsearch or OpenSearch "
                f"(GET / answered HTTP {resp.status} with {_first_bytes(resp.data, settings)})"
            )
        except EngineRequestError:
            raise
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            problems.append(f"{shown}: {str(exc).replace(base, shown)}")
    error = NotAnEngineError if answered else EngineRequestError
    raise error("no search engine reachable: " + "; ".join(problems), None)


def _es_version(pool: urllib3.PoolManager, base: str, headers: dict[str, str]) -> str:
    """Version of an Elasticsearch whose ``GET /`` is unavailable (test zip), best effort."""
    try:
        resp = pool.request(
            "GET", f"{base}/_nodes/_local?filter_path=nodes.*.version", headers=headers
        )
        if resp.status == 200:
            nodes = json.loads(resp.data).get("nodes", {})
            for node in nodes.values():
                return str(node.get("version", "unknown"))
    except (urllib3.exceptions.HTTPError, OSError, ValueError):
        pass
    return "unknown"


class SearchClient:
    """Thin, engine-neutral calls used by the source, sink, checkpoint and doctor.

    Build it with :meth:`connect`. ``native`` is the underlying
    ``elasticsearch.Elasticsearch`` or ``opensearchpy.OpenSearch`` client.
    """

    def __init__(self, info: EngineInfo, native: Any, settings: SearchSettings) -> None:
        self.info = info
        self.native = native
        self.settings = settings

    @property
    def engine(self) -> EngineName:
        return self.info.engine

    @classmethod
    def connect(cls, settings: SearchSettings) -> SearchClient:
        """Detect the engine and build the matching client."""
        info = detect_engine(settings)
        hosts = list(settings.hosts)
        if info.engine == "elasticsearch":
            from elasticsearch import Elasticsearch

            es_kwargs: dict[str, Any] = {
                "request_timeout": settings.request_timeout_s,
                "max_retries": 0,
                "retry_on_timeout": False,
                "verify_certs": settings.verify_certs,
            }
            if settings.ca_certs is not None:
                es_kwargs["ca_certs"] = str(settings.ca_certs)
            if settings.api_key is not None:
                es_kwargs["api_key"] = settings.api_key.get_secret_value()
            elif settings.bearer_token is not None:
                es_kwargs["bearer_auth"] = settings.bearer_token.get_secret_value()
            elif settings.username is not None:
                pw = settings.password.get_secret_value() if settings.password else ""
                es_kwargs["basic_auth"] = (settings.username, pw)
            if not settings.verify_certs:
                es_kwargs["ssl_show_warn"] = False
            native: Any = Elasticsearch(hosts, serializers=_es_serializers(), **es_kwargs)
        else:
            from opensearchpy import OpenSearch

            os_kwargs: dict[str, Any] = {
                "timeout": settings.request_timeout_s,
                "max_retries": 0,
                "retry_on_timeout": False,
                "verify_certs": settings.verify_certs,
                "ssl_show_warn": False,
            }
            if settings.ca_certs is not None:
                os_kwargs["ca_certs"] = str(settings.ca_certs)
            if settings.username is not None:
                pw = settings.password.get_secret_value() if settings.password else ""
                os_kwargs["http_auth"] = (settings.username, pw)
            else:
                headers = _auth_headers(settings)
                if headers:
                    os_kwargs["headers"] = headers
            native = OpenSearch(hosts, serializer=_os_serializer(), **os_kwargs)
        return cls(info, native, settings)

    def close(self) -> None:
        self.native.close()

    # -- one request path for both clients ---------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        ndjson: bool = False,
        ignore: tuple[int, ...] = (),
    ) -> Any:
        """Send one request; return the decoded body.

        ``ignore`` lists statuses returned as ``{"status": N, "error": ...}`` instead of raised.

        Raises:
            EngineRequestError: any other failure (``retryable`` for 429/5xx/no answer).
        """
        params = {k: _param(v) for k, v in (params or {}).items() if v is not None}
        try:
            if self.info.engine == "elasticsearch":
                return self._es_request(method, path, params, body, ndjson)
            return self._os_request(method, path, params, body, ndjson)
        except EngineRequestError as exc:
            if exc.status is not None and exc.status in ignore:
                return {"status": exc.status, "error": exc.body}
            raise

    def _es_request(
        self, method: str, path: str, params: dict[str, str], body: Any, ndjson: bool
    ) -> Any:
        import elasticsearch
        from elasticsearch import ElasticsearchWarning

        ctype = "application/x-ndjson" if ndjson else "application/json"
        headers = {"accept": "application/json"}
        if body is not None:
            headers["content-type"] = ctype
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ElasticsearchWarning)
                resp = self.native.perform_request(
                    method, path, params=params or None, headers=headers, body=body
                )
            for w in caught:
                log.debug("engine warning on %s %s: %s", method, path, w.message)
            return resp.body
        except elasticsearch.ApiError as exc:
            raise _from_body(exc.meta.status, exc.body, f"{method} {path}") from exc
        except elasticsearch.TransportError as exc:  # connection refused, timeout, TLS
            raise EngineRequestError(f"{method} {path}: {exc}", None) from exc

    def _os_request(
        self, method: str, path: str, params: dict[str, str], body: Any, ndjson: bool
    ) -> Any:
        import opensearchpy

        headers = {"content-type": "application/x-ndjson"} if ndjson else None
        try:
            # Deprecation headers (e.g. _id fielddata for the PIT tie-breaker) are logged only.
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", opensearchpy.exceptions.OpenSearchWarning)
                resp = self.native.transport.perform_request(
                    method, path, params=params or None, body=body, headers=headers
                )
            for w in caught:
                log.debug("engine warning on %s %s: %s", method, path, w.message)
            return resp
        except opensearchpy.ConnectionError as exc:  # includes timeouts
            raise EngineRequestError(f"{method} {path}: {exc}", None) from exc
        except opensearchpy.TransportError as exc:
            status = exc.status_code if isinstance(exc.status_code, int) else None
            raise _from_body(status, exc.info, f"{method} {path}") from exc

    # -- point in time --------------------------------------------------------------

    def open_pit(self, index: str, keep_alive: str) -> str:
        if self.engine == "elasticsearch":
            resp = self.request(
                "POST",
                f"/{index}/_pit",
                params={"keep_alive": keep_alive, "ignore_unavailable": "true"},
            )
            return str(resp["id"])
        try:
            resp = self.request(
                "POST", f"/{index}/_search/point_in_time", params={"keep_alive": keep_alive}
            )
        except EngineRequestError as exc:
            # OpenSearch 2.18 fails a PIT over a wildcard matching nothing with a 400 NPE.
            if exc.status == 400 and "invalid id: [null]" in str(exc):
                raise EngineRequestError(f"no index matches {index}", 404) from exc
            # It has no ignore_unavailable here: one missing name of a list fails it all.
            existing = self._existing_indices(index) if exc.status == 404 else []
            if "," not in index or not existing:
                raise
            return self.open_pit(",".join(existing), keep_alive)
        return str(resp["pit_id"])

    def _existing_indices(self, pattern: str) -> list[str]:
        """The concrete indices behind ``pattern``, names that do not exist left out."""
        resp = self.request(
            "GET",
            f"/{pattern}/_settings/index.uuid",
            params={"ignore_unavailable": "true", "allow_no_indices": "true"},
        )
        return sorted(resp)

    def close_pit(self, pit_id: str) -> None:
        if self.engine == "elasticsearch":
            self.request("DELETE", "/_pit", body={"id": pit_id}, ignore=(404,))
        else:
            self.request(
                "DELETE", "/_search/point_in_time", body={"pit_id": [pit_id]}, ignore=(404,)
            )

    @property
    def pit_tiebreaker(self) -> list[dict[str, str]]:
        """Sort keys that make a PIT sort total: Elasticsearch adds ``_shard_doc``
        implicitly; OpenSearch 2 has no ``_shard_doc``, so sort on ``_id``."""
        return [] if self.engine == "elasticsearch" else [{"_id": "asc"}]

    # -- small helpers ------------------------------------------------------------------

    def search(
        self, body: dict[str, Any], index: str | None = None, **params: Any
    ) -> dict[str, Any]:
        path = f"/{index}/_search" if index else "/_search"
        result: dict[str, Any] = self.request("POST", path, params=params, body=body)
        return result

    def search_raw(self, body: dict[str, Any], index: str | None = None, **params: Any) -> bytes:
        """:meth:`search` answering the response body's bytes, undecoded.

        Raises:
            EngineRequestError: as :meth:`search`; also an answer without a body.
        """
        path = f"/{index}/_search" if index else "/_search"
        token = _RAW_BODY.set(True)
        try:
            result = self.request("POST", path, params=params, body=body)
        finally:
            _RAW_BODY.reset(token)
        if not isinstance(result, RawBody):
            raise EngineRequestError(f"POST {path}: the engine answered without a body", None)
        return result.data

    def bulk(self, payload: bytes, **params: Any) -> dict[str, Any]:
        result: dict[str, Any] = self.request(
            "POST", "/_bulk", params=params, body=payload, ndjson=True
        )
        return result

    def refresh(self, index: str) -> bool:
        """Refresh ``index``; ``False`` when not allowed (needs the ``maintenance`` privilege)."""
        try:
            self.request(
                "POST",
                f"/{index}/_refresh",
                params={"ignore_unavailable": "true", "allow_no_indices": "true"},
            )
        except EngineRequestError as exc:
            if exc.status == 403:
                return False
            raise
        return True

    def resolve(self, pattern: str) -> dict[str, Any]:
        """``_resolve/index``: concrete indices, aliases and data streams (with backing indices)."""
        result: dict[str, Any] = self.request(
            "GET", f"/_resolve/index/{pattern}", params={"expand_wildcards": "open"}
        )
        return result

    def health(self) -> dict[str, Any]:
        result: dict[str, Any] = self.request("GET", "/_cluster/health")
        return result


def _es_serializers() -> dict[str, Any]:
    """elasticsearch-py's JSON serializers, decoding with :func:`jsonio.loads`; and
    NDJSON ones that send a finished body (bytes ending in a newline: the sink's bulk
    payloads, several MB each) as it is, where elasticsearch-py copies it twice."""
    from elasticsearch.serializer import (
        CompatibilityModeJsonSerializer,
        CompatibilityModeNdjsonSerializer,
        JsonSerializer,
        NdjsonSerializer,
    )

    class Json(JsonSerializer):
        def json_loads(self, data: bytes) -> Any:
            return _body(data)

    class CompatJson(CompatibilityModeJsonSerializer):
        def json_loads(self, data: bytes) -> Any:
            return _body(data)

    def sending_finished(base: type[NdjsonSerializer]) -> NdjsonSerializer:
        class Ndjson(base):  # type: ignore[valid-type,misc]
            def dumps(self, data: Any) -> bytes:
                if isinstance(data, bytes) and data.endswith(b"\n"):
                    return data
                return super().dumps(data)

        return Ndjson()

    serializers = [
        Json(),
        CompatJson(),
        sending_finished(NdjsonSerializer),
        sending_finished(CompatibilityModeNdjsonSerializer),
    ]
    return {s.mimetype: s for s in serializers}


def _os_serializer() -> Any:
    """opensearch-py's JSON serializer, decoding with :func:`jsonio.loads`."""
    from opensearchpy.exceptions import SerializationError
    from opensearchpy.serializer import JSONSerializer

    class Json(JSONSerializer):
        def loads(self, s: str) -> Any:
            try:
                return _body(s)
            except (ValueError, TypeError) as exc:
                raise SerializationError(s, exc) from exc

    return Json()


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _from_body(status: int | None, body: Any, what: str) -> EngineRequestError:
    if isinstance(body, RawBody):
        body = body.decoded()
    error_type = None
    reason = str(body)[:500]
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        err = body["error"]
        error_type = err.get("type")
        cause = (err.get("root_cause") or [{}])[0]
        reason = f"{error_type}: {err.get('reason') or cause.get('reason')}"
        deepest = err
        while isinstance(deepest.get("caused_by"), dict):
            deepest = deepest["caused_by"]
        if deepest is not err:
            reason += f" (caused by {deepest.get('type')}: {deepest.get('reason')})"
        idx = cause.get("index") or err.get("index")
        if idx:
            reason += f" [index {idx}]"
    return EngineRequestError(f"{what} -> HTTP {status}: {reason}", status, error_type, body)
