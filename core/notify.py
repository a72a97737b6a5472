"""Notifications: an in-app inbox per user, and e-mail through an outbox when SMTP is set."""

from __future__ import annotations

import logging
import re
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, delete, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db import Base, UTCDateTime, insert_rows, utcnow

log = logging.getLogger(__name__)


class Notification(Base):
    """One message in a user's inbox."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(300))


class OutboxMail(Base):
    """An e-mail waiting to be sent; kept until delivered so nothing committed is lost."""

    __tablename__ = "outbox_mail"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))


def notify(session: Session, *, user_id: int | None, email: str | None, subject: str,
           body: str, link: str | None = None, mail_body: str | None = None) -> None:
    """Put a message in the user's inbox and, when an address is known, in the mail outbox
    (`mail_body`, when given, is the e-mail's text: the inbox item links by route)."""
    if user_id is not None:
        session.add(Notification(user_id=user_id, subject=subject[:200], body=body, link=link))
    if email:
        session.add(OutboxMail(recipient=email, subject=subject[:200], body=mail_body or body))


def notify_all(session: Session, messages: list[dict[str, Any]]) -> None:
    """`notify` for many messages (each its keyword arguments), in one insert per table; a
    message's `mail_body`, when given, is the e-mail's text (the inbox keeps `body`)."""
    now = utcnow()
    inbox_rows = [{"user_id": m["user_id"], "subject": m["subject"][:200], "body": m["body"],
                   "link": m.get("link"), "created_at": now}
                  for m in messages if m["user_id"] is not None]
    mail_rows = [{"recipient": m["email"], "subject": m["subject"][:200],
                  "body": m.get("mail_body") or m["body"],
                  "created_at": now, "attempts": 0} for m in messages if m["email"]]
    insert_rows(session.connection(), Notification.__table__, inbox_rows)
    insert_rows(session.connection(), OutboxMail.__table__, mail_rows)


def inbox(session: Session, *, user_id: int, limit: int = 200) -> list[Notification]:
    """A user's notifications, newest first."""
    return list(session.scalars(select(Notification).where(Notification.user_id == user_id)
                                .order_by(Notification.id.desc()).limit(limit)))


def unread_count(session: Session, *, user_id: int) -> int:
    """How many of the user's notifications are unread."""
    return session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def mark_read(session: Session, *, user_id: int, notification_id: int | None = None) -> int:
    """Mark one (or every) notification of the user read; returns how many changed."""
    query = select(Notification).where(Notification.user_id == user_id,
                                       Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    changed = 0
    for item in session.scalars(query):
        item.read_at = utcnow()
        changed += 1
    return changed


def mark_read_by_link(session: Session, *, user_id: int, link: str) -> int:
    """Mark the user's unread notifications about `link` (a route) read: opening the thing
    they are about is reading them. Returns how many changed."""
    result = session.execute(update(Notification).where(
        Notification.user_id == user_id, Notification.link == link,
        Notification.read_at.is_(None)).values(read_at=utcnow()))
    return result.rowcount or 0


# A message that failed this many times is given up: kept in the outbox, never tried again.
MAX_ATTEMPTS = 5
# Sent mail is kept this long, then purged by the housekeeping job.
SENT_MAIL_KEPT = timedelta(days=30)
# A single-use credential in a mail body (the activation link of an invitation): kept only
# until the mail is sent, so the outbox table never holds a usable link the user already has.
_CREDENTIAL_LINK = re.compile(r"(/activate/)[A-Za-z0-9_-]+")
_CREDENTIAL_REMOVED = r"\1(link removed after sending)"


def _message(sender: str, mail: OutboxMail) -> EmailMessage:
    """The e-mail of an outbox row; raises ValueError for a header that cannot be written
    (a line break in an address would inject headers)."""
    message = EmailMessage()
    message["From"], message["To"] = sender, mail.recipient
    message["Subject"] = mail.subject
    message.set_content(mail.body)
    return message


def _failed(mail: OutboxMail, error: BaseException) -> None:
    mail.last_error = f"{type(error).__name__}: {error}"[:500]
    if mail.attempts >= MAX_ATTEMPTS:
        # The id only: the address and subject may be what is wrong, and are personal data.
        log.warning("outbox mail %s given up after %s attempts", mail.id, mail.attempts)


def _lost(mail: OutboxMail, error: BaseException) -> None:
    """The connection is gone while sending `mail`: it counts as one attempt of this message
    (it may be what broke it); the rest wait for the next pass untouched."""
    _failed(mail, error)
    log.warning("mail server connection lost: %s", error)


def deliver_pending(session: Session, *, host: str | None, port: int, sender: str,
                    limit: int = 100) -> int:
    """Send waiting e-mails over SMTP, each on its own: a message that fails is marked with
    its error (given up after MAX_ATTEMPTS) and the others still go; never raises for mail."""
    if not host:
        return 0
    # SKIP LOCKED: a web worker and the scheduler sending at once never send one mail twice.
    pending = list(session.scalars(select(OutboxMail).where(
        OutboxMail.sent_at.is_(None), OutboxMail.attempts < MAX_ATTEMPTS)
        .order_by(OutboxMail.id).limit(limit).with_for_update(skip_locked=True)))
    if not pending:
        return 0
    sent = 0
    try:
        smtp = smtplib.SMTP(host, port, timeout=10)
    except OSError as error:  # SMTPException included
        # Nobody's fault but the server's: no attempt is counted against the messages.
        log.warning("mail server unreachable: %s", error)
        for mail in pending:
            mail.last_error = f"mail server unreachable: {error}"[:500]
        return 0
    try:
        for mail in pending:
            mail.attempts += 1
            try:
                smtp.send_message(_message(sender, mail))
            except smtplib.SMTPServerDisconnected as error:
                _lost(mail, error)
                break
            except smtplib.SMTPException as error:  # refused: this message only
                _failed(mail, error)
            except OSError as error:  # a socket error (SMTPException is an OSError too)
                _lost(mail, error)
                break
            except Exception as error:  # noqa: BLE001 - any other bad message (header, encoding)
                _failed(mail, error)
            else:
                mail.sent_at, mail.last_error = utcnow(), None
                mail.body = _CREDENTIAL_LINK.sub(_CREDENTIAL_REMOVED, mail.body)
                sent += 1
                continue
            # Only after a failed message: start the next one on a clean session.
            try:
                smtp.rset()  # a refused message may leave the session mid-transaction
            except OSError:  # SMTPException included
                break
    finally:
        try:
            smtp.quit()
        except OSError:
            smtp.close()
    return sent


def purge_sent_mail(session: Session, *, now: datetime) -> int:
    """Delete mail sent more than SENT_MAIL_KEPT before `now`; unsent mail is kept."""
    result = session.execute(delete(OutboxMail).where(
        OutboxMail.sent_at.is_not(None), OutboxMail.sent_at < now - SENT_MAIL_KEPT))
    return result.rowcount or 0


def send_queued_now(database: Any, settings: Any) -> int:
    """After a commit, try to send the queued e-mail in its own transaction (no-op without
    SMTP); what fails stays queued for the scheduler's next pass, and the request that
    committed never fails because of mail."""
    if not settings.smtp_host:
        return 0
    try:
        with database.transaction() as session:
            return deliver_pending(session, host=settings.smtp_host, port=settings.smtp_port,
                                   sender=settings.mail_from)
    except Exception:  # the caller's work is committed: mail waits for the scheduler
        log.exception("sending queued e-mail after a commit failed")
        return 0
