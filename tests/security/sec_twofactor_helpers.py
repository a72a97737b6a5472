"""Helpers of the two-factor tests: enrol through the services, compute codes with pyotp."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pyotp
from flask import Flask
from sqlalchemy import select

from core.identity import twofactor
from core.identity.models import User


@dataclass
class Enrolled:
    """A user's TOTP secret and the recovery codes shown at enrolment."""

    secret: str
    recovery_codes: list[str]

    def next_code(self) -> str:
        """The code of the next 30-second step: accepted (clock drift), never used yet."""
        return pyotp.TOTP(self.secret).at(time.time() + twofactor.STEP_SECONDS)


def enrol(app: Flask, username: str) -> Enrolled:
    """Enrol a user as the enrolment page does: a pending secret, confirmed with a code."""
    database = app.extensions["jpa.db"]
    policy = app.extensions["jpa.identity"]
    with database.transaction() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        pending = twofactor.begin_enrolment(session, policy=policy, user=user)
    with database.transaction() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        codes = twofactor.confirm_enrolment(session, policy=policy, user=user,
                                            code=pyotp.TOTP(pending.secret).now())
    return Enrolled(pending.secret, codes)
