"""The deconfliction rules through the API: shared targets, place and time, one record per
pair with every reason, and re-checking on edit and cancel."""

from __future__ import annotations

from datetime import timedelta

import pytest

from deconfliction.matcher import DEFAULT_BUFFER, METRES_PER_DEGREE
from tests.deconfliction.helpers import (
    API,
    AUCKLAND,
    BANGKOK,
    COLOMBO,
    KUALA_LUMPUR,
    PERIOD_END,
    PERIOD_START,
    at,
    iso,
    make_period,
    site,
)

FAR = [(-60.0 + 3 * i, -170.0 + 7 * i) for i in range(12)]  # open ocean, far from each other


def far(i: int, name: str = "Far site") -> list[dict[str, object]]:
    """A location nobody else uses (so only the rule under test can fire)."""
    return [site(f"{name} {i}", FAR[i])]


def pairs(world, username="chair.nzl", *, cleared=False):
    """{(op_a, op_b): conflict} as a co-chair sees them (cleared ones only if asked)."""
    listed = world.conflicts(username)["conflicts"]
    return {tuple(c["operation_ids"]): c for c in listed if cleared or c["status"] != "cleared"}


def north(point, metres):
    """A point exactly `metres` north of `point` on the model sphere."""
    return (point[0] + metres / METRES_PER_DEGREE, point[1])


# ---------------------------------------------------------------- targets


def test_a_phone_in_national_and_international_form_is_one_target(world):
    tha = world.register("nlo.tha", locations=far(0), starts_at=iso(at(1)), ends_at=iso(at(2)),
                         targets=[{"kind": "phone", "value": "081 234 5678",
                                   "label": "THA broker line"}])
    mys = world.register("nlo.mys", locations=far(1), starts_at=iso(at(20)),
                         ends_at=iso(at(21)),
                         targets=[{"kind": "phone", "value": "+66 81 234 5678",
                                   "label": "MYS tip-off number"}])
    assert tha["conflicts"] == []
    assert len(mys["conflicts"]) == 1
    conflict = mys["conflicts"][0]
    assert conflict["severity"] == "high" and conflict["status"] == "open"
    assert conflict["reasons"] == [{"kind": "target", "target_kind": "phone",
                                    "label": "MYS tip-off number"}]
    assert conflict["operation_ids"] == [mys["id"]]
    assert conflict["counterpart"]["state"] == "THA"
    assert set(pairs(world)) == {(tha["id"], mys["id"])}


@pytest.mark.parametrize(("kind", "first", "second"), [
    ("passport", "ab-123 456", "AB123456"),
    ("id_document", "\uff58\uff19\uff19-001", "X99001"),  # full-width forms fold under NFKC
    ("vehicle", "กข 1234", "กข-1234"),  # Thai letters are kept
    ("person", "José  María Pérez-Lopez", "PEREZ LOPEZ, jose maria"),
    ("organisation", "Golden Crescent Travel", "golden crescent  TRAVEL"),
    ("vessel", "IMO 9074729", "9074729"),
    ("email", " Broker@Mail.Example ", "broker@mail.example"),
    ("iban", "GB29 NWBK 6016 1331 9268 19", "gb29nwbk60161331926819"),
    ("other", "  Telegram:@Smuggler ", "telegram:@smuggler"),
])
def test_normalised_values_of_one_kind_conflict(world, kind, first, second):
    a = world.register("nlo.lka", locations=far(0),
                       targets=[{"kind": kind, "value": first, "label": "LKA label"}])
    b = world.register("nlo.nzl", locations=far(1),
                       targets=[{"kind": kind, "value": second, "label": "NZL label"}])
    assert a["conflicts"] == []
    assert [c["reasons"] for c in b["conflicts"]] == [
        [{"kind": "target", "target_kind": kind, "label": "NZL label"}]]


def test_the_same_value_under_another_kind_does_not_conflict(world):
    world.register("nlo.lka", locations=far(0),
                   targets=[{"kind": "passport", "value": "N1234567", "label": "a"}])
    b = world.register("nlo.nzl", locations=far(1),
                       targets=[{"kind": "id_document", "value": "N1234567", "label": "b"},
                                {"kind": "other", "value": "n1234567", "label": "c"}])
    assert b["conflicts"] == []
    assert pairs(world) == {}


