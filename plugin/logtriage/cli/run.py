"""``logtriage run``: the sidecar. Polls, labels and writes back until SIGTERM (or
SIGINT, SIGHUP: each finishes the batch, saves the checkpoint and exits 0; the
configuration is read at start only).

Data (the ``--once`` summary, JSON) goes to stdout; structured logs (JSON lines)
to stderr. Exit codes: 0 ok, 1 failure (with ``--once``: also a backlog left
unlabelled, e.g. stopped by SIGTERM while the engine was away), 2 usage.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import ValidationError

from logtriage.cli.options import ConfigOption
from logtriage.config import Settings, load_settings
from logtriage.errors import ConfigError, LogtriageError
from logtriage.wording import counted

if TYPE_CHECKING:
    from logtriage.sidecar import Sidecar

__all__ = ["JsonFormatter", "app", "configure_logging", "run_command", "with_overrides"]

log = logging.getLogger("logtriage.run")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg (+ exception)."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def configure_logging(debug: bool = False) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    logging.getLogger("logtriage").setLevel(logging.DEBUG if debug else logging.INFO)
    # The clients log every failed request; the sidecar reports what matters itself.
    for noisy in ("elastic_transport", "elasticsearch", "opensearch", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.ERROR)


def _stop_on(sidecar: Sidecar, signum: int) -> None:
    log.info("%s: finishing the batch, then stopping", signal.Signals(signum).name)
    sidecar.request_stop()


def with_overrides(settings: Settings, section: str, **values: Any) -> Settings:
    """A copy of ``settings`` with some fields of one (frozen) section replaced, checked
    as the file's values are (``model_copy`` alone would skip the checks: ``--worker-id
    2`` with ``workers: 2`` claimed a slot no slice exists for).

    Raises:
        ConfigError: a value the section refuses.
    """
    values = {k: v for k, v in values.items() if v is not None}
    if not values:
        return settings
    current = getattr(settings, section)
    try:
        updated = type(current).model_validate({**dict(current), **values})
    except ValidationError as exc:
        problems = "; ".join(
            f"{section}.{'.'.join(map(str, e['loc'])) or next(iter(values))}: "
            f"{e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()
        )
        raise ConfigError(f"invalid option: {problems}") from exc
    return settings.model_copy(update={section: updated})


def run_command(
    config: Path | None = ConfigOption,
    once: Annotated[
        bool, typer.Option("--once", help="Label the current backlog, then exit.")
    ] = False,
    worker_id: Annotated[
        int | None,
        typer.Option("--worker-id", help="Claim this worker slot (default: first free)."),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Tracebacks and debug logs.")] = False,
) -> None:
    """Run the Elasticsearch/OpenSearch sidecar (poll, label, write back)."""
    from logtriage.model import Classifier
    from logtriage.sidecar import Sidecar

    configure_logging(debug)
    try:
        settings = with_overrides(load_settings(config), "sidecar", worker_id=worker_id)
        sidecar = Sidecar(settings, labeler=Classifier.from_settings(settings.model))
        # SIGHUP too (a closed terminal, a habitual reload): the default would kill the
        # process mid-batch, its checkpoint unsaved and its lease held until it expires.
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, lambda signum, _: _stop_on(sidecar, signum))
        sidecar.serve_metrics()
        summary = sidecar.run(once=once)
    except LogtriageError as exc:
        if debug:
            raise
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    result = {
        "passes": summary.passes,
        "labelled": summary.labelled,
        "errors": summary.errored,
        "conflicts": summary.conflicts,
        "failed": summary.failed,
        "slot": summary.slot,
        "complete": summary.complete,
        "seconds": round(summary.seconds, 3),
        "labels": summary.labels,
        "error_reasons": summary.error_reasons,
    }
    typer.echo(json.dumps(result, sort_keys=True))
    if once and not summary.complete:
        if summary.failed:
            reason = f"{counted(summary.failed, 'document')} failed on the last pass"
        elif sidecar.stopping:
            reason = "stopped by a signal"
        else:
            reason = "the last pass made no progress"
        typer.echo(f"error: the backlog is not fully labelled ({reason}); run again", err=True)
        raise typer.Exit(1)


app = typer.Typer(add_completion=False)
app.command("run")(run_command)

if __name__ == "__main__":
    typer.run(run_command)
