"""Both parties are told at once, pointer-level only: in the in-app inbox, and by e-mail through
a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import make_settings
from tests.deconfliction.helpers import API, BANGKOK, PEOPLE, at, body_text, iso, site

BASE_URL = "http://jpa.test"
THA_SIDE = {"title": "Operation Lotus", "agency": "Thai Anti-Trafficking Division",
            "site": "Lat Krabang depot", "labels": ["Lotus subject", "Lotus burner"]}
MYS_SIDE = {"title": "Ops Rimau", "agency": "Royal Malaysia Police D7",
            "site": "Bangkok transit desk", "labels": ["Rimau subject", "Rimau burner"]}
VALUES = ["LT-90210-Q", "lt90210q", "LT90210Q", "089 999 1234", "+66 89 999 1234",
          "+66899991234", "0899991234", "899991234"]
MYS_CONTACT = {"name": "Inspector Wong", "email": "wong.d7@mys.example",
               "phone": "+60 3 2266 9999"}


@pytest.fixture
def settings(tmp_path, database_url, smtp_server):
    """The test settings, with mail going to the local SMTP server."""
    return make_settings(tmp_path, database_url, smtp_host=smtp_server.host,
                         smtp_port=smtp_server.port, base_url=BASE_URL)


@pytest.fixture
def found(world, smtp_server):
    """THA registers, then MYS registers the same passport and phone: one conflict (after a
    few fillers, so that operation ids and conflict ids never coincide)."""
    for i in range(4):
        world.register("nlo.nzl", locations=[site(f"Filler {i}", (-50.0, 150.0 + i))])
    tha = world.register(
        "nlo.tha", title=THA_SIDE["title"], lead_agency=THA_SIDE["agency"],
        locations=[site(THA_SIDE["site"], BANGKOK)], starts_at=iso(at(3)), ends_at=iso(at(4)),
        targets=[{"kind": "passport", "value": "LT-90210-Q", "label": THA_SIDE["labels"][0]},
                 {"kind": "phone", "value": "089 999 1234", "label": THA_SIDE["labels"][1]}])
    assert smtp_server.sink.envelopes == []  # nothing to tell yet
    mys = world.register(
        "nlo.mys", title=MYS_SIDE["title"], lead_agency=MYS_SIDE["agency"],
        locations=[site(MYS_SIDE["site"], (-40.0, 170.0))], starts_at=iso(at(20)),
        ends_at=iso(at(21)), contact=MYS_CONTACT,
        targets=[{"kind": "passport", "value": "lt90210q", "label": MYS_SIDE["labels"][0]},
                 {"kind": "phone", "value": "+66 89 999 1234", "label": MYS_SIDE["labels"][1]}])
    return tha, mys, mys["conflicts"][0]["id"]


def _pointer_level(text, *, own, other, counterpart):
    """Own labels and the counterpart's state and contact; nothing of the other side."""
    for label in own["labels"]:
        assert label in text
    for piece in counterpart.values():
        assert piece in text
    for piece in [other["title"], other["agency"], other["site"], *other["labels"],
                  own["title"], own["agency"]]:
        assert piece not in text
    for value in VALUES:
        assert value not in text
        assert value.lower() not in text.lower()


def _tha_counterpart():
    person = PEOPLE["nlo.tha"]
    return {"state": "THA", "name": person["full_name"], "email": person["email"],
            "phone": person["phone"]}


def test_the_other_party_finds_it_in_the_inbox_and_the_registrant_gets_nothing(world, found):
    _, mys, cid = found
    tha_inbox, mys_inbox = world.notifications("nlo.tha"), world.notifications("nlo.mys")
    # The registrant sees the conflict on the page it registered on: nothing to tell it.
    assert tha_inbox["unread"] == 1 and mys_inbox == {"unread": 0, "notifications": []}
    tha_note = tha_inbox["notifications"][0]
    assert tha_note["subject"].startswith(
        f"MYS registered an operation that conflicts with yours: #{cid} (High)")
    assert tha_note["read"] is False
    assert tha_note["link"] == f"/conflicts/{cid}"
    _pointer_level(tha_note["subject"] + tha_note["body"], own=THA_SIDE, other=MYS_SIDE,
                   counterpart={"state": "MYS", **MYS_CONTACT})
    assert f"#{mys['id']}" not in json.dumps(tha_inbox)
    for bystander in ("nlo.lka", "nlo.nzl", "chair.nzl", "analyst", "admin"):
        assert world.notifications(bystander) == {"unread": 0, "notifications": []}


