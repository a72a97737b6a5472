"""The demo period's improvement plan (`jpa demo`): eight corrective actions from the 2015
debrief across the participating states, open, in progress, done and dropped, one of them
overdue. Idempotent: an item whose issue is already in the period's plan is left as it is.

Items still open are due some weeks after the day the demo is seeded (so exactly one is
overdue: the one due in March 2016, still in progress); finished ones keep their 2016 dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Final, NamedTuple

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.identity.models import User
from core.identity.services import Principal
from debrief import improvements
from debrief.models import ImprovementItem
from operations.demo import register_report_seeder, report_seeder
from operations.models import Period

DEMO_AUTHOR: Final = "cochair.nzl"


class DemoItem(NamedTuple):
    """One item: a fixed due date, or a number of days after the seeding day."""

    owner_state: str
    owner: str
    status: str
    issue: str
    corrective_action: str
    due: date | int
    objective_position: int | None = None


DEMO_ITEMS: Final = (
    DemoItem("IDN", "Directorate General of Immigration", "open",
             "Passenger manifests of flights into CGK arrived after departure, too late for "
             "pre-arrival checks.",
             "Agree advance passenger information with the airlines serving CGK from Bangkok "
             "and Kuala Lumpur.", 75, 0),
    DemoItem("THA", "Royal Thai Police, Anti-Trafficking in Persons Division", "in_progress",
             "Referral of victims to shelters at the Sadao border crossing depended on one "
             "interpreter per shift.",
             "Train a pool of Burmese- and Rohingya-speaking interpreters for the southern "
             "border checkpoints.", date(2016, 3, 31), 1),
    DemoItem("MYS", "Royal Malaysia Police", "done",
             "The contact officer of an operation at KLIA could not be reached at the weekend "
             "when a deconfliction notice came in.",
             "Name a deputy contact officer with weekend cover for every registered operation.",
             date(2016, 1, 15), 2),
    DemoItem("AUS", "Australian Federal Police", "in_progress",
             "Smuggled migrants detected were reported as cases, not persons, in the first "
             "week.",
             "Brief reporting officers on the indicator definitions before the next period.",
             45, 3),
    DemoItem("LKA", "Sri Lanka Police, CID Human Trafficking Unit", "open",
             "Maritime departures from the western coast were outside the scope of the "
             "airport checks.",
             "Add a coastal monitoring operation with the Sri Lanka Navy to the next period's "
             "plan.", 120),
    DemoItem("MDV", "Maldives Immigration", "dropped",
             "Joint workplace inspections with the Labour Relations Authority could not be "
             "staffed during the period.",
             "Replace them with a desk review of the work-permit sponsors flagged by the 2015 "
             "checks.", date(2016, 2, 29)),
    DemoItem("PHL", "Inter-Agency Council Against Trafficking", "open",
             "Approval of the national press release waited three days for sign-off.",
             "Agree the national sign-off chain, with a deputy approver, before the period "
             "starts.", 30),
    DemoItem("NZL", "Immigration New Zealand", "done",
             "The co-chairs' daily summary reached the western states after their working day "
             "had ended.",
             "Send the daily summary at 16:00 Jakarta time, before the western states close.",
             date(2015, 12, 18)),
)


def _author(session: Session) -> Principal | None:
    user = session.scalar(select(User).where(User.username == DEMO_AUTHOR))
    return Principal.of(user, "demo") if user is not None else None


def seed_demo_improvements(session: Session, period: Period, *,
                           now: datetime | None = None) -> None:
    """Add the demo items the period's plan lacks (matched by issue), as the co-chair
    `cochair.nzl`: audited, and the owner states' NLOs told, as any item would be."""
    author = _author(session)
    if author is None or author.state not in period.co_chairs:
        return
    today = (now or utcnow()).date()
    existing = set(session.scalars(select(ImprovementItem.issue)
                                   .where(ImprovementItem.period_id == period.id)))
    objectives = improvements.objectives_of(session, period.id)
    for item in DEMO_ITEMS:
        if item.issue in existing or item.owner_state not in period.states:
            continue
        due = item.due if isinstance(item.due, date) else today + timedelta(days=item.due)
        position = item.objective_position
        objective = objectives[position] if position is not None \
            and position < len(objectives) else None
        improvements.create_item(
            session, actor=author, period_id=period.id, issue=item.issue,
            corrective_action=item.corrective_action, owner_state=item.owner_state,
            owner=item.owner, due_on=due, status=item.status,
            objective_id=objective.id if objective else None, now=now)


def register(app: Flask) -> None:
    """`jpa demo` seeds the plan after whatever seeder is registered now (reports, press,
    and objectives when their seeder is registered before this is called)."""
    before = report_seeder(app)

    def seed(session: Session, period: Period) -> int:
        made = before(session, period) if before is not None else 0
        seed_demo_improvements(session, period)
        return made

    register_report_seeder(app, seed)
