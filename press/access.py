"""Who may see, write and approve a press release, and who is told about each step."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import notify
from core.errors import Forbidden, NotFound
from core.identity.models import Role, User
from core.identity.services import Principal
from operations.models import Period
from operations.services import get_period
from press.models import Release

READERS = (Role.CO_CHAIR, Role.LIAISON_OFFICER, Role.ANALYST)


def readable_period(session: Session, actor: Principal, period_id: int) -> Period:
    """The period, if the actor may read its releases (admins: Forbidden; unseen: NotFound)."""
    if actor.role not in READERS:
        raise Forbidden("Your role may not use press releases.")
    return get_period(session, actor=actor, period_id=period_id)


def may_see(actor: Principal, release: Release) -> bool:
    """Regional: every reader of the period; national: its state's NLOs, co-chairs, analysts."""
    if release.scope == "regional" or actor.role != Role.LIAISON_OFFICER:
        return True
    return actor.state == release.state


def visible_release(session: Session, actor: Principal, release_id: int, *,
                    lock: bool = False) -> tuple[Release, Period]:
    """A release the actor may read, with its period; NotFound otherwise. `lock` takes the
    row for the transaction (PostgreSQL; SQLite writers are serialised anyway), so two
    steps on one release (an edit and a publication) never interleave."""
    release = session.get(Release, release_id, with_for_update=lock or None,
                          populate_existing=lock)
    if release is None:
        if actor.role not in READERS:
            raise Forbidden("Your role may not use press releases.")
        raise NotFound("press release")
    period = readable_period(session, actor, release.period_id)
    if not may_see(actor, release):
        raise NotFound("press release")
    return release, period


def is_author(actor: Principal, release: Release, period: Period) -> bool:
    """Regional releases are the period's co-chairs'; a national one its state's NLOs'."""
    if release.scope == "regional":
        return actor.role == Role.CO_CHAIR and actor.state in period.co_chairs
    return actor.role == Role.LIAISON_OFFICER and actor.state == release.state


def authored_release(session: Session, actor: Principal, release_id: int,
                     ) -> tuple[Release, Period]:
    """A release the actor may edit, schedule, publish, correct or withdraw."""
    release, period = visible_release(session, actor, release_id, lock=True)
    if not is_author(actor, release, period):
        raise Forbidden("Only the release's authors may do this "
                        "(co-chairs for a regional release, the state's NLO for a national one).")
    return release, period


def approving_states(release: Release, period: Period) -> list[str]:
    """Every participating state (regional) or the release's own state (national)."""
    if release.scope == "regional":
        return list(period.states)
    return [release.state] if release.state else []


def _users(session: Session, *, states: list[str], role: Role) -> list[User]:
    if not states:
        return []
    return list(session.scalars(select(User).where(
        User.state.in_(states), User.role == role.value, User.disabled.is_(False))
        .order_by(User.id)))


def state_nlos(session: Session, state: str) -> list[User]:
    """The state's national liaison officers."""
    return _users(session, states=[state], role=Role.LIAISON_OFFICER)


def authors(session: Session, release: Release, period: Period) -> list[User]:
    """The people on the author side of a release."""
    if release.scope == "regional":
        return _users(session, states=period.co_chairs or period.states, role=Role.CO_CHAIR)
    return _users(session, states=[release.state or ""], role=Role.LIAISON_OFFICER)


def approvers(session: Session, release: Release, period: Period,
              states: list[str] | None = None) -> list[User]:
    """The NLOs of the approving states (or of `states`)."""
    wanted = approving_states(release, period) if states is None else states
    return _users(session, states=wanted, role=Role.LIAISON_OFFICER)


def in_zone(moment: datetime, user: User) -> str:
    """A moment in the user's own time zone, with the zone's name."""
    try:
        zone = ZoneInfo(user.time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M} ({zone.key})"


def tell(session: Session, users: list[User], *, actor_id: int | None, subject: str,
         body: str, link: str, when: datetime | None = None, base_url: str = "") -> int:
    """Notify each user once (inbox and e-mail), never the actor; `when` is appended in
    each user's own time zone; the e-mail names the link under `base_url` when known.
    Returns how many were told."""
    messages, seen = [], {actor_id}
    for user in users:
        if user.id in seen:
            continue
        seen.add(user.id)
        text = f"{body} {in_zone(when, user)}." if when is not None else body
        messages.append({"user_id": user.id, "email": user.email, "subject": subject,
                         "body": f"{text}\n\n{base_url.rstrip('/')}{link}", "link": link})
    if messages:
        notify.notify_all(session, messages)
    return len(messages)