def test_target_conflicts_ignore_the_windows(world):
    first = world.register("nlo.tha", locations=far(0), starts_at=iso(at(0)),
                           ends_at=iso(at(0, 1)),
                           targets=[{"kind": "email", "value": "x@y.example", "label": "a"}])
    last = world.register("nlo.mys", locations=far(1), starts_at=iso(at(29)),
                          ends_at=iso(at(30)),
                          targets=[{"kind": "email", "value": "X@Y.example", "label": "b"}])
    assert set(pairs(world)) == {(first["id"], last["id"])}


def test_persons_conflict_only_when_dates_of_birth_agree_where_both_are_given(world):
    def person(username, i, dob):
        target = {"kind": "person", "value": "Ahmad Karimi" if i % 2 else "KARIMI, Ahmad",
                  "label": f"Subject {username}"}
        if dob:
            target["dob"] = dob
        return world.register(username, locations=far(i), targets=[target])["id"]

    tha = person("nlo.tha", 0, "1980-01-31")
    mys = person("nlo.mys", 1, "1980-01-31")
    lka = person("nlo.lka", 2, "1981-05-05")
    nzl = person("nlo.nzl", 3, None)
    assert set(pairs(world)) == {(tha, mys), (tha, nzl), (mys, nzl), (lka, nzl)}


def test_a_person_with_a_date_of_birth_finds_earlier_ones_without_and_with_the_same(world):
    """The lookup narrows a dated person to the same date or none: registered in the other
    order, the undated one is found from the dated ones' side."""
    def person(username, i, dob):
        target = {"kind": "person", "value": "Li Wei" if i % 2 else "WEI Li", "label": "S"}
        if dob:
            target["dob"] = dob
        return world.register(username, locations=far(i), targets=[target])

    nzl = person("nlo.nzl", 0, None)["id"]
    other = person("nlo.lka", 1, "1975-03-03")["id"]
    tha = person("nlo.tha", 2, "1980-01-31")
    assert sorted(c["counterpart"]["state"] for c in tha["conflicts"]) == ["NZL"]
    mys = person("nlo.mys", 3, "1980-01-31")
    assert sorted(c["counterpart"]["state"] for c in mys["conflicts"]) == ["NZL", "THA"]
    assert set(pairs(world)) == {(nzl, other), (nzl, tha["id"]), (nzl, mys["id"]),
                                 (tha["id"], mys["id"])}


def test_a_name_given_once_dated_and_once_undated_finds_every_date(world):
    """Two targets with one name, one dated and one not: the undated one meets a person of
    that name with any date, so the database's date filter must not narrow the name."""
    lka = world.register("nlo.lka", locations=far(0), targets=[
        {"kind": "person", "value": "Nguyen Van An", "label": "S", "dob": "1975-03-03"}])["id"]
    tha = world.register("nlo.tha", locations=far(1), targets=[
        {"kind": "person", "value": "NGUYEN Van An", "label": "A", "dob": "1980-01-31"},
        {"kind": "person", "value": "An Van Nguyen", "label": "B"}])
    assert [c["counterpart"]["state"] for c in tha["conflicts"]] == ["LKA"]
    assert set(pairs(world)) == {(lka, tha["id"])}


def test_phone_numbers_of_another_region_stay_apart(world):
    """A national number is read in the owner's region: 012-345 6789 in Malaysia is not the
    same number as 012-345 6789 in Sri Lanka."""
    world.register("nlo.mys", locations=far(0),
                   targets=[{"kind": "phone", "value": "012-345 6789", "label": "a"}])
    lka = world.register("nlo.lka", locations=far(1),
                         targets=[{"kind": "phone", "value": "077 123 4567", "label": "b"}])
    same = world.register("nlo.tha", locations=far(2),
                          targets=[{"kind": "phone", "value": "+60 12 345 6789", "label": "c"}])
    assert lka["conflicts"] == []
    assert [c["counterpart"]["state"] for c in same["conflicts"]] == ["MYS"]


# ---------------------------------------------------------------- place and time


