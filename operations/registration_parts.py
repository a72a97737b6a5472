"""The parts of a registration as submitted, and the checks that resolve its sites and
blind its targets before anything is written."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

import airportsdata
import pycountry

from core.errors import ValidationFailed
from deconfliction import identifiers, matcher
from deconfliction import services as deconfliction
from operations.models import Operation, OperationSite, Period

DEFAULT_RADIUS_M = 500.0


@dataclass(frozen=True)
class LocationData:
    """A site as submitted: coordinates or an IATA code."""

    name: str | None = None
    lat: float | None = None
    lon: float | None = None
    radius_m: float | None = None
    site: str | None = None


@dataclass(frozen=True)
class TargetData:
    """A target as submitted; `value` is blinded and dropped within the same call."""

    kind: str
    value: str = field(repr=False)
    label: str
    dob: str | None = None
    # In an edit from the pages: the position of a target already registered whose blinded
    # value (and date of birth) stay as they are, under this label; `value` is then empty.
    keep: int | None = None


@dataclass(frozen=True)
class ContactData:
    """Whom to call about the operation."""

    name: str
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Registration:
    """The registration fields of an operation; None in an edit means unchanged."""

    title: str | None = None
    type: str | None = None
    lead_agency: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    locations: list[LocationData] | None = None
    targets: list[TargetData] | None = None
    contact: ContactData | None = None


@cache
def _airports() -> dict[str, dict[str, object]]:
    return airportsdata.load("IATA")


def resolve_airport(code: str, *, field: str) -> tuple[str, float, float]:
    """Name and coordinates of an IATA airport, or a validation error naming `field`."""
    airport = _airports().get(code.strip().upper())
    if airport is None:
        raise ValidationFailed({field: "unknown IATA airport code"})
    return (f"{airport['name']} ({code.strip().upper()})", float(airport["lat"]),  # type: ignore[arg-type]
            float(airport["lon"]))  # type: ignore[arg-type]


def _region_of(state: str) -> str | None:
    country = pycountry.countries.get(alpha_3=state)
    return country.alpha_2 if country else None


def build_sites(locations: list[LocationData]) -> list[OperationSite]:
    """The sites of a registration, airports resolved; every unknown code reported at once."""
    problems: dict[str, str] = {}
    sites: list[OperationSite] = []
    for index, location in enumerate(locations):
        radius = location.radius_m if location.radius_m is not None else DEFAULT_RADIUS_M
        if location.site:
            try:
                name, lat, lon = resolve_airport(location.site, field=f"locations[{index}].site")
            except ValidationFailed as error:
                problems.update(error.fields)
                continue
            sites.append(OperationSite(position=index, name=location.name or name,
                                       iata=location.site.strip().upper(), lat=lat, lon=lon,
                                       radius_m=radius))
        else:
            sites.append(OperationSite(position=index, name=location.name or "", iata=None,
                                       lat=float(location.lat or 0), lon=float(location.lon or 0),
                                       radius_m=radius))
    if problems:
        raise ValidationFailed(problems)
    return sites


def blind_targets(targets: list[TargetData], *, key: bytes, state: str,
                   kept: Sequence[matcher.Target] = ()) -> list[identifiers.BlindedTarget]:
    """The targets blinded with the period's key (kept ones as they were); every invalid
    identifier reported at once, by its path."""
    problems: dict[str, str] = {}
    blinded: list[identifiers.BlindedTarget] = []
    region = _region_of(state)
    for index, target in enumerate(targets):
        if target.keep is not None:  # already blinded: only its label may change
            if not 0 <= target.keep < len(kept):
                problems[f"targets[{index}].keep"] = "no such target in this operation"
                continue
            old = kept[target.keep]
            blinded.append(identifiers.BlindedTarget(identifiers.Kind(old.kind), old.blind,
                                                     old.dob_blind, target.label))
            continue
        try:
            blinded.append(identifiers.blind_target(key, kind=target.kind, value=target.value,
                                                    label=target.label, dob=target.dob,
                                                    region=region))
        except identifiers.InvalidIdentifier as error:
            problems[f"targets[{index}].{error.field}"] = str(error)
        except ValueError:
            problems[f"targets[{index}].kind"] = "unknown kind of target"
    if problems:
        raise ValidationFailed(problems)
    return blinded


def check_window(period: Period | PeriodWindow, starts_at: datetime, ends_at: datetime) -> None:
    """That an operation's window is well ordered and inside its period's."""
    problems: dict[str, str] = {}
    if ends_at <= starts_at:
        problems["ends_at"] = "must be after starts_at"
    if starts_at < period.starts_at:
        problems["starts_at"] = "must lie inside the period's window"
    if ends_at > period.ends_at:
        problems["ends_at"] = "must lie inside the period's window"
    if problems:
        raise ValidationFailed(problems)


def validated_parts(
    period: Period | PeriodWindow, starts_at: datetime, ends_at: datetime,
    locations: list[LocationData] | None, targets: list[TargetData] | None, *, key: bytes,
    state: str, kept: Sequence[matcher.Target] = (),
) -> tuple[list[OperationSite] | None, list[identifiers.BlindedTarget] | None]:
    """Check the window, resolve the sites and blind the targets, reporting every problem."""
    problems: dict[str, str] = {}
    sites = blinded = None
    try:
        check_window(period, starts_at, ends_at)
    except ValidationFailed as error:
        problems.update(error.fields)
    if locations is not None:
        try:
            sites = build_sites(locations)
        except ValidationFailed as error:
            problems.update(error.fields)
    if targets is not None:
        try:
            blinded = blind_targets(targets, key=key, state=state, kept=kept)
        except ValidationFailed as error:
            problems.update(error.fields)
    if problems:
        raise ValidationFailed(problems)
    return sites, blinded


def registration_problems(*, state: str, window: PeriodWindow | None,
                          starts_at: datetime | None, ends_at: datetime | None,
                          locations: list[LocationData],
                          targets: list[TargetData]) -> dict[str, str]:
    """Every problem the service would find in these parts (the window, the airport codes,
    the identifiers and dates of birth), without writing: lets a form report them in the same
    pass as the request model's. Paths index the lists given."""
    problems: dict[str, str] = {}
    if window is not None and starts_at is not None and ends_at is not None:
        try:
            check_window(window, starts_at, ends_at)
        except ValidationFailed as error:
            problems.update(error.fields)
    try:
        build_sites(locations)
    except ValidationFailed as error:
        problems.update(error.fields)
    fresh = [index for index, target in enumerate(targets) if target.keep is None]
    try:  # a throwaway key: only whether each value can be blinded matters here
        blind_targets([targets[index] for index in fresh], key=b"check only", state=state)
    except ValidationFailed as error:
        problems.update(_renumbered(error.fields, fresh))
    return problems


