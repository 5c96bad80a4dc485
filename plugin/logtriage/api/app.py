"""The FastAPI app: ``create_app(settings)`` wires the routes to one pipeline.

Endpoints: ``POST /v1/classify`` (JSON lines), ``POST /v1/classify/file`` (CSV, TSV
or log upload, CSV back), ``GET /v1/models``, ``GET /v1/templates``, ``GET /health``,
``GET /metrics`` and the web page at ``/``; OpenAPI at ``/docs``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

import anyio
import numpy as np
from fastapi import (
    APIRouter,
    Body,
    Depends,
    FastAPI,
    File,
    Form,
    Query,
    Request,
    Security,
    UploadFile,
)
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from logtriage import __version__
from logtriage.api.auth import BearerAuth, bearer_scheme, check_auth_settings
from logtriage.api.bundles import BundleRegistry, LabelerFactory
from logtriage.api.cors import JsonCORSMiddleware
from logtriage.api.errors import ApiError, install_error_handlers
from logtriage.api.limits import BodyLimitMiddleware
from logtriage.api.methods import HeadAsGetMiddleware
from logtriage.api.metrics import ApiMetrics, MetricsMiddleware
from logtriage.api.schemas import (
    ClassifyItem,
    ClassifyResponse,
    ErrorResponse,
    HealthResponse,
    ModelInfo,
    ModelsResponse,
    TemplateInfo,
    TemplatesResponse,
    lines_body_problem,
    lone_surrogate_problem,
    upload_form_problem,
)
from logtriage.api.service import Classified, PipelineFactory, PipelineService, default_pipeline
from logtriage.api.uploads import download_disposition, guess_kind, labelled_csv, parse_upload
from logtriage.config import Settings
from logtriage.errors import ConfigError, ModelBundleError

__all__ = ["STATIC_DIR", "create_app"]

log = logging.getLogger("logtriage.api")

STATIC_DIR = Path(__file__).resolve().parent / "static"
EXPOSED_HEADERS = (
    "X-Logtriage-Lines",
    "X-Logtriage-Invalid-Utf8",
    "X-Logtriage-Unmatched",
    "X-Logtriage-Model",
    "X-Logtriage-Model-Version",
    "X-Logtriage-Message-Column",
    "Content-Disposition",
)

# The page loads only its own files; downloads are blob: URLs it makes itself.
_PAGE_HEADERS = {
    "Cache-Control": "no-cache",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": text}
    for code, text in (
        (400, "Unreadable body or upload, or unknown column"),
        (401, "Missing or wrong bearer token"),
        (404, "Unknown model"),
        (413, "Too many bytes or lines"),
        (415, "The body is not sent as JSON (Content-Type: application/json)"),
        (422, "Invalid request"),
        (503, "The model's bundle cannot be loaded"),
    )
}


def create_app(
    settings: Settings,
    pipeline_factory: PipelineFactory = default_pipeline,
    labeler_factory: LabelerFactory | None = None,
    registry: BundleRegistry | None = None,
) -> FastAPI:
    """Build the app.

    Arguments:
        settings: resolved settings (the ``api`` section drives auth, limits, CORS).
        pipeline_factory: ``(settings, labeler) -> Pipeline``, called once, lazily.
        labeler_factory: ``bundle_path -> Labeler`` for model bundles; ``None`` uses
            the model runtime's ``Classifier``.
        registry: where bundles are found; built from settings if ``None``.

    Raises:
        ConfigError: auth is required (non-loopback host) but no token is set.
    """
    api = settings.api
    check_auth_settings(api)
    registry = registry or BundleRegistry(settings)
    service = PipelineService(settings, registry, pipeline_factory, labeler_factory)
    metrics = ApiMetrics()
    metrics.templates.set_function(lambda: service.template_count)
    auth = BearerAuth(api)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            await service.warm()
        except ModelBundleError as exc:
            log.warning("default model not loaded: %s", exc)
        try:
            yield
        finally:
            service.close()

    # Swagger UI and ReDoc from assets inside the package: no CDN, works offline.
    app = FastAPIOffline(
        title="logtriage",
        version=__version__,
        description=(
            "Label log lines with template, category (label), confidence and anomaly flag. "
            "Send `Authorization: Bearer <token>` when the server requires it."
        ),
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.service = service
    app.state.metrics = metrics
    app.state.registry = registry
    install_error_handlers(
        app, {"/v1/classify": lines_body_problem, "/v1/classify/file": upload_form_problem}
    )

    protected = APIRouter(
        route_class=auth.route_class(),
        dependencies=[Security(bearer_scheme)],  # the scheme in OpenAPI; the route checks it
        responses={401: _ERRORS[401]},
    )

    def resolve_model(model: str | None) -> str:
        try:
            return registry.resolve(model)[0]
        except KeyError:
            raise ApiError(
                404,
                "unknown_model",
                f"unknown model {model!r}",
                models=registry.known_ids(),
            ) from None

    def check_lines(n: int) -> None:
        if n > api.max_lines:
            metrics.rejected.labels("lines").inc()
            raise ApiError(
                413,
                "too_many_lines",
                f"{n} lines is more than the limit of {api.max_lines}",
                lines=n,
                limit_lines=api.max_lines,
            )

    @protected.post(
        "/v1/classify",
        response_model=ClassifyResponse,
        responses={k: _ERRORS[k] for k in (400, 404, 413, 415, 422, 503)},
        dependencies=[Depends(_sent_as_json)],
        tags=["classify"],
    )
    async def classify(
        lines: Annotated[
            list[str] | list[ClassifyItem],
            Body(
                description="Log lines: strings, or objects with a `message` field.",
                examples=[["sshd[42]: Failed password for root from 10.0.0.1"]],
            ),
        ],
        model: Annotated[str | None, Query(description="Model id (GET /v1/models).")] = None,
    ) -> Response:
        """Label a JSON list of lines; one result per line, in order."""
        check_lines(len(lines))
        surrogate = lone_surrogate_problem(
            [x if isinstance(x, str) else x.model_dump() for x in lines]
        )
        if surrogate:
            raise ApiError(422, "invalid_request", surrogate)
        model_id = resolve_model(model)
        messages, fields = _split_items(lines)
        results: list[dict[str, Any]] = []
        version = ""
        step = api.batch_lines
        for start in range(0, max(len(messages), 1), step):
            chunk_fields = (
                {k: v[start : start + step] for k, v in fields.items()} if fields else None
            )
            done = await service.classify(messages[start : start + step], chunk_fields, model_id)
            metrics.observe_batch(done.model, "json", done.batch)
            results.extend(_results(done))
            version = done.batch.model_version
        return JSONResponse(
            {"model": model_id, "model_version": version, "count": len(results), "results": results}
        )

    @protected.post(
        "/v1/classify/file",
        response_class=StreamingResponse,
        responses={
            200: {
                "content": {"text/csv": {"schema": {"type": "string"}}},
                "description": "The input rows with the logtriage.* label columns appended.",
            },
            **{k: _ERRORS[k] for k in (400, 404, 413, 422, 503)},
        },
        tags=["classify"],
    )
    async def classify_file(
        file: Annotated[
            UploadFile, File(description="A CSV or TSV (with header) or plain log file.")
        ],
        column: Annotated[
            str | None,
            Form(description="CSV/TSV column holding the message (default: guessed)."),
        ] = None,
        model: Annotated[str | None, Form(description="Model id (GET /v1/models).")] = None,
        kind: Annotated[
            Literal["auto", "csv", "tsv", "log"],
            Form(
                description="How to read the file; auto goes by name (.csv, .tsv) and "
                "content type. The answer is CSV either way."
            ),
        ] = "auto",
        log_format: Annotated[
            str | None,
            Form(
                description="For plain logs: LogPAI format, e.g. '<Date> <Level> <Content>', "
                "or a preset name (hdfs, openssh, syslog, raw, ...)."
            ),
        ] = None,
    ) -> StreamingResponse:
        """Label an uploaded file; answers a CSV streamed batch by batch.

        Headers tell the line count up front (`X-Logtriage-Lines`, for progress), how
        many lines were not UTF-8 (`X-Logtriage-Invalid-Utf8`, decoded with
        replacement) and the column read as the message (`X-Logtriage-Message-Column`,
        percent-encoded UTF-8: `Meldung_%C3%BC`)."""
        model_id = resolve_model(model)
        data = await file.read()
        chosen = guess_kind(file.filename, file.content_type) if kind == "auto" else kind
        try:
            parsed = await anyio.to_thread.run_sync(
                parse_upload, data, chosen, column or None, log_format or None
            )
        except ConfigError as exc:
            raise ApiError(400, "invalid_log_format", str(exc)) from exc
        del data
        check_lines(len(parsed.messages))
        if parsed.invalid_utf8:
            metrics.invalid_utf8.inc(parsed.invalid_utf8)
        step = api.batch_lines

        async def run(start: int) -> Classified:
            fields = parsed.fields
            chunk = {k: v[start : start + step] for k, v in fields.items()} if fields else None
            done = await service.classify(parsed.messages[start : start + step], chunk, model_id)
            metrics.observe_batch(done.model, "file", done.batch)
            return done

        first = await run(0)  # model errors surface before the response starts

        async def body() -> AsyncIterator[str]:
            yield labelled_csv(parsed.rows[:step], first.batch, header=parsed.columns)
            for start in range(step, len(parsed.messages), step):
                done = await run(start)
                yield labelled_csv(parsed.rows[start : start + step], done.batch)

        headers = {
            "Content-Disposition": download_disposition(file.filename),
            "X-Logtriage-Lines": str(len(parsed.messages)),
            "X-Logtriage-Invalid-Utf8": str(parsed.invalid_utf8),
            "X-Logtriage-Unmatched": str(parsed.unmatched),
            "X-Logtriage-Model": model_id,
            "X-Logtriage-Model-Version": first.batch.model_version,
            "X-Logtriage-Message-Column": quote(parsed.message_column, safe=""),
            "Cache-Control": "no-store",
        }
        return StreamingResponse(body(), media_type="text/csv; charset=utf-8", headers=headers)

    @protected.get("/v1/models", response_model=ModelsResponse, tags=["models"])
    async def models() -> ModelsResponse:
        """Models on offer: `none` (templates and rules only) and every bundle found."""
        default = registry.default_id
        infos = await anyio.to_thread.run_sync(registry.infos)
        return ModelsResponse(
            default=default,
            models=[
                ModelInfo(
                    id=b.id,
                    version=b.version,
                    labels=b.labels,
                    metrics=b.metrics,
                    summary=b.summary,
                    default=b.id == default,
                    available=b.available,
                    error=b.error,
                )
                for b in infos
            ],
        )

    @protected.get(
        "/v1/templates",
        response_model=TemplatesResponse,
        responses={422: _ERRORS[422]},
        tags=["templates"],
    )
    async def templates(
        offset: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
        q: Annotated[str | None, Query(description="Keep templates containing this text.")] = None,
        label: Annotated[
            str | None, Query(description="Keep templates whose top label is this.")
        ] = None,
    ) -> TemplatesResponse:
        """Known templates, most frequent first, with the labels their lines got."""
        rows = await service.templates()
        infos = [
            TemplateInfo(
                template_id=r.template_id,
                string_id=r.string_id,
                template=r.template,
                count=r.count,
                first_seen_s=r.first_seen_s,
                last_seen_s=r.last_seen_s,
                label=max(r.labels.items(), key=lambda kv: kv[1])[0] if r.labels else None,
                labels=r.labels,
            )
            for r in rows
            if q is None or q.lower() in r.template.lower()
        ]
        if label is not None:
            infos = [t for t in infos if t.label == label]
        return TemplatesResponse(
            total=len(infos), offset=offset, limit=limit, templates=infos[offset : offset + limit]
        )

    @protected.get(
        "/metrics",
        response_class=Response,
        responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
        tags=["operations"],
    )
    async def prometheus_metrics() -> Response:
        """Prometheus text format."""
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/health", response_model=HealthResponse, tags=["operations"])
    async def health() -> HealthResponse:
        """Liveness: always open, no token needed."""
        return HealthResponse(
            status="ok",
            version=__version__,
            default_model=registry.default_id,
            auth_required=auth.required,
        )

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", headers=_PAGE_HEADERS)

    app.include_router(protected)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    # Outermost last: metrics see every request, including the ones the limit refuses,
    # and everything inside sees a HEAD as the GET it is answered as.
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=api.max_request_bytes,
        on_reject=lambda: metrics.rejected.labels("bytes").inc(),
    )
    if api.cors_origins:
        app.add_middleware(
            JsonCORSMiddleware,
            allow_origins=list(api.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
            expose_headers=list(EXPOSED_HEADERS),
        )
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(HeadAsGetMiddleware)
    return app


def _sent_as_json(request: Request) -> None:
    """Refuse a body not declared JSON: FastAPI would leave it unparsed, and the
    complaint would be about its shape ("got an object") rather than its type.

    Runs before the body is validated (dependencies do), after it is read.

    Raises:
        ApiError: 415 ``unsupported_media_type``.
    """
    declared = request.headers.get("content-type", "")
    media = declared.split(";")[0].strip().lower()
    if media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    ):
        return
    got = f"got {declared!r}" if declared else "got no Content-Type"
    raise ApiError(
        415,
        "unsupported_media_type",
        f"send the lines as JSON with the header Content-Type: application/json ({got})",
    )


def _field_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return ""


def _split_items(
    lines: Sequence[str] | Sequence[ClassifyItem],
) -> tuple[list[str], dict[str, list[str]] | None]:
    messages: list[str] = []
    extras: list[dict[str, Any]] = []
    for item in lines:
        if isinstance(item, str):
            messages.append(item)
        else:
            messages.append(item.message)
            extras.append(item.model_extra or {})
    keys = sorted({k for extra in extras for k in extra})
    if not keys:
        return messages, None
    return messages, {k: [_field_text(extra.get(k)) for extra in extras] for k in keys}


def _results(done: Classified) -> list[dict[str, Any]]:
    b = done.batch
    # float32 -> float64 then rounded, so 0.75 stays 0.75 and 0.1 is not 0.10000000149
    conf = np.round(b.labels.confidence.astype(np.float64), 6).tolist()
    anomaly = b.labels.anomaly.tolist()
    score = np.round(b.labels.anomaly_score.astype(np.float64), 6).tolist()
    ids = b.template_ids.tolist()
    return [
        {
            "label": b.labels.label[i],
            "confidence": conf[i],
            "anomaly": bool(anomaly[i]),
            "anomaly_score": score[i],
            "template": b.template_texts[i],
            "template_id": ids[i],
            "rule": b.rules[i],
        }
        for i in range(len(b))
    ]
