"""Press pages of a period: the figures' sign-off and the list of releases (with the form
that starts one), and the wiring of press into the application (`register`)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from core.db import transaction
from core.errors import DomainError, ValidationFailed
from core.identity.forms import ConfirmForm
from core.identity.models import Role, User
from core.identity.services import Principal
from core.web import current_principal, role_required
from operations import services as operation_services
from operations.models import Period
from operations.period_page import PageLink, PeriodPagePart
from operations.period_page import register as register_period_part
from outcomes.services import catalogue
from press import period_settings, public, services
from press.i18n import LANGUAGES
from press.published import PublicCache

bp = Blueprint("press", __name__, template_folder="templates")

LANGUAGE_NAMES = {"en": "English", "fr": "Français", "id": "Bahasa Indonesia",
                  "ms": "Bahasa Melayu", "th": "ไทย"}
STATUS_LABELS = {"draft": "Draft", "in_review": "In review", "scheduled": "Scheduled",
                 "published": "Published", "withdrawn": "Withdrawn"}


def period_page_part(db: Session, principal: Principal, period: Period) -> PeriodPagePart:
    """Links on a period's page: its press releases, and the sign-off for NLOs and co-chairs."""
    if principal.role not in (Role.CO_CHAIR, Role.LIAISON_OFFICER):
        return PeriodPagePart()
    label = "Sign off figures" if principal.role == Role.LIAISON_OFFICER else "Sign-offs"
    return PeriodPagePart(links=(
        PageLink("Press releases", url_for("press.releases", pid=period.id), button=False),
        PageLink(label, url_for("press.signoff", pid=period.id), button=False)))


