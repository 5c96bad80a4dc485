"""Command-line options that several commands share."""

from __future__ import annotations

import typer

ConfigOption = typer.Option(
    None,
    "--config",
    "-c",
    help="YAML config file; LOGTRIAGE_* variables override it.",
    dir_okay=False,
)
LogFormatOption = typer.Option(
    None,
    "--log-format",
    "-f",
    help=(
        "LogPAI-style format, e.g. '<Date> <Time> <Level> <Component>: <Content>', "
        "or a preset: hdfs, openssh, apache, linux, syslog, raw, ... "
        "(the twelve LogHub systems in lower case)."
    ),
)
FlushAfterOption = typer.Option(
    None,
    "--flush-after",
    min=0.0,
    metavar="SECONDS",
    help=(
        "For a slow pipe (tail -f app.log | ...): write the rows of the lines read so "
        "far once the first of them has waited SECONDS, without waiting for a full "
        "batch. Off by default: the rows (labels, templates) then depend on the pipe's timing."
    ),
)
