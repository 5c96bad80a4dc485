"""``logtriage config show|validate``."""

from __future__ import annotations

from pathlib import Path

import typer
import yaml

from logtriage.alerts import load_rules_file
from logtriage.alerts.engine import DEFAULT_RULES
from logtriage.cli.options import ConfigOption
from logtriage.config import load_settings
from logtriage.core import load_rules

config_app = typer.Typer(help="Show or check the resolved configuration.", no_args_is_help=True)


@config_app.command("show")
def show(config: Path | None = ConfigOption) -> None:
    """Print the resolved configuration (defaults + file + LOGTRIAGE_* env) as YAML.

    Secrets are masked."""
    settings = load_settings(config)
    data = settings.model_dump(mode="json")
    typer.echo(yaml.safe_dump(data, sort_keys=False), nl=False)


@config_app.command("validate")
def validate(
    config: Path | None = typer.Argument(
        None, dir_okay=False, metavar="CONFIG", help="YAML config file (or give --config)."
    ),
    config_option: Path | None = ConfigOption,
) -> None:
    """Check the configuration; exit 1 listing every problem.

    CONFIG (or --config) is the file; without one, the defaults. LOGTRIAGE_* applies."""
    if config is not None and config_option is not None:
        raise typer.BadParameter(
            "give the config file as CONFIG or as --config, not both",
            param_hint="CONFIG / --config",
        )
    path = config or config_option
    settings = load_settings(path)
    load_rules(settings.rules)  # the files it names, read and compiled as `run` does
    if settings.alerts.enabled:
        load_rules_file(Path(settings.alerts.rules_file or DEFAULT_RULES))
    typer.echo(f"{path or 'defaults'} + LOGTRIAGE_* environment: ok")
