"""Joint periods and the states that take part in them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String
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
    # Bumped by every change to the figures (a report written, amended or retracted, an
    # indicator added), so that a reader can tell in one lookup whether its totals are current.
    # The figures are outcomes' (outcomes.sums.bump_figures); the column stays on the period.
    figures_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
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


OPERATION_TYPES = ("airport_checks", "transit_hub_checks", "workplace_inspections",
                   "network_targeting", "other")


class Operation(Base):
    """A state's planned operation within a period. Targets keep only kind and label here;
    their blinded values live in the deconfliction register."""

    __tablename__ = "operations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id", ondelete="CASCADE"),
                                           index=True)
    owner_state: Mapped[str] = mapped_column(String(3), index=True)
    registered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                 ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(32))
    lead_agency: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sites: Mapped[list[OperationSite]] = relationship(
        cascade="all, delete-orphan", order_by="OperationSite.position", lazy="selectin")
    targets: Mapped[list[OperationTarget]] = relationship(
        cascade="all, delete-orphan", order_by="OperationTarget.position", lazy="selectin")

    def status(self, now: datetime | None = None) -> str:
        """planned or cancelled as stored; active and completed derived from the clock."""
        if self.cancelled:
            return "cancelled"
        moment = now or utcnow()
        if moment < self.starts_at:
            return "planned"
        return "active" if moment < self.ends_at else "completed"


class OperationSite(Base):
    """A site of an operation: an airport by IATA code or coordinates, with a radius."""

    __tablename__ = "operation_sites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id", ondelete="CASCADE"),
                                              index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    iata: Mapped[str | None] = mapped_column(String(3))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    radius_m: Mapped[float] = mapped_column(Float)


class OperationTarget(Base):
    """A target as its owner keeps it: kind and free-text label, never the value."""

    __tablename__ = "operation_targets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id", ondelete="CASCADE"),
                                              index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(200))
