"""The debrief pages through the test client, as a browser drives them (login form, CSRF
token from the page): the objectives editor, the questionnaire with its confirmation, the
co-chairs' debrief page, the period page's links; the administrator gets 403."""

from __future__ import annotations

from debrief import page_parts
from debrief.models import Objective
from debrief.questionnaire import RATING_LABELS
from tests.conftest import csrf_token_from
from tests.debrief.debrief_q_support import (  # noqa: F401
    Debrief,
    browser,
    post_form,
    text_of,
    world,
)

SCRIPT = "<script>alert('boo')</script>"


def test_period_page_links_to_the_debrief_for_its_readers(world: Debrief) -> None:  # noqa: F811
    for username, target in (("nlo.tha", "/debrief/questionnaire"), ("chair.nzl", "/debrief"),
                             ("analyst", "/debrief")):
        shown = text_of(browser(world.app, username).get(f"/periods/{world.pid}"))
        assert f'href="/periods/{world.pid}{target}">Debrief</a>' in shown, username
        assert f'href="/periods/{world.pid}/objectives">Objectives</a>' in shown
    admin = browser(world.app, "admin")
    assert ">Debrief</a>" not in text_of(admin.get(f"/periods/{world.pid}"))
    for page in ("debrief", "objectives", "debrief/questionnaire",
                 "debrief/questionnaire/confirm"):
        assert admin.get(f"/periods/{world.pid}/{page}").status_code == 403, page
    outsider = browser(world.app, "nlo.aus")
    assert outsider.get(f"/periods/{world.pid}/objectives").status_code == 404
    assert outsider.get(f"/periods/{world.pid}/debrief/questionnaire").status_code == 404


def test_co_chairs_edit_the_objectives_on_the_page(world: Debrief) -> None:  # noqa: F811
    client = browser(world.app, "chair.nzl")
    page = f"/periods/{world.live}/objectives"
    shown = text_of(client.get(page))
    assert 'id="new-objective"' in shown and 'id="objective-' in shown
    added = post_form(client, page, **{"new-title": "Document fraud detected",
                                       "new-description": "At airports",
                                       "new-position": "1",
                                       "new-indicators": ["fraudulent_documents_seized",
                                                          "arrests"]})
    assert added.status_code == 302
    found = world.objectives("chair.nzl", world.live)
    assert found[0]["title"] == "Document fraud detected"
    assert found[0]["indicator_keys"] == ["fraudulent_documents_seized", "arrests"]
    oid = found[1]["id"]
    saved = post_form(client, page, f"{page}/{oid}", action="save",
                      **{f"objective-{oid}-title": "Regional cooperation",
                         f"objective-{oid}-description": "",
                         f"objective-{oid}-position": "2",
                         f"objective-{oid}-indicators": ["arrests"]})
    assert saved.status_code == 302
    assert world.objectives("chair.nzl", world.live)[1]["indicator_keys"] == ["arrests"]
    # A bad field: inline error, nothing saved.
    bad = post_form(client, page, f"{page}/{oid}", action="save",
                    **{f"objective-{oid}-title": "", f"objective-{oid}-position": "2",
                       f"objective-{oid}-indicators": ["not_an_indicator"]})
    assert bad.status_code == 422
    shown = text_of(bad)
    assert f'id="objective-{oid}-title-error"' in shown
    assert f'id="objective-{oid}-indicator_keys-error"' in shown
    assert world.objectives("chair.nzl", world.live)[1]["title"] == "Regional cooperation"
    deleted = post_form(client, page, f"{page}/{oid}", action="delete")
    assert deleted.status_code == 302
    assert world.count(Objective) == 10  # 10 seeded + 1 added - 1 deleted


