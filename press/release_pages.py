"""The pages of one release: the editor (server-rendered preview, placeholders, warnings),
the workflow buttons (submit, schedule, publish, correct, withdraw) and an NLO's approval
page (rendered text, figures, what changed since its state last approved)."""

from __future__ import annotations

import difflib
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from core.db import transaction
from core.errors import DomainError, ValidationFailed
from core.identity.forms import ConfirmForm
from core.identity.models import Role
from core.identity.services import Principal
from core.web import current_principal, role_required
from operations import services as operation_services
from outcomes.services import catalogue
from press import services
from press.models import Release
from press.views import LANGUAGE_NAMES, STATUS_LABELS

bp = Blueprint("press_pages", __name__, template_folder="templates")

PageResult = str | Response | tuple[str, int]
LOCAL_INPUT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends and shows


def is_author(principal: Principal, release: Release) -> bool:
    """Whether the viewer writes this release: co-chairs regional, the state's NLO national."""
    if release.scope == "regional":
        return principal.role == Role.CO_CHAIR
    return principal.role == Role.LIAISON_OFFICER and principal.state == release.state


def local_input(moment: datetime | None, zone: str) -> str:
    """A UTC moment as a datetime-local value in the viewer's zone ('' for none)."""
    return moment.astimezone(ZoneInfo(zone)).strftime(LOCAL_INPUT) if moment else ""


def parse_local(text: str, zone: str) -> datetime:
    """A datetime-local value read in the viewer's zone, as UTC; ValueError when malformed."""
    naive = datetime.strptime(text.strip()[:16], LOCAL_INPUT)
    return naive.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def line_diff(before: str, after: str) -> list[tuple[str, str]]:
    """The lines removed ('-') and added ('+') from `before` to `after`, in order."""
    return [(line[0], line[2:]) for line in difflib.ndiff(before.splitlines(),
                                                          after.splitlines())
            if line[:1] in ("+", "-")]


def _field_errors(error: DomainError) -> dict[str, str]:
    """A service error as messages per form field ('' for the form as a whole)."""
    if isinstance(error, ValidationFailed) and error.fields:
        return {name.split(".")[0]: f"{name.split('.')[0].replace('_', ' ').capitalize()}: "
                f"{message}" for name, message in error.fields.items()}
    return {"": error.message}


def _editor(rid: int, principal: Principal, *, entered: dict[str, Any] | None = None,
            errors: dict[str, str] | None = None, status: int = 200) -> tuple[str, int]:
    """Render the editor: the release, its preview with `entered` (else the stored draft)."""
    entered = entered or {}
    with transaction(write=False) as db:
        release = services.get_release(db, actor=principal, release_id=rid)
        view = services.release_view(db, release, actor=principal)
        period = operation_services.get_period(db, actor=principal, period_id=release.period_id)
        body = entered.get("body", release.body)
        preview = services.preview_release(db, actor=principal, period_id=release.period_id,
                                           scope=release.scope, language=release.language,
                                           body=body, state=release.state)
    author = is_author(principal, release)
    approver = principal.role == Role.LIAISON_OFFICER and release.status == "in_review" and \
        principal.state in (view.get("missing_approvals") or [])
    return render_template(
        "press/editor.html", release=release, view=view, period=period, preview=preview,
        title=entered.get("title", release.title), body=body,
        accept_warnings=bool(entered.get("accept_warnings")), author=author,
        approver=approver, errors=errors or {}, form=ConfirmForm(),
        publish_at=entered.get("publish_at", local_input(release.publish_at,
                                                          principal.time_zone)),
        languages=LANGUAGE_NAMES, statuses=STATUS_LABELS), status


def _principal() -> Principal:
    principal = current_principal()
    assert principal is not None
    return principal


