"""Pydantic pieces shared by every API: strict request models and the error envelope."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict
from pydantic_core import PydanticCustomError


def refuse_bool(value: object) -> object:
    """Refuse true/false where a number is due: pydantic's lax mode would take them as 1/0."""
    if isinstance(value, bool):
        raise PydanticCustomError("bool_not_number", "give a number, not true or false")
    return value


# Every int/float field of a request schema uses one of these (a test walks the schemas).
Number = Annotated[float, BeforeValidator(refuse_bool)]
WholeNumber = Annotated[int, BeforeValidator(refuse_bool)]


class RequestModel(BaseModel):
    """A request body: unknown fields are refused so a client cannot set what it may not."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ErrorDetail(BaseModel):
    """The inside of the error envelope."""

    code: str
    message: str
    fields: dict[str, str] = {}
    request_id: str | None = None
    # A 409 for a second report of one state, date and operation points to the first.
    existing_report_id: int | None = None
    existing_report_url: str | None = None


class ErrorEnvelope(BaseModel):
    """Every API error: {"error": {"code", "message", "fields"}}."""

    error: ErrorDetail


ERROR_RESPONSES = {
    400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope,
    409: ErrorEnvelope, 413: ErrorEnvelope, 415: ErrorEnvelope, 422: ErrorEnvelope,
}
