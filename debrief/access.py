"""Who may read and write a period's debrief (DESIGN.md "Debrief packs").

The administrator runs the platform and sees no operational detail: 403 everywhere in the
debrief, before anything is looked up. Everyone else reads a period they may see (404 if not);
its co-chairs write objectives and settings; an NLO answers for its own state only."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Forbidden, NotFound
from core.identity.models import Role, User
from core.identity.services import Principal
from operations.models import Period
from operations.services import get_period

READERS = (Role.CO_CHAIR, Role.LIAISON_OFFICER, Role.ANALYST)


def require_reader(actor: Principal) -> None:
    """Forbidden for the administrator (and any role that is not a debrief reader)."""
    if actor.role not in READERS:
        raise Forbidden("Your role may not use the debrief.")


def readable_period(session: Session, actor: Principal, period_id: int) -> Period:
    """The period, if the actor may read its debrief (admin: Forbidden; unseen: NotFound)."""
    require_reader(actor)
    return get_period(session, actor=actor, period_id=period_id)


def is_co_chair(actor: Principal, period: Period) -> bool:
    """Whether the actor co-chairs the period (a co-chair of a co-chairing state)."""
    return actor.role == Role.CO_CHAIR and actor.state in (period.co_chairs or [])


def require_co_chair(actor: Principal, period: Period) -> None:
    """Forbidden unless the actor co-chairs the period."""
    if not is_co_chair(actor, period):
        raise Forbidden("Only the period's co-chairs may change its debrief.")


def reads_every_response(actor: Principal) -> bool:
    """Co-chairs and analysts read every submitted response (never another's draft)."""
    return actor.role in (Role.CO_CHAIR, Role.ANALYST)


def answering_state(actor: Principal, period: Period, state: str) -> str:
    """The state an NLO answers for: its own, if it takes part (another state: NotFound;
    a role that never answers: Forbidden)."""
    require_reader(actor)
    if actor.role != Role.LIAISON_OFFICER:
        raise Forbidden("Only the state's national liaison officers answer its questionnaire.")
    if state != actor.state or state not in period.states:
        raise NotFound("questionnaire response")
    return state


def _active_users(session: Session, *, states: list[str], role: Role) -> list[User]:
    if not states:
        return []
    return list(session.scalars(select(User).where(
        User.state.in_(states), User.role == role.value, User.disabled.is_(False))
        .order_by(User.id)))


def co_chair_users(session: Session, period: Period) -> list[User]:
    """The co-chairs of the period's co-chairing states."""
    return _active_users(session, states=list(period.co_chairs or []), role=Role.CO_CHAIR)


def state_nlos(session: Session, state: str) -> list[User]:
    """The state's national liaison officers."""
    return _active_users(session, states=[state], role=Role.LIAISON_OFFICER)