def _renumbered(fields: dict[str, str], positions: list[int]) -> dict[str, str]:
    """targets[i].x of a sub-list -> targets[positions[i]].x of the whole list."""
    renumbered: dict[str, str] = {}
    for path, message in fields.items():
        head, _, rest = path.partition("].")
        index = int(head.removeprefix("targets["))
        renumbered[f"targets[{positions[index]}].{rest}"] = message
    return renumbered


def contact_of(operation: Operation, registrant: Any) -> deconfliction.Contact:
    """Whom to call: the operation's named contact, else its registrant (a User, or the
    registering Principal)."""
    if operation.contact_name:
        return deconfliction.Contact(operation.contact_name, operation.contact_email,
                                     operation.contact_phone, operation.registered_by)
    if registrant is not None:
        return deconfliction.Contact(registrant.full_name or registrant.username,
                                     registrant.email, registrant.phone, registrant.id)
    return deconfliction.Contact("", None, None, None)


def matcher_sites(sites: Iterable[OperationSite]) -> tuple[matcher.Site, ...]:
    """An operation's sites as the matcher takes them."""
    return tuple(matcher.Site(s.lat, s.lon, s.radius_m, s.name) for s in sites)


def footprint_of(operation: Operation,
                 targets: tuple[matcher.Target, ...]) -> matcher.Footprint:
    """What the matcher compares of an operation: its window, sites and targets."""
    return matcher.Footprint(operation.id, operation.starts_at, operation.ends_at,
                             matcher_sites(operation.sites), targets)


class PeriodWindow(NamedTuple):
    """What a registration needs of its period: the id and the window."""

    id: int
    starts_at: datetime
    ends_at: datetime
