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
