"""The approval page (rendered text, figures, a line diff since the state last approved) and
the workflow buttons: schedule in the user's own time zone, publish, withdraw."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.press.press_pages_support import browser, newsroom, post_form, release_row, text_of  # noqa: F401
from tests.press.press_workflow_support import NLO_OF

STATES = ["LKA", "MDV", "MYS", "NZL", "THA"]


def _in_review(room, body="Arrests: {{ figures.arrests }}.\nSecond line.\n"):
    room.report("nlo.tha", "2015-10-01", {"arrests": 7})
    for state in STATES:
        room.sign(NLO_OF[state])
    rid = room.create("chair.nzl", body=body)["id"]
    room.act("chair.nzl", rid, "submit", accept_warnings=True)
    return rid


def test_approval_page_shows_text_figures_and_what_changed(app, newsroom):  # noqa: F811
    rid = _in_review(newsroom)
    client, _ = browser(app, "nlo.tha")
    page = f"/press-releases/{rid}/approve"
    shown = text_of(client.get(page))
    assert "Arrests: 7." in shown
    assert "Signed-off figures this release is written from" in shown
    assert "has not approved this release yet" in shown
    assert post_form(client, page).status_code == 302
    assert "THA has approved this text." in text_of(client.get(page))

    newsroom.patch("chair.nzl", rid, body="Arrests: {{ figures.arrests }}.\nA new line.\n")
    newsroom.act("chair.nzl", rid, "submit", accept_warnings=True)
    shown = text_of(client.get(page))
    assert "approved an earlier text" in shown
    assert '<del><span class="visually-hidden">Removed: </span>\u2212 Second line.</del>' in shown
    assert '<ins><span class="visually-hidden">Added: </span>+ A new line.</ins>' in shown
    assert "Arrests: 7." not in shown.split("What changed")[1]  # unchanged lines not listed
    assert post_form(client, page).status_code == 302


def test_schedule_reads_and_shows_the_users_own_zone(app, newsroom, accounts):  # noqa: F811
    accounts.create("chair.colombo", "co_chair", "LKA", email="c@example.org",
                    time_zone="Asia/Colombo")
    rid = _in_review(newsroom)
    newsroom.approve_all(rid)
    client, _ = browser(app, "chair.colombo")
    editor = f"/press-releases/{rid}"
    past = post_form(client, editor, to=f"{editor}/schedule", publish_at="2020-01-01T09:00")
    assert past.status_code == 422
    assert 'id="publish_at-error"' in past.get_data(as_text=True)
    assert release_row(app, rid).status == "in_review"
    bad = post_form(client, editor, to=f"{editor}/schedule", publish_at="tomorrow")
    assert bad.status_code == 422 and "publish_at" in bad.get_data(as_text=True)

    done = post_form(client, editor, to=f"{editor}/schedule", publish_at="2040-03-01T09:00")
    assert done.status_code == 302
    stored = release_row(app, rid)
    assert stored.status == "scheduled"
    assert stored.publish_at == datetime(2040, 3, 1, 3, 30, tzinfo=UTC)  # Colombo is +05:30
    assert "01 Mar 2040 09:00 +0530" in text_of(client.get(editor))


def test_publish_now_and_withdraw_from_the_editor(app, newsroom):  # noqa: F811
    rid = _in_review(newsroom)
    newsroom.approve_all(rid)
    client, _ = browser(app, "chair.nzl")
    editor = f"/press-releases/{rid}"
    slug = release_row(app, rid).slug
    assert app.test_client().get(f"/press/{slug}").status_code == 404
    assert post_form(client, editor, to=f"{editor}/publish").status_code == 302
    public = app.test_client().get(f"/press/{slug}")
    assert public.status_code == 200 and "Arrests: 7." in public.get_data(as_text=True)
    assert post_form(client, editor, to=f"{editor}/withdraw",
                     note="Figures under review.").status_code == 302
    public = app.test_client().get(f"/press/{slug}")
    assert public.status_code == 200 and "Figures under review." in public.get_data(as_text=True)


def test_correct_from_the_editor_needs_approval_before_the_public_text_changes(
        app, newsroom):  # noqa: F811
    rid = _in_review(newsroom)
    newsroom.approve_all(rid)
    newsroom.act("chair.nzl", rid, "publish")
    slug = release_row(app, rid).slug
    client, _ = browser(app, "chair.nzl")
    editor = f"/press-releases/{rid}"
    shown = text_of(client.get(editor))
    assert "Correct the published text" in shown and "Correction note" in shown
    corrected = post_form(client, editor, action="correct", title="Regional results",
                          body="Arrests: {{ figures.arrests }} (corrected).\n",
                          note="The arrests line was unclear.")
    assert corrected.status_code == 302, corrected.get_data(as_text=True)
    stored = release_row(app, rid)
    assert stored.status == "draft" and stored.version == 1
    public = app.test_client().get(f"/press/{slug}").get_data(as_text=True)
    assert "(corrected)" not in public  # not before approval and publication
    newsroom.act("chair.nzl", rid, "submit", accept_warnings=True)
    newsroom.approve_all(rid)
    newsroom.act("chair.nzl", rid, "publish")
    public = app.test_client().get(f"/press/{slug}").get_data(as_text=True)
    assert "Arrests: 7 (corrected)." in public and "The arrests line was unclear." in public
    assert "Arrests: 7." in app.test_client().get(f"/press/{slug}?v=1").get_data(as_text=True)
