"""Outcome reporting: period indicators, reports with their versions, current figures and
running sums. The tables keep the names they had under operations/."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow


class PeriodIndicator(Base):
    """An indicator a period adds to the default catalogue."""

    __tablename__ = "period_indicators"
    __table_args__ = (UniqueConstraint("period_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id", ondelete="CASCADE"),
                                           index=True)
    key: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(16))
    definition: Mapped[str] = mapped_column(Text, default="")
    categories: Mapped[list[str] | None] = mapped_column(JSON)


class Report(Base):
    """A state's outcome report for one local date; amendments add versions, never overwrite."""

    __tablename__ = "reports"
    __table_args__ = (
        Index("ix_reports_period_state_date", "period_id", "state", "date"),
        # One live report per state, local date and operation (operation_key 0: none). A
        # retracted report steps aside, so the day can be reported again.
        Index("uq_reports_live_state_date_operation", "period_id", "state", "date",
              "operation_key", unique=True,
              sqlite_where=text("retracted_at IS NULL"),
              postgresql_where=text("retracted_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(3))
    date: Mapped[date] = mapped_column(Date)
    operation_id: Mapped[int | None] = mapped_column(
        ForeignKey("operations.id", ondelete="SET NULL"))
    # operation_id or 0: a non-null copy for the unique index (NULLs are all distinct there).
    operation_key: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    retracted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retracted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    retraction_reason: Mapped[str | None] = mapped_column(String(2000))


class ReportVersion(Base):
    """One version of a report's values, kept for ever."""

    __tablename__ = "report_versions"
    __table_args__ = (UniqueConstraint("report_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"),
                                           index=True)
    version: Mapped[int] = mapped_column(Integer)
    values: Mapped[dict[str, object]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(String(2000))


class ReportValue(Base):
    """The current version's figures, one row per indicator and category, for fast sums."""

    __tablename__ = "report_values"
    __table_args__ = (Index("ix_report_values_period_key", "period_id", "key"),)

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"),
                                           primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True)  # "" when none
    period_id: Mapped[int] = mapped_column(Integer)
    value: Mapped[int] = mapped_column(Integer)


class StateSum(Base):
    """Running total of one indicator (and category) for one state: kept up to date on every
    submit, amendment and retraction, so that totals read a few hundred rows, not every figure."""

    __tablename__ = "report_state_sums"

    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id", ondelete="CASCADE"),
                                           primary_key=True)
    state: Mapped[str] = mapped_column(String(3), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    # 64-bit, as every running sum: 32 bits overflowed on PostgreSQL (defect 6).
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class DaySum(Base):
    """Running total of one indicator for one local date across states (the daily series)."""

    __tablename__ = "report_day_sums"

    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id", ondelete="CASCADE"),
                                           primary_key=True)
    date: Mapped[date] = mapped_column(Date, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    # The states' sums together: up to (number of states) x MAX_STATE_TOTAL, past 2**31.
    value: Mapped[int] = mapped_column(BigInteger, default=0)
