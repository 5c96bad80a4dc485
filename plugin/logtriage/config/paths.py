"""Relative paths in a config file name files beside it.

A service reads ``/etc/logtriage.yaml`` from whatever directory it was started in
(systemd: ``/``), so ``rules: {path: my_rules.yaml}`` must not depend on that
directory. Every ``Path`` setting given as a relative path in the file is read from
the file's directory, as Prometheus and docker compose read theirs; the environment
(``LOGTRIAGE_*``) keeps the current directory, as a shell user expects.
"""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel

__all__ = ["anchor_relative_paths"]


def _is_path_field(annotation: Any) -> bool:
    """``Path`` or ``Path | None``."""
    if annotation is Path:
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return Path in typing.get_args(annotation)
    return False


def anchor_relative_paths(
    data: dict[str, Any], base: Path, sections: dict[str, type[BaseModel]]
) -> dict[str, Any]:
    """``data`` (a config file's sections) with each relative ``Path`` setting of
    ``sections`` joined to ``base``. Anything that is not a relative path string is left
    for validation to judge."""
    anchored = dict(data)
    for name, model in sections.items():
        section = data.get(name)
        if not isinstance(section, dict):
            continue
        fixed = dict(section)
        for key, field in model.model_fields.items():
            value = section.get(key)
            if (
                isinstance(value, str)
                and value.strip()
                and _is_path_field(field.annotation)
                and not Path(value).expanduser().is_absolute()
            ):
                fixed[key] = str(base / value)
        anchored[name] = fixed
    return anchored
