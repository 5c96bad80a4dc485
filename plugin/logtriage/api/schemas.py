"""Request and response bodies of the HTTP API (they make the OpenAPI schema)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

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
]


class ClassifyItem(BaseModel):
    """A log line as an object: ``message`` is labelled; other string fields are
    offered to field rules (e.g. ``level``)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": True})

    message: str


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
