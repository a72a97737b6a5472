"""Target values are never stored, logged or returned.

Two states register unusual identifier values (canaries) that conflict; the pair is then
edited, acknowledged, resolved and looked at by everyone. Afterwards no submitted value, nor
its normalised form, may be found in any table, any log record, any API response or page of
any role, any e-mail, nor (on SQLite) in the bytes of the database file and its WAL.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from deconfliction import identifiers
from tests.conftest import WebAuth, make_settings
from tests.deconfliction.helpers import API, BANGKOK, PEOPLE, at, iso, site

THA_TARGETS = [
    {"kind": "phone", "value": "081 773 1771", "label": "Handset one"},
    {"kind": "passport", "value": "ZX-CANARY-71", "label": "Travel doc one"},
    {"kind": "person", "value": "Zebedee Quillfeather-Canary", "dob": "1977-03-31",
     "label": "Subject one"},
    {"kind": "email", "value": "canary.7731@example.net", "label": "Mailbox one"},
    {"kind": "iban", "value": "GB32 WEST 7731 1234 5677 31", "label": "Account one"},
    {"kind": "vehicle", "value": "กข 7731 กรุงเทพ", "label": "Van one"},
    {"kind": "organisation", "value": "Xylophagous Quokka Logistics", "label": "Firm one"},
    {"kind": "other", "value": "Telegram @zq_canary_81", "label": "Channel one"},
]
MYS_TARGETS = [
    {"kind": "phone", "value": "+66 81 773 1771", "label": "Handset two"},
    {"kind": "passport", "value": "zx canary 71", "label": "Travel doc two"},
    {"kind": "person", "value": "QUILLFEATHER-CANARY, Zebedee", "dob": "1977-03-31",
     "label": "Subject two"},
    {"kind": "email", "value": " Canary.7731@Example.NET ", "label": "Mailbox two"},
    {"kind": "iban", "value": "gb32west77311234567731", "label": "Account two"},
    {"kind": "vehicle", "value": "กข-7731 กรุงเทพ", "label": "Van two"},
    {"kind": "organisation", "value": "xylophagous quokka  LOGISTICS", "label": "Firm two"},
    {"kind": "other", "value": "telegram @ZQ_CANARY_81 ", "label": "Channel two"},
]
# Values that fail validation must not surface either.
INVALID_TARGETS = [
    {"kind": "iban", "value": "XK99 CANARY 9931 0000", "label": "Bad account"},
    {"kind": "phone", "value": "+66 1 QWERTY 9931", "label": "Bad handset"},
    {"kind": "vessel", "value": "IMO 9931998", "label": "Bad ship"},
    {"kind": "email", "value": "zanzibar-canary-9931", "label": "Bad mailbox"},
    {"kind": "person", "value": "Ottoline Vexwhistle", "dob": "1931-02-30",
     "label": "Bad subject"},
]
REGIONS = {"THA": "TH", "MYS": "MY", "LKA": "LK"}
# Fragments of the values that no label, title or name of these tests contains.
FRAGMENTS = ["quillfeather", "zebedee", "zx-canary", "zx canary", "zxcanary", "canary.7731",
             "7731123456", "817731771", "1977-03-31", "xylophagous", "quokka", "zq_canary",
             "7731กรุงเทพ", "กข 7731", "กข-7731", "vexwhistle", "ottoline", "zanzibar-canary",
             "qwerty 9931", "canary 9931", "9931998", "1931-02-30"]


def _needles() -> list[str]:
    """Every submitted value, trimmed, its normalised form, and the distinctive fragments."""
    needles: set[str] = set(FRAGMENTS)
    for state, targets in (("THA", THA_TARGETS), ("MYS", MYS_TARGETS), ("LKA", INVALID_TARGETS)):
        for target in targets:
            needles.update({target["value"], target["value"].strip()})
            if "dob" in target:
                needles.add(target["dob"])
            try:
                needles.add(identifiers.normalise(target["kind"], target["value"],
                                                  region=REGIONS[state]))
            except identifiers.InvalidIdentifier:
                pass
    return sorted(needles)


NEEDLES = _needles()


def _leaks(haystack: str) -> list[str]:
    folded = haystack.casefold()
    return [needle for needle in NEEDLES if needle.casefold() in folded]


def _byte_leaks(data: bytes) -> list[str]:
    lowered = data.lower()
    return [n for n in NEEDLES
            if n.encode() in data or n.casefold().encode() in lowered]


@pytest.fixture
def settings(tmp_path, database_url, smtp_server):
    """The test settings, with mail going to the local SMTP server."""
    return make_settings(tmp_path, database_url, smtp_host=smtp_server.host,
                         smtp_port=smtp_server.port)


def test_needles_are_sound():
    """The canaries are valid identifiers that conflict pairwise, and the fragments are real."""
    for tha, mys in zip(THA_TARGETS, MYS_TARGETS, strict=True):
        assert identifiers.normalise(tha["kind"], tha["value"], region="TH") == \
            identifiers.normalise(mys["kind"], mys["value"], region="MY")
    values = " ".join(t["value"] + " " + t.get("dob", "") for t in
                      THA_TARGETS + MYS_TARGETS + INVALID_TARGETS).casefold()
    normalised = " ".join(identifiers.normalise(t["kind"], t["value"]) for t in MYS_TARGETS
                          if t["kind"] != "phone").casefold()
    for fragment in FRAGMENTS:
        assert fragment.casefold() in values + " " + normalised + " 817731771", fragment
    labels = " ".join(t["label"] for t in THA_TARGETS + MYS_TARGETS + INVALID_TARGETS)
    assert _leaks(labels) == []


def test_no_target_value_is_stored_logged_returned_or_mailed(world, app, smtp_server, caplog,
                                                             database_url):
    caplog.set_level(logging.DEBUG)
    outputs: list[str] = []

    def keep(response, status=None):
        if status is not None:
            assert response.status_code == status, response.get_data(as_text=True)
        outputs.append(response.get_data(as_text=True))
        if response.is_json:
            outputs.append(json.dumps(response.get_json(), ensure_ascii=False))
        return response

    # ---- register, conflict, edit, act
    tha = keep(world.register_raw("nlo.tha", title="Operation Heron",
                                  locations=[site("Pier A", BANGKOK)], targets=THA_TARGETS,
                                  starts_at=iso(at(3)), ends_at=iso(at(4))), 201).get_json()
    mys = keep(world.register_raw("nlo.mys", title="Ops Bangau",
                                  locations=[site("Pier B", BANGKOK)], targets=MYS_TARGETS,
                                  starts_at=iso(at(3, 6)), ends_at=iso(at(5))), 201).get_json()
    assert len(mys["conflicts"]) == 1
    cid = mys["conflicts"][0]["id"]
    assert {r["target_kind"] for r in mys["conflicts"][0]["reasons"]
            if r["kind"] == "target"} == {t["kind"] for t in MYS_TARGETS}
    for i, bad in enumerate(INVALID_TARGETS):
        response = keep(world.register_raw("nlo.lka", targets=[THA_TARGETS[0], bad]), 422)
        assert any(name.startswith("targets[1].") for name in response.get_json()["error"]
                   ["fields"]), i
    keep(world.api("nlo.lka").patch(f"{API}/operations/{tha['id']}",
                                    json={"targets": MYS_TARGETS}), 404)
    keep(world.api("nlo.mys").patch(f"{API}/operations/{mys['id']}",
                                    json={"targets": MYS_TARGETS[::-1]}), 200)
    keep(world.api("nlo.mys").patch(f"{API}/operations/{mys['id']}",
                                    json={"targets": [INVALID_TARGETS[0]]}), 422)
    keep(world.api("nlo.tha").patch(f"{API}/operations/{tha['id']}",
                                    json={"starts_at": iso(at(20)), "ends_at": iso(at(21))}), 200)
    keep(world.api("nlo.tha").post(f"{API}/conflicts/{cid}/acknowledge"), 200)
    keep(world.api("nlo.mys").post(f"{API}/conflicts/{cid}/resolve",
                                   json={"resolution": "joint", "note": "Meet at Pier B"}), 200)
    keep(world.register_raw("nlo.lka", title="Ops Kokila", targets=MYS_TARGETS[:3],
                            locations=[site("Pier C", BANGKOK)]), 201)

    # ---- everything every role can ask for
    oids = [tha["id"], mys["id"], mys["id"] + 1, mys["id"] + 50]
    for username in PEOPLE:
        client = world.api(username)
        urls = [f"{API}/periods", f"{API}/periods/{world.pid}",
                f"{API}/periods/{world.pid}/operations", f"{API}/periods/{world.pid}/conflicts",
                f"{API}/periods/{world.pid}/conflicts?status=resolved", f"{API}/notifications",
                f"{API}/conflicts/{cid}", f"{API}/conflicts/{cid + 1}", f"{API}/users",
                *[f"{API}/operations/{oid}" for oid in oids]]
        for url in urls:
            keep(client.get(url))
        for notification in client.get(f"{API}/notifications").get_json()["notifications"]:
            assert _leaks(notification["subject"] + notification["body"]) == []
    # ---- and the pages, for the parties and a co-chair
    for username in ("nlo.tha", "nlo.mys", "nlo.lka", "chair.nzl"):
        browser = WebAuth(app.test_client())
        assert browser.login(username).status_code == 302
        for url in ("/", f"/periods/{world.pid}", f"/periods/{world.pid}/operations",
                    f"/periods/{world.pid}/conflicts", f"/conflicts/{cid}", "/notifications",
                    *[f"/operations/{oid}" for oid in oids],
                    *[f"/operations/{oid}/edit" for oid in oids]):
            keep(browser.client.get(url))

    # ---- responses
    assert len(outputs) > 150
    for output in outputs:
        assert _leaks(output) == [], output[:500]

    # ---- e-mails (delivered to the local SMTP server)
    sink = smtp_server.sink
    assert len(sink.envelopes) >= 4
    for raw in sink.raw():
        assert _byte_leaks(raw) == []
    for message in sink.messages:
        part = message.get_body(preferencelist=("plain",))
        assert _leaks(str(message["Subject"]) + part.get_content()) == []

    # ---- every table, every column
    database = app.extensions["jpa.db"]
    engine = database.engine
    tables = inspect(engine).get_table_names()
    assert {"operations", "operation_targets", "register_targets", "conflicts",
            "audit_events", "notifications", "outbox_mail"} <= set(tables)
    rows_seen = 0
    with engine.connect() as connection:
        for table in tables:
            columns = [c["name"] for c in inspect(engine).get_columns(table)]
            selected = ", ".join(f'CAST("{c}" AS TEXT)' for c in columns)
            for row in connection.execute(text(f'SELECT {selected} FROM "{table}"')):
                rows_seen += 1
                found = _leaks(" | ".join("" if v is None else str(v) for v in row))
                assert found == [], (table, found)
    assert rows_seen > 50

    # ---- log records of every logger, at DEBUG
    assert caplog.records, "nothing was logged at all: is capture working?"
    for record in caplog.records:
        message = record.getMessage()
        extra = " ".join(str(part) for part in (record.args, record.exc_text) if part)
        assert _leaks(message + " " + extra) == [], (record.name, message[:300])
    assert _leaks(caplog.text) == []

    # ---- the bytes of the SQLite database and its write-ahead log
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database)
        files = [p for p in (path, Path(f"{path}-wal")) if p.exists()]
        assert path in files
        assert sum(p.stat().st_size for p in files) > 0
        for file in files:
            assert _byte_leaks(file.read_bytes()) == [], file.name
