"""Press releases and sign-offs over the JSON API (DESIGN.md "Press releases")."""

from __future__ import annotations

from typing import Any

from flask import Response
from sqlalchemy.orm import Session

from core.api import current_api_principal, json_response, make_api_blueprint
from core.db import transaction
from core.identity.models import User
from core.schemas import ERROR_RESPONSES
from operations.schemas import PeriodPath
from press import period_settings, period_templates, services
from press.models import PressTemplate, Release
from press.schemas import (
    CorrectIn,
    ReleaseIn,
    ReleaseList,
    ReleaseOut,
    ReleasePatch,
    ReleasePath,
    ScheduleIn,
    SettingsOut,
    SettingsPatch,
    SignOffOut,
    SubmitIn,
    TemplateIn,
    TemplateList,
    TemplateOut,
    TemplatePath,
    WithdrawIn,
)

bp = make_api_blueprint("press_api", __name__, tag="press")


def _signoff(session: Session, status: services.SignOffStatus) -> dict[str, Any]:
    signer = session.get(User, status.signoff.signed_by) if status.signoff.signed_by else None
    return SignOffOut.model_validate(status.as_dict(signer.username if signer else None)) \
        .model_dump(mode="json")


def _release(session: Session, release: Release) -> dict[str, Any]:
    view = services.release_view(session, release, actor=current_api_principal())
    return ReleaseOut.model_validate(view).model_dump(mode="json")


@bp.post("/periods/<int:pid>/signoffs", responses={201: SignOffOut, **ERROR_RESPONSES})
def sign_off(path: PeriodPath) -> tuple[Response, int]:
    """Sign off the caller's state's current figures (NLO of a participating state)."""
    with transaction() as session:
        status = services.sign_off(session, actor=current_api_principal(), period_id=path.pid)
        payload = _signoff(session, status)
    return json_response(payload, 201)


@bp.get("/periods/<int:pid>/signoffs", responses={200: None, **ERROR_RESPONSES})
def list_signoffs(path: PeriodPath) -> tuple[Response, int]:
    """Current sign-offs with their staleness: co-chairs every state's, an NLO its own."""
    with transaction(write=False) as session:
        found = services.list_signoffs(session, actor=current_api_principal(),
                                       period_id=path.pid)
        payload = [_signoff(session, s) for s in found]
    return json_response(payload)


@bp.post("/periods/<int:pid>/press-releases", responses={201: ReleaseOut, **ERROR_RESPONSES})
def create_release(path: PeriodPath, body: ReleaseIn) -> tuple[Response, int]:
    """A new draft: regional (co-chair of the period) or national (NLO, own state)."""
    with transaction() as session:
        release = services.create_release(session, actor=current_api_principal(),
                                          period_id=path.pid, **body.model_dump())
        payload = _release(session, release)
    return json_response(payload, 201)


@bp.get("/periods/<int:pid>/press-releases", responses={200: ReleaseList, **ERROR_RESPONSES})
def list_releases(path: PeriodPath) -> tuple[Response, int]:
    """The period's releases visible to the caller."""
    with transaction(write=False) as session:
        found = services.list_releases(session, actor=current_api_principal(),
                                       period_id=path.pid)
        payload = {"releases": [_release(session, r) for r in found]}
    return json_response(payload)


@bp.get("/press-releases/<int:rid>", responses={200: ReleaseOut, **ERROR_RESPONSES})
def get_release(path: ReleasePath) -> tuple[Response, int]:
    """One release, rendered as published (or as it would be published now)."""
    with transaction(write=False) as session:
        release = services.get_release(session, actor=current_api_principal(),
                                       release_id=path.rid)
        payload = _release(session, release)
    return json_response(payload)


@bp.patch("/press-releases/<int:rid>", responses={200: ReleaseOut, **ERROR_RESPONSES})
def update_release(path: ReleasePath, body: ReleasePatch) -> tuple[Response, int]:
    """Edit the draft (author side): back to draft, approvals cleared; 409 once published."""
    with transaction() as session:
        release = services.update_release(session, actor=current_api_principal(),
                                          release_id=path.rid,
                                          **body.model_dump(exclude_unset=True))
        payload = _release(session, release)
    return json_response(payload)


@bp.post("/press-releases/<int:rid>/submit", responses={200: ReleaseOut, **ERROR_RESPONSES})
def submit_release(path: ReleasePath, body: SubmitIn) -> tuple[Response, int]:
    """Send the draft for approval; hand-typed figures need accept_warnings."""
    with transaction() as session:
        release = services.submit_release(session, actor=current_api_principal(),
                                          release_id=path.rid,
                                          accept_warnings=body.accept_warnings)
        payload = _release(session, release)
    return json_response(payload)


