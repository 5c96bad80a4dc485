"""Request and response bodies of the HTTP API (they make the OpenAPI schema)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import FormData, UploadFile

__all__ = [
    "ClassifyItem",
    "ClassifyResponse",
    "ErrorBody",
    "ErrorResponse",
    "HealthResponse",
    "LineResult",
    "ModelInfo",
    "ModelsResponse",
    "TemplateInfo",
    "TemplatesResponse",
    "lines_body_problem",
    "lone_surrogate_problem",
    "upload_form_problem",
]


class ClassifyItem(BaseModel):
    """A log line as an object: ``message`` is labelled; other string fields are
    offered to field rules (e.g. ``level``)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": True})

    message: str


_LINES_SHAPE = '["a line", ...] or [{"message": "a line", "level": "ERROR"}, ...]'


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _surrogate(text: object) -> str | None:
    found = _LONE_SURROGATE.search(text) if isinstance(text, str) else None
    return f"\\u{ord(found.group()):04x}" if found else None


def _item_surrogate(item: object) -> str | None:
    """Where in ``item`` a string holds a lone surrogate, and which one."""
    places: list[tuple[str, object]] = [("the line", item)]
    if isinstance(item, dict):
        places = [("a field name", key) for key in item]
        places += [(f'field "{key}"', value) for key, value in item.items()]
    for where, text in places:
        code = _surrogate(text)
        if code:
            return f"{where} has a lone surrogate ({code}), which is not valid Unicode"
    return None


def lone_surrogate_problem(items: Sequence[object]) -> str | None:
    """``item N: ...`` for the first item holding a lone surrogate, else ``None``.

    JSON lets a string escape half of a UTF-16 pair (``"\\ud800"``); Python keeps it,
    but it is no character, so the line can be neither labelled nor written as UTF-8."""
    for n, item in enumerate(items, start=1):
        problem = _item_surrogate(item)
        if problem:
            return f"item {n}: {problem}"
    return None


def lines_body_problem(body: Any) -> str:
    """One sentence saying why ``body`` is not a list of lines for ``POST /v1/classify``.

    Pydantic's own errors for the ``list[str] | list[ClassifyItem]`` union name both
    branches ("body.list[str].0: Input should be a valid string" for an object
    without ``message``); this names the item (counted from 1, like CSV lines) and the
    rule it breaks."""
    if not isinstance(body, list):
        got = "an empty body or null" if body is None else _json_type(body)
        if isinstance(body, dict):
            got += (
                " (one line is a list of one: [{...}])"
                if "message" in body
                else " (send the list itself, not an object around it)"
            )
        return f"the body must be a JSON list of lines, {_LINES_SHAPE}; got {got}"
    first_kind = _json_type(body[0]) if body else ""
    for n, item in enumerate(body, start=1):
        kind = _json_type(item)
        surrogate = _item_surrogate(item)
        if surrogate:  # pydantic refuses one in a field name
            return f"item {n}: {surrogate}"
        if isinstance(item, dict) and not isinstance(item.get("message"), str):
            return f'item {n}: an object needs a "message" string field'
        if not isinstance(item, str | dict):
            return f'item {n}: expected a string or an object with a "message" field, got {kind}'
        if kind != first_kind:
            return f"item {n} is {kind} but item 1 is {first_kind}: use one kind for every item"
    return f"the body must be a JSON list of lines, {_LINES_SHAPE}"


def upload_form_problem(form: Any) -> str | None:
    """Why ``POST /v1/classify/file`` got no file, if it did not (``None`` otherwise).

    Pydantic's own words for a ``file`` sent as text are "Expected UploadFile,
    received: <class 'str'>"."""
    file = form.get("file") if isinstance(form, FormData) else None
    if isinstance(file, UploadFile):
        return None
    got = 'no "file" field' if file is None else "text, not a file"
    return (
        'send the file as a multipart/form-data file field named "file" '
        f'(curl -F "file=@app.log"); got {got}'
    )


class LineResult(BaseModel):
    label: str
    confidence: float
    anomaly: bool
    anomaly_score: float
    template: str
    template_id: int
    rule: str | None


class ClassifyResponse(BaseModel):
    model: str = Field(description="Id of the model that labelled the lines.")
    model_version: str
    count: int
    results: list[LineResult]


class ModelInfo(BaseModel):
    id: str
    version: str
    labels: list[str]
    metrics: dict[str, Any]
    summary: dict[str, Any]
    default: bool
    available: bool
    error: str | None = None


class ModelsResponse(BaseModel):
    default: str
    models: list[ModelInfo]


class TemplateInfo(BaseModel):
    template_id: int
    string_id: str
    template: str
    count: int
    first_seen_s: int
    last_seen_s: int
    label: str | None = Field(description="Most frequent label of the template's lines.")
    labels: dict[str, int]


class TemplatesResponse(BaseModel):
    total: int
    offset: int
    limit: int
    templates: list[TemplateInfo]


class HealthResponse(BaseModel):
    status: str
    version: str
    default_model: str
    auth_required: bool


class ErrorBody(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: str
    message: str


class ErrorResponse(BaseModel):
    error: ErrorBody