@pytest.mark.parametrize(("gap", "conflict"), [
    (DEFAULT_BUFFER, False),  # a gap equal to the buffer: half-open, no conflict
    (DEFAULT_BUFFER - timedelta(minutes=1), True),  # 119 minutes
    (DEFAULT_BUFFER + timedelta(minutes=1), False),
    (timedelta(0), True),  # touching windows
    (-timedelta(hours=1), True),  # overlapping windows
])
def test_windows_must_come_closer_than_the_buffer(world, gap, conflict):
    place = [site("Airport road", BANGKOK)]
    a = world.register("nlo.tha", starts_at=iso(at(3, 8)), ends_at=iso(at(3, 10)),
                       locations=place)
    after = at(3, 10) + gap
    b = world.register("nlo.mys", starts_at=iso(after), ends_at=iso(after + timedelta(hours=3)),
                       locations=place)
    before_end = at(3, 8) - gap
    c = world.register("nlo.lka", starts_at=iso(before_end - timedelta(hours=3)),
                       ends_at=iso(before_end), locations=place)
    found = set(pairs(world))
    assert ((a["id"], b["id"]) in found) is conflict
    assert ((a["id"], c["id"]) in found) is conflict
    assert bool(b["conflicts"]) is conflict


@pytest.mark.parametrize(("r1", "r2", "distance", "conflict"), [
    (500, None, 990, True),  # default radius 500 m on the second site
    (500, None, 1010, False),
    (100, 2000, 2090, True),
    (100, 2000, 2110, False),
    (10, 10, 19, True),
    (10, 10, 21, False),
    (50_000, 50_000, 99_900, True),
    (50_000, 50_000, 100_100, False),
])
def test_sites_conflict_within_the_sum_of_their_radii(world, r1, r2, distance, conflict):
    a = world.register("nlo.tha", locations=[site("Here", BANGKOK, radius_m=r1)])
    b = world.register("nlo.mys", locations=[site("There", north(BANGKOK, distance),
                                                  radius_m=r2)])
    assert bool(b["conflicts"]) is conflict
    if conflict:
        assert b["conflicts"][0]["severity"] == "medium"
        assert b["conflicts"][0]["reasons"] == [{"kind": "location", "label": "There"}]
        assert set(pairs(world)) == {(a["id"], b["id"])}


def test_an_airport_code_is_its_coordinates(world):
    world.register("nlo.mys", locations=[{"site": "KUL"}])
    near = world.register("nlo.tha", locations=[site("KLIA cargo apron", (2.7500, 101.7100))])
    reasons = [c["reasons"] for c in near["conflicts"]]
    assert reasons == [[{"kind": "location", "label": "KLIA cargo apron"}]]
    mine = world.conflicts("nlo.mys")["conflicts"][0]
    assert mine["reasons"] == [{"kind": "location",
                                "label": "Kuala Lumpur International Airport (KUL)"}]


def test_distance_is_great_circle_across_the_date_line(world):
    world.register("nlo.nzl", locations=[site("East", (-16.0, 179.999), radius_m=500)])
    west = world.register("nlo.lka", locations=[site("West", (-16.0, -179.999), radius_m=500)])
    assert len(west["conflicts"]) == 1


# ---------------------------------------------------------------- records and reasons


