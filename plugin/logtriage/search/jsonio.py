"""JSON in and out of the engine without changing what a document says.

Re-indexing a document's ``_source`` (the sidecar's ``rewrite_source`` path) must store
the user's values exactly as they were written. Two places could change them:

- Parsing: :func:`loads` keeps each JSON number's original text. Floats become
  :class:`SourceNumber` (a ``float`` carrying its text, so ``1.50`` stays ``1.50``
  and ``1e400`` is not turned into ``inf``); ``-0`` too. Integers stay exact Python
  ints, :class:`BigInt` beyond 64 bits (``orjson.loads`` would turn those into
  floats). A response whose numbers are all plain 64-bit integers (the Rust core's
  ``json_integers_only`` checks, in one pass) has nothing to keep: ``orjson.loads``
  decodes it, about 2.5 times faster than the exact decoder (check included).
- Writing: :func:`dumps` (orjson) writes a :class:`SourceNumber` back as its original
  text and a :class:`BigInt` in full, and raises :class:`SourceEncodeError` for what
  orjson cannot write exactly (lone surrogates, nesting deeper than 254 levels);
  callers then fall back to a partial update that does not resend the source.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from logtriage._core import json_integers_only

__all__ = ["BigInt", "SourceEncodeError", "SourceNumber", "dumps", "loads"]

_INT_RANGE = range(-(2**63), 2**64)  # what orjson writes natively


class SourceNumber(float):
    """A JSON number as parsed (``float`` value) that remembers its original text."""

    __slots__ = ("text",)
    text: str

    def __new__(cls, text: str) -> SourceNumber:
        number = super().__new__(cls, text)
        number.text = text
        return number


class BigInt(int):
    """An integer beyond 64 bits (orjson writes it only through ``default``)."""

    __slots__ = ()


class SourceEncodeError(ValueError):
    """The value cannot be written back exactly (the caller keeps the stored source)."""


def _parse_int(text: str) -> int | SourceNumber:
    if text == "-0":
        return SourceNumber(text)
    value = int(text)
    return value if value in _INT_RANGE else BigInt(value)


def loads(data: bytes | str) -> Any:
    """Decode a response body; numbers keep their original text (see module doc)."""
    try:
        raw = data.encode() if isinstance(data, str) else data
        if json_integers_only(raw):
            return orjson.loads(raw)
    except (UnicodeEncodeError, orjson.JSONDecodeError):
        pass  # lone surrogates, NaN, deep nesting...: the exact decoder reads or rejects it
    return json.loads(data, parse_float=SourceNumber, parse_int=_parse_int)


def _default(value: Any) -> Any:
    """Subclasses of builtins (orjson hands them all here): ours as their exact text,
    others (e.g. ``numpy.str_``) as the builtin they extend."""
    if isinstance(value, SourceNumber):
        return orjson.Fragment(value.text)
    if isinstance(value, BigInt):
        return orjson.Fragment(str(int(value)))
    kinds: tuple[type[Any], ...] = (str, int, float, dict, list)
    for kind in kinds:
        if isinstance(value, kind):
            return kind(value)
    raise TypeError(f"cannot encode {type(value).__name__}")


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON; :class:`SourceNumber` as its original text.

    Raises:
        SourceEncodeError: the value holds something orjson cannot write exactly.
    """
    try:
        return orjson.dumps(value, default=_default, option=orjson.OPT_PASSTHROUGH_SUBCLASS)
    except (orjson.JSONEncodeError, TypeError) as exc:
        raise SourceEncodeError(str(exc)) from exc
