"""Request and response models of the press API (they appear in the OpenAPI document)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, StrictBool

from core.schemas import RequestModel, WholeNumber

# A body may be up to 100 KB (bytes, checked by the service); the schema only bounds the
# characters generously so an oversized body still reaches the rule that names it.
BODY_CHARS = 200_000


class ReleasePath(BaseModel):
    """Path parameter of one press release."""

    rid: int


class ReleaseIn(RequestModel):
    """A new release: regional (co-chairs) or national (an NLO, its own state). Without a
    body the language's default template is used."""

    scope: Literal["regional", "national"]
    language: str = Field(min_length=1, max_length=16, description="en, fr, id, ms or th")
    title: str = Field(min_length=1, max_length=300)
    body: str | None = Field(default=None, max_length=BODY_CHARS,
                             description="Markdown with placeholders, at most 100 KB")
    publish_at: datetime | None = Field(default=None, description="intended embargo time")


class ReleasePatch(RequestModel):
    """An edit of the draft: any edit returns it to draft and clears approvals."""

    title: str | None = Field(default=None, min_length=1, max_length=300)
    body: str | None = Field(default=None, max_length=BODY_CHARS)
    publish_at: datetime | None = None


class SubmitIn(RequestModel):
    """Submit for review; needed as true when the body has hand-typed figures."""

    # Strict: an explicit acceptance is true, not "yes" or 1.
    accept_warnings: StrictBool = False


class ScheduleIn(RequestModel):
    """The embargo time: in the future, with a time-zone offset."""

    publish_at: datetime


class CorrectIn(RequestModel):
    """A correction of a published release: the new text and a note saying what changed."""

    title: str | None = Field(default=None, min_length=1, max_length=300)
    body: str = Field(max_length=BODY_CHARS)
    note: str = Field(min_length=1, max_length=2000)


class WithdrawIn(RequestModel):
    """Why a published release is withdrawn (shown on its page)."""

    note: str = Field(min_length=1, max_length=2000)


class SignOffOut(BaseModel):
    """A state's sign-off of its figures; `stale` once the state reports, amends or
    retracts after signing."""

    id: int
    state: str
    signed_at: datetime
    signed_by: str | None
    figures: dict[str, Any]
    stale: bool


class ApprovalOut(BaseModel):
    """One state's approval of the current revision."""

    state: str
    approved_by: str | None
    approved_at: datetime
    revision: int


class RenderedOut(BaseModel):
    """The release rendered as published (or as it would be published now)."""

    html: str
    text: str


class ReleaseOut(BaseModel):
    """A press release."""

    id: int
    period_id: int
    scope: Literal["regional", "national"]
    state: str | None
    language: str
    status: Literal["draft", "in_review", "scheduled", "published", "withdrawn"]
    version: int
    revision: int
    title: str
    body: str
    slug: str
    publish_at: datetime | None
    preliminary: bool
    as_at: datetime | None
    figures: dict[str, Any]
    warnings: list[str]
    problem: str | None
    approvals: list[ApprovalOut]
    missing_approvals: list[str]
    correction_note: str | None
    withdrawal_note: str | None
    rendered: RenderedOut | None
    public_url: str


class ReleaseList(BaseModel):
    """Releases visible to the caller."""

    releases: list[ReleaseOut]


class SettingsOut(BaseModel):
    """A period's press settings: the small-count threshold k (5 unless set)."""

    period_id: int
    suppression_k: int
    updated_at: datetime | None
    updated_by: int | None


class SettingsPatch(RequestModel):
    """A new small-count threshold: a whole number from 3 to 100 (not "5", not true)."""

    suppression_k: WholeNumber = Field(ge=3, le=100, strict=True)


class TemplatePath(BaseModel):
    """Path parameters of one press template of a period."""

    pid: int
    scope: Literal["regional", "national"]
    language: str = Field(min_length=1, max_length=16)


class TemplateIn(RequestModel):
    """A template body: Markdown with placeholders, at most 100 KB."""

    body: str = Field(max_length=BODY_CHARS)


class TemplateOut(BaseModel):
    """A period's template for a scope and language."""

    period_id: int
    scope: Literal["regional", "national"]
    language: str
    body: str
    updated_at: datetime
    updated_by: int | None


class TemplateList(BaseModel):
    """A period's templates, regional then national, each in en, fr, id, ms, th."""

    templates: list[TemplateOut]