def test_others_read_objectives_with_totals_and_edits_end_with_the_period(world: Debrief) -> None:  # noqa: F811
    world.room.report("nlo.tha", "2015-10-01", {"arrests": 6})
    nlo = text_of(browser(world.app, "nlo.mys").get(f"/periods/{world.pid}/objectives"))
    assert "Facilitators identified" in nlo and "<dt>Arrests</dt><dd><strong>6</strong>" in nlo
    assert 'id="new-objective"' not in nlo and "<form method=\"post\" action=\"/periods" not in nlo
    chair = browser(world.app, "chair.nzl")
    ended = text_of(chair.get(f"/periods/{world.pid}/objectives"))
    assert 'id="objectives-locked"' in ended and 'id="new-objective"' not in ended
    oid = world.objective_ids()[0]
    refused = post_form(chair, f"/periods/{world.pid}/objectives",
                        f"/periods/{world.pid}/objectives/{oid}", action="save",
                        **{f"objective-{oid}-title": "Late"})
    assert refused.status_code == 409
    assert "The period has ended" in text_of(refused)
    assert world.objectives()[0]["title"] == "Enhanced regional cooperation"


def _answer_fields(world: Debrief, pid: int, letter: str = "P", **extra: str) -> dict:  # noqa: F811
    fields = {"worked": "Joint **briefings** worked.", "did_not_work": "Weekend reporting.",
              "do_differently": "Plan land borders together.", "next_steps": "Review in May.",
              "good_practice": "", "deconfliction_usefulness": "5"}
    for oid in world.objective_ids(pid):
        fields[f"rating-{oid}"] = letter
        fields[f"comment-{oid}"] = ""
    fields.update(extra)
    return fields


def test_the_questionnaire_drafts_confirms_and_locks(world: Debrief) -> None:  # noqa: F811
    world.open_live()
    client = browser(world.app, "nlo.tha")
    page = f"/periods/{world.live}/debrief/questionnaire"
    shown = text_of(client.get(page))
    for name, (words, sentence) in RATING_LABELS.items():
        assert words in shown and sentence in shown, name
    assert 'id="save-draft"' in shown and 'id="submit-answers"' in shown
    assert "What should be done differently" in shown and "Next steps" in shown

    draft = post_form(client, page, action="save", worked="Only this for now.")
    assert draft.status_code == 302
    assert world.stored_responses() == [("THA", "draft", "Only this for now.")]
    # Inline errors; what was typed stays in the form; nothing stored.
    oid = world.objective_ids(world.live)[0]
    bad = post_form(client, page, action="save", worked="x" * 20_001,
                    deconfliction_usefulness="9", **{f"rating-{oid}": "Z"})
    assert bad.status_code == 422
    shown = text_of(bad)
    for name in ("worked-error", "deconfliction_usefulness-error", f"rating-{oid}-error"):
        assert f'id="{name}"' in shown, name
    assert world.stored_responses() == [("THA", "draft", "Only this for now.")]

    # Submit first asks for confirmation, listing what is missing.
    to_confirm = post_form(client, page, action="submit", worked="Better.")
    assert to_confirm.status_code == 302 and to_confirm.location.endswith("/confirm")
    missing = text_of(client.get(page + "/confirm"))
    assert 'id="missing"' in missing and 'id="confirm-submit"' not in missing
    post_form(client, page, action="submit", **_answer_fields(world, world.live))
    confirm = text_of(client.get(page + "/confirm"))
    assert 'id="confirm-submit"' in confirm and "<strong>briefings</strong>" in confirm
    assert world.stored_responses()[0][1] == "draft"
    done = post_form(client, page + "/confirm")
    assert done.status_code == 302
    assert world.stored_responses()[0][1] == "submitted"
    after = text_of(client.get(page))
    assert 'id="submitted-notice"' in after and 'id="questionnaire-form"' not in after
    assert "No other state has submitted yet." in after
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    again = client.post(page + "/confirm", data={"csrf_token": token})
    assert again.status_code == 409 and "submitted its answers already" in text_of(again)


def test_the_questionnaire_waits_until_it_opens(world: Debrief) -> None:  # noqa: F811
    client = browser(world.app, "nlo.tha")
    page = f"/periods/{world.live}/debrief/questionnaire"
    shown = text_of(client.get(page))
    assert 'id="not-open"' in shown and 'id="questionnaire-form"' not in shown
    refused = post_form(client, page, action="save", worked="early")
    assert refused.status_code == 409 and "not open yet" in text_of(refused)
    assert world.stored_responses() == []


