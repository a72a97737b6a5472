"""Pages of the debrief packs: a period's packs (with "Build a new pack"), one pack's page
(a progress bar a small static script moves by polling the session-authenticated status
route; the file list once ready), the download, report.html on screen, and an NLO's annex
page (built in the background likewise); and the wiring of packs into the application
(`register`)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from core.db import transaction
from core.errors import NotFound
from core.identity.forms import ConfirmForm
from core.identity.models import Role
from core.identity.services import Principal
from core.web import current_principal, role_required
from debrief import pack_builder, packs
from debrief.annex_models import Annex
from debrief.models import Pack
from debrief.packs_api import zip_response
from debrief.page_parts import DebriefPagePart
from operations.models import Period
from operations.period_page import PageLink, PeriodPagePart

bp = Blueprint("debrief_packs", __name__, template_folder="templates",
               static_folder="static", static_url_path="/debrief/static")

# report.html is shown as stored, self-contained: no script at all, nothing fetched, styles
# only from itself, in a sandbox (a unique origin without forms, scripts or navigation).
REPORT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
              "base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox")


def _principal() -> Principal:
    principal = current_principal()
    assert principal is not None  # role_required logged the visitor in
    return principal


def pack_summary(pack: Pack | Annex) -> dict[str, Any]:
    """What the status routes and the pages show of a pack (or an annex: version 0)."""
    return {"id": pack.id, "version": getattr(pack, "version", 0), "status": pack.status,
            "progress": pack.progress, "stage": pack.stage, "words": packs.status_words(pack),
            "generated_at": pack.generated_at, "requested_at": pack.requested_at,
            "zip_bytes": pack.zip_bytes, "handling": pack.handling,
            "files": list(pack.files or [])}


@bp.get("/periods/<int:pid>/debrief/packs")
@role_required()
def period_packs(pid: int) -> str:
    """The period's packs (co-chairs, analysts), with "Build a new pack"."""
    principal = _principal()
    with transaction(write=False) as db:
        period = packs.readable_period(db, actor=principal, period_id=pid)
        context = _section_context(db, principal, period)
    return render_template("debrief/packs.html", period=period, **context)


@bp.post("/periods/<int:pid>/debrief/packs")
@role_required()
def request_pack(pid: int) -> Response:
    """Queue a new version (the period's co-chairs, analysts) and show its page."""
    principal = _principal()
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash("The form expired; press the button again.", "error")
        return redirect(url_for("debrief_packs.period_packs", pid=pid))
    with transaction() as db:
        pack = packs.request_pack(db, actor=principal, period_id=pid)
        pack_id, version = pack.id, pack.version
    flash(f"Version {version} is queued; this page shows its progress.", "success")
    return redirect(url_for("debrief_packs.pack_page", pack_id=pack_id))


@bp.get("/debrief/packs/<int:pack_id>")
@role_required()
def pack_page(pack_id: int) -> str:
    """One pack: status and progress while building; download, files and report when ready."""
    principal = _principal()
    with transaction(write=False) as db:
        pack = packs.visible_pack(db, actor=principal, pack_id=pack_id)
        period = db.get(Period, pack.period_id)
        summary = pack_summary(pack)
    return render_template("debrief/pack.html", period=period, pack=summary)


@bp.get("/debrief/packs/<int:pack_id>/status")
@role_required()
def pack_status(pack_id: int) -> Response:
    """The pack's progress as JSON for the page's script (the login session, not a token)."""
    principal = _principal()
    with transaction(write=False) as db:
        pack = packs.visible_pack(db, actor=principal, pack_id=pack_id)
        summary = pack_summary(pack)
    return jsonify({name: summary[name] for name in
                    ("id", "version", "status", "progress", "stage", "words")})


@bp.get("/debrief/packs/<int:pack_id>/download")
@role_required()
def download(pack_id: int) -> Response:
    """The ready pack's ZIP (409 while building, 410 if failed); audited."""
    with transaction() as db:
        found = packs.download_pack(db, actor=_principal(), pack_id=pack_id)
    return zip_response(found)


