"""Typed configuration: one pydantic model with one section per pipeline stage.

Load order (later wins): defaults in the models below, the YAML file, then
environment variables ``LOGTRIAGE_<SECTION>__<KEY>`` (e.g.
``LOGTRIAGE_MINING__SIM_THRESHOLD=0.6``; an unknown section or key is an error, as
in the file). Every problem is reported at once. A relative path in the file is
read from the file's directory (:mod:`logtriage.config.paths`).
``LOGTRIAGE_ES_URL`` is a shortcut for one ``search.hosts`` entry: it beats the
file and loses to ``LOGTRIAGE_SEARCH__HOSTS``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError, model_validator
from pydantic_core import ErrorDetails
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from logtriage.config.alerts import AlertsSettings
from logtriage.config.core import MaskingSettings, MiningSettings, RulesSettings
from logtriage.config.hints import unknown_key_hint
from logtriage.config.model import ModelSettings
from logtriage.config.paths import anchor_relative_paths
from logtriage.config.search import SearchSettings, SidecarSettings, SinkSettings
from logtriage.config.serve import ApiSettings
from logtriage.config.sessions import SessionsSettings
from logtriage.errors import ConfigError
from logtriage.textfiles import read_user_text

__all__ = [
    "ApiSettings",
    "MaskingSettings",
    "MiningSettings",
    "ModelSettings",
    "RulesSettings",
    "SearchSettings",
    "SessionsSettings",
    "Settings",
    "SidecarSettings",
    "SinkSettings",
    "load_settings",
]


class Settings(BaseSettings):
    """Resolved logtriage configuration."""

    model_config = SettingsConfigDict(
        env_prefix="LOGTRIAGE_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    masking: MaskingSettings = MaskingSettings()
    mining: MiningSettings = MiningSettings()
    rules: RulesSettings = RulesSettings()
    model: ModelSettings = ModelSettings()
    search: SearchSettings = SearchSettings()
    sink: SinkSettings = SinkSettings()
    sidecar: SidecarSettings = SidecarSettings()
    api: ApiSettings = ApiSettings()
    sessions: SessionsSettings = SessionsSettings()
    alerts: AlertsSettings = AlertsSettings()

    @model_validator(mode="after")
    def _relabel_needs_update_mode(self) -> Settings:
        if self.sidecar.relabel_older_models and self.sink.write_mode != "update":
            raise ValueError(
                "sidecar.relabel_older_models needs sink.write_mode: update (index mode "
                "writes each labels document once, with create)"
            )
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment beats the file (passed as init kwargs), as documented above.
        return (env_settings, init_settings)


def _read_yaml(path: Path) -> dict[str, Any]:
    """The file's sections, relative paths in them read from the file's directory."""
    text = read_user_text(path, "config file")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {path} is not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must hold a mapping of sections")
    sections = {
        name: field.annotation
        for name, field in Settings.model_fields.items()
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)
    }
    return anchor_relative_paths(data, path.parent, sections)


ES_URL_ENV = "LOGTRIAGE_ES_URL"


def _with_es_url(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with ``search.hosts`` from ``LOGTRIAGE_ES_URL`` when that is set."""
    url = os.environ.get(ES_URL_ENV, "").strip()
    search = data.get("search") or {}
    if not url or not isinstance(search, dict):
        return data
    return {**data, "search": {**search, "hosts": [url]}}


def _env_source(loc: tuple[int | str, ...]) -> str:
    """The ``LOGTRIAGE_*`` variable that set the value at ``loc``, or ``""``."""
    names = {k.upper() for k in os.environ}
    for depth in range(len(loc), 0, -1):
        name = "LOGTRIAGE_" + "__".join(str(p) for p in loc[:depth]).upper()
        if name in names:
            return name
    if tuple(loc[:2]) == ("search", "hosts") and os.environ.get(ES_URL_ENV, "").strip():
        return ES_URL_ENV
    return ""


def _with_hints(text: str, hints: list[str]) -> str:
    hint = " ".join(h for h in hints if h)
    return f"{text} ({hint})" if hint else text


def _problem_text(err: ErrorDetails) -> str:
    msg = err["msg"].removeprefix("Value error, ")  # our validators' messages say it all
    where = ".".join(str(p) for p in err["loc"])
    text = f"{where}: {msg}" if where else msg
    hints = [unknown_key_hint(Settings, err["loc"]) if err["type"] == "extra_forbidden" else ""]
    if env := _env_source(err["loc"]):
        hints.append(f"set by {env}")
    return _with_hints(text, hints)


def _unknown_env_sections() -> list[str]:
    """A problem per ``LOGTRIAGE_<SECTION>__...`` variable whose section does not exist,
    worded as the same typo in the file is. pydantic-settings reads only the names of
    fields and would ignore them. Variables without ``__`` (``LOGTRIAGE_ES_URL``,
    ``LOGTRIAGE_SHARED_DATA``, ...) are not settings keys and are left alone."""
    problems = []
    for name in sorted(os.environ):
        if not name.upper().startswith("LOGTRIAGE_"):
            continue
        section, nested, _ = name[len("LOGTRIAGE_") :].lower().partition("__")
        if nested and section not in Settings.model_fields:
            hints = [unknown_key_hint(Settings, [section]), f"set by {name}"]
            problems.append(_with_hints(f"{section}: Extra inputs are not permitted", hints))
    return problems


def _invalid(path: Path | str | None, problems: list[str]) -> ConfigError:
    where = f" in {path}" if path is not None else ""
    return ConfigError(f"invalid configuration{where}: {'; '.join(problems)}")


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def load_settings(path: Path | str | None = None) -> Settings:
    """Settings from defaults, the optional YAML file at ``path`` and the environment.

    Raises:
        ConfigError: the file is unreadable or any value is invalid (all problems listed).
    """
    data = _with_es_url(_read_yaml(Path(path)) if path is not None else {})
    env_problems = _unknown_env_sections()
    try:
        settings = Settings(**data)
    except SettingsError as exc:  # a LOGTRIAGE_* value that had to be JSON and is not
        section = re.search(r'field "(\w+)"', str(exc))
        prefix = f"LOGTRIAGE_{section.group(1).upper()}" if section else "LOGTRIAGE_"
        names = sorted(
            k for k in os.environ if k.upper().startswith(prefix) and not _is_json(os.environ[k])
        )
        raise ConfigError(
            f"{' or '.join(names) or prefix + '*'}: a list or mapping of objects in the "
            "environment must be JSON, e.g. LOGTRIAGE_ALERTS__RECEIVERS="
            '\'[{"name": "hook", "url": "https://example.com/hook"}]\''
        ) from exc
    except ValidationError as exc:
        raise _invalid(path, [*map(_problem_text, exc.errors()), *env_problems]) from exc
    if env_problems:
        raise _invalid(path, env_problems)
    return settings
