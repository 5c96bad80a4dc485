"""Every exception logtriage raises. They carry data and survive pickling."""

from __future__ import annotations

from typing import Any


class LogtriageError(Exception):
    """Base class of logtriage's errors."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (self.__class__, self.args)


class ConfigError(LogtriageError, ValueError):
    """Configuration (file, env, mask regex, log format) is invalid."""


class RuleError(LogtriageError, ValueError):
    """A rule's pattern does not compile. Carries the rule's id and pattern."""

    def __init__(self, message: str, rule_id: str = "", pattern: str = "") -> None:
        super().__init__(message, rule_id, pattern)
        self.rule_id = rule_id
        self.pattern = pattern

    def __str__(self) -> str:
        return str(self.args[0])


class InputError(LogtriageError, ValueError):
    """An input file cannot be read as lines of text (e.g. it is UTF-16)."""


class StateError(LogtriageError):
    """Saved miner/cache/checkpoint state cannot be read."""


class SearchEngineError(LogtriageError):
    """The search engine refused or failed a request."""


class SinkError(LogtriageError):
    """Some documents could not be written. ``errors`` holds one item per document."""

    def __init__(self, message: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message, errors or [])
        self.errors: list[dict[str, Any]] = errors or []

    def __str__(self) -> str:
        return str(self.args[0])


class ModelBundleError(LogtriageError):
    """A model bundle is missing, corrupt or does not match the runtime."""
