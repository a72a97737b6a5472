"""Changes to accounts and who is told of them: an account created for a state, and every
change of role or state, is notified to that state's other NLOs and to the co-chairs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from core import audit, notify
from core.errors import InvalidTransition, ValidationFailed
from core.identity import services
from core.identity.models import Role, User
from core.states import check_time_zone, get_state

# What PATCH /users/{uid} may change; role and state decide what the account may see.
CHANGEABLE = ("role", "state", "full_name", "email", "phone", "time_zone")
SENSITIVE = ("role", "state")


def _who(actor: services.Principal | None) -> str:
    return f"the administrator {actor.username}" if actor else \
        "an operator on the command line"


def _describe(user: User) -> str:
    name = f" ({user.full_name})" if user.full_name else ""
    return f"{user.username}{name}, {Role(user.role).label}, state {user.state or '-'}"


def _tell(session: Session, *, states: set[str], about: User, subject: str, body: str) -> None:
    """In-app and e-mail to the enabled NLOs of `states` and every enabled co-chair, except
    the account itself."""
    recipients = session.scalars(select(User).where(
        User.disabled.is_(False), User.id != about.id,
        or_(User.role == Role.CO_CHAIR.value,
            and_(User.role == Role.LIAISON_OFFICER.value, User.state.in_(sorted(states))))))
    notify.notify_all(session, [
        {"user_id": person.id, "email": person.email, "subject": subject, "body": body}
        for person in recipients])


def announce_created(session: Session, *, user: User, actor: services.Principal | None) -> None:
    """Tell the state (if any) of a new account; a password or link is never in it."""
    if not user.state:
        return
    status = "It waits for its user to set a password from the invitation." if user.invited \
        else "It can sign in now."
    _tell(session, states={user.state}, about=user,
          subject=f"New account for {user.state}: {user.username}",
          body=f"An account was created by {_who(actor)}: {_describe(user)}.\n{status}\n"
               f"If you do not know this person, tell your co-chairs and the administrator.")


def _validated(user: User, changes: dict[str, Any], actor: services.Principal) -> dict[str, Any]:
    """The changes that differ from the account, checked together; ValidationFailed names each
    offending field."""
    problems: dict[str, str] = {}
    unknown = set(changes) - set(CHANGEABLE)
    for name in sorted(unknown):
        problems[name] = "cannot be changed here"
    role = changes.get("role", user.role)
    try:
        role_value = Role(role)
    except ValueError:
        problems["role"] = f"must be one of {', '.join(r.value for r in Role)}"
        role_value = None
    state = changes.get("state", user.state) or None
    if role_value is not None and role_value.needs_state and not state:
        problems["state"] = f"required for the role {role_value.value}"
    if state and "state" in changes:
        try:
            get_state(state)
        except ValidationFailed as error:
            problems.update(error.fields)
    if changes.get("time_zone") is not None:
        try:
            check_time_zone(changes["time_zone"])
        except ValidationFailed as error:
            problems.update(error.fields)
    if "time_zone" in changes and not changes["time_zone"]:
        problems["time_zone"] = "cannot be empty"
    if "email" in changes and not changes["email"] and user.invited:
        problems["email"] = "required while the invitation is pending"
    if problems:
        raise ValidationFailed(problems)
    wanted = {**changes, "state": state} if "state" in changes else dict(changes)
    wanted = {k: (v or None) if k in ("email", "phone", "state") else v
              for k, v in wanted.items()}
    if "full_name" in wanted:
        wanted["full_name"] = wanted["full_name"] or ""
    different = {k: v for k, v in wanted.items() if getattr(user, k) != v}
    if user.id == actor.id and set(different) & set(SENSITIVE):
        raise InvalidTransition("You cannot change your own role or state.")
    return different


def update_user(session: Session, *, actor: services.Principal, user_id: int,
                changes: dict[str, Any], now: datetime | None = None) -> User:
    """Change an account (administrator). A change of role or state ends the account's
    sessions and tokens, and is told to the old and the new state and to the co-chairs."""
    user = services.get_user(session, actor=actor, user_id=user_id)
    different = _validated(user, changes, actor)
    if not different:
        return user
    before = {name: getattr(user, name) for name in different}
    for name, value in different.items():
        setattr(user, name, value)
    sensitive = {name: {"from": before[name], "to": different[name]}
                 for name in SENSITIVE if name in different}
    others = sorted(set(different) - set(SENSITIVE))
    if not sensitive:
        audit.record(session, actor=actor, action="user.updated", object_type="user",
                     object_id=user.id, details={"fields": others})
        return user
    moment = now or datetime.now(UTC)
    # As disabling does: what the account could see was decided by its old role and state.
    user.tokens_valid_after = moment
    services._revoke_all_login_sessions(session, user.id, "role_changed", moment)
    audit.record(session, actor=actor, action="user.changed", object_type="user",
                 object_id=user.id, details={**sensitive, "fields": others})
    old_role, old_state = before.get("role", user.role), before.get("state", user.state)
    old = f"{Role(old_role).label}, state {old_state or '-'}"
    states = {s for s in (old_state, user.state) if s}
    _tell(session, states=states, about=user,
          subject=f"Account changed: {user.username}",
          body=f"The account {user.username} was changed by {_who(actor)}.\n"
               f"Before: {old}.\nNow: {Role(user.role).label}, state {user.state or '-'}.\n"
               f"Its sessions and API tokens have ended.\n"
               f"If you did not expect this, tell your co-chairs and the administrator.")
    return user
