"""The register (what deconfliction keeps of each operation) and conflict records.

No clear target value is ever stored: only HMACs, the owner's kind and label.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime, utcnow


class RegisterEntry(Base):
    """One operation as the register sees it: window, owner, contact, whether it is live."""

    __tablename__ = "register_entries"

    op_id: Mapped[int] = mapped_column(
        ForeignKey("operations.id", ondelete="CASCADE"), primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id", ondelete="CASCADE"),
                                           index=True)
    state: Mapped[str] = mapped_column(String(3))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    live: Mapped[bool] = mapped_column(Boolean, default=True)
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    contact_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    targets: Mapped[list[RegisterTarget]] = relationship(
        cascade="all, delete-orphan", order_by="RegisterTarget.position", lazy="selectin")
    sites: Mapped[list[RegisterSite]] = relationship(
        cascade="all, delete-orphan", order_by="RegisterSite.position", lazy="selectin")


class RegisterTarget(Base):
    """A blinded target of an operation."""

    __tablename__ = "register_targets"
    # The blind first: it is what a lookup is selective on (see migration 0006); the date of
    # birth last, so that the lookup's date filter reads no row (migration 0007).
    __table_args__ = (Index("ix_register_targets_lookup", "blind", "period_id", "dob_blind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    op_id: Mapped[int] = mapped_column(
        ForeignKey("register_entries.op_id", ondelete="CASCADE"), index=True)
    period_id: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    blind: Mapped[str] = mapped_column(String(64))
    dob_blind: Mapped[str | None] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))


class RegisterSite(Base):
    """A site of an operation: centre, radius and the owner's name for it."""

    __tablename__ = "register_sites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    op_id: Mapped[int] = mapped_column(
        ForeignKey("register_entries.op_id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    radius_m: Mapped[float] = mapped_column(Float)


class RegisterPlaceKey(Base):
    """One (spatial cell, time bucket) key of a live operation: the location index."""

    __tablename__ = "register_place_keys"
    __table_args__ = (Index("ix_register_place_keys_lookup", "key", "period_id"),)

    op_id: Mapped[int] = mapped_column(
        ForeignKey("register_entries.op_id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    period_id: Mapped[int] = mapped_column(Integer)


class ConflictRecord(Base):
    """One conflicting pair of operations (lower id first) with all its reasons."""

    __tablename__ = "conflicts"
    # The unique index leads with op_a and serves lookups by op_a (migration 0008).
    __table_args__ = (UniqueConstraint("op_a", "op_b"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id", ondelete="CASCADE"),
                                           index=True)
    op_a: Mapped[int] = mapped_column(ForeignKey("operations.id", ondelete="CASCADE"))
    op_b: Mapped[int] = mapped_column(ForeignKey("operations.id", ondelete="CASCADE"),
                                      index=True)
    state_a: Mapped[str] = mapped_column(String(3))
    state_b: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), default="open")
    severity: Mapped[str] = mapped_column(String(8))
    # [{"kind": "target", "target_kind", "label_a", "label_b"} | {"kind": "location", ...}]
    reasons: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    acknowledged_a: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_b: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution: Mapped[str | None] = mapped_column(String(16))
    resolution_note: Mapped[str | None] = mapped_column(String(2000))
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ConflictEvent(Base):
    """Every status change of a conflict: who, when, what."""

    __tablename__ = "conflict_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conflict_id: Mapped[int] = mapped_column(ForeignKey("conflicts.id", ondelete="CASCADE"),
                                             index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_state: Mapped[str | None] = mapped_column(String(3))
    action: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(String(2000))
