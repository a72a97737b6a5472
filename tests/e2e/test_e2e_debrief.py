"""End to end in real Chromium: two NLOs answer the debrief questionnaire (the second sees the
first's answers only once its own are submitted), a co-chair builds the pack and watches its
progress, downloads it, and the ZIP's manifest checksums, CSV totals (equal to the API's) and
PDF text (period name and handling marking on every page) are right."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import threading
import time
import zipfile
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from debrief.pack_builder import build_next
from tests.conftest import PASSWORD
from tests.debrief.debrief_packs_support import make_desk
from tests.e2e.conftest import Ui, log_in_as
from tests.outcomes.helpers import API

pytestmark = pytest.mark.browser

PERIOD_NAME = "Bali Process JPA 2015"
ANSWERS = {
    "THA": "Joint airport checks at BKK with a standing contact desk",
    "MYS": "Daily calls with the Sadao crossing team",
}


@pytest.fixture
def desk(app: Flask, accounts: Any) -> Any:
    """The 2015 period, over, with figures reported by THA and MYS."""
    desk = make_desk(app, accounts)
    for username, values in (("nlo.tha", {"arrests": 9, "victims_assisted": {"female_adult": 4}}),
                             ("nlo.mys", {"arrests": 12, "suspects_identified": 7})):
        response = desk.api(username).post(f"{API}/periods/{desk.pid}/reports",
                                           json={"date": "2015-10-05", "values": values})
        assert response.status_code == 201, response.get_data(as_text=True)
    return desk


def answer(page: Page, ui: Ui, pid: int, worked: str) -> None:
    """Fill in every question and rating of the questionnaire, then submit and confirm."""
    page.goto(ui.url(f"/periods/{pid}/debrief/questionnaire"))
    page.locator("#worked").fill(worked)
    page.locator("#did_not_work").fill("Night shifts had no contact officer on call.")
    page.locator("#do_differently").fill("Agree the contact roster before the period starts.")
    page.locator("#next_steps").fill("Share the roster template with every state.")
    for radio in page.locator("fieldset.objective-rating input[type=radio][value=S]").all():
        radio.check()
    page.locator("#usefulness-4").check()
    page.locator("#save-draft").click()
    expect(page.locator("#own-status")).to_contain_text("Draft")
    page.locator("#submit-answers").click()
    page.locator("#confirm-submit").click()
    expect(page.locator("#submitted-notice")).to_be_visible()


def test_two_states_answer_then_a_co_chair_builds_and_downloads_the_pack(
        app: Flask, desk: Any, open_tab: Any) -> None:
    thai_ui = open_tab()
    thai = log_in_as(thai_ui, "nlo.tha", PASSWORD)
    answer(thai, thai_ui, desk.pid, ANSWERS["THA"])
    expect(thai.locator("#own-worked")).to_contain_text(ANSWERS["THA"])

    malaysian_ui = open_tab()
    malaysian = log_in_as(malaysian_ui, "nlo.mys", PASSWORD)
    malaysian.goto(malaysian_ui.url(f"/periods/{desk.pid}/debrief/questionnaire"))
    expect(malaysian.locator("#questionnaire-form")).to_be_visible()
    assert ANSWERS["THA"] not in malaysian.content()  # reciprocity: not before submitting
    answer(malaysian, malaysian_ui, desk.pid, ANSWERS["MYS"])
    expect(malaysian.locator("#others-answers")).to_contain_text(ANSWERS["THA"])

    chair_ui = open_tab()
    chair = log_in_as(chair_ui, "chair.nzl", PASSWORD)
    chair.goto(chair_ui.url(f"/periods/{desk.pid}"))
    chair.get_by_role("link", name="Debrief", exact=True).click()
    expect(chair.locator("#rating-matrix")).to_contain_text("THA")
    chair.goto(chair_ui.url(f"/periods/{desk.pid}"))
    chair.get_by_role("link", name="Debrief packs").click()
    chair.get_by_role("button", name="Build a new pack").click()
    expect(chair.locator("#pack-status")).to_contain_text("Queued")

    seen: list[int] = []

    def slowly(percent: int, stage: str) -> None:
        seen.append(percent)
        time.sleep(1.2)  # long enough for the page's one-second poll to see the bar move

    builder = threading.Thread(target=build_next, args=(app,), kwargs={"observe": slowly})
    builder.start()
    chair.wait_for_function(
        "() => { const bar = document.getElementById('pack-progress');"
        " return bar && bar.value > 0 && bar.value < 100; }", timeout=60_000)
    expect(chair.locator("#pack-status")).to_contain_text("Building")
    builder.join(180)
    expect(chair.locator("#pack-download")).to_be_visible(timeout=60_000)
    assert seen and seen[-1] == 100
    with chair.expect_download() as download:
        chair.locator("#pack-download").click()
    with open(download.value.path(), "rb") as handle:
        content = handle.read()

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        files = {info.filename: archive.read(info) for info in archive.infolist()}
    manifest = json.loads(files.pop("manifest.json"))
    assert manifest["period"]["name"] == PERIOD_NAME
    assert (manifest["version"], manifest["handling"]) == (1, "H2")
    listed = {entry["name"]: entry for entry in manifest["files"]}
    assert set(listed) == set(files)
    for name, data in files.items():
        assert listed[name]["bytes"] == len(data)
        assert listed[name]["sha256"] == hashlib.sha256(data).hexdigest()

    totals_csv = files["data/totals.csv"]
    assert totals_csv.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(totals_csv.decode("utf-8-sig"))))
    from_csv = {row["indicator"]: int(row["total"]) for row in rows}
    api_totals = desk.api("chair.nzl").get(f"{API}/periods/{desk.pid}/totals").get_json()
    assert {key: from_csv[key] for key in api_totals["totals"]} == api_totals["totals"]
    assert from_csv["arrests"] == 21

    pages = PdfReader(io.BytesIO(files["report.pdf"])).pages
    assert len(pages) > 1
    for number, pdf_page in enumerate(pages, start=1):
        text = " ".join(pdf_page.extract_text().split())
        assert PERIOD_NAME in text, number
        assert "H2" in text and "participating states only" in text, number
        assert f"Page {number} of {len(pages)}" in text, number
    assert ANSWERS["THA"] in files["report.html"].decode()
