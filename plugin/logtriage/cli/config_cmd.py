"""``logtriage config show|validate``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import typer
import yaml

from logtriage.alerts import load_rules_file
from logtriage.alerts.engine import DEFAULT_RULES
from logtriage.alerts.rules import check_rule_labels, writable_labels
from logtriage.cli.options import ConfigOption
from logtriage.cli.progress import note
from logtriage.config import ModelSettings, SessionsSettings, Settings, load_settings
from logtriage.config.hints import closest_label
from logtriage.config.redact import redacted
from logtriage.core import build_miner, load_rules, read_rule_file
from logtriage.errors import ConfigError, LogtriageError
from logtriage.labels import UNCLASSIFIED
from logtriage.textfiles import read_user_text

config_app = typer.Typer(help="Show or check the resolved configuration.", no_args_is_help=True)


@config_app.command("show")
def show(config: Path | None = ConfigOption) -> None:
    """Print the resolved configuration (defaults + file + LOGTRIAGE_* env) as YAML.

    Secrets are masked: keys, passwords and tokens, passwords in URLs, webhook header
    values and the path and query of webhook URLs."""
    data = redacted(load_settings(config))
    typer.echo(yaml.safe_dump(data, sort_keys=False), nl=False)


def _load_alert_rules(settings: Settings) -> None:
    """The alert rules ``run`` loads, and the labels they name checked against those the
    regex rules and the model bundle write (left to their own checks when they fail)."""
    alerts = settings.alerts
    if not alerts.enabled:
        return
    path = Path(alerts.rules_file or DEFAULT_RULES)
    rules = load_rules_file(path)
    try:
        rule_labels = load_rules(settings.rules).labels
        model_labels = _model_labels(settings.model)
    except LogtriageError:
        return
    check_rule_labels(rules, writable_labels(rule_labels, model_labels), str(path))


@functools.cache
def _model_labels(model: ModelSettings) -> tuple[str, ...]:
    """The labels of the bundle labelling would load (its manifest and files checked by
    hash, once per run: the checks below all need them); none without a bundle."""
    from logtriage.model.bundle import configured_bundle_path, load_bundle

    path = configured_bundle_path(model)
    return () if path is None else tuple(load_bundle(path).labels)


def _load_session_watch(sessions: SessionsSettings) -> None:
    """The sequence model ``run`` loads when sessioning is on."""
    from logtriage.sidecar.sessions import SessionWatch

    SessionWatch.from_settings(sessions)


def _build_problems(settings: Settings) -> list[str]:
    """What the commands build from ``settings`` offline, built here; a problem per
    part that fails, in the words the command would have used."""
    builds: list[Callable[[], object]] = [
        lambda: build_miner(settings.mining, settings.masking),
        lambda: load_rules(settings.rules),  # the files it names, read and compiled
        lambda: _load_alert_rules(settings),
        lambda: _model_labels(settings.model),
        lambda: _load_session_watch(settings.sessions),
    ]
    problems: list[str] = []
    for build in builds:
        try:
            build()
        except LogtriageError as exc:
            problems.append(str(exc))
    return problems


def _rule_label_warnings(settings: Settings) -> list[str]:
    """A warning per rule of the user's rules file whose label looks like a misspelt
    label of the model or the built-in rules (``Eror``, ``critical error``). A label of
    one's own is allowed, so only a near miss is reported: it would never be counted by
    the dashboards and alert rules made for the real one."""
    if settings.rules.path is None:
        return []
    try:
        specs = read_rule_file(read_user_text(settings.rules.path, "rules file"), "")
        built_in = load_rules(settings.rules.model_copy(update={"path": None})).labels
        known = {*_model_labels(settings.model), *built_in, UNCLASSIFIED}
    except LogtriageError:
        return []  # reported as a problem by the builds
    warnings = []
    for spec in specs:
        close = None if spec.label in known else closest_label(spec.label, known)
        if close is not None:
            warnings.append(
                f"rules file {settings.rules.path}: rule {spec.id!r} labels lines "
                f"{spec.label!r}, which is no label of the model or the built-in rules "
                f"(did you mean {close!r}?)"
            )
    return warnings


@config_app.command("validate")
def validate(
    config: Path | None = typer.Argument(
        None, dir_okay=False, metavar="CONFIG", help="YAML config file (or give --config)."
    ),
    config_option: Path | None = ConfigOption,
) -> None:
    """Check the configuration; exit 1 listing every problem.

    CONFIG (or --config) is the file; without one, the defaults. LOGTRIAGE_* applies.
    Builds what the commands build from it without a search engine: masks and miner,
    rules files, alert rules (when alerting is on), the model bundle (verified by hash)
    and the sequence model (when sessioning is on)."""
    if config is not None and config_option is not None:
        raise typer.BadParameter(
            "give the config file as CONFIG or as --config, not both",
            param_hint="CONFIG / --config",
        )
    path = config or config_option
    settings = load_settings(path)
    problems = _build_problems(settings)
    if problems:
        raise ConfigError("; ".join(problems))
    for warning in _rule_label_warnings(settings):
        note(f"warning: {warning}")
    typer.echo(f"{path or 'defaults'} + LOGTRIAGE_* environment: ok")
