"""HTML forms of the period pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    FieldList,
    FloatField,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional


class PeriodCreateForm(FlaskForm):
    """A new joint period; times are entered in a named zone and stored in UTC."""

    name = StringField("Name", validators=[DataRequired(), Length(max=200)],
                       description="e.g. Bali Process JPA 2026")
    starts_at = DateTimeLocalField("Starts", format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired(message="give a date and time")])
    ends_at = DateTimeLocalField("Ends", format="%Y-%m-%dT%H:%M",
                                 validators=[DataRequired(message="give a date and time")])
    time_zone = StringField("Time zone of these times", validators=[DataRequired()],
                            render_kw={"list": "time-zones"},
                            description="IANA name; your own zone by default")
    states = StringField("Participating states", validators=[DataRequired()],
                         render_kw={"autocapitalize": "characters"},
                         description="ISO 3166-1 alpha-3 codes separated by spaces or commas, "
                                     "e.g. AUS IDN MYS NZL")
    co_chairs = StringField("Co-chairs", render_kw={"autocapitalize": "characters"},
                            description="Codes of the co-chairing states, among the "
                                        "participants, e.g. NZL LKA")


def split_codes(text: str | None) -> list[str]:
    """'aus, idn  mys' -> ['AUS', 'IDN', 'MYS']."""
    return [part.upper() for part in (text or "").replace(",", " ").split() if part]


OPERATION_TYPE_CHOICES = [SelectChoice(value, label) for value, label in (
    ("airport_checks", "Airport checks"),
    ("transit_hub_checks", "Transit-hub checks"),
    ("workplace_inspections", "Workplace inspections"),
    ("network_targeting", "Network targeting"),
    ("other", "Other"),
)]
TARGET_KIND_CHOICES = [SelectChoice(value, label) for value, label in (
    ("", "— choose —"), ("phone", "Phone number"), ("passport", "Passport"),
    ("id_document", "Identity document"), ("vehicle", "Vehicle plate"), ("person", "Person"),
    ("organisation", "Organisation"), ("vessel", "Vessel (IMO number)"), ("email", "E-mail"),
    ("iban", "Bank account (IBAN)"), ("other", "Other"),
)]
RESOLUTION_CHOICES = [SelectChoice(value, label) for value, label in (
    ("proceed", "Proceed as planned"), ("joint", "Work jointly"),
    ("delay", "Delay one operation"), ("cancel", "Cancel one operation"),
)]


MAX_SITES = 50  # OperationCreate.locations
MAX_TARGETS = 200  # OperationCreate.targets


class SiteRow(Form):
    """One site: an airport code, or a name with coordinates."""

    # Only parsing here (Optional: an empty number is None); the rules are the API's
    # (operations.schemas), applied by operations.operation_form.
    airport = StringField("Airport (IATA code)",
                          render_kw={"autocapitalize": "characters", "size": 4})
    name = StringField("Site name")
    lat = FloatField("Latitude", validators=[Optional()])
    lon = FloatField("Longitude", validators=[Optional()])
    radius_m = FloatField("Radius (metres)", validators=[Optional()],
                          render_kw={"placeholder": "500"})

    def is_blank(self) -> bool:
        """Whether the row was left empty."""
        # The text typed, not the number read: "abc" is a row with an error, not a blank one.
        typed = [field.raw_data[0] if field.raw_data else field.data
                 for field in (self.lat, self.lon, self.radius_m)]
        return not any([self.airport.data, self.name.data,
                        *(value not in (None, "") for value in typed)])


class TargetRow(Form):
    """One target: its value is blinded on saving and never shown again."""

    # Blank rows post no kind at all; the view checks filled rows itself.
    kind = SelectField("Kind", choices=TARGET_KIND_CHOICES, validate_choice=False)
    value = StringField("Value", render_kw={"autocomplete": "off"})
    label = StringField("Your label", render_kw={"placeholder": "e.g. Subject A"})
    dob = StringField("Date of birth (persons only)", render_kw={"placeholder": "YYYY-MM-DD"})
    # On edit: the position of a registered target this row stands for (its value blank
    # means unchanged); empty for a new target.
    keep = HiddenField()

    def is_blank(self) -> bool:
        """Whether the row was left empty."""
        return not any([self.kind.data, self.value.data, self.label.data, self.dob.data,
                        self.keep.data])

    def kept(self) -> int | None:
        """The position of the registered target this row keeps, if any."""
        text = (self.keep.data or "").strip()
        return int(text) if text.isdigit() and len(text) < 4 else None


class OperationForm(FlaskForm):
    """Register or edit an operation: the fields are parsed here and validated by the API's
    request model (operations.operation_form), so that the page and the API accept the same."""

    title = StringField("Title")
    # validate_choice off: an unknown type is the request model's to refuse, beside the field.
    type = SelectField("Type", choices=OPERATION_TYPE_CHOICES, validate_choice=False)
    lead_agency = StringField("Lead agency")
    starts_at = DateTimeLocalField("Starts", format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired(message="give a date and time")])
    ends_at = DateTimeLocalField("Ends", format="%Y-%m-%dT%H:%M",
                                 validators=[DataRequired(message="give a date and time")])
    time_zone = StringField("Time zone of these times", render_kw={"list": "time-zones"})
    # Rows are added and removed on the page (operation_form.js, or the add/remove buttons
    # without script), up to what the API takes (operations.schemas.OperationCreate).
    sites = FieldList(FormField(SiteRow), min_entries=1, max_entries=MAX_SITES)
    targets = FieldList(FormField(TargetRow), min_entries=1, max_entries=MAX_TARGETS)
    # Set on the edit page: the target rows are the whole list (none left = no targets).
    targets_listed = HiddenField()
    contact_name = StringField("Contact officer",
                               description="Leave empty to be the contact yourself")
    contact_email = StringField("Contact e-mail")
    contact_phone = StringField("Contact phone")


class ResolveForm(FlaskForm):
    """How the parties will proceed: nothing is chosen for the officer, and a note is needed."""

    resolution = RadioField(
        "How will the two operations proceed?", choices=RESOLUTION_CHOICES, default=None,
        validators=[InputRequired(message="Choose how the two operations will proceed.")])
    note = TextAreaField(
        "Note: what you agreed",
        validators=[DataRequired(message="Write a note: what the two of you agreed."),
                    Length(max=2000, message="Write at most 2000 characters.")],
        description="Told to the other party.")


class ReopenForm(FlaskForm):
    """Reopening a resolved conflict: an optional note for the other party."""

    note = TextAreaField("Why reopen it? (optional)",
                         validators=[Optional(), Length(max=2000,
                                                        message="Write at most 2000 characters.")],
                         description="Told to the other party.")


class CancelForm(FlaskForm):
    """Cancelling an operation: the reason is required and told to the other parties."""

    reason = TextAreaField(
        "Why is the operation cancelled?",
        validators=[DataRequired(message="Say why the operation is cancelled."),
                    Length(max=2000, message="Write at most 2000 characters.")],
        description="Told to the other party of each of its conflicts.")
