"""The one scheduler process: a registry of jobs with stable ids, a leader lock, a run ledger.

`jpa scheduler` runs APScheduler's BlockingScheduler. Only one copy runs jobs at a time: the
leader holds a PostgreSQL advisory lock (a lock file on SQLite); another copy waits. Every run
of a job is recorded in `job_runs`, unique per job and time slot, so a restart or a second
process never runs a slot twice, and a slot missed while stopped is caught up once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow


class JobRun(Base):
    """One run of one job for one slot (e.g. 'reminders' for '2026-12-01T18:00+07:00 THA')."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job_id", "slot"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[str] = mapped_column(String(64))
    slot: Mapped[str] = mapped_column(String(128))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str] = mapped_column(String(16), default="running")
    detail: Mapped[str | None] = mapped_column(String(2000))
