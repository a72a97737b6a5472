"""Request and response models of the improvement plan's API (in the OpenAPI document)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from core.schemas import RequestModel, WholeNumber

Status = Literal["open", "in_progress", "done", "dropped"]
# The schema bounds lengths generously; the service names the field with its own limit.
TEXT_CHARS = 10_000


class ItemPath(BaseModel):
    """Path parameter of one improvement item."""

    iid: int


class ItemQuery(BaseModel):
    """Filters of a period's improvement plan."""

    status: Status | None = None
    owner_state: str | None = Field(default=None, max_length=3,
                                    description="ISO 3166-1 alpha-3 of a participating state")
    overdue: bool = Field(default=False,
                                description="only items past their due date, still open or "
                                            "in progress")
    include_earlier: bool = Field(default=False,
                                        description="add the open items of earlier periods "
                                                    "owned by this period's states")


class ItemIn(RequestModel):
    """A new item of the plan (the period's co-chairs)."""

    objective_id: WholeNumber | None = Field(default=None, ge=1, le=2**31 - 1, strict=True)
    issue: str = Field(min_length=1, max_length=TEXT_CHARS, description="what went wrong")
    corrective_action: str = Field(min_length=1, max_length=TEXT_CHARS)
    owner_state: str = Field(min_length=1, max_length=3)
    owner: str = Field(min_length=1, max_length=TEXT_CHARS,
                       description="the agency or person who does it")
    due_on: date = Field(description="YYYY-MM-DD, not before the period started")
    status: Status = "open"


class ItemPatch(RequestModel):
    """A change of an item: co-chairs any field, the owner state's NLOs only `status`."""

    objective_id: WholeNumber | None = Field(default=None, ge=1, le=2**31 - 1, strict=True)
    issue: str | None = Field(default=None, min_length=1, max_length=TEXT_CHARS)
    corrective_action: str | None = Field(default=None, min_length=1, max_length=TEXT_CHARS)
    owner_state: str | None = Field(default=None, min_length=1, max_length=3)
    owner: str | None = Field(default=None, min_length=1, max_length=TEXT_CHARS)
    due_on: date | None = None
    status: Status | None = None


class ItemOut(BaseModel):
    """An item of an improvement plan; `overdue` is computed in the owner state's zone."""

    id: int
    period_id: int
    period_name: str
    objective_id: int | None
    issue: str
    corrective_action: str
    owner_state: str
    owner: str
    due_on: date
    status: Status
    overdue: bool
    created_at: datetime
    updated_at: datetime


class ItemList(BaseModel):
    """A period's plan (with `include_earlier`, also open items of earlier periods)."""

    items: list[ItemOut]
