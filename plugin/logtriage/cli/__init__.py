"""``logtriage <verb>``: the CLI root.

Placeholder root for the sidecar branch; the real root (parse, classify, serve,
...) is written elsewhere and only needs the registration lines below.
"""

from __future__ import annotations

import typer

from logtriage.cli.demo import demo_command
from logtriage.cli.doctor import doctor_command
from logtriage.cli.run import run_command

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Label logs where they live.")
app.command("run")(run_command)
app.command("doctor")(doctor_command)
app.command("demo")(demo_command)


def main() -> None:
    app()


__all__ = ["app", "main"]
