"""Conflict notices: one per event, worded by the event, to the other party only.

The person who acted is never told of their own act (they see it on the page they acted on);
the other side's contact officer gets one in-app item and one e-mail per conflict and event.
Both name the period; the in-app item is plain words and links by route, the e-mail carries
the same words and the full link."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import notify
from core.identity.models import User
from core.identity.services import Principal
from deconfliction import services as deconfliction
from deconfliction.models import ConflictRecord
from operations.models import Period

RESOLUTION_LABELS = {"proceed": "proceed as planned", "joint": "work jointly",
                     "delay": "delay one operation", "cancel": "cancel one operation"}
# How long a note may run in a subject line before it is cut (the body has it whole).
_SUBJECT_NOTE = 80


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# What happened, by event, as the subject's words ({who}: the acting state).
_SUBJECTS = {
    "detected": "{who} registered an operation that conflicts with yours: #{id} ({severity})",
    "detected_by_edit": "{who} changed an operation that now conflicts with yours: #{id} "
                        "({severity})",
    "acknowledged": "{who} acknowledged conflict #{id}",
    "resolved": "{who} resolved #{id}: {resolution}",
    "reopened_by_party": "{who} reopened #{id}",
    "reopened": "{who} changed an operation: conflict #{id} is open again ({severity})",
    "reasons_changed": "{who} changed an operation in conflict #{id}",
    "cancelled": "{who} cancelled its operation: conflict #{id} is cleared",
    "cleared": "{who} changed an operation: conflict #{id} is cleared",
}
# Events whose note (a resolution's, a reopening's) ends the subject.
_NOTE_IN_SUBJECT = {"resolved": " — ", "reopened_by_party": ": "}


def event_subject(event: str, *, record_id: int, who: str, severity: str,
                  note: str | None = None, resolution: str | None = None) -> str:
    """The subject of a notice: who did what to which conflict, in plain words."""
    template = _SUBJECTS.get(event, "Conflict #{id} changed")
    subject = template.format(who=who, id=record_id, severity=severity.capitalize(),
                              resolution=RESOLUTION_LABELS.get(resolution or "", resolution))
    if note and event in _NOTE_IN_SUBJECT:
        subject += _NOTE_IN_SUBJECT[event] + _cut(note, _SUBJECT_NOTE)
    return subject


def notice_body(view: dict[str, Any], *, period_name: str, note_label: str | None = None,
                note: str | None = None) -> str:
    """The plain-text words of a notice, from the recipient party's own view: no link."""
    counterpart = view["counterpart"]
    reasons = []
    for reason in view["reasons"]:
        if reason["kind"] == "target":
            kind = str(reason["target_kind"]).replace("_", " ")
            reasons.append(f"shared {kind} (your “{reason['label']}”)")
        else:
            reasons.append(f"same place and time (your site “{reason['label']}”)")
    contact = ", ".join(part for part in (counterpart["name"] or "(no name given)",
                                          counterpart["email"], counterpart["phone"]) if part)
    lines = [
        f"Period: {period_name}",
        f"Conflict #{view['id']}: {view['severity']}, now {view['status']}.",
        f"Your operation(s): {', '.join(f'#{i}' for i in view['operation_ids'])}",
        f"Why: {'; '.join(reasons) if reasons else '—'}",
        f"Whom to call: {counterpart['state']}, {contact}",
    ]
    if note:
        lines.append(f"{note_label or 'Note'}: {note}")
    lines.append("Nothing has been blocked: this is a notification, not a decision.")
    return "\n".join(lines)


def _other_side(record: ConflictRecord, actor: Principal | None) -> list[int]:
    """The operations whose contacts are told: in a pair of two states, the side that did not
    act; in a pair of one state (two agencies), both, the actor being left out by person."""
    if actor is None or record.state_a == record.state_b:
        return [record.op_a, record.op_b]
    if actor.state == record.state_a:
        return [record.op_b]
    if actor.state == record.state_b:
        return [record.op_a]
    return [record.op_a, record.op_b]


def tell_other_party(session: Session, records: list[ConflictRecord], *, actor: Principal | None,
                     events: Mapping[int, str] | str, base_url: str,
                     contacts: Mapping[int, deconfliction.PartyContact] | None = None,
                     note: str | None = None, note_label: str | None = None) -> None:
    """One notice per conflict and event to the contact officers of the other side, never to
    the actor: `events` names each record's event (by record id) or one event for all."""
    if not records:
        return
    contacts = deconfliction.contacts_for(session, records, contacts)
    # Contacts without an address of their own are mailed at their account's address.
    user_ids = {c.user_id for c in contacts.values() if c.email is None and c.user_id is not None}
    emails = {user_id: email for user_id, email in session.execute(
        select(User.id, User.email).where(User.id.in_(sorted(user_ids))))} if user_ids else {}
    period_ids = sorted({record.period_id for record in records})
    period_names = dict(session.execute(
        select(Period.id, Period.name).where(Period.id.in_(period_ids))).all())
    who = actor.state if actor is not None and actor.state else "A party"
    messages: list[dict[str, Any]] = []
    for record in records:
        event = events if isinstance(events, str) else events.get(record.id, "reasons_changed")
        told: set[tuple[str, object]] = set()
        for op_id in _other_side(record, actor):
            contact = contacts.get(op_id)
            if contact is None:
                continue
            user_id = None if actor is not None and contact.user_id == actor.id \
                else contact.user_id
            email = contact.email
            if email is None and contact.user_id is not None:
                email = emails.get(contact.user_id)
            if actor is not None and contact.user_id == actor.id and email == actor.email:
                email = None  # the actor's own address: they know what they did
            if ("user", user_id) in told:
                user_id = None
            if ("email", email) in told:
                email = None
            if user_id is None and not email:
                continue
            told.update({("user", user_id), ("email", email)})
            # Seen from the operation this contact answers for: in a pair of one state's
            # operations, each contact is told of the other.
            view = deconfliction.party_view(session, record, contact.state, contacts,
                                            perspective=op_id)
            subject = event_subject(event, record_id=record.id, who=who,
                                    severity=record.severity, note=note,
                                    resolution=record.resolution)
            subject = _cut(f"{subject} · {period_names.get(record.period_id, '')}", 200)
            body = notice_body(view, period_name=period_names.get(record.period_id, ""),
                               note=note, note_label=note_label)
            link = f"/conflicts/{record.id}"
            messages.append({"user_id": user_id, "email": email, "subject": subject,
                             "body": body, "mail_body": (
                                 f"{body}\n\nOpen the conflict: {base_url.rstrip('/')}{link}\n"),
                             "link": link})
    notify.notify_all(session, messages)
