"""The registration and edit pages read through the API's own request model: one validation
for the form and the API, its errors put back beside the form's fields, and target values
never sent back to the browser once submitted."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import flash
from pydantic import ValidationError

from core.errors import ValidationFailed
from core.states import check_time_zone
from operations.forms import OperationForm
from operations.schemas import OperationCreate, registration_of
from operations.services import Registration

REENTER = "re-enter the value (values are never sent back)"
REENTER_DOB = "re-enter the date of birth (values are never sent back)"


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
    if leaf in ("starts_at", "ends_at"):
        return "give a date and time"
    if leaf == "phone" and kind == "string_pattern_mismatch":
        return "give a phone number: digits, spaces and + ( ) . / - only"
    if path == "contact.name" and empty:
        return "name the contact officer"
    if empty:
        return "required"
    if kind == "string_too_long":
        return f"at most {error['ctx']['max_length']} characters"
    return str(error["msg"])


def filled_rows(form: OperationForm) -> tuple[list[int], list[int]]:
    """The form rows of the sites and targets sent to the service, in order: the service's
    locations[i] is form row sites[0][i], its targets[i] is form row targets[1][i]."""
    return ([i for i, row in enumerate(form.sites.entries) if not row.form.is_blank()],
            [i for i, row in enumerate(form.targets.entries) if not row.form.is_blank()])


def read_form(form: OperationForm, *, editing: bool) -> Registration:
    """The service input from the form, validated by OperationCreate as the API validates a
    registration; raises ValidationFailed with the API's field paths (every problem at once).
    In an edit, no target rows filled means the targets stay as they are."""
    problems: dict[str, str] = {}
    try:
        zone = check_time_zone(form.time_zone.data or "")
    except ValidationFailed as error:
        problems.update(error.fields)
        zone = None
    site_rows, target_rows = filled_rows(form)
    locations: list[dict[str, Any]] = []
    for row_index in site_rows:
        data = form.sites.entries[row_index].form
        site = {"site": (data.airport.data or "").strip().upper() or None,
                "name": data.name.data or None, "lat": data.lat.data, "lon": data.lon.data,
                "radius_m": data.radius_m.data}
        locations.append({name: value for name, value in site.items() if value is not None})
    targets: list[dict[str, Any]] = []
    for row_index in target_rows:
        data = form.targets.entries[row_index].form
        targets.append({"kind": data.kind.data or "", "value": data.value.data or "",
                        "label": data.label.data or "", "dob": data.dob.data or None})
    payload: dict[str, Any] = {
        "title": form.title.data or "", "type": form.type.data,
        "lead_agency": form.lead_agency.data or "",
        # Local times of the named zone; a time zone in error still lets the rest be checked.
        "starts_at": form.starts_at.data and form.starts_at.data.replace(tzinfo=zone or "UTC"),
        "ends_at": form.ends_at.data and form.ends_at.data.replace(tzinfo=zone or "UTC"),
        "locations": locations, "targets": targets,
    }
    if form.contact_name.data or form.contact_email.data or form.contact_phone.data:
        payload["contact"] = {"name": form.contact_name.data or "",
                              "email": form.contact_email.data or None,
                              "phone": form.contact_phone.data or None}
    if zone is None:
        payload["starts_at"] = payload["ends_at"] = None
    body: OperationCreate | None = None
    try:
        body = OperationCreate.model_validate(payload)
    except ValidationError as error:
        for item in error.errors(include_input=False, include_url=False):
            path = _path(tuple(item["loc"]))
            if zone is None and path in ("starts_at", "ends_at"):
                continue  # the zone's error says it
            problems.setdefault(path, _message(path, item))
    if problems or body is None:
        raise ValidationFailed(problems)
    registration = registration_of(body)
    if editing and not targets:  # no rows filled: the targets stay as they are
        registration = replace(registration, targets=None)
    return registration


def _row(rows: list[int], index: int) -> int:
    return rows[index] if 0 <= index < len(rows) else 0


def show_errors(form: OperationForm, fields: dict[str, str]) -> None:
    """Put each error beside its field (targets[2].value -> that row's value)."""
    site_rows, target_rows = filled_rows(form)
    for path, message in fields.items():
        head, _, attribute = path.partition(".")
        if head.startswith("targets[") and head[8:-1].isdigit():
            row = form.targets.entries[_row(target_rows, int(head[8:-1]))].form
            field = getattr(row, attribute or "value", row.value)
        elif head.startswith("locations[") and head[10:-1].isdigit():
            row = form.sites.entries[_row(site_rows, int(head[10:-1]))].form
            field = getattr(row, {"site": "airport"}.get(attribute, attribute or "airport"),
                            row.airport)
        elif head == "locations":
            field = form.sites.entries[0].form.airport
        elif head == "contact":
            field = getattr(form, f"contact_{attribute or 'name'}", form.contact_name)
        else:
            field = getattr(form, head, None)
        if field is not None:
            field.errors = [*list(field.errors), message]
        else:
            flash(f"{path}: {message}", "error")


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
