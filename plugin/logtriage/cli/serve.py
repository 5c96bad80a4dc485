"""``logtriage serve``: the HTTP API and web page (uvicorn)."""

from __future__ import annotations

import socket
from pathlib import Path

import typer

from logtriage.cli.options import ConfigOption
from logtriage.config import load_settings
from logtriage.errors import ConfigError

__all__ = ["serve"]


def serve(
    config: Path | None = ConfigOption,
    host: str | None = typer.Option(None, "--host", help="Bind address (default: api.host)."),
    port: int | None = typer.Option(
        None, "--port", "-p", min=0, max=65535, help="Port (default: api.port)."
    ),
    log_level: str = typer.Option("info", "--log-level", help="uvicorn log level."),
) -> None:
    """Serve the HTTP API and the web page. A non-loopback --host needs api.token."""
    import uvicorn

    from logtriage.api import create_app

    settings = load_settings(config)
    update = {k: v for k, v in (("host", host), ("port", port)) if v is not None}
    if update:
        settings = settings.model_copy(update={"api": settings.api.model_copy(update=update)})
    app = create_app(settings)  # raises ConfigError (exit 1) when a token is required but unset
    _check_can_listen(settings.api.host, settings.api.port)
    uvicorn.run(
        app,
        host=settings.api.host,
        port=settings.api.port,
        log_level=log_level,
        proxy_headers=False,
        server_header=False,
    )


def _check_can_listen(host: str, port: int) -> None:
    """Bind once before uvicorn does, so a taken port or a host name that does not
    resolve is one error line (exit 1), not uvicorn's log and exit code 3."""
    try:
        family, *_rest, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
            sock.bind(address)
    except OSError as exc:
        raise ConfigError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc} "
            "(--port/--host, or api.port/api.host)"
        ) from exc
