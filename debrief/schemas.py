"""Request and response models of the debrief API (they appear in the OpenAPI document)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from core.schemas import RequestModel, WholeNumber
from debrief.text import TEXT_MAX

Letter = Literal["P", "S", "M", "U"]
Handling = Literal["H0", "H1", "H2", "H3"]


class ObjectivePath(BaseModel):
    """Path parameter of one objective."""

    oid: int


class ResponsePath(BaseModel):
    """Path parameters of one state's questionnaire response."""

    pid: int
    state: str = Field(min_length=1, max_length=3, description="ISO 3166-1 alpha-3")


class ObjectiveIn(RequestModel):
    """A new objective; at the end of the list unless `position` (1 = first) is given."""

    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=2000)
    indicator_keys: list[str] = Field(default_factory=list, max_length=100,
                                      description="keys of the period's indicators")
    position: WholeNumber | None = Field(default=None, ge=1, strict=True)


class ObjectivePatch(RequestModel):
    """Changes to an objective; `position` moves it (the others close up)."""

    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=2000)
    indicator_keys: list[str] | None = Field(default=None, max_length=100)
    position: WholeNumber | None = Field(default=None, ge=1, strict=True)


class IndicatorTotalOut(BaseModel):
    """An indicator linked to an objective, with its regional total."""

    key: str
    label: str
    unit: str
    total: int


class ObjectiveOut(BaseModel):
    """One objective of a period."""

    id: int
    period_id: int
    position: int
    title: str
    description: str
    indicator_keys: list[str]
    indicators: list[IndicatorTotalOut]
    updated_at: datetime


class ObjectiveList(BaseModel):
    """A period's objectives in order."""

    objectives: list[ObjectiveOut]


class SubmissionOut(BaseModel):
    """A state that has submitted, and when."""

    state: str
    submitted_at: datetime


class DebriefOut(BaseModel):
    """A period's debrief: when the questionnaire opens and is due, the executive summary
    (Markdown as typed; `summary_html` sanitised), the handling code and who has submitted
    (an NLO sees only its own state until it has submitted)."""

    period_id: int
    opens_at: datetime
    due_on: date
    is_open: bool
    summary: str
    summary_html: str
    handling: Handling
    states_submitted: list[str]
    submissions: list[SubmissionOut]
    updated_at: datetime


class DebriefPatch(RequestModel):
    """Co-chairs: open the questionnaire earlier, move the due date (null: back to the
    default), write the executive summary, set the handling code."""

    opens_at: AwareDatetime | None = Field(default=None,
                                           description="at the latest the period's end")
    due_on: date | None = None
    summary: str | None = Field(default=None, max_length=TEXT_MAX,
                                description="Markdown, sanitised when shown")
    handling: Handling | None = None


class RatingIn(RequestModel):
    """A P/S/M/U rating of one objective of the period, with a comment."""

    objective_id: WholeNumber = Field(strict=True)
    rating: Letter
    comment: str = Field(default="", max_length=TEXT_MAX)


class ResponseIn(RequestModel):
    """A draft of the state's answers (replaces the previous draft whole). Markdown,
    sanitised when shown; raw HTML is kept as typed and never run."""

    worked: str = Field(default="", max_length=TEXT_MAX)
    did_not_work: str = Field(default="", max_length=TEXT_MAX)
    do_differently: str = Field(default="", max_length=TEXT_MAX)
    next_steps: str = Field(default="", max_length=TEXT_MAX)
    good_practice: str = Field(default="", max_length=TEXT_MAX)
    deconfliction_usefulness: WholeNumber | None = Field(default=None, ge=1, le=5, strict=True)
    ratings: list[RatingIn] = Field(default_factory=list, max_length=200)


class RatingOut(BaseModel):
    """A rating as stored."""

    objective_id: int
    rating: Letter
    comment: str


class RenderedAnswers(BaseModel):
    """Each answer as sanitised HTML; `ratings` maps objective ids to their comments'."""

    worked: str
    did_not_work: str
    do_differently: str
    next_steps: str
    good_practice: str
    ratings: dict[str, str]


class ResponseOut(BaseModel):
    """A state's questionnaire response."""

    id: int
    period_id: int
    state: str
    status: Literal["draft", "submitted"]
    worked: str
    did_not_work: str
    do_differently: str
    next_steps: str
    good_practice: str
    deconfliction_usefulness: int | None
    ratings: list[RatingOut]
    rendered: RenderedAnswers
    updated_at: datetime
    submitted_at: datetime | None


class ResponseList(BaseModel):
    """The responses the caller may read."""

    responses: list[ResponseOut]
