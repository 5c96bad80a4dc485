"""Where a configuration key that does not exist was probably meant to go, and which
label a misspelt one probably meant."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from difflib import get_close_matches

from pydantic import BaseModel

__all__ = ["closest_label", "unknown_key_hint"]


def _section(model: type[BaseModel], name: str) -> type[BaseModel] | None:
    field = model.model_fields.get(name)
    annotation = field.annotation if field is not None else None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def unknown_key_hint(root: type[BaseModel], loc: Sequence[str | int]) -> str:
    """``"did you mean sidecar.batch_size?"`` for the unknown key at ``loc`` of ``root``.

    A close spelling in the same section wins (``search.hots`` → ``search.hosts``);
    else a section that has a key of exactly that name (``search.batch_size`` →
    ``sidecar.batch_size``; a top-level ``hosts`` → ``search.hosts``). ``""`` when
    neither exists."""
    *parents, key = (str(part) for part in loc)
    model: type[BaseModel] | None = root
    for part in parents:
        model = _section(model, part) if model is not None else None
    if model is None:
        return ""
    close = get_close_matches(key, list(model.model_fields), n=1, cutoff=0.75)
    if close:
        paths = [".".join([*parents, close[0]])]
    else:
        paths = [
            f"{name}.{key}"
            for name in root.model_fields
            if name not in parents[:1]
            and (section := _section(root, name)) is not None
            and key in section.model_fields
        ]
    return f"did you mean {' or '.join(paths)}?" if paths else ""


def closest_label(label: str, known: Collection[str]) -> str | None:
    """The label of ``known`` that ``label`` probably meant: the same but for case, else
    a close spelling; ``None`` when none is close."""
    by_case = {k.casefold(): k for k in known}
    if label.casefold() in by_case:
        return by_case[label.casefold()]
    close = get_close_matches(label, sorted(known), n=1, cutoff=0.6)
    return close[0] if close else None
