"""The release list and the editor: a draft from the default template, a server-rendered
preview with the placeholders' current values, hand-typed figures listed inline and needing
explicit acceptance, bad input refused naming the field with nothing stored."""

from __future__ import annotations

from tests.press.press_pages_support import browser, newsroom, post_form, release_row, text_of  # noqa: F401


def _new_release(app, room, username="chair.nzl", language="en"):
    client, _ = browser(app, username)
    made = post_form(client, f"/periods/{room.pid}/press", language=language,
                     title="Regional results")
    assert made.status_code == 302, made.get_data(as_text=True)
    return client, int(made.headers["Location"].rsplit("/", 1)[1])


def test_list_and_new_draft_from_the_default_template(app, newsroom):  # noqa: F811
    newsroom.report("nlo.tha", "2015-10-01", {"arrests": 7})
    newsroom.sign("nlo.tha")
    client, rid = _new_release(app, newsroom)
    release = release_row(app, rid)
    assert release.scope == "regional" and release.language == "en"
    assert "{{" in release.body  # the default template, with placeholders
    editor = text_of(client.get(f"/press-releases/{rid}"))
    assert '<div class="release-preview" lang="en">' in editor
    assert "<code>{{ figures.arrests }}</code></td><td lang=\"en\">7</td>" in editor
    listing = text_of(client.get(f"/periods/{newsroom.pid}/press"))
    assert "Regional results</a>" in listing and "Draft" in listing


def test_new_release_bad_input_names_the_field_and_stores_nothing(app, newsroom):  # noqa: F811
    client, _ = browser(app, "chair.nzl")
    before = newsroom.counts()
    bad = post_form(client, f"/periods/{newsroom.pid}/press", language="xx", title=" ")
    assert bad.status_code == 422
    shown = text_of(bad)
    assert "Language: choose one of the listed languages" in shown
    assert "Title: give the release a title" in shown
    assert newsroom.counts() == before


def test_preview_warnings_and_acceptance(app, newsroom):  # noqa: F811
    newsroom.report("nlo.tha", "2015-10-01", {"arrests": 7})
    newsroom.sign("nlo.tha")
    client, rid = _new_release(app, newsroom)
    page = f"/press-releases/{rid}"
    body = "Officers made {{ figures.arrests }} arrests and found 12 boats."
    preview = post_form(client, page, action="preview", title="Regional results", body=body)
    assert preview.status_code == 200
    shown = text_of(preview)
    assert "Officers made 7 arrests and found 12 boats." in shown
    assert "Hand-typed figures" in shown and "12" in shown.split("Hand-typed figures")[1]
    assert 'I accept the hand-typed figures' in shown
    assert release_row(app, rid).body != body  # a preview stores nothing

    refused = post_form(client, page, action="submit", title="Regional results", body=body)
    assert refused.status_code == 422
    assert 'id="accept_warnings-error"' in text_of(refused)
    assert release_row(app, rid).status == "draft"

    accepted = post_form(client, page, action="submit", title="Regional results", body=body,
                         accept_warnings="yes")
    assert accepted.status_code == 302
    stored = release_row(app, rid)
    assert stored.status == "in_review" and stored.body == body


def test_template_problem_is_shown_inline_and_not_saved(app, newsroom):  # noqa: F811
    client, rid = _new_release(app, newsroom)
    before = release_row(app, rid).body
    page = f"/press-releases/{rid}"
    preview = text_of(post_form(client, page, action="preview", title="T",
                                body="Line one\n{{ figures.nothing_like_this }}"))
    assert "The template cannot be rendered" in preview and "line 2" in preview
    saved = post_form(client, page, action="save", title="T",
                      body="Line one\n{{ figures.nothing_like_this }}")
    assert saved.status_code == 422
    assert 'id="body"' in saved.get_data(as_text=True)
    assert release_row(app, rid).body == before


def test_national_release_by_an_nlo(app, newsroom):  # noqa: F811
    client, rid = _new_release(app, newsroom, username="nlo.tha", language="th")
    release = release_row(app, rid)
    assert (release.scope, release.state, release.language) == ("national", "THA", "th")
    assert "<textarea" in client.get(f"/press-releases/{rid}").get_data(as_text=True)
    other, _ = browser(app, "nlo.mys")
    assert other.get(f"/press-releases/{rid}").status_code == 404