@bp.route("/press-releases/<int:rid>", methods=["GET", "POST"])
@role_required(Role.LIAISON_OFFICER, Role.CO_CHAIR)
def editor(rid: int) -> PageResult:
    """The editor: Preview re-renders, Save stores the draft, Submit sends it for approval
    (with warnings only once 'I accept the hand-typed figures' is ticked)."""
    principal = _principal()
    if request.method == "GET":
        return _editor(rid, principal)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _editor(rid, principal, errors={"": "The form expired; submit it again."},
                       status=400)
    entered = {"title": request.form.get("title", ""), "body": request.form.get("body", ""),
               "accept_warnings": request.form.get("accept_warnings") == "yes"}
    action = request.form.get("action", "preview")
    if action == "preview":
        return _editor(rid, principal, entered=entered)
    if not entered["title"].strip():
        return _editor(rid, principal, entered=entered, status=422,
                       errors={"title": "Title: give the release a title"})
    try:
        with transaction() as db:
            release = services.get_release(db, actor=principal, release_id=rid)
            if action == "correct":
                services.correct_release(db, actor=principal, release_id=rid,
                                         title=entered["title"], body=entered["body"],
                                         note=request.form.get("note", ""))
            elif (entered["title"], entered["body"]) != (release.title, release.body):
                services.update_release(db, actor=principal, release_id=rid,
                                        title=entered["title"], body=entered["body"])
            if action == "submit":
                services.submit_release(db, actor=principal, release_id=rid,
                                        accept_warnings=entered["accept_warnings"])
    except DomainError as error:
        return _editor(rid, principal, entered=entered, errors=_field_errors(error),
                       status=error.status)
    flash({"save": "Draft saved.", "submit": "Sent for approval.",
           "correct": "Correction drafted: it goes through approval again."}.get(
               action, "Saved."), "success")
    return redirect(url_for("press_pages.editor", rid=rid))


@bp.post("/press-releases/<int:rid>/<any(schedule, publish, withdraw):step>")
@role_required(Role.LIAISON_OFFICER, Role.CO_CHAIR)
def workflow(rid: int, step: str) -> PageResult:
    """Schedule (embargo read in the viewer's zone), publish now, or withdraw (with a note)."""
    principal = _principal()
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _editor(rid, principal, errors={"": "The form expired; submit it again."},
                       status=400)
    entered: dict[str, Any] = {}
    try:
        with transaction() as db:
            if step == "schedule":
                entered["publish_at"] = request.form.get("publish_at", "")
                try:
                    moment = parse_local(entered["publish_at"], principal.time_zone)
                except ValueError:
                    raise ValidationFailed({"publish_at": "give a date and time"}) from None
                services.schedule_release(db, actor=principal, release_id=rid,
                                          publish_at=moment)
                message = f"Scheduled for {entered['publish_at'].replace('T', ' ')} " \
                          f"({principal.time_zone})."
            elif step == "publish":
                services.publish_release(db, actor=principal, release_id=rid)
                message = "Published."
            else:
                services.withdraw_release(db, actor=principal, release_id=rid,
                                          note=request.form.get("note", ""))
                message = "Withdrawn: the public page shows the withdrawal notice."
    except DomainError as error:
        return _editor(rid, principal, entered=entered, errors=_field_errors(error),
                       status=error.status)
    flash(message, "success")
    return redirect(url_for("press_pages.editor", rid=rid))


@bp.route("/press-releases/<int:rid>/approve", methods=["GET", "POST"])
@role_required(Role.LIAISON_OFFICER)
def approve(rid: int) -> PageResult:
    """An NLO's approval: the rendered text, the figures and what changed since its state
    last approved; Approve approves the current revision for its state."""
    principal = _principal()
    form = ConfirmForm()
    error_text = ""
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        try:
            with transaction() as db:
                services.approve_release(db, actor=principal, release_id=rid)
        except DomainError as error:
            error_text, status = error.message, error.status
        else:
            flash(f"Approved for {principal.state}.", "success")
            return redirect(url_for("press_pages.approve", rid=rid))
    with transaction(write=False) as db:
        release = services.get_release(db, actor=principal, release_id=rid)
        view = services.release_view(db, release, actor=principal)
        changes = services.approval_changes(db, actor=principal, release_id=rid)
        period = operation_services.get_period(db, actor=principal, period_id=release.period_id)
        indicators = {i.key: i for i in catalogue(db, release.period_id)}
    diff = line_diff(changes.approved_body or "", changes.body) \
        if changes.approved_body is not None else []
    title_changed = changes.approved_title is not None and changes.approved_title != changes.title
    return render_template("press/approve.html", release=release, view=view, period=period,
                           changes=changes, diff=diff, title_changed=title_changed,
                           indicators=indicators, form=form, error=error_text,
                           languages=LANGUAGE_NAMES, statuses=STATUS_LABELS), status
