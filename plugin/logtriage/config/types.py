"""Field types shared by the configuration sections."""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import BeforeValidator
from pydantic_settings import NoDecode

__all__ = ["StringList", "string_list"]


def string_list(value: Any) -> Any:
    """A list setting given as one string: a JSON list, else comma-separated items
    (``http://a:9200,http://b:9200``; one item without a comma). Anything else is left
    to validation."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("["):
        try:
            return json.loads(text)
        except ValueError:
            return value
    return [part.strip() for part in text.split(",") if part.strip()]


StringList = Annotated[list[str], NoDecode, BeforeValidator(string_list)]
"""``list[str]`` that also takes one string, in YAML or from ``LOGTRIAGE_*`` (where a
plain ``list[str]`` must be JSON, and anything else was a pydantic-settings traceback)."""