def test_one_record_per_pair_with_every_reason(world):
    a = world.register(
        "nlo.tha", locations=[site("THA gate", BANGKOK), site("THA depot", COLOMBO)],
        targets=[{"kind": "phone", "value": "081 234 5678", "label": "THA phone"},
                 {"kind": "passport", "value": "P-778899", "label": "THA passport"},
                 {"kind": "email", "value": "only@tha.example", "label": "THA only"}])
    b = world.register(
        "nlo.mys", locations=[site("MYS gate", north(BANGKOK, 300)), site("MYS far", AUCKLAND)],
        targets=[{"kind": "passport", "value": "p778899", "label": "MYS passport"},
                 {"kind": "phone", "value": "+66812345678", "label": "MYS phone"}])
    assert len(b["conflicts"]) == 1
    conflict = b["conflicts"][0]
    assert conflict["severity"] == "high"
    assert sorted(conflict["reasons"], key=lambda r: (r["kind"], r["label"])) == [
        {"kind": "location", "label": "MYS gate"},
        {"kind": "target", "target_kind": "passport", "label": "MYS passport"},
        {"kind": "target", "target_kind": "phone", "label": "MYS phone"},
    ]
    tha_view = world.conflicts("nlo.tha")["conflicts"]
    assert [c["id"] for c in tha_view] == [conflict["id"]]
    assert sorted(tha_view[0]["reasons"], key=lambda r: (r["kind"], r["label"])) == [
        {"kind": "location", "label": "THA gate"},
        {"kind": "target", "target_kind": "passport", "label": "THA passport"},
        {"kind": "target", "target_kind": "phone", "label": "THA phone"},
    ]
    chair = pairs(world)
    assert set(chair) == {(a["id"], b["id"])}
    assert chair[(a["id"], b["id"])]["reason_kinds"] == ["location", "target"]
    assert world.conflicts("analyst")["counts"]["total"] == 1


def test_a_location_only_conflict_is_medium(world):
    world.register("nlo.tha", locations=[site("Gate", BANGKOK)])
    b = world.register("nlo.mys", locations=[site("Gate too", BANGKOK)])
    assert b["conflicts"][0]["severity"] == "medium"
    assert next(iter(pairs(world).values()))["reason_kinds"] == ["location"]


def test_operations_of_one_state_conflict_too(world):
    first = world.register("nlo.tha", title="Police",
                           targets=[{"kind": "phone", "value": "081 234 5678", "label": "P1"}])
    second = world.register("nlo2.tha", title="Immigration", locations=far(3),
                            targets=[{"kind": "phone", "value": "0812345678", "label": "I1"}])
    assert len(second["conflicts"]) == 1
    conflict = second["conflicts"][0]
    assert conflict["operation_ids"] == [first["id"], second["id"]]
    assert conflict["counterpart"]["state"] == "THA"
    chair = pairs(world)[(first["id"], second["id"])]
    assert chair["states"] == ["THA", "THA"]


def test_registration_never_fails_because_of_a_conflict(world):
    shared = {"kind": "passport", "value": "K0000001", "label": "Same"}
    ids = [world.register(u, targets=[shared], locations=[site("Same", COLOMBO)])["id"]
           for u in ("nlo.tha", "nlo.mys", "nlo.lka", "nlo.nzl", "nlo2.tha")]
    assert len(ids) == 5
    found = pairs(world)
    assert len(found) == 10  # every pair, once
    assert all(c["severity"] == "high" for c in found.values())
    listed = world.api("analyst").get(f"{API}/periods/{world.pid}/operations").json
    assert len(listed["operations"]) == 5


def test_conflicts_stay_within_their_period(world):
    other = make_period(world, "Another period", PERIOD_START, PERIOD_END, ["THA", "MYS", "NZL"],
                        ["NZL"])
    target = {"kind": "passport", "value": "K0000001", "label": "Same"}
    world.register("nlo.tha", targets=[target], locations=[site("S", COLOMBO)])
    response = world.register_raw("nlo.mys", pid=other, targets=[target],
                                  locations=[site("S", COLOMBO)])
    assert response.status_code == 201
    assert response.get_json()["conflicts"] == []


# ---------------------------------------------------------------- re-checking


def test_moving_the_window_away_clears_the_pair_and_moving_back_reopens_it(world):
    place = [site("Pier 3", KUALA_LUMPUR)]
    a = world.register("nlo.tha", starts_at=iso(at(5)), ends_at=iso(at(5, 6)), locations=place)
    b = world.register("nlo.mys", starts_at=iso(at(5, 2)), ends_at=iso(at(5, 8)),
                       locations=place)
    cid = b["conflicts"][0]["id"]

    moved = world.patch("nlo.mys", b["id"], starts_at=iso(at(9)), ends_at=iso(at(9, 6)))
    assert [(c["id"], c["status"]) for c in moved["conflicts"]] == [(cid, "cleared")]
    assert pairs(world) == {}
    still = pairs(world, cleared=True)
    assert still[(a["id"], b["id"])]["status"] == "cleared"
    assert [c["status"] for c in world.conflicts("nlo.tha")["conflicts"]] == ["cleared"]
    assert world.conflicts("analyst")["counts"]["by_status"] == {"cleared": 1}
    history = world.conflict("nlo.tha", cid)["history"]
    assert [e["action"] for e in history] == ["detected", "cleared"]

    back = world.patch("nlo.mys", b["id"], starts_at=iso(at(5, 7)), ends_at=iso(at(5, 9)))
    assert [(c["id"], c["status"]) for c in back["conflicts"]] == [(cid, "open")]
    assert set(pairs(world)) == {(a["id"], b["id"])}  # the same record, reopened
    history = world.conflict("nlo.mys", cid)["history"]
    assert [(e["action"], e["status"]) for e in history] == [
        ("detected", "open"), ("cleared", "cleared"), ("reopened", "open")]


