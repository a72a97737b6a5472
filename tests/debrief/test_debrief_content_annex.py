"""An NLO's annex: its own operations in full, its own conflicts at pointer level, and nothing
of another state's operations (title, agency, site, target label, note) in any file of any
pack or annex, the PDF's text included."""

from __future__ import annotations

import csv
import io

import pytest

from tests.debrief.debrief_content_support import (
    MYS_SECRETS,
    THA_SECRETS,
    PackWorld,
    make_pack_world,
    searchable,
)

OPERATIONAL = ("title", "agency", "site", "label", "note")


@pytest.fixture
def world(app, accounts) -> PackWorld:
    """The 2015 period: Thailand's and Malaysia's operations conflict."""
    return make_pack_world(app, accounts)


def rows_of(body: bytes) -> list[list[str]]:
    """A CSV file's rows (after its byte-order mark)."""
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def absent(files: dict[str, bytes], secrets: dict[str, str]) -> None:
    """None of the operational words of `secrets` is in any file."""
    for name, text in searchable(files).items():
        for key in OPERATIONAL:
            if key in secrets:
                assert secrets[key] not in text, (name, key)
                assert secrets[key].encode() not in files[name], (name, key)


def test_the_annex_adds_its_own_operations_in_full_and_its_own_conflicts_as_pointers(world):
    files = world.build(annex="THA")
    assert list(files)[-2:] == ["annex/operations.csv", "annex/conflicts.csv"]
    operations = rows_of(files["annex/operations.csv"])
    assert operations[0] == ["operation", "title", "type", "lead_agency", "starts_at",
                             "ends_at", "sites", "targets", "status"]
    assert operations[1][1:4] == [THA_SECRETS["title"], "airport_checks", THA_SECRETS["agency"]]
    assert operations[1][6] == f"{THA_SECRETS['site']} (BKK)"
    assert operations[1][7] == f"phone: {THA_SECRETS['label']}"
    assert operations[1][8] == "completed" and len(operations) == 2
    conflicts = rows_of(files["annex/conflicts.csv"])
    assert len(conflicts) == 2
    row = dict(zip(conflicts[0], conflicts[1], strict=True))
    assert row["other_state"] == "MYS" and row["severity"] == "high"
    assert row["other_contact_officer"].startswith(MYS_SECRETS["contact"])
    assert row["reason_kinds"] == "location, target" and row["resolution"] == "joint"
    assert row["acknowledged_by_us"] == "2015-09-28T19:00Z"
    text = searchable(files)
    assert THA_SECRETS["title"] in text["report.html"] and THA_SECRETS["title"] in text[
        "report.pdf"]
    assert "Annex: THA" in text["report.pdf"]
    absent(files, MYS_SECRETS)


def test_no_pack_nor_annex_shows_another_states_operations(world):
    plain = world.build()
    absent(plain, THA_SECRETS)
    absent(plain, MYS_SECRETS)
    for name in plain:
        assert not name.startswith("annex/")
    mys = world.build(annex="MYS")
    absent(mys, THA_SECRETS)
    assert MYS_SECRETS["title"] in mys["annex/operations.csv"].decode("utf-8")
    # A state with no conflict: its operation, an empty conflicts file with its header only.
    nzl = world.build(annex="NZL")
    absent(nzl, THA_SECRETS)
    absent(nzl, MYS_SECRETS)
    assert len(rows_of(nzl["annex/conflicts.csv"])) == 1
    assert rows_of(nzl["annex/operations.csv"])[1][1] == "NZL op"


def test_the_annex_leaves_the_shared_data_files_as_they_are(world):
    plain, annex = world.build(), world.build(annex="THA")
    shared = [name for name in plain if name.startswith(("data/", "charts/"))]
    assert all(plain[name] == annex[name] for name in shared)
