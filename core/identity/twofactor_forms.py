"""HTML forms of two-factor sign-in (Flask-WTF: CSRF on every one)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

_TOTP_INPUT = {"autocomplete": "one-time-code", "inputmode": "numeric",
               "autocapitalize": "off", "spellcheck": "false", "autofocus": True}


class CodeForm(FlaskForm):
    """The 6-digit code of the authenticator app."""

    code = StringField("Code from your authenticator app",
                       validators=[DataRequired(), Length(max=64)],
                       description="The 6 digits your app shows for JPA Coordinator now.",
                       render_kw=_TOTP_INPUT)


class RecoveryCodeForm(FlaskForm):
    """One of the recovery codes shown at enrolment."""

    code = StringField("Recovery code", validators=[DataRequired(), Length(max=64)],
                       description="One of the ten codes you kept, e.g. abcd-efgh-ijkl-mnop. "
                                   "Each works once.",
                       render_kw={"autocomplete": "one-time-code", "autocapitalize": "off",
                                  "spellcheck": "false", "autofocus": True})
