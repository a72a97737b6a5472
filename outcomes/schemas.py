"""Request models of the outcomes API: reports, amendments, retractions, indicators."""

from __future__ import annotations

from datetime import date as date_type
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from core.schemas import RequestModel, WholeNumber


class ReportIn(RequestModel):
    """A day's figures: indicator keys with whole numbers or category objects; none = nil."""

    date: date_type = Field(description="local date of the reporting state, YYYY-MM-DD")
    operation_id: WholeNumber | None = Field(default=None, ge=1, le=2**31 - 1)
    values: dict[str, Any] = Field(default_factory=dict)


class AmendIn(RequestModel):
    """New values for a report (a new version; the old one is kept)."""

    values: dict[str, Any] = Field(default_factory=dict)
    note: str | None = Field(default=None, max_length=2000)


class RetractIn(RequestModel):
    """Why a report is withdrawn from the totals."""

    reason: str = Field(min_length=1, max_length=2000)


class ReportPath(BaseModel):
    """Path parameter of one report."""

    rid: int


class IndicatorIn(RequestModel):
    """A period-specific indicator."""

    key: str = Field(min_length=1, max_length=64)
    label: str = Field(min_length=1, max_length=200)
    unit: Literal["persons", "cases", "items", "activities"]
    definition: str = Field(default="", max_length=4000)
    categories: list[Annotated[str, StringConstraints(min_length=1, max_length=32)]] | None = \
        Field(default=None, max_length=20)
