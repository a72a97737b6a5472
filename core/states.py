"""States as reference data: ISO 3166-1 alpha-3 codes from pycountry, each with a default zone."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo, available_timezones

import pycountry

from core.errors import ValidationFailed

# The capital's zone where a state spans several; zone.tab's first entry is often a fringe one.
_PREFERRED_ZONES = {
    "AUS": "Australia/Sydney", "IDN": "Asia/Jakarta", "MYS": "Asia/Kuala_Lumpur",
    "MDV": "Indian/Maldives", "NZL": "Pacific/Auckland", "PHL": "Asia/Manila",
    "LKA": "Asia/Colombo", "THA": "Asia/Bangkok", "USA": "America/New_York",
    "CAN": "America/Toronto", "BRA": "America/Sao_Paulo", "RUS": "Europe/Moscow",
    "MEX": "America/Mexico_City", "CHN": "Asia/Shanghai", "KAZ": "Asia/Almaty",
    "ESP": "Europe/Madrid", "PRT": "Europe/Lisbon", "ARG": "America/Argentina/Buenos_Aires",
    "CHL": "America/Santiago", "ECU": "America/Guayaquil", "DEU": "Europe/Berlin",
    "UKR": "Europe/Kyiv", "MNG": "Asia/Ulaanbaatar", "COD": "Africa/Kinshasa",
    "PNG": "Pacific/Port_Moresby", "FSM": "Pacific/Pohnpei", "KIR": "Pacific/Tarawa",
    "PYF": "Pacific/Tahiti", "GRL": "America/Nuuk", "UZB": "Asia/Tashkent",
}


@dataclass(frozen=True)
class State:
    """A state as the service knows it."""

    code: str
    name: str
    default_time_zone: str


@cache
def _zone_tab() -> dict[str, str]:
    """Alpha-2 code -> first IANA zone listed for it in tzdata's zone.tab."""
    text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text()
    zones: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        alpha2, _coords, zone = line.split("\t")[:3]
        zones.setdefault(alpha2, zone)
    return zones


@cache
def all_states() -> dict[str, State]:
    """Every ISO 3166-1 state, keyed by alpha-3 code."""
    states: dict[str, State] = {}
    for country in pycountry.countries:
        zone = _PREFERRED_ZONES.get(country.alpha_3) or _zone_tab().get(country.alpha_2, "UTC")
        name = getattr(country, "common_name", None) or country.name
        states[country.alpha_3] = State(country.alpha_3, name, zone)
    return states


def get_state(code: str, *, field: str = "state") -> State:
    """The state for an alpha-3 code; an unknown code is a validation error naming `field`."""
    state = all_states().get(code.upper() if isinstance(code, str) else "")
    if state is None or code != state.code:
        # The submitted value is never echoed back (core.api's rule for validation errors).
        raise ValidationFailed({field: "unknown state code; use an ISO 3166-1 alpha-3 code in "
                                       "capitals, e.g. NZL"})
    return state


@cache
def known_time_zones() -> frozenset[str]:
    """Every IANA zone name this machine can resolve."""
    return frozenset(available_timezones())


def check_time_zone(name: str, *, field: str = "time_zone") -> ZoneInfo:
    """The zone for an IANA name, or a validation error naming `field`."""
    if name not in known_time_zones():
        raise ValidationFailed({field: "unknown time zone; use an IANA name, "
                                       "e.g. Pacific/Auckland"})
    return ZoneInfo(name)
