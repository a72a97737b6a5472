"""Pydantic pieces shared by every API: strict request models and the error envelope."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class RequestModel(BaseModel):
    """A request body: unknown fields are refused so a client cannot set what it may not."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ErrorDetail(BaseModel):
    """The inside of the error envelope."""

    code: str
    message: str
    fields: dict[str, str] = {}
    request_id: str | None = None


class ErrorEnvelope(BaseModel):
    """Every API error: {"error": {"code", "message", "fields"}}."""

    error: ErrorDetail


ERROR_RESPONSES = {
    400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope,
    409: ErrorEnvelope, 413: ErrorEnvelope, 415: ErrorEnvelope, 422: ErrorEnvelope,
}