@bp.get("/debrief/packs/<int:pack_id>/report.html")
@role_required()
def report(pack_id: int) -> Response:
    """The stored report.html on screen, under a CSP that lets it fetch and run nothing."""
    with transaction() as db:
        data = packs.stored_file(db, actor=_principal(), pack_id=pack_id, name="report.html")
    response = Response(data, mimetype="text/html")
    response.headers["Content-Security-Policy"] = REPORT_CSP
    return response


@bp.route("/periods/<int:pid>/debrief/annex", methods=["GET", "POST"])
@role_required()
def annex(pid: int) -> str | Response:
    """The NLO's annex of its state: "Build the annex" (background, as a pack), its progress,
    and the download once ready (co-chairs, analysts, administrator: 403)."""
    principal = _principal()
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            flash("The form expired; press the button again.", "error")
            return redirect(url_for("debrief_packs.annex", pid=pid))
        with transaction() as db:
            packs.request_annex(db, actor=principal, period_id=pid)
        flash("The annex is queued; this page shows its progress.", "success")
        return redirect(url_for("debrief_packs.annex", pid=pid))
    with transaction(write=False) as db:
        period = packs.annex_period(db, actor=principal, period_id=pid)
        found = packs.annex_status(db, actor=principal, period_id=pid)
        ready = packs.newest_annex(db, period_id=pid, state=str(principal.state),
                                   status="ready")
        summary = pack_summary(found) if found is not None else None
        ready_summary = pack_summary(ready) if ready is not None else None
    return render_template("debrief/pack_annex.html", period=period, annex=summary,
                           ready=ready_summary, state=principal.state)


@bp.get("/periods/<int:pid>/debrief/annex/status")
@role_required()
def annex_status(pid: int) -> Response:
    """The annex's progress as JSON for the page's script (the login session)."""
    with transaction(write=False) as db:
        found = packs.annex_status(db, actor=_principal(), period_id=pid)
        if found is None:
            raise NotFound("debrief annex")
        summary = pack_summary(found)
    return jsonify({name: summary[name] for name in
                    ("id", "status", "progress", "stage", "words")})


@bp.get("/periods/<int:pid>/debrief/annex/download")
@role_required()
def annex_download(pid: int) -> Response:
    """The state's newest ready annex ZIP (409 while none is ready); audited."""
    with transaction() as db:
        found = packs.download_annex(db, actor=_principal(), period_id=pid)
    return zip_response(found)


# ---------------------------------------------------------------- parts of other pages


def _section_context(db: Session, principal: Principal, period: Period) -> dict[str, Any]:
    found = packs.list_packs(db, actor=principal, period_id=period.id)
    return {"packs": [pack_summary(p) for p in found],
            "may_request": packs.may_request(principal, period)}


def debrief_page_part(db: Session, principal: Principal,
                      period: Period) -> DebriefPagePart | None:
    """The packs section of the debrief page (co-chairs and analysts)."""
    if principal.role not in packs.READERS:
        return None
    return DebriefPagePart(heading="Debrief packs", template="debrief/_pack_section.html",
                           context=_section_context(db, principal, period))


def period_page_part(db: Session, principal: Principal, period: Period) -> PeriodPagePart:
    """On a period's page: "Debrief packs" (co-chairs, analysts) or the NLO's annex link."""
    if principal.role in packs.READERS:
        return PeriodPagePart(links=(PageLink(
            "Debrief packs", url_for("debrief_packs.period_packs", pid=period.id),
            button=False),))
    if principal.role == Role.LIAISON_OFFICER and principal.state in (period.states or []):
        return PeriodPagePart(links=(PageLink(
            f"Debrief annex of {principal.state}",
            url_for("debrief_packs.annex", pid=period.id), button=False),))
    return PeriodPagePart()


def register(app: Flask) -> None:
    """Add the packs' pages and API, their parts of the period and debrief pages, the
    scheduler's builder, `jpa debrief build-pending` and the demo's pack."""
    from debrief import packs_api, packs_cli, packs_demo
    from debrief.page_parts import register as register_debrief_part
    from operations.period_page import register as register_period_part

    app.register_blueprint(bp)
    app.register_api(packs_api.bp)  # type: ignore[attr-defined]
    register_period_part(app, period_page_part)
    register_debrief_part(app, debrief_page_part)
    pack_builder.register(app)
    packs_cli.register(app)
    packs_demo.register(app)
