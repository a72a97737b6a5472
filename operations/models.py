"""Joint periods and the states that take part in them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime, utcnow
from operations.phase import Phase, phase_at


class Period(Base):
    """A Joint Period of Action: a window in which states run coordinated operations."""

    __tablename__ = "periods"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    participants: Mapped[list[PeriodState]] = relationship(
        back_populates="period", cascade="all, delete-orphan", order_by="PeriodState.state",
        lazy="selectin",
    )

    @property
    def states(self) -> list[str]:
        """Participating states, alphabetical."""
        return [p.state for p in self.participants]

    @property
    def co_chairs(self) -> list[str]:
        """Co-chairing states, alphabetical."""
        return [p.state for p in self.participants if p.is_co_chair]

    def phase(self, now: datetime | None = None) -> Phase:
        """The phase at `now` (default: the current time)."""
        return phase_at(self.starts_at, self.ends_at, now or utcnow())


class PeriodState(Base):
    """One participating state of a period, possibly a co-chair."""

    __tablename__ = "period_states"

    period_id: Mapped[int] = mapped_column(
        ForeignKey("periods.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[str] = mapped_column(String(3), primary_key=True, index=True)
    is_co_chair: Mapped[bool] = mapped_column(Boolean, default=False)
    period: Mapped[Period] = relationship(back_populates="participants")
