"""An NLO's annex of a period: its state's additions to the debrief pack, built in the
background like a pack (a synchronous build took 31 s at 10,000 operations: see the README),
stored whole. Not a numbered version: the state's newest ready annex is the one served, and a
newer one replaces the older rows when it is stored."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base
from debrief.models import BackgroundBuild


class Annex(BackgroundBuild, Base):
    """One build of a state's annex."""

    __tablename__ = "debrief_annexes"
    __table_args__ = (Index("ix_debrief_annexes_period_id_state", "period_id", "state"),
                      Index("ix_debrief_annexes_status", "status"),
                      CheckConstraint("status IN ('building', 'ready', 'failed')",
                                      name="status"))

    state: Mapped[str] = mapped_column(String(3))
