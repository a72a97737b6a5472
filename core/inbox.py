"""The notifications inbox over the API and as a page."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from pydantic import BaseModel

from core import notify
from core.api import current_api_principal, json_response, make_api_blueprint
from core.db import transaction
from core.identity.forms import ConfirmForm
from core.schemas import ERROR_RESPONSES
from core.web import current_principal, role_required

api = make_api_blueprint("inbox_api", __name__, tag="notifications")
views = Blueprint("inbox", __name__)


class NotificationPath(BaseModel):
    """Path parameter of one notification."""

    nid: int


def _as_json(item: notify.Notification) -> dict[str, object]:
    return {"id": item.id, "created_at": item.created_at.isoformat(),
            "read": item.read_at is not None, "subject": item.subject, "body": item.body,
            "link": item.link}


@api.get("/notifications", responses={200: None, **ERROR_RESPONSES})
def list_notifications() -> tuple[Response, int]:
    """The caller's notifications, newest first, with the unread count."""
    me = current_api_principal()
    with transaction(write=False) as session:
        items = notify.inbox(session, user_id=me.id)
        unread = notify.unread_count(session, user_id=me.id)
        payload = {"unread": unread, "notifications": [_as_json(i) for i in items]}
    return json_response(payload)


@api.post("/notifications/<int:nid>/read", responses={204: None, **ERROR_RESPONSES})
def mark_notification_read(path: NotificationPath) -> tuple[Response, int]:
    """Mark one of the caller's notifications read."""
    me = current_api_principal()
    with transaction() as session:
        notify.mark_read(session, user_id=me.id, notification_id=path.nid)
    return Response(status=204), 204


@views.get("/notifications")
@role_required()
def notifications_page() -> str:
    """The inbox page."""
    me = current_principal()
    assert me is not None
    with transaction(write=False) as session:
        items = notify.inbox(session, user_id=me.id)
    return render_template("core/notifications.html", items=items, confirm=ConfirmForm())


@views.post("/notifications/read")
@role_required()
def mark_all_read() -> Response:
    """Mark every notification read."""
    me = current_principal()
    assert me is not None
    if ConfirmForm().validate_on_submit():
        with transaction() as session:
            changed = notify.mark_read(session, user_id=me.id)
        flash(f"{changed} notification{'s' if changed != 1 else ''} marked read.", "success")
    return redirect(url_for("inbox.notifications_page"))


def unread_for_nav() -> int:
    """Unread count for the navigation badge (0 when anonymous)."""
    me = current_principal()
    if me is None:
        return 0
    with transaction(write=False) as session:
        return notify.unread_count(session, user_id=me.id)