def _signer_names(db: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {uid: name or username for uid, name, username in db.execute(
        select(User.id, User.full_name, User.username).where(User.id.in_(wanted)))}


@bp.route("/periods/<int:pid>/signoff", methods=["GET", "POST"])
@role_required(Role.LIAISON_OFFICER, Role.CO_CHAIR)
def signoff(pid: int) -> str | Response | tuple[str, int]:
    """NLO: exactly what it signs (indicator by indicator), its sign-off and whether it is
    stale; co-chair: which states have signed, when, by whom, and whose sign-off is stale."""
    principal = current_principal()
    assert principal is not None
    form = ConfirmForm()
    if request.method == "POST":
        if principal.role != Role.LIAISON_OFFICER:
            return redirect(url_for("press.signoff", pid=pid))
        if form.validate_on_submit():
            with transaction() as db:
                services.sign_off(db, actor=principal, period_id=pid)
            flash(f"{principal.state}'s figures are signed off.", "success")
            return redirect(url_for("press.signoff", pid=pid))
    with transaction(write=False) as db:
        period = operation_services.get_period(db, actor=principal, period_id=pid)
        indicators = catalogue(db, pid)
        statuses = services.list_signoffs(db, actor=principal, period_id=pid)
        figures = (services.preview_signoff(db, actor=principal, period_id=pid)
                   if principal.role == Role.LIAISON_OFFICER else None)
        names = _signer_names(db, {s.signoff.signed_by for s in statuses})
        released = services.released_figures(db, period)
    by_state = {s.signoff.state: s for s in statuses}
    own = by_state.get(principal.state or "") if figures is not None else None
    return render_template("press/signoff.html", period=period, indicators=indicators,
                           figures=figures, own=own, by_state=by_state, names=names,
                           released=released, form=form)


def _new_release_errors(scope: str, language: str, title: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if language not in LANGUAGES:
        errors["language"] = "Language: choose one of the listed languages"
    if not title.strip():
        errors["title"] = "Title: give the release a title"
    elif len(title) > 300:
        errors["title"] = "Title: at most 300 characters"
    return errors


@bp.route("/periods/<int:pid>/press", methods=["GET", "POST"])
@role_required(Role.LIAISON_OFFICER, Role.CO_CHAIR)
def releases(pid: int) -> str | Response | tuple[str, int]:
    """The period's releases with their status; a new one starts from the default template
    of its language (co-chairs: regional; NLOs: their state's national release)."""
    principal = current_principal()
    assert principal is not None
    form = ConfirmForm()
    scope = "regional" if principal.role == Role.CO_CHAIR else "national"
    errors: dict[str, str] = {}
    entered: dict[str, Any] = {}
    if request.method == "POST" and form.validate_on_submit():
        entered = {"language": request.form.get("language", ""),
                   "title": request.form.get("title", "")}
        errors = _new_release_errors(scope, entered["language"], entered["title"])
        if not errors:
            try:
                with transaction() as db:
                    release = services.create_release(
                        db, actor=principal, period_id=pid, scope=scope,
                        language=entered["language"], title=entered["title"].strip())
                    rid = release.id
            except ValidationFailed as error:
                errors = {name: f"{name.capitalize()}: {message}"
                          for name, message in error.fields.items()} or {"": error.message}
            else:
                flash("Draft created from the default template.", "success")
                return redirect(url_for("press_pages.editor", rid=rid))
    return _releases_page(pid, principal, form, errors=errors, entered=entered,
                          status=422 if errors or form.errors else 200)


def _releases_page(pid: int, principal: Principal, form: ConfirmForm, *,
                   errors: dict[str, str] | None = None, entered: dict[str, Any] | None = None,
                   k_error: str = "", k_entered: str | None = None,
                   status: int = 200) -> tuple[str, int]:
    with transaction(write=False) as db:
        period = operation_services.get_period(db, actor=principal, period_id=pid)
        found = services.list_releases(db, actor=principal, period_id=pid)
        settings = period_settings.get_settings(db, actor=principal, period_id=pid)
    scope = "regional" if principal.role == Role.CO_CHAIR else "national"
    may_set = principal.role == Role.CO_CHAIR and principal.state in (period.co_chairs or [])
    return render_template("press/releases.html", period=period, releases=found,
                           scope=scope, languages=LANGUAGE_NAMES, statuses=STATUS_LABELS,
                           errors=errors or {}, entered=entered or {}, form=form,
                           settings=settings, may_set=may_set, k_error=k_error,
                           k_entered=k_entered if k_entered is not None
                           else str(settings.suppression_k)), status


@bp.post("/periods/<int:pid>/press/settings")
@role_required(Role.CO_CHAIR)
def settings(pid: int) -> str | Response | tuple[str, int]:
    """Set the period's small-count threshold k (its co-chairs); errors shown inline."""
    principal = current_principal()
    assert principal is not None
    form = ConfirmForm()
    entered = request.form.get("suppression_k", "").strip()
    if not form.validate_on_submit():
        return _releases_page(pid, principal, form, k_error="The form expired; submit it "
                              "again.", k_entered=entered, status=400)
    try:
        value: object = int(entered) if entered.isdigit() else entered
        with transaction() as db:
            period_settings.update_settings(db, actor=principal, period_id=pid,
                                            suppression_k=value)
    except DomainError as error:
        message = error.fields.get("suppression_k", error.message) \
            if isinstance(error, ValidationFailed) else error.message
        return _releases_page(pid, principal, form, k_error=f"Threshold: {message}",
                              k_entered=entered, status=error.status)
    flash(f"Small counts are now withheld below {value}: drafts and later publications "
          "use it; published releases keep their text.", "success")
    return redirect(url_for("press.releases", pid=pid))


def register(app: Flask) -> None:
    """Add the press pages, the public side (no login), the period-page links, the commands
    and the demo's releases."""
    from press import cli, edge, release_pages, template_pages
    from press.demo import register as register_demo

    app.register_blueprint(bp)
    app.register_blueprint(release_pages.bp)
    app.register_blueprint(template_pages.bp)
    app.register_blueprint(public.bp)
    app.extensions["jpa.press.public"] = PublicCache()
    edge.install(app)  # public documents (200, 304) answered before Flask's dispatch
    register_period_part(app, period_page_part)
    cli.register(app)
    register_demo(app)

