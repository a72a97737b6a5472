"""HTML forms of the identity pages (Flask-WTF: CSRF on every one)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from core.identity.models import Role


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField("Username", validators=[DataRequired(), Length(max=150)],
                           render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})


class PasswordChangeForm(FlaskForm):
    """Change one's own password."""

    current_password = PasswordField("Current password", validators=[DataRequired()],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(
        "New password", validators=[DataRequired()],
        description="12 to 128 characters; a passphrase of several words works well. "
                    "It must not contain your username.",
        render_kw={"autocomplete": "new-password"},
    )


class UserCreateForm(FlaskForm):
    """A new account, created by the administrator."""

    username = StringField("Username", validators=[DataRequired(), Length(min=3, max=150)],
                           description="Letters, digits and . _ @ -")
    full_name = StringField("Full name", validators=[Optional(), Length(max=200)])
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)],
                       description="The activation link is sent here; it works once, for "
                                   "72 hours")
    phone = StringField("Phone", validators=[Optional(), Length(max=40)],
                        description="International format, e.g. +64 4 123 4567")
    role = SelectField("Role", choices=[SelectChoice(r.value, r.label) for r in Role])
    state = StringField("State", validators=[Optional(), Length(min=3, max=3)],
                        description="ISO 3166-1 alpha-3 code, e.g. NZL; required for "
                                    "co-chairs and national liaison officers",
                        render_kw={"list": "state-codes", "autocapitalize": "characters"})
    time_zone = StringField("Time zone", validators=[Optional(), Length(max=64)],
                            description="IANA name, e.g. Pacific/Auckland; "
                                        "defaults to the state's zone",
                            render_kw={"list": "time-zones"})
    # No password field: the user sets it from the invitation mailed to `email`.


class UserEditForm(FlaskForm):
    """Change an account; a change of role or state ends its sessions and is announced."""

    full_name = StringField("Full name", validators=[Optional(), Length(max=200)])
    email = EmailField("E-mail", validators=[Optional(), Length(max=254)])
    phone = StringField("Phone", validators=[Optional(), Length(max=40)],
                        description="International format, e.g. +64 4 123 4567")
    role = SelectField("Role", choices=[SelectChoice(r.value, r.label) for r in Role])
    state = StringField("State", validators=[Optional(), Length(min=3, max=3)],
                        description="ISO 3166-1 alpha-3 code; required for co-chairs and "
                                    "national liaison officers",
                        render_kw={"list": "state-codes", "autocapitalize": "characters"})
    time_zone = StringField("Time zone", validators=[DataRequired(), Length(max=64)],
                            description="IANA name, e.g. Pacific/Auckland",
                            render_kw={"list": "time-zones"})


class ActivationForm(FlaskForm):
    """The invited user chooses a password (typed twice, used exactly as typed)."""

    password = PasswordField(
        "New password", validators=[DataRequired(), Length(max=1024)],
        description="12 to 128 characters; a passphrase of several words works well. "
                    "It must not contain your username.",
        render_kw={"autocomplete": "new-password", "autofocus": True})
    confirm = PasswordField(
        "Repeat the password",
        validators=[DataRequired(), EqualTo("password", message="the two passwords do not "
                                                                "match")],
        render_kw={"autocomplete": "new-password"})


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
