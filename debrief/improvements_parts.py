"""What the improvement plan adds to other pages, through the registries of the layers below:
a link on a period's page (operations.period_page), the open and overdue items on the
dashboard (outcomes.dashboard_parts), an NLO's own items on the home page
(operations.home_page) and the plan's section on the debrief page (debrief.page_parts)."""

from __future__ import annotations

from flask import Flask, url_for
from sqlalchemy.orm import Session

from core.db import utcnow
from core.identity.models import Role
from core.identity.services import Principal
from debrief import improvements, page_parts
from debrief.improvements_notices import STATUS_LABELS
from operations import home_page
from operations.models import Period
from operations.period_page import PageLink, PeriodPagePart
from operations.period_page import register as register_period_part
from outcomes import dashboard_parts


def period_link(db: Session, principal: Principal, period: Period) -> PeriodPagePart | None:
    """*Improvement plan* among a period's links, for those who read it."""
    if principal.role not in improvements.READERS:
        return None
    return PeriodPagePart(links=(PageLink("Improvement plan",
                                          url_for("improvements.plan", pid=period.id),
                                          button=False),))


def dashboard_part(db: Session, principal: Principal,
                   period: Period) -> dashboard_parts.DashboardPart | None:
    """The period's open and in-progress items, overdue ones first (co-chairs, analysts)."""
    if principal.role not in (Role.CO_CHAIR, Role.ANALYST):
        return None
    now = utcnow()
    items = [i for i in improvements.period_items(db, period.id) if i.status in
             improvements.ACTIVE]
    overdue = {i.id for i in items if improvements.is_overdue(i, now)}
    items.sort(key=lambda i: (i.id not in overdue, i.due_on, i.id))
    return dashboard_parts.DashboardPart("debrief/_improvements_dashboard.html", {
        "improvement_items": items, "improvement_overdue": overdue,
        "improvement_statuses": STATUS_LABELS})


def home_part(db: Session, principal: Principal) -> home_page.HomePart | None:
    """An NLO's "my improvement items": its state's open ones in every period, due dates
    and overdue said in words."""
    if principal.role != Role.LIAISON_OFFICER or not principal.state:
        return None
    now = utcnow()
    items = improvements.items_of_state(db, state=principal.state)
    if not items:  # the home page shows them only when there are some
        return None
    return home_page.HomePart("debrief/_improvements_home.html", {
        "improvement_items": items, "improvement_names": improvements.period_names(db, items),
        "improvement_overdue": {i.id for i in items if improvements.is_overdue(i, now)},
        "improvement_statuses": STATUS_LABELS})


def debrief_part(db: Session, principal: Principal,
                 period: Period) -> page_parts.DebriefPagePart | None:
    """The plan on the debrief page: counts by status, overdue items and a link."""
    if principal.role not in improvements.READERS:
        return None
    now = utcnow()
    items = improvements.period_items(db, period.id)
    counts = {status: sum(i.status == status for i in items) for status in STATUS_LABELS}
    overdue = [i for i in items if improvements.is_overdue(i, now)]
    return page_parts.DebriefPagePart("Improvement plan", "debrief/_improvements_debrief.html", {
        "improvement_items": items, "improvement_counts": counts,
        "improvement_overdue_items": overdue, "improvement_statuses": STATUS_LABELS,
        "improvement_editor": improvements.is_editor(principal, period)})


def register(app: Flask) -> None:
    """Register every section above with its page's registry."""
    register_period_part(app, period_link)
    dashboard_parts.register(app, dashboard_part)
    home_page.register(app, home_part)
    page_parts.register(app, debrief_part)
