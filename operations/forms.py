"""HTML forms of the period pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, StringField
from wtforms.validators import DataRequired, Length


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
