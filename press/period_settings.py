"""A period's press settings: the small-count threshold k (DESIGN.md "Small counts": 5 by
default, a period setting of at least 3). Read by everyone who reads the period's releases,
changed by its co-chairs; audited. Services never commit: the edge does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core import audit
from core.db import utcnow
from core.errors import Forbidden, ValidationFailed
from core.identity.models import Role
from core.identity.services import Principal
from operations.models import Period
from press import access
from press.models import PressSettings
from press.suppression import DEFAULT_K, MIN_K

MAX_K = 100


@dataclass(frozen=True)
class Settings:
    """A period's press settings as the API shows them."""

    period_id: int
    suppression_k: int
    updated_at: datetime | None
    updated_by: int | None

    def as_dict(self) -> dict[str, object]:
        """The JSON shape of the settings."""
        return {"period_id": self.period_id, "suppression_k": self.suppression_k,
                "updated_at": self.updated_at.isoformat() if self.updated_at else None,
                "updated_by": self.updated_by}


def suppression_k(session: Session, period_id: int) -> int:
    """The period's k: its setting, else the default 5."""
    row = session.get(PressSettings, period_id)
    return row.suppression_k if row is not None else DEFAULT_K


def insert_missing(session: Session, table: Table, rows: list[dict[str, object]],
                   keys: list[str]) -> None:
    """Insert the rows whose `keys` are not taken yet (INSERT ... ON CONFLICT DO NOTHING), so
    two first uses at once leave one row each, never an error."""
    if not rows:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(table).values(rows).on_conflict_do_nothing(
        index_elements=keys))


def _settings(session: Session, period_id: int) -> Settings:
    row = session.get(PressSettings, period_id)
    if row is None:
        return Settings(period_id, DEFAULT_K, None, None)
    return Settings(period_id, row.suppression_k, row.updated_at, row.updated_by)


def require_co_chair(actor: Principal, period: Period) -> None:
    """Forbidden unless the actor is a co-chair of the period."""
    if actor.role != Role.CO_CHAIR or actor.state not in (period.co_chairs or []):
        raise Forbidden("Only the period's co-chairs change its press settings and templates.")


def get_settings(session: Session, *, actor: Principal, period_id: int) -> Settings:
    """The period's press settings (participants, co-chairs and analysts who see the period)."""
    period = access.readable_period(session, actor, period_id)
    return _settings(session, period.id)


def check_k(value: object) -> int:
    """k as an integer from 3 to 100; a 422 naming `suppression_k` otherwise."""
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_K <= value <= MAX_K:
        raise ValidationFailed({"suppression_k": f"give a whole number from {MIN_K} to {MAX_K}"})
    return value


def update_settings(session: Session, *, actor: Principal, period_id: int,
                    suppression_k: object, now: datetime | None = None) -> Settings:
    """Set the period's k (its co-chairs); published versions keep their stored text."""
    period = access.readable_period(session, actor, period_id)
    require_co_chair(actor, period)
    k = check_k(suppression_k)
    when = now or utcnow()
    insert_missing(session, PressSettings.__table__, [  # type: ignore[arg-type]
        {"period_id": period.id, "suppression_k": DEFAULT_K, "updated_at": when}],
        ["period_id"])
    row = session.get(PressSettings, period.id, with_for_update=True, populate_existing=True)
    assert row is not None  # inserted above when missing
    before = row.suppression_k
    row.suppression_k, row.updated_at, row.updated_by = k, when, actor.id
    session.flush()
    audit.record(session, action="press.settings", actor=actor, object_type="period",
                 object_id=period.id, details={"suppression_k": k, "was": before})
    return _settings(session, period.id)
