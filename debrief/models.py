"""Debrief: a period's objectives, its debrief settings, each state's questionnaire response
with its P/S/M/U ratings, the improvement plan, and the built packs (immutable versions)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow

RATINGS = ("P", "S", "M", "U")
RESPONSE_STATUSES = ("draft", "submitted")
ITEM_STATUSES = ("open", "in_progress", "done", "dropped")
PACK_STATUSES = ("building", "ready", "failed")
HANDLING_CODES = ("H0", "H1", "H2", "H3")
DEFAULT_HANDLING = "H2"


class Objective(Base):
    """One objective of a period (seeded with the concept note's ten expected outcomes);
    `indicator_keys` names the indicators whose totals appear beside it."""

    __tablename__ = "debrief_objectives"
    __table_args__ = (Index("ix_debrief_objectives_period_id", "period_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    indicator_keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class DebriefSettings(Base):
    """A period's debrief: when the questionnaire opens (default: the period's end), when it
    is due (default: 14 days later), the co-chairs' executive summary and the handling code."""

    __tablename__ = "debrief_settings"

    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id", ondelete="CASCADE"),
                                           primary_key=True)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_on: Mapped[date | None] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text, default="")
    handling: Mapped[str] = mapped_column(String(2), default=DEFAULT_HANDLING)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Response(Base):
    """One participating state's answers to the questionnaire (Markdown, sanitised when shown);
    a draft until submitted, then locked."""

    __tablename__ = "debrief_responses"
    __table_args__ = (UniqueConstraint("period_id", "state"),
                      CheckConstraint("status IN ('draft', 'submitted')", name="status"),
                      CheckConstraint("deconfliction_usefulness BETWEEN 1 AND 5",
                                      name="usefulness"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    worked: Mapped[str] = mapped_column(Text, default="")
    did_not_work: Mapped[str] = mapped_column(Text, default="")
    do_differently: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")
    deconfliction_usefulness: Mapped[int | None] = mapped_column(Integer)
    good_practice: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Rating(Base):
    """A state's P/S/M/U rating of one objective of its period, with a comment."""

    __tablename__ = "debrief_ratings"
    __table_args__ = (UniqueConstraint("response_id", "objective_id"),
                      CheckConstraint("rating IN ('P', 'S', 'M', 'U')", name="rating"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("debrief_responses.id", ondelete="CASCADE"))
    objective_id: Mapped[int] = mapped_column(
        ForeignKey("debrief_objectives.id", ondelete="CASCADE"))
    rating: Mapped[str] = mapped_column(String(1))
    comment: Mapped[str] = mapped_column(Text, default="")


class ImprovementItem(Base):
    """One corrective action of the improvement plan. It outlives its period: a later period
    lists the open items of the periods before it."""

    __tablename__ = "debrief_improvements"
    __table_args__ = (Index("ix_debrief_improvements_period_id", "period_id"),
                      Index("ix_debrief_improvements_status_due_on", "status", "due_on"),
                      CheckConstraint("status IN ('open', 'in_progress', 'done', 'dropped')",
                                      name="status"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id", ondelete="CASCADE"))
    objective_id: Mapped[int | None] = mapped_column(
        ForeignKey("debrief_objectives.id", ondelete="SET NULL"))
    issue: Mapped[str] = mapped_column(Text)
    corrective_action: Mapped[str] = mapped_column(Text)
    owner_state: Mapped[str] = mapped_column(String(3))
    owner: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class BackgroundBuild:
    """The columns of a document built in the background and stored whole (a pack, an annex):
    `claimed_at` is set by the worker that builds it, `progress` (0-100) and `stage` tell the
    page how far it has come; `files` lists each entry's name, bytes and SHA-256 (as
    manifest.json does)."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="building")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    stage: Mapped[str] = mapped_column(String(200), default="queued")
    handling: Mapped[str] = mapped_column(String(2), default=DEFAULT_HANDLING)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    generated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(String(2000))
    files: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    zip_bytes: Mapped[int] = mapped_column(Integer, default=0)
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)


class Pack(BackgroundBuild, Base):
    """One built debrief pack of a period: an immutable numbered version once ready."""

    __tablename__ = "debrief_packs"
    __table_args__ = (UniqueConstraint("period_id", "version"),
                      Index("ix_debrief_packs_status", "status"),
                      CheckConstraint("status IN ('building', 'ready', 'failed')",
                                      name="status"))

    version: Mapped[int] = mapped_column(Integer)
