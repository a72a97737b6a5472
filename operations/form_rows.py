"""The registration form's rows and its error summary: adding and removing site and target
rows without script (the page's buttons re-render it), the edit page's targets as rows, the
GOV.UK error summary's list, and time-zone names suggested for a city."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wtforms import Field, FieldList

from core.states import known_time_zones
from operations.forms import MAX_SITES, MAX_TARGETS, OperationForm, SiteRow, TargetRow

ROW_ACTIONS = ("add_site", "remove_site", "add_target", "remove_target")


def suggest_time_zones(name: str, *, limit: int = 3) -> list[str]:
    """IANA names a person probably meant: 'Bangkok' -> ['Asia/Bangkok']."""
    wanted = name.strip().replace(" ", "_").casefold()
    if not wanted:
        return []
    zones = sorted(zone for zone in known_time_zones() if "/" in zone
                   and not zone.startswith(("Etc/", "SystemV/", "posix/", "right/")))
    by_city = {zone.rsplit("/", 1)[-1].casefold(): zone for zone in zones}
    if wanted in by_city:
        return [by_city[wanted]]
    containing = [zone for zone in zones if wanted in zone.casefold()]
    if containing:
        return containing[:limit]
    close = difflib.get_close_matches(wanted, list(by_city), n=limit, cutoff=0.75)
    return [by_city[city] for city in close]


def _rebuild(rows: FieldList, data: list[dict[str, Any]]) -> None:
    """Replace a list's rows by these, numbered from 0 again."""
    rows.entries = []
    rows.last_index = -1
    for values in data:
        rows.append_entry(values)


def apply_row_action(form: OperationForm, submitted: Mapping[str, str]) -> bool:
    """The no-script way to add or remove a row: the button pressed (add_site,
    remove_target=2, ...) changes the rows, and the page comes back with nothing saved.
    Returns whether a row button was pressed."""
    action = next((name for name in ROW_ACTIONS if name in submitted), None)
    if action is None:
        return False
    rows = form.sites if action.endswith("site") else form.targets
    data = [entry.form.data for entry in rows.entries]
    if action.startswith("add"):
        if len(data) < (rows.max_entries or len(data) + 1):
            data.append({})
    else:
        index = submitted.get(action, "")
        if index.isdigit() and int(index) < len(data):
            del data[int(index)]
    _rebuild(rows, data)
    return True


def too_many_rows(submitted: Mapping[str, str]) -> dict[str, str]:
    """More rows posted than the API takes: refused by name (the form's lists would otherwise
    drop the rows beyond the limit without a word)."""
    problems: dict[str, str] = {}
    for prefix, path, limit in (("sites-", "locations", MAX_SITES),
                                ("targets-", "targets", MAX_TARGETS)):
        rows = {name[len(prefix):].split("-", 1)[0] for name in submitted
                if name.startswith(prefix)}
        if len(rows) > limit:
            problems[path] = f"at most {limit} {'sites' if path == 'locations' else 'targets'}"
    return problems


def list_existing_targets(form: OperationForm, existing: list[tuple[str, str]]) -> None:
    """The edit page's target rows: one per registered target (kind and label shown, its
    value blank meaning unchanged), and the marker that the rows are the whole list."""
    if existing:
        _rebuild(form.targets, [{"kind": kind, "label": label, "keep": str(position)}
                                for position, (kind, label) in enumerate(existing)])
    form.targets_listed.data = "1"


@dataclass(frozen=True)
class SummaryItem:
    """One line of the error summary: the field it links to and what is wrong."""

    field_id: str
    text: str


def _items(fields: list[Field], prefix: str = "") -> list[SummaryItem]:
    return [SummaryItem(field.id, f"{prefix}{field.label.text}: {'; '.join(field.errors)}")
            for field in fields if field.errors]


def error_summary(form: OperationForm) -> list[SummaryItem]:
    """Every error of the form in page order, each naming its field in words."""
    items = _items([form.title, form.type, form.lead_agency, form.starts_at, form.ends_at,
                    form.time_zone])
    for number, entry in enumerate(form.sites.entries, start=1):
        items += _items(list(entry.form), f"Site {number}, ")
    for number, entry in enumerate(form.targets.entries, start=1):
        items += _items([entry.form.kind, entry.form.value, entry.form.label, entry.form.dob],
                        f"Target {number}, ")
    items += _items([form.contact_name, form.contact_email, form.contact_phone])
    if form.csrf_token.errors:
        items.append(SummaryItem("submit", "The form expired: please submit it again"))
    return items


def blank_rows() -> dict[str, Any]:
    """Blank rows for the page's script to copy (inside <template>, so never submitted)."""
    return {"blank_site": SiteRow(prefix="sites-__index__-"),
            "blank_target": TargetRow(prefix="targets-__index__-")}
