"""The ``logtriage`` command line. Data goes to stdout, logs and progress to stderr.

Exit codes: 0 ok, 1 failure, 2 usage. Errors print as one ``error: ...`` line;
``--debug`` shows the traceback.
"""

from __future__ import annotations

import sys

import typer

from logtriage import __version__
from logtriage.cli.classify import classify
from logtriage.cli.config_cmd import config_app
from logtriage.cli.dashboards import dashboards_app
from logtriage.cli.demo import demo_command
from logtriage.cli.doctor import doctor_command
from logtriage.cli.model import app as model_app
from logtriage.cli.parse import parse
from logtriage.cli.run import run_command
from logtriage.cli.sequences import sequences_app
from logtriage.cli.serve import serve
from logtriage.errors import LogtriageError

__all__ = ["app", "main"]

app = typer.Typer(
    name="logtriage",
    help="Label log lines with templates, categories and anomaly flags.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"logtriage {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_show_version, is_eager=True, help="Print the version."
    ),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks on errors."),
) -> None:
    """logtriage: classify logs where they live."""


app.command()(parse)
app.command("run")(run_command)
app.command("doctor")(doctor_command)
app.command("demo")(demo_command)
app.command()(serve)
app.add_typer(config_app, name="config")
app.add_typer(sequences_app, name="sequences")
app.command()(classify)
app.add_typer(model_app, name="model")
app.add_typer(dashboards_app, name="dashboards")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    args = sys.argv[1:] if argv is None else argv
    try:
        # Standalone mode: typer reports usage errors itself and exits with 2.
        app(args=args, prog_name="logtriage")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except (LogtriageError, OSError) as exc:
        if "--debug" in args:
            raise
        typer.echo(f"error: {_describe(exc)}", err=True)
        return 1
    return 0


def _describe(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.filename is not None:
        return f"{exc.filename}: {exc.strerror}"
    return str(exc)


def run() -> None:
    sys.exit(main())
