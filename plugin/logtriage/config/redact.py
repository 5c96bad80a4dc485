"""The resolved configuration as ``config show`` prints it, secrets masked.

``SecretStr`` settings (API keys, passwords, tokens, webhook header values) dump as
:data:`MASK` by themselves. URLs are plain settings, since the client and the
webhook need them whole; here the password of any URL's userinfo is masked, and a
webhook URL keeps only its scheme and host (a Slack webhook's path is its secret).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

from logtriage.config import Settings

__all__ = ["MASK", "redacted", "url_without_password", "webhook_url_shown"]

MASK = "**********"
"""What pydantic prints for a ``SecretStr``."""


def _split(url: str) -> SplitResult | None:
    try:
        return urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket: not a URL
        return None


def url_without_password(url: str) -> str:
    """``url`` with the password of its userinfo masked: ``http://user:**********@es:9200``.
    Anything without a password (or not a URL) is returned as it is."""
    parts = _split(url)
    if parts is None or parts.password is None:
        return url
    userinfo, _, host = parts.netloc.rpartition("@")
    user = userinfo.partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{user}:{MASK}@{host}"))


def webhook_url_shown(url: str) -> str:
    """Scheme and host of a webhook URL (password masked), its path, query and fragment
    replaced by :data:`MASK` unless there are none: ``https://hooks.slack.com/**********``."""
    shown = url_without_password(url)
    parts = _split(shown)
    if parts is None or (parts.path in ("", "/") and not parts.query and not parts.fragment):
        return shown
    return urlunsplit((parts.scheme, parts.netloc, "/" + MASK, "", ""))


def _passwords_masked(value: Any) -> Any:
    if isinstance(value, str):
        return url_without_password(value)
    if isinstance(value, dict):
        return {key: _passwords_masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_passwords_masked(item) for item in value]
    return value


def redacted(settings: Settings) -> dict[str, Any]:
    """``settings`` as JSON-compatible data with every secret masked."""
    data = settings.model_dump(mode="json")
    for receiver in data["alerts"]["receivers"]:
        receiver["url"] = webhook_url_shown(receiver["url"])
    masked: dict[str, Any] = _passwords_masked(data)
    return masked
