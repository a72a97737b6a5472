"""The sign-off page: an NLO sees exactly what it signs, indicator by indicator with
categories, signs, is told when its sign-off went stale and signs again; co-chairs see which
states signed, when, by whom, and whose sign-off is stale."""

from __future__ import annotations

from tests.press.press_pages_support import browser, newsroom, post_form, text_of  # noqa: F401


def test_nlo_signs_off_then_goes_stale_and_signs_again(app, newsroom):  # noqa: F811
    newsroom.report("nlo.tha", "2015-10-01",
                    {"victims_assisted": {"female_child": 3, "male_adult": 4}, "arrests": 7})
    client, _ = browser(app, "nlo.tha")
    page = f"/periods/{newsroom.pid}/signoff"
    shown = text_of(client.get(page))
    assert "has not signed off its figures yet" in shown
    assert "Trafficked persons assisted" in shown or "victims" in shown.lower()
    assert "Female child</td><td class=\"num\">3</td>" in shown
    assert "Male adult</td><td class=\"num\">4</td>" in shown
    assert "<strong>7</strong>" in shown  # the category total
    assert ">Sign off</button>" in shown

    signed = post_form(client, page)
    assert signed.status_code == 302
    shown = text_of(client.get(page))
    assert "Signed off on" in shown and "current" in shown
    assert "Your sign-off is stale" not in shown
    assert newsroom.signoffs("nlo.tha").get_json()[0]["figures"]["arrests"] == 7

    newsroom.report("nlo.tha", "2015-10-02", {"arrests": 1})
    shown = text_of(client.get(page))
    assert "Your sign-off is stale." in shown
    assert ">Sign again</button>" in shown
    assert post_form(client, page).status_code == 302
    shown = text_of(client.get(page))
    assert "Your sign-off is stale" not in shown
    assert newsroom.signoffs("nlo.tha").get_json()[0]["figures"]["arrests"] == 8


def test_co_chair_sees_who_signed_and_whose_sign_off_is_stale(app, newsroom):  # noqa: F811
    newsroom.report("nlo.tha", "2015-10-01", {"arrests": 2})
    newsroom.sign("nlo.tha")
    newsroom.sign("nlo.mys")
    newsroom.report("nlo.mys", "2015-10-03", {"arrests": 1})
    client, _ = browser(app, "chair.nzl")
    shown = text_of(client.get(f"/periods/{newsroom.pid}/signoff"))
    rows = {code: shown.split(f'<th scope="row">{code}</th>')[1].split("</tr>")[0]
            for code in ("LKA", "MDV", "MYS", "NZL", "THA")}
    assert "Signed, current" in rows["THA"] and "nlo.tha" in rows["THA"]
    assert "Stale: must sign again" in rows["MYS"]
    assert all("Not signed" in rows[c] for c in ("LKA", "MDV", "NZL"))
    assert "1 of 5 states have a current sign-off" in shown
    # A co-chair's post signs nothing.
    post_form(client, f"/periods/{newsroom.pid}/signoff")
    assert len(newsroom.signoffs("chair.nzl").get_json()) == 2


def test_period_page_links_to_press(app, newsroom):  # noqa: F811
    client, _ = browser(app, "nlo.tha")
    shown = text_of(client.get(f"/periods/{newsroom.pid}"))
    assert f'href="/periods/{newsroom.pid}/press"' in shown
    assert f'href="/periods/{newsroom.pid}/signoff"' in shown
    analyst, _ = browser(app, "analyst")
    assert analyst.get(f"/periods/{newsroom.pid}/signoff").status_code == 403
