"""Who is told about an improvement item, and what: the owner state's NLOs when an item is
assigned to their state, when a co-chair moves its due date, and when it falls due or is
overdue (the reminder job). In the inbox and by e-mail; never the person who acted."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import notify
from core.identity.models import Role, User
from debrief.models import ImprovementItem
from operations.models import Period

STATUS_LABELS = {"open": "Open", "in_progress": "In progress", "done": "Done",
                 "dropped": "Dropped"}


def owner_nlos(session: Session, state: str) -> list[User]:
    """The enabled national liaison officers of the owner state."""
    return list(session.scalars(select(User).where(
        User.state == state, User.role == Role.LIAISON_OFFICER.value,
        User.disabled.is_(False)).order_by(User.id)))


def plan_link(item: ImprovementItem) -> str:
    """The item's row on its period's improvement plan page."""
    return f"/periods/{item.period_id}/improvements#item-{item.id}"


def _summary(item: ImprovementItem) -> str:
    return (f"Issue: {item.issue}\n"
            f"Corrective action: {item.corrective_action}\n"
            f"Owner: {item.owner} ({item.owner_state})\n"
            f"Due: {item.due_on.isoformat()}\n"
            f"Status: {STATUS_LABELS.get(item.status, item.status)}")


def tell_owner_state(session: Session, item: ImprovementItem, *, actor_id: int | None,
                     subject: str, opening: str, base_url: str) -> int:
    """One message to each NLO of the owner state but the actor; returns how many."""
    link = plan_link(item)
    body = f"{opening}\n\n{_summary(item)}\n\n{base_url.rstrip('/')}{link}"
    messages = [{"user_id": user.id, "email": user.email, "subject": subject, "body": body,
                 "link": link}
                for user in owner_nlos(session, item.owner_state) if user.id != actor_id]
    if messages:
        notify.notify_all(session, messages)
    return len(messages)


def assigned(session: Session, item: ImprovementItem, period: Period, *, actor_id: int,
             base_url: str) -> int:
    """Tell the owner state's NLOs that the item is now their state's."""
    return tell_owner_state(
        session, item, actor_id=actor_id,
        subject=f"Improvement item for {item.owner_state}: {period.name}",
        opening=(f"The co-chairs of {period.name} assigned an improvement item to "
                 f"{item.owner_state}, due {item.due_on.isoformat()}. Update its status on "
                 "the improvement plan as the work goes on."),
        base_url=base_url)


def due_date_moved(session: Session, item: ImprovementItem, period: Period, *, actor_id: int,
                   base_url: str) -> int:
    """Tell the owner state's NLOs that the co-chairs moved the item's due date."""
    return tell_owner_state(
        session, item, actor_id=actor_id,
        subject=f"Improvement item now due {item.due_on.isoformat()}: {period.name}",
        opening=f"The co-chairs of {period.name} moved the due date of an improvement item "
                f"of {item.owner_state} to {item.due_on.isoformat()}.",
        base_url=base_url)


def reminder(session: Session, item: ImprovementItem, period: Period, *, overdue: bool,
             base_url: str) -> int:
    """Remind the owner state's NLOs that the item is due today or overdue."""
    if overdue:
        subject = f"Overdue improvement item of {item.owner_state}: {period.name}"
        opening = (f"An improvement item of {item.owner_state} was due on "
                   f"{item.due_on.isoformat()} and is still "
                   f"{STATUS_LABELS[item.status].lower()}. Finish it, or mark it done or "
                   "dropped on the improvement plan.")
    else:
        subject = f"Improvement item of {item.owner_state} due today: {period.name}"
        opening = (f"An improvement item of {item.owner_state} is due today "
                   f"({item.due_on.isoformat()}). Mark it done on the improvement plan when "
                   "it is.")
    return tell_owner_state(session, item, actor_id=None, subject=subject, opening=opening,
                            base_url=base_url)