def test_every_change_is_told_to_the_other_party_once(world, found):
    tha, _, cid = found
    assert world.api("nlo.tha").post(f"{API}/conflicts/{cid}/acknowledge").status_code == 200
    assert world.notifications("nlo.tha")["unread"] == 1  # only the detection
    inbox = world.notifications("nlo.mys")
    assert inbox["unread"] == 1
    assert inbox["notifications"][0]["subject"].startswith(f"THA acknowledged conflict #{cid}")
    world.patch("nlo.tha", tha["id"],
                targets=[{"kind": "email", "value": "new@tha.example", "label": "New"}])
    assert world.notifications("nlo.tha")["unread"] == 1
    inbox = world.notifications("nlo.mys")
    assert inbox["unread"] == 2
    assert inbox["notifications"][0]["subject"].startswith(
        f"THA changed an operation: conflict #{cid} is cleared")


def test_reading_a_notification_lowers_the_unread_count(world, found):
    inbox = world.notifications("nlo.tha")
    nid = inbox["notifications"][0]["id"]
    assert world.api("nlo.mys").post(f"{API}/notifications/{nid}/read").status_code in (204, 404)
    assert world.notifications("nlo.tha")["unread"] == 1  # not someone else's to mark
    assert world.api("nlo.tha").post(f"{API}/notifications/{nid}/read").status_code == 204
    after = world.notifications("nlo.tha")
    assert after["unread"] == 0 and after["notifications"][0]["read"] is True


def test_registering_a_conflicting_pair_mails_the_other_partys_contact(world, found,
                                                                     smtp_server):
    _, _, cid = found
    sink = smtp_server.sink
    recipients = sorted(address for e in sink.envelopes for address in e.rcpt_tos)
    assert recipients == [PEOPLE["nlo.tha"]["email"]]

    (to_tha,) = sink.to(PEOPLE["nlo.tha"]["email"])
    text = body_text(to_tha).replace("\r\n", "\n")
    _pointer_level(to_tha["Subject"] + text, own=THA_SIDE, other=MYS_SIDE,
                   counterpart={"state": "MYS", **MYS_CONTACT})
    assert f"{BASE_URL}/conflicts/{cid}" in text
    # The in-app item has the same words without the link; the mail adds the link.
    note = world.notifications("nlo.tha")["notifications"][0]
    assert " ".join(to_tha["Subject"].split()) == note["subject"]  # unfolded
    assert text.startswith(note["body"])
    assert "http" not in note["body"] and "/conflicts/" not in note["body"]
    for raw in sink.raw():
        for value in VALUES:
            assert value.encode() not in raw


def test_a_change_made_through_the_api_is_mailed_at_once(world, found, smtp_server):
    _, _, cid = found
    sink = smtp_server.sink
    before = len(sink.envelopes)
    response = world.api("nlo.mys").post(f"{API}/conflicts/{cid}/resolve",
                                         json={"resolution": "joint", "note": "one team"})
    assert response.status_code == 200
    new = sink.messages[before:]
    assert [a for e in sink.envelopes[before:] for a in e.rcpt_tos] == [
        PEOPLE["nlo.tha"]["email"]]
    (message,) = new
    assert message["Subject"].startswith(f"MYS resolved #{cid}: work jointly — one team")
    assert f"{BASE_URL}/conflicts/{cid}" in body_text(message)


def test_no_mail_when_nothing_conflicts(world, smtp_server):
    world.register("nlo.tha", locations=[site("A", BANGKOK)])
    world.register("nlo.mys", locations=[site("B", (-40.0, 170.0))])
    assert smtp_server.sink.envelopes == []
    assert world.notifications("nlo.tha")["unread"] == 0


def test_a_contact_without_an_address_is_mailed_at_the_registrants_account(world, smtp_server):
    """A named contact with no e-mail of its own: the mail goes to the registering NLO."""
    world.register("nlo.mys", locations=[site("Gate 2", (-40.0, 170.0))],
                   contact={"name": "Night desk"},
                   targets=[{"kind": "phone", "value": "+66 89 555 0101", "label": "b"}])
    world.register("nlo.tha", locations=[site("Gate 1", BANGKOK)],
                   targets=[{"kind": "phone", "value": "089 555 0101", "label": "a"}])
    recipients = sorted(a for e in smtp_server.sink.envelopes for a in e.rcpt_tos)
    assert recipients == [PEOPLE["nlo.mys"]["email"]]
    inbox = world.notifications("nlo.mys")["notifications"]
    assert len(inbox) == 1 and "Night desk" not in inbox[0]["body"]
