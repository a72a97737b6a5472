"""The home page's view: what each role needs first (see operations.home_overview)."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup
from werkzeug.wrappers import Response

from core.db import transaction
from core.identity.models import Role
from core.web import current_principal, login_manager
from operations import home_page
from operations.home_overview import home_overview


def render_home() -> str | Response:
    """The home page: for each active period what waits for the viewer, then the upcoming
    and closed periods apart, then what higher layers add (debrief's improvement items)."""
    principal = current_principal()
    if principal is None:
        return login_manager.unauthorized()
    # A write transaction: showing an NLO its conflicts is audited (conflict.seen).
    with transaction(write=principal.role == Role.LIAISON_OFFICER) as db:
        overview = home_overview(db, actor=principal)
        period_parts = {card.period.id: home_page.period_parts(db, principal, card.period)
                        for card in overview.active}
        parts = home_page.parts(db, principal)
    # Rendered after the transaction, as the period page's sections (see views.period).
    card_sections = {card.period.id: [
        Markup(render_template(part.template, period=card.period, **part.context))  # noqa: S704
        for part in period_parts[card.period.id]] for card in overview.active}
    sections = [Markup(render_template(part.template, **part.context))  # noqa: S704
                for part in parts]
    return render_template("operations/home.html", overview=overview,
                           card_sections=card_sections, sections=sections)
