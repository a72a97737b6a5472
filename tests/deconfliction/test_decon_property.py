"""A randomised property test through the API: after random registrations, edits and
cancellations, the non-cleared conflict pairs a co-chair sees are exactly the pairs that
`deconfliction.matcher.brute_force_conflicts` finds in the same inputs.

The reference is built from what the test submitted, independently of the service: sites as
given (default radius 500 m), windows as given, and targets as canonical tokens (every
presentation of one phone number is one token; name variants of one person are one token).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deconfliction.matcher import METRES_PER_DEGREE, Footprint, Site, Target, brute_force_conflicts
from deconfliction.services import full_rescan
from tests.deconfliction.helpers import (
    API,
    BANGKOK,
    COLOMBO,
    KUALA_LUMPUR,
    PERIOD_END,
    PERIOD_START,
    iso,
)

NLOS = {"THA": "nlo.tha", "MYS": "nlo.mys", "LKA": "nlo.lka"}
HOT_SPOTS = [BANGKOK, KUALA_LUMPUR, COLOMBO]
RADII = [None, 100, 300, 800]
PHONES = [f"81 234 56{n}" for n in range(10, 16)]  # Thai mobiles, without the trunk prefix
PERSONS = [["Ahmad Karimi", "KARIMI, Ahmad", "Ahmad Karími"], ["Li Wei", "WEI Li", "li-wei"],
           ["Nguyen Van An", "AN Van Nguyen", "Nguyễn Văn An"]]
DOBS = [None, "1980-01-01", "1981-02-02"]
_periods = itertools.count(1)


def _phone(index: int, state: str, style: int) -> str:
    """One number, as each state would write it: THA may use the national form."""
    if state == "THA" and style == 0:
        return "0" + PHONES[index]
    return ("+66 " if style else "+66-") + PHONES[index]


@dataclass
class Spec:
    """One operation as the test submits it."""

    state: str
    sites: list[tuple[int, int, int, int | None]]  # hot spot, metres north, east, radius
    start_h: int
    hours: int
    phones: list[tuple[int, int]]  # number, writing style
    person: tuple[int, int, int] | None  # who, name variant, dob
    cancelled: bool = False
    op_id: int = 0
    extra: dict[str, object] = field(default_factory=dict)

    def window(self) -> tuple[datetime, datetime]:
        starts = PERIOD_START + timedelta(hours=self.start_h)
        return starts, starts + timedelta(hours=self.hours)

    def locations(self) -> list[dict[str, object]]:
        found = []
        for i, (hot, north, east, radius) in enumerate(self.sites):
            lat = HOT_SPOTS[hot][0] + north / METRES_PER_DEGREE
            lon = HOT_SPOTS[hot][1] + east / (METRES_PER_DEGREE * math.cos(math.radians(lat)))
            location: dict[str, object] = {"name": f"site {i}", "lat": lat, "lon": lon}
            if radius is not None:
                location["radius_m"] = radius
            found.append(location)
        return found

    def targets(self) -> list[dict[str, object]]:
        found: list[dict[str, object]] = [
            {"kind": "phone", "value": _phone(n, self.state, style), "label": f"phone {i}"}
            for i, (n, style) in enumerate(self.phones)]
        if self.person is not None:
            who, variant, dob = self.person
            target: dict[str, object] = {"kind": "person", "value": PERSONS[who][variant],
                                         "label": "subject"}
            if DOBS[dob]:
                target["dob"] = DOBS[dob]
            found.append(target)
        return found

    def body(self) -> dict[str, object]:
        starts, ends = self.window()
        return {"title": "Random", "type": "other", "lead_agency": "Agency",
                "starts_at": iso(starts), "ends_at": iso(ends), "locations": self.locations(),
                "targets": self.targets()}

    def footprint(self) -> Footprint:
        """What the matcher should be given for this operation (the reference)."""
        starts, ends = self.window()
        sites = tuple(Site(float(loc["lat"]), float(loc["lon"]),  # type: ignore[arg-type]
                           float(loc.get("radius_m") or 500), str(loc["name"]))
                      for loc in self.locations())
        targets = [Target("phone", f"phone-{n}") for n, _ in self.phones]
        if self.person is not None:
            who, _, dob = self.person
            targets.append(Target("person", f"person-{who}",
                                  f"dob-{dob}" if DOBS[dob] else None))
        return Footprint(self.op_id, starts, ends, sites, tuple(targets))


site_specs = st.tuples(st.integers(0, len(HOT_SPOTS) - 1),
                       st.integers(-15, 15).map(lambda n: n * 100),
                       st.integers(-15, 15).map(lambda n: n * 100),
                       st.sampled_from(RADII))
specs = st.builds(
    Spec,
    state=st.sampled_from(sorted(NLOS)),
    sites=st.lists(site_specs, min_size=1, max_size=2),
    start_h=st.integers(0, 36),  # whole hours: windows often sit exactly 2 h apart
    hours=st.integers(1, 8),
    phones=st.lists(st.tuples(st.integers(0, len(PHONES) - 1), st.integers(0, 2)),
                    max_size=1),
    person=st.none() | st.tuples(st.integers(0, len(PERSONS) - 1), st.integers(0, 2),
                                 st.integers(0, 2)),
)
edits = st.lists(st.one_of(
    st.tuples(st.just("move"), st.integers(0, 11), st.integers(0, 36), st.integers(1, 8)),
    st.tuples(st.just("relocate"), st.integers(0, 11), st.lists(site_specs, min_size=1,
                                                                max_size=2)),
    st.tuples(st.just("retarget"), st.integers(0, 11),
              st.lists(st.tuples(st.integers(0, len(PHONES) - 1), st.integers(0, 2)),
                       max_size=2)),
    st.tuples(st.just("cancel"), st.integers(0, 11)),
), max_size=5)


def _new_period(world) -> int:
    response = world.api("admin").post(f"{API}/periods", json={
        "name": f"Property run {next(_periods)}", "starts_at": iso(PERIOD_START),
        "ends_at": iso(PERIOD_END), "states": sorted(NLOS), "co_chairs": ["LKA"]})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["id"]


def _apply(world, spec: Spec, edit: tuple) -> Spec:
    """Send one edit through the API and return the spec as it now stands."""
    client = world.api(NLOS[spec.state])
    kind = edit[0]
    if spec.cancelled:
        return spec
    if kind == "cancel":
        response = client.post(f"{API}/operations/{spec.op_id}/cancel",
                               json={"reason": "called off"})
        assert response.status_code == 200, response.get_data(as_text=True)
        return replace(spec, cancelled=True)
    if kind == "move":
        changed = replace(spec, start_h=edit[2], hours=edit[3])
        starts, ends = changed.window()
        body: dict[str, object] = {"starts_at": iso(starts), "ends_at": iso(ends)}
    elif kind == "relocate":
        changed = replace(spec, sites=edit[2])
        body = {"locations": changed.locations()}
    else:
        changed = replace(spec, phones=edit[2])
        body = {"targets": changed.targets()}
    response = client.patch(f"{API}/operations/{spec.op_id}", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    return changed


@settings(max_examples=10, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow, HealthCheck.data_too_large])
@given(operations=st.lists(specs, min_size=12, max_size=12), changes=edits)
def test_reported_pairs_equal_the_brute_force_pairs(world, operations, changes):
    # Each example works in a period of its own, so examples cannot see one another.
    pid = _new_period(world)
    registered: list[Spec] = []
    for spec in operations:
        response = world.api(NLOS[spec.state]).post(f"{API}/periods/{pid}/operations",
                                                    json=spec.body())
        assert response.status_code == 201, response.get_data(as_text=True)
        registered.append(replace(spec, op_id=response.get_json()["id"]))
    for edit in changes:
        registered[edit[1]] = _apply(world, registered[edit[1]], edit)

    expected = brute_force_conflicts(s.footprint() for s in registered if not s.cancelled)
    response = world.api("chair.lka").get(f"{API}/periods/{pid}/conflicts")
    assert response.status_code == 200
    reported = response.get_json()["conflicts"]
    pairs = [tuple(c["operation_ids"]) for c in reported]
    assert len(pairs) == len(set(pairs)), "one record per pair"
    live = {tuple(c["operation_ids"]): c for c in reported if c["status"] != "cleared"}
    assert set(live) == set(expected)
    # A full rescan of the register (one pass, no incremental state) finds the same pairs.
    with world.app.extensions["jpa.db"].transaction(write=False) as session:
        assert full_rescan(session, period_id=pid) == set(expected)
    states = {s.op_id: s.state for s in registered}
    for pair, reasons in expected.items():
        conflict = live[pair]
        assert conflict["severity"] == reasons.severity
        kinds = (["location"] if reasons.sites else []) + (["target"] if reasons.targets else [])
        assert conflict["reason_kinds"] == kinds
        assert conflict["states"] == [states[pair[0]], states[pair[1]]]
    # Each party's list holds exactly the live pairs involving its state.
    for state, username in NLOS.items():
        mine = world.api(username).get(f"{API}/periods/{pid}/conflicts").get_json()["conflicts"]
        assert {c["id"] for c in mine if c["status"] != "cleared"} == {
            c["id"] for pair, c in live.items() if state in (states[pair[0]], states[pair[1]])}