def test_after_submitting_an_nlo_sees_the_others_answers_escaped(world: Debrief) -> None:  # noqa: F811
    world.answer_and_submit("MYS", worked=f"MYS worked {SCRIPT}")
    client = browser(world.app, "nlo.tha")
    page = f"/periods/{world.pid}/debrief/questionnaire"
    assert "MYS worked" not in text_of(client.get(page))  # THA has not submitted
    post_form(client, page, action="submit", **_answer_fields(world, world.pid))
    post_form(client, page + "/confirm")
    shown = text_of(client.get(page))
    assert 'id="answer-MYS-worked"' in shown and "MYS worked &lt;script&gt;" in shown
    assert SCRIPT not in shown


def test_the_co_chairs_debrief_page(world: Debrief) -> None:  # noqa: F811
    world.answer_and_submit("THA", letter="M", worked=f"THA text {SCRIPT}")
    world.answer_and_submit("MYS", letter="P")
    world.put("nlo.lka", "LKA", world.answers(worked="LKA draft, not for the co-chairs"))
    client = browser(world.app, "chair.nzl")
    page = f"/periods/{world.pid}/debrief"
    shown = text_of(client.get(page))
    assert "LKA draft" not in shown and SCRIPT not in shown
    assert "THA text &lt;script&gt;" in shown
    assert 'id="submitted-count">2 of 5 states' in shown
    row = shown.split('id="submission-THA">')[1].split("</tr>")[0]
    assert "Submitted" in row and "<time" in row
    assert "Not submitted" in shown.split('id="submission-LKA">')[1].split("</tr>")[0]
    assert 'datetime="2015-11-10"' in shown  # the due date
    oid = world.objective_ids()[0]
    cell = shown.split(f'id="cell-{oid}-THA">')[0].rsplit("<td", 1)[1]
    assert 'class="rating rating-M"' in cell
    assert f'id="cell-{oid}-THA"><abbr title="Performed with major challenges">M</abbr>' in shown
    assert f'id="cell-{oid}-LKA">—' in shown
    assert 'id="rating-legend"' in shown and "Unable to be performed" in shown
    assert shown.index('id="synthesis-worked"') < shown.index('id="synthesis-next_steps"')

    saved = post_form(client, page, form="summary", summary=f"**Done.** {SCRIPT}")
    assert saved.status_code == 302
    shown = text_of(client.get(page))
    assert "<strong>Done.</strong> &lt;script&gt;" in shown and SCRIPT not in shown
    saved = post_form(client, page, form="settings", opens_at="", due_on="2015-12-01",
                      handling="H1")
    assert saved.status_code == 302
    assert world.debrief()["due_on"] == "2015-12-01" and world.debrief()["handling"] == "H1"
    bad = post_form(client, page, form="settings", opens_at="2015-12-31T10:00",
                    due_on="2015-12-01", handling="H9")
    assert bad.status_code == 422
    assert 'id="handling-error"' in text_of(bad)
    assert world.debrief()["handling"] == "H1"


def test_analysts_read_the_debrief_page_without_editors(world: Debrief) -> None:  # noqa: F811
    world.answer_and_submit("NZL")
    client = browser(world.app, "analyst")
    shown = text_of(client.get(f"/periods/{world.pid}/debrief"))
    assert 'id="answer-NZL-worked"' in shown
    assert 'id="summary-form"' not in shown and 'id="settings-form"' not in shown
    assert browser(world.app, "chair.tha").get(
        f"/periods/{world.pid}/debrief").status_code == 200
    nlo = browser(world.app, "nlo.nzl").get(f"/periods/{world.pid}/debrief")
    assert nlo.status_code == 302 and nlo.location.endswith("/debrief/questionnaire")


def test_sections_of_other_rooms_follow_on_the_debrief_page(world: Debrief) -> None:  # noqa: F811
    def provider(session, principal, period):
        return page_parts.DebriefPagePart("Improvement plan (test)",
                                          "debrief/_rating_legend.html",
                                          {"ratings": {"P": ("Plan item", "A sentence.")}})

    page_parts.register(world.app, provider)
    shown = text_of(browser(world.app, "chair.nzl").get(f"/periods/{world.pid}/debrief"))
    after = shown.split('id="summary-heading"')[1]
    assert "<h2>Improvement plan (test)</h2>" in after and "Plan item" in after