@bp.post("/press-releases/<int:rid>/approve", responses={200: ReleaseOut, **ERROR_RESPONSES})
def approve_release(path: ReleasePath) -> tuple[Response, int]:
    """The caller's state approves the release in review (NLO of an approving state)."""
    with transaction() as session:
        release = services.approve_release(session, actor=current_api_principal(),
                                           release_id=path.rid)
        payload = _release(session, release)
    return json_response(payload)


@bp.post("/press-releases/<int:rid>/schedule", responses={200: ReleaseOut, **ERROR_RESPONSES})
def schedule_release(path: ReleasePath, body: ScheduleIn) -> tuple[Response, int]:
    """Publish at the embargo time (409 while approvals are missing)."""
    with transaction() as session:
        release = services.schedule_release(session, actor=current_api_principal(),
                                            release_id=path.rid, publish_at=body.publish_at)
        payload = _release(session, release)
    return json_response(payload)


@bp.post("/press-releases/<int:rid>/publish", responses={200: ReleaseOut, **ERROR_RESPONSES})
def publish_release(path: ReleasePath) -> tuple[Response, int]:
    """Publish now (409 while approvals are missing)."""
    with transaction() as session:
        release = services.publish_release(session, actor=current_api_principal(),
                                           release_id=path.rid)
        payload = _release(session, release)
    return json_response(payload)


@bp.post("/press-releases/<int:rid>/correct", responses={200: ReleaseOut, **ERROR_RESPONSES})
def correct_release(path: ReleasePath, body: CorrectIn) -> tuple[Response, int]:
    """A corrected text for a published release: a new draft, through review and approval."""
    with transaction() as session:
        release = services.correct_release(session, actor=current_api_principal(),
                                           release_id=path.rid, **body.model_dump())
        payload = _release(session, release)
    return json_response(payload)


@bp.post("/press-releases/<int:rid>/withdraw", responses={200: ReleaseOut, **ERROR_RESPONSES})
def withdraw_release(path: ReleasePath, body: WithdrawIn) -> tuple[Response, int]:
    """Withdraw a published release; its page keeps the notice."""
    with transaction() as session:
        release = services.withdraw_release(session, actor=current_api_principal(),
                                            release_id=path.rid, note=body.note)
        payload = _release(session, release)
    return json_response(payload)


def _template(template: PressTemplate) -> dict[str, Any]:
    return TemplateOut.model_validate(template, from_attributes=True).model_dump(mode="json")


@bp.get("/periods/<int:pid>/press-settings", responses={200: SettingsOut, **ERROR_RESPONSES})
def get_settings(path: PeriodPath) -> tuple[Response, int]:
    """The period's press settings: the small-count threshold k."""
    with transaction(write=False) as session:
        found = period_settings.get_settings(session, actor=current_api_principal(),
                                             period_id=path.pid)
    return json_response(SettingsOut.model_validate(found.as_dict()).model_dump(mode="json"))


@bp.patch("/periods/<int:pid>/press-settings", responses={200: SettingsOut, **ERROR_RESPONSES})
def update_settings(path: PeriodPath, body: SettingsPatch) -> tuple[Response, int]:
    """Set k, from 3 to 100 (the period's co-chairs); published text is not re-rendered."""
    with transaction() as session:
        found = period_settings.update_settings(session, actor=current_api_principal(),
                                                period_id=path.pid,
                                                suppression_k=body.suppression_k)
    return json_response(SettingsOut.model_validate(found.as_dict()).model_dump(mode="json"))


@bp.get("/periods/<int:pid>/press-templates", responses={200: TemplateList, **ERROR_RESPONSES})
def list_templates(path: PeriodPath) -> tuple[Response, int]:
    """The period's templates per scope and language (the defaults seeded on first read)."""
    with transaction() as session:
        found = period_templates.list_templates(session, actor=current_api_principal(),
                                                period_id=path.pid)
        payload = {"templates": [_template(t) for t in found]}
    return json_response(payload)


@bp.get("/periods/<int:pid>/press-templates/<scope>/<language>",
        responses={200: TemplateOut, **ERROR_RESPONSES})
def get_template(path: TemplatePath) -> tuple[Response, int]:
    """One template of the period."""
    with transaction() as session:
        found = period_templates.get_template(session, actor=current_api_principal(),
                                              period_id=path.pid, scope=path.scope,
                                              language=path.language)
        payload = _template(found)
    return json_response(payload)


@bp.put("/periods/<int:pid>/press-templates/<scope>/<language>",
        responses={200: TemplateOut, **ERROR_RESPONSES})
def put_template(path: TemplatePath, body: TemplateIn) -> tuple[Response, int]:
    """Replace a template (co-chairs); checked against the period's current figures."""
    with transaction() as session:
        found = period_templates.put_template(session, actor=current_api_principal(),
                                              period_id=path.pid, scope=path.scope,
                                              language=path.language, body=body.body)
        payload = _template(found)
    return json_response(payload)
