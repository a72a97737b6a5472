"""The registration and edit pages read through the API's own request model: one validation
for the form and the API, every problem found in one pass (the request model's, then the
service's checks of the window, airports, identifiers and dates of birth on what it let
through), each put back beside its field in plain words, and target values never sent back to
the browser once submitted."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import flash
from pydantic import ValidationError

from core.errors import ValidationFailed
from core.field_words import in_words, plain_message
from core.states import check_time_zone
from operations.form_rows import suggest_time_zones
from operations.forms import OperationForm
from operations.schemas import OperationCreate, registration_of
from operations.services import (
    LocationData,
    PeriodWindow,
    Registration,
    TargetData,
    registration_problems,
)

REENTER = "re-enter the value (values are never sent back)"
REENTER_DOB = "re-enter the date of birth (values are never sent back)"
KEPT_VALUE = "unchanged"  # stands in for a kept target's value before the request model
WINDOW_FORMAT = "%d %b %Y %H:%M"
NUMBER_WANTED = {"lat": "give the latitude as a number, e.g. 13.69",
                 "lon": "give the longitude as a number, e.g. 100.75",
                 "radius_m": "give the radius in metres as a number, e.g. 500"}


@dataclass(frozen=True)
class FormContext:
    """What the form needs besides the submission: the state (national phone numbers), the
    period's window in the viewer's zone, and on edit the registered targets (kind, label)."""

    state: str
    window: PeriodWindow | None
    zone: str
    existing: tuple[tuple[str, str], ...] = ()

    def window_text(self) -> str:
        """The window as the form shows it and its errors say it."""
        if self.window is None:
            return ""
        zone = ZoneInfo(self.zone)
        return (f"{self.window.starts_at.astimezone(zone).strftime(WINDOW_FORMAT)} to "
                f"{self.window.ends_at.astimezone(zone).strftime(WINDOW_FORMAT)} ({self.zone})")

    def limits(self) -> dict[str, str]:
        """min and max of the date inputs: the window, in the viewer's zone, to the minute."""
        if self.window is None:
            return {}
        zone = ZoneInfo(self.zone)
        return {"min": self.window.starts_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
                "max": self.window.ends_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M")}


def _path(location: tuple[Any, ...]) -> str:
    """("targets", 2, "value") -> targets[2].value, as the API names fields."""
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _message(path: str, error: Any) -> str:
    """What a person reads beside the field, for pydantic's error of that field."""
    kind = error["type"]
    leaf = path.rsplit(".", 1)[-1]
    empty = kind == "missing" or (kind == "string_too_short"
                                  and error.get("ctx", {}).get("min_length") == 1)
    if path.startswith("targets["):
        if leaf == "kind":
            return "choose a kind"
        if leaf == "value" and empty:
            return "give the value (it is never stored)"
        if leaf == "label" and empty:
            return "give your own label for it"
    if path == "locations" and kind == "too_short":
        return "add at least one site"
    if path.startswith("locations[") and kind == "location":
        return {"give lat and lon, or an IATA site code":
                "give an airport code, or a latitude and a longitude",
                "a site given by coordinates needs a name": "give the site a name",
                "give either coordinates or a site, not both":
                "give an airport code or coordinates, not both"}.get(str(error["msg"]),
                                                                     str(error["msg"]))
    if leaf in ("starts_at", "ends_at"):
        return "give a date and time"
    if leaf == "phone" and kind == "string_pattern_mismatch":
        return "give a phone number: digits, spaces and + ( ) . / - only"
    if leaf == "email" and kind == "value_error":
        return "give an e-mail address, like name@example.org"
    if path == "contact.name" and empty:
        return "name the contact officer"
    if path == "type":
        return "choose a type"
    if empty:
        return f"give the {in_words(leaf).lower()}"
    if kind == "string_too_long":
        return f"at most {error['ctx']['max_length']} characters"
    if kind in ("greater_than_equal", "less_than_equal"):
        return f"must be {'at least' if kind == 'greater_than_equal' else 'at most'} " \
               f"{error['ctx'].get('ge', error['ctx'].get('le'))}"
    return plain_message(str(error["msg"]))


def filled_rows(form: OperationForm) -> tuple[list[int], list[int]]:
    """The form rows of the sites and targets sent to the service, in order: the service's
    locations[i] is form row sites[0][i], its targets[i] is form row targets[1][i]."""
    return ([i for i, row in enumerate(form.sites.entries) if not row.form.is_blank()],
            [i for i, row in enumerate(form.targets.entries) if not row.form.is_blank()])


def _time_zone(form: OperationForm, problems: dict[str, str]) -> ZoneInfo | None:
    """The zone of the times, or a problem that suggests the names meant (never a loss of
    the rest of the form)."""
    name = (form.time_zone.data or "").strip()
    if not name:
        problems["time_zone"] = "give the time zone of these times, e.g. Asia/Bangkok"
        return None
    try:
        return check_time_zone(name)
    except ValidationFailed:
        suggestions = suggest_time_zones(name)
        problems["time_zone"] = (
            f"“{name}” is not a time zone name; did you mean {' or '.join(suggestions)}?"
            if suggestions else
            "not a time zone name: use a region and city, e.g. Asia/Bangkok")
        return None


def _targets_payload(form: OperationForm, rows: list[int], context: FormContext,
                     problems: dict[str, str]) -> tuple[list[dict[str, Any]], set[int]]:
    """The target rows as the request model takes them, and which of them keep their
    registered value: such a row stands in with a placeholder value."""
    targets: list[dict[str, Any]] = []
    kept: set[int] = set()
    for index, row_index in enumerate(rows):
        data = form.targets.entries[row_index].form
        keep = data.kept()
        value = data.value.data or ""
        if keep is not None and not value and keep < len(context.existing):
            if (data.kind.data or "") != context.existing[keep][0]:
                problems[f"targets[{index}].value"] = "give the value for the new kind"
            elif data.dob.data:
                problems[f"targets[{index}].value"] = \
                    "give the value again to change the date of birth"
            value = KEPT_VALUE
            kept.add(index)
        targets.append({"kind": data.kind.data or "", "value": value,
                        "label": data.label.data or "", "dob": data.dob.data or None})
    return targets, kept


def read_form(form: OperationForm, *, editing: bool, context: FormContext) -> Registration:
    """The service input from the form, validated by OperationCreate as the API validates a
    registration, then by the service's own checks on what passed: raises ValidationFailed
    with the API's field paths and every problem at once. In an edit, the target rows are the
    whole list when the page listed them (`targets_listed`); else no rows keeps them."""
    problems: dict[str, str] = {}
    zone = _time_zone(form, problems)
    for name in ("starts_at", "ends_at"):
        if getattr(form, name).errors:  # not a date the browser's picker would send
            problems[name] = "give a date and time"
            getattr(form, name).errors = []
    site_rows, target_rows = filled_rows(form)
    locations: list[dict[str, Any]] = []
    for row_index in site_rows:
        data = form.sites.entries[row_index].form
        site = {"site": (data.airport.data or "").strip().upper() or None,
                "name": data.name.data or None, "lat": data.lat.data, "lon": data.lon.data,
                "radius_m": data.radius_m.data}
        locations.append({name: value for name, value in site.items() if value is not None})
    for index, row_index in enumerate(site_rows):  # a number that did not parse
        data = form.sites.entries[row_index].form
        for name in ("lat", "lon", "radius_m"):
            if getattr(data, name).errors:
                getattr(data, name).errors = []
                problems[f"locations[{index}].{name}"] = NUMBER_WANTED[name]
    targets, kept = _targets_payload(form, target_rows, context, problems)
    moment_zone = zone or ZoneInfo("UTC")  # the zone's own error says what is wrong
    payload: dict[str, Any] = {
        "title": form.title.data or "", "type": form.type.data,
        "lead_agency": form.lead_agency.data or "",
        "starts_at": form.starts_at.data and form.starts_at.data.replace(tzinfo=moment_zone),
        "ends_at": form.ends_at.data and form.ends_at.data.replace(tzinfo=moment_zone),
        "locations": locations, "targets": targets,
    }
    if form.contact_name.data or form.contact_email.data or form.contact_phone.data:
        payload["contact"] = {"name": form.contact_name.data or "",
                              "email": form.contact_email.data or None,
                              "phone": form.contact_phone.data or None}
    body: OperationCreate | None = None
    refused: set[str] = set()
    try:
        body = OperationCreate.model_validate(payload)
    except ValidationError as error:
        for item in error.errors(include_input=False, include_url=False):
            path = _path(tuple(item["loc"]))
            refused.add(path)
            problems.setdefault(path, _message(path, item))
    problems.update({path: message for path, message in _service_problems(
        payload, refused, zone, context, kept).items() if path not in problems})
    if problems or body is None:
        raise ValidationFailed(problems)
    registration = registration_of(body)
    if kept:
        assert registration.targets is not None
        registration = replace(registration, targets=[
            TargetData(kind=target.kind, value="", label=target.label,
                       keep=form.targets.entries[target_rows[index]].form.kept())
            if index in kept else target
            for index, target in enumerate(registration.targets)])
    if editing and not targets and not form.targets_listed.data:
        registration = replace(registration, targets=None)  # an old page: keep them
    return registration


def _service_problems(payload: dict[str, Any], refused: set[str], zone: ZoneInfo | None,
                      context: FormContext, kept: set[int]) -> dict[str, str]:
    """The service's checks (window, airports, identifiers, dates of birth) on the parts the
    request model let through, in the same pass; paths as the API names them."""
    def passed(prefix: str) -> bool:
        return not any(path == prefix or path.startswith(prefix + ".") for path in refused)

    sites = [index for index, site in enumerate(payload["locations"])
             if passed(f"locations[{index}]") and site.get("site")]
    targets = [index for index, target in enumerate(payload["targets"])
               if passed(f"targets[{index}]") and index not in kept]
    found = registration_problems(
        state=context.state, window=context.window,
        starts_at=payload["starts_at"] if zone and passed("starts_at") else None,
        ends_at=payload["ends_at"] if zone and passed("ends_at") else None,
        locations=[LocationData(site=payload["locations"][index]["site"]) for index in sites],
        targets=[TargetData(kind=payload["targets"][index]["kind"],
                            value=payload["targets"][index]["value"],
                            label=payload["targets"][index]["label"],
                            dob=payload["targets"][index]["dob"]) for index in targets])
    problems: dict[str, str] = {}
    starts_at, ends_at = payload["starts_at"], payload["ends_at"]
    if zone is None and starts_at and ends_at and passed("starts_at") and passed("ends_at") \
            and ends_at <= starts_at:  # the order holds whatever the zone turns out to be
        problems["ends_at"] = "must be after the start"
    for path, message in found.items():
        head, _, rest = path.partition("].")
        if head.startswith("locations["):
            path = f"locations[{sites[int(head[10:])]}].{rest}"
        elif head.startswith("targets["):
            path = f"targets[{targets[int(head[8:])]}].{rest}"
        if message == "must lie inside the period's window":
            message = f"must be within the period: {context.window_text()}"
        elif message == "unknown IATA airport code":
            message = "no airport has this code: give its 3-letter IATA code, e.g. BKK"
        problems[path] = plain_message(message)
    return problems


def _row(rows: list[int], index: int) -> int:
    return rows[index] if 0 <= index < len(rows) else 0


def show_errors(form: OperationForm, fields: dict[str, str]) -> None:
    """Put each error beside its field (targets[2].value -> that row's value)."""
    site_rows, target_rows = filled_rows(form)
    for path, message in fields.items():
        head, _, attribute = path.partition(".")
        if head.startswith("targets[") and head[8:-1].isdigit():
            row = form.targets.entries[_row(target_rows, int(head[8:-1]))].form
            field = getattr(row, attribute if attribute in ("kind", "label", "dob") else "value")
        elif head.startswith("locations[") and head[10:-1].isdigit():
            row = form.sites.entries[_row(site_rows, int(head[10:-1]))].form
            field = getattr(row, {"site": "airport"}.get(attribute, attribute or "airport"),
                            row.airport)
        elif head == "locations":
            field = form.sites.entries[0].form.airport if form.sites.entries else None
        elif head == "targets":
            field = form.targets.entries[0].form.kind if form.targets.entries else None
        elif head == "contact":
            field = getattr(form, f"contact_{attribute or 'name'}", form.contact_name)
        else:
            field = getattr(form, head, None)
        if field is not None:
            field.errors = [*list(field.errors), message]
        else:
            flash(f"{in_words(path)}: {message}", "error")


def forget_target_values(form: OperationForm) -> None:
    """Empty every target value (and date of birth) before the page goes back to the browser,
    and ask again in each row that had one: submitted values never leave the server."""
    for row in form.targets.entries:
        data = row.form
        if data.value.data:
            data.value.errors = [*list(data.value.errors), REENTER]
        if data.dob.data:
            data.dob.errors = [*list(data.dob.errors), REENTER_DOB]
        for field in (data.value, data.dob):
            field.data, field.raw_data = "", []


def local(moment: datetime, zone: str) -> datetime:
    """A stored time as the naive local time the date inputs show."""
    return moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
