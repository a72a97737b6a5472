"""Press releases: states' sign-offs of their figures, releases, their published versions, the
states' approvals, and each period's press settings and templates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
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

SCOPES = ("regional", "national")
STATUSES = ("draft", "in_review", "scheduled", "published", "withdrawn")


class SignOff(Base):
    """A state's sign-off of its figures for a period as they stood; the newest per state is
    current. `stamp` fingerprints the state's reporting at signing (see press.signoffs): any
    later report, amendment or retraction changes it, so staleness is computed, not stored."""

    __tablename__ = "press_signoffs"
    __table_args__ = (Index("ix_press_signoffs_period_state", "period_id", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(3))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    signed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # {indicator: total} or {indicator: {category: value}}, the shape of press.context.Figures.
    figures: Mapped[dict[str, object]] = mapped_column(JSON)
    stamp: Mapped[str] = mapped_column(String(64))


class Release(Base):
    """A press release of a period: regional (co-chairs) or national (one state). The draft's
    title and body live here; `revision` grows on every edit so approvals name what they saw."""

    __tablename__ = "press_releases"
    __table_args__ = (Index("ix_press_releases_period_id", "period_id"),
                      Index("ix_press_releases_status_publish_at", "status", "publish_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(16))
    state: Mapped[str | None] = mapped_column(String(3))  # national releases only
    language: Mapped[str] = mapped_column(String(16))
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    # Published versions so far (0 until first published).
    version: Mapped[int] = mapped_column(Integer, default=0)
    # The note of the correction being prepared (set by correct, used at its publication).
    correction_note: Mapped[str | None] = mapped_column(String(2000))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawal_note: Mapped[str | None] = mapped_column(String(2000))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReleaseVersion(Base):
    """One published version of a release, immutable once written, stored rendered."""

    __tablename__ = "press_release_versions"
    __table_args__ = (UniqueConstraint("release_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("press_releases.id", ondelete="CASCADE"),
                                            index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)  # the template source
    html_body: Mapped[str] = mapped_column(Text)  # the sanitised rendered body
    text_body: Mapped[str] = mapped_column(Text)
    html: Mapped[bytes] = mapped_column(LargeBinary)  # the public page
    text: Mapped[bytes] = mapped_column(LargeBinary)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    etag_html: Mapped[str] = mapped_column(String(80))
    etag_text: Mapped[str] = mapped_column(String(80))
    etag_pdf: Mapped[str] = mapped_column(String(80))
    figures: Mapped[dict[str, object]] = mapped_column(JSON)
    preliminary: Mapped[bool] = mapped_column(Boolean)
    as_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    correction_note: Mapped[str | None] = mapped_column(String(2000))


class Approval(Base):
    """A state's approval of one revision of a release; current while the release's revision
    is the same. Kept after edits so the approval page can show what changed since."""

    __tablename__ = "press_approvals"
    __table_args__ = (UniqueConstraint("release_id", "state", "revision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("press_releases.id", ondelete="CASCADE"),
                                            index=True)
    state: Mapped[str] = mapped_column(String(3))
    revision: Mapped[int] = mapped_column(Integer)
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    title: Mapped[str] = mapped_column(String(300))  # what was approved, for the diff
    body: Mapped[str] = mapped_column(Text)


class PressSettings(Base):
    """A period's press settings: the small-count threshold k (5 unless a co-chair sets it)."""

    __tablename__ = "press_settings"
    __table_args__ = (CheckConstraint("suppression_k >= 3", name="suppression_k_min"),)

    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id", ondelete="CASCADE"),
                                           primary_key=True)
    suppression_k: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class PressTemplate(Base):
    """A period's template for a scope and language: seeded from the default files, edited by
    the co-chairs; a new release without a body starts from it."""

    __tablename__ = "press_templates"
    __table_args__ = (UniqueConstraint("period_id", "scope", "language"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
