"""The pages of a period's press settings and templates: k shown and set on the release list
(co-chairs), the templates listed, previewed by the server and saved with errors inline."""

from __future__ import annotations

from flask import Flask

from tests.outcomes.helpers import API
from tests.press.press_pages_support import browser, newsroom, post_form, text_of  # noqa: F401
from tests.press.press_workflow_support import Newsroom


def test_a_co_chair_sets_k_on_the_release_list(app: Flask, newsroom: Newsroom) -> None:  # noqa: F811
    client, _ = browser(app, "chair.nzl")
    page = f"/periods/{newsroom.pid}/press"
    shown = text_of(client.get(page))
    assert 'id="suppression-k">5<' in shown and "Save threshold" in shown
    assert f"/periods/{newsroom.pid}/press/templates" in shown
    to = f"/periods/{newsroom.pid}/press/settings"
    refused = post_form(client, page, to, suppression_k="2")
    assert refused.status_code == 422 and "Threshold:" in text_of(refused)
    assert post_form(client, page, to, suppression_k="abc").status_code == 422
    saved = post_form(client, page, to, suppression_k="3")
    assert saved.status_code == 302
    assert 'id="suppression-k">3<' in text_of(client.get(page))
    nlo, _ = browser(app, "nlo.tha")
    seen = text_of(nlo.get(page))
    assert 'id="suppression-k">3<' in seen and "Save threshold" not in seen
    assert newsroom.api("nlo.tha").get(f"{API}/periods/{newsroom.pid}/press-settings") \
        .get_json()["suppression_k"] == 3


def test_templates_are_listed_previewed_and_saved(app: Flask, newsroom: Newsroom) -> None:  # noqa: F811
    client, _ = browser(app, "chair.lka")
    listing = text_of(client.get(f"/periods/{newsroom.pid}/press/templates"))
    assert listing.count("/press/templates/") == 10
    page = f"/periods/{newsroom.pid}/press/templates/regional/fr"
    assert client.get(page).status_code == 200
    preview = post_form(client, page, action="preview",
                        body="**{{ figures.arrests }}** arrestations")
    assert preview.status_code == 200 and "<strong>0</strong> arrestations" in text_of(preview)
    bad = post_form(client, page, action="save", body="ok\n{{ figures.nope }}")
    assert bad.status_code == 422 and "line 2" in text_of(bad)
    saved = post_form(client, page, action="save", body="{{ figures.arrests }} arrestations")
    assert saved.status_code == 302
    assert newsroom.api("chair.nzl").get(
        f"{API}/periods/{newsroom.pid}/press-templates/regional/fr").get_json()["body"] == \
        "{{ figures.arrests }} arrestations"
    nlo, _ = browser(app, "nlo.tha")
    assert "Save template" not in text_of(nlo.get(page))
    assert post_form(nlo, page, action="save", body="x").status_code == 403
    assert client.get(f"/periods/{newsroom.pid}/press/templates/regional/xx").status_code == 404
