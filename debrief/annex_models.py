"""An NLO's annex of a period: its state's additions to the debrief pack, built in the
background like a pack (a synchronous build took 31 s at 10,000 operations: see the README),
stored whole. Not a numbered version: the state's newest ready annex is the one served, and a
newer one replaces the older rows when it is stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from core.db import Base, UTCDateTime, utcnow
from debrief.models import DEFAULT_HANDLING


class Annex(Base):
    """One build of a state's annex: `claimed_at`, `progress` and `stage` as a Pack's."""

    __tablename__ = "debrief_annexes"
    __table_args__ = (Index("ix_debrief_annexes_period_id_state", "period_id", "state"),
                      Index("ix_debrief_annexes_status", "status"),
                      CheckConstraint("status IN ('building', 'ready', 'failed')",
                                      name="status"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(3))
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
    content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
