"""Request and response models of the periods API."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, Field

from core.schemas import RequestModel
from operations.models import Period
from operations.phase import Phase

StateCode = Field(min_length=3, max_length=3, description="ISO 3166-1 alpha-3")


class PeriodCreate(RequestModel):
    """A new joint period. Times must carry an offset."""

    name: str = Field(min_length=1, max_length=200)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    states: list[str] = Field(min_length=1, max_length=250)
    co_chairs: list[str] = Field(default_factory=list, max_length=250)


class PeriodPath(BaseModel):
    """Path parameter of one period."""

    pid: int


class PeriodOut(BaseModel):
    """A period as every role that may see it sees it."""

    id: int
    name: str
    starts_at: datetime
    ends_at: datetime
    phase: Phase
    states: list[str]
    co_chairs: list[str]

    @classmethod
    def of(cls, period: Period) -> PeriodOut:
        """Build from the model, deriving the phase from the clock."""
        return cls(id=period.id, name=period.name, starts_at=period.starts_at,
                   ends_at=period.ends_at, phase=period.phase(), states=period.states,
                   co_chairs=period.co_chairs)


class PeriodList(BaseModel):
    """The periods the caller may see."""

    periods: list[PeriodOut]


class StateOut(BaseModel):
    """A state of the reference list."""

    code: str
    name: str
    default_time_zone: str


class StateList(BaseModel):
    """Every state the service knows."""

    states: list[StateOut]