def test_editing_targets_rechecks_and_updates_the_reasons(world):
    a = world.register("nlo.tha", locations=[site("Gate", BANGKOK)],
                       targets=[{"kind": "passport", "value": "A1", "label": "THA doc"}])
    b = world.register("nlo.mys", locations=[site("Gate", BANGKOK)],
                       targets=[{"kind": "passport", "value": "a-1", "label": "MYS doc"}])
    assert b["conflicts"][0]["severity"] == "high"
    edited = world.patch("nlo.mys", b["id"],
                         targets=[{"kind": "passport", "value": "B2", "label": "MYS doc 2"}])
    conflict = edited["conflicts"][0]
    assert conflict["status"] == "open" and conflict["severity"] == "medium"
    assert conflict["reasons"] == [{"kind": "location", "label": "Gate"}]
    moved = world.patch("nlo.tha", a["id"], locations=far(4))
    assert moved["conflicts"][0]["status"] == "cleared"
    shared = world.patch("nlo.tha", a["id"],
                         targets=[{"kind": "passport", "value": "b 2", "label": "THA doc 2"}])
    assert shared["conflicts"][0]["status"] == "open"
    assert shared["conflicts"][0]["reasons"] == [
        {"kind": "target", "target_kind": "passport", "label": "THA doc 2"}]


def test_an_edit_that_leaves_the_targets_alone_keeps_them(world):
    target = {"kind": "iban", "value": "GB29 NWBK 6016 1331 9268 19", "label": "Acct"}
    a = world.register("nlo.tha", locations=far(0), targets=[target])
    b = world.register("nlo.mys", locations=far(1), targets=[{**target, "label": "Acct M"}])
    edited = world.patch("nlo.tha", a["id"], title="Renamed", starts_at=iso(at(20)),
                         ends_at=iso(at(21)))
    assert [(c["status"], c["severity"]) for c in edited["conflicts"]] == [("open", "high")]
    assert edited["targets"] == [{"kind": "iban", "label": "Acct"}]
    assert set(pairs(world)) == {(a["id"], b["id"])}


def test_cancelling_clears_every_conflict_of_the_operation(world):
    place = [site("Bus terminal", COLOMBO)]
    a = world.register("nlo.lka", locations=place)
    b = world.register("nlo.nzl", locations=place)
    c = world.register("nlo.tha", locations=far(5),
                       targets=[{"kind": "email", "value": "p@q.example", "label": "T"}])
    d = world.register("nlo.mys", locations=place,
                       targets=[{"kind": "email", "value": "P@Q.example", "label": "M"}])
    assert set(pairs(world)) == {(a["id"], b["id"]), (a["id"], d["id"]), (b["id"], d["id"]),
                                 (c["id"], d["id"])}
    cancelled = world.cancel("nlo.mys", d["id"])
    assert cancelled["status"] == "cancelled"
    assert {x["status"] for x in cancelled["conflicts"]} == {"cleared"}
    assert len(cancelled["conflicts"]) == 3
    assert set(pairs(world)) == {(a["id"], b["id"])}
    # A cancelled operation is out of the register: a newcomer does not conflict with it.
    e = world.register("nlo.tha", locations=far(6),
                       targets=[{"kind": "email", "value": "p@q.example", "label": "T2"}])
    assert [x["operation_ids"] for x in e["conflicts"]] == [[c["id"], e["id"]]]  # not d
