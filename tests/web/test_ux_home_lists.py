"""Lists that scale (issue 14, point 7), on SQLite and PostgreSQL: a period's operations and
conflicts sortable, filterable and paginated, with age and conflict-count columns, times in
the viewer's zone to the minute, and a bad parameter a 400 page naming it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from operations import services as operations
from operations.listing import PAGE_SIZE
from tests.web.ux_home_support import HomeWorld, build_home_world, principal

PASSWORD = "correct horse battery staple"


@pytest.fixture
def world(app, accounts) -> HomeWorld:
    """The home world plus NZL's operation at BKK meeting THA's there (a medium conflict)."""
    built = build_home_world(app, accounts, PASSWORD)
    key = app.extensions["jpa.settings"].blinding_key.encode()
    with app.extensions["jpa.db"].transaction() as session:
        op, outcome = operations.register_operation(
            session, actor=principal(app, "nlo.nzl"), period_id=built.active,
            registration=operations.Registration(
                title="NZ at BKK", type="airport_checks", lead_agency="Customs",
                starts_at=built.now + timedelta(days=1, hours=2),
                ends_at=built.now + timedelta(days=1, hours=5),
                locations=[operations.LocationData(site="BKK")], targets=[]),
            blinding_key=key)
        built.ops["nlo.nzl"] = op.id
        assert [c.severity for c in outcome.current] == ["medium"]
    return built


def add_operations(app, world: HomeWorld, count: int) -> list[int]:
    """`count` more THA operations far from each other and from everything else."""
    key = app.extensions["jpa.settings"].blinding_key.encode()
    tha = principal(app, "nlo.tha")
    ids = []
    with app.extensions["jpa.db"].transaction() as session:
        for n in range(count):
            op, _ = operations.register_operation(
                session, actor=tha, period_id=world.active,
                registration=operations.Registration(
                    title=f"Sweep {n:02d}", type="workplace_inspections", lead_agency="Labour",
                    starts_at=world.now + timedelta(days=2, minutes=n),
                    ends_at=world.now + timedelta(days=3),
                    locations=[operations.LocationData(name=f"Site {n}", lat=-60 + n * 0.2,
                                                       lon=20.0)], targets=[]),
                blinding_key=key)
            ids.append(op.id)
    return ids


def client_of(browser, username: str):
    """A logged-in test client."""
    other = browser()
    assert other.login(username, PASSWORD).status_code == 302
    return other.client


def html_of(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def body_rows(html: str) -> list[str]:
    """The rows of the page's table body."""
    tbody = html.split("<tbody>")[1].split("</tbody>")[0]
    return re.findall(r"<tr>(.*?)</tr>", tbody, re.DOTALL)


def operation_ids(html: str) -> list[int]:
    """The operation ids of the list's rows, in order."""
    return [int(re.search(r">#(\d+)</a>", row).group(1)) for row in body_rows(html)]


def header(html: str, label: str) -> str:
    """The <th> of a column."""
    for match in re.finditer(r"<th scope=\"col\"[^>]*>.*?</th>", html, re.DOTALL):
        if re.search(rf">{re.escape(label)}<", match.group(0)):
            return match.group(0)
    raise AssertionError(f"no header {label!r}")


def test_co_chair_list_has_age_and_conflict_columns_sorted_by_start(world, browser):
    html = html_of(client_of(browser, "co.nzl"), f"/periods/{world.active}/operations")
    assert 'aria-sort="ascending"' in header(html, "Starts")
    assert "aria-sort" not in header(html, "Age") and "aria-sort" not in header(html, "#")
    assert header(html, "Conflicts") and header(html, "Age")
    rows = {int(re.search(r">#(\d+)</a>", r).group(1)): r for r in body_rows(html)}
    # THA's operation meets MYS's (target) and NZL's (place and time): two live conflicts.
    assert re.search(r'class="num"><a [^>]*>2</a>', rows[world.ops["nlo.tha"]])
    assert re.search(r'class="num"><a [^>]*>1</a>', rows[world.ops["nlo.mys"]])
    assert re.search(r"\d+ min", rows[world.ops["nlo.mys"]])  # registered minutes ago


def test_header_links_sort_both_ways(world, browser):
    client = client_of(browser, "co.nzl")
    html = html_of(client, f"/periods/{world.active}/operations")
    ascending = re.search(r'href="([^"]*sort=id[^"]*)"', header(html, "#")).group(1)
    html = html_of(client, ascending.replace("&amp;", "&"))
    ids = operation_ids(html)
    assert ids == sorted(ids) and 'aria-sort="ascending"' in header(html, "#")
    descending = re.search(r'href="([^"]*sort=-id[^"]*)"', header(html, "#")).group(1)
    html = html_of(client, descending.replace("&amp;", "&"))
    assert operation_ids(html) == sorted(ids, reverse=True)
    assert 'aria-sort="descending"' in header(html, "#")
    by_conflicts = operation_ids(html_of(client, f"/periods/{world.active}/operations"
                                                 "?sort=-conflicts"))
    assert by_conflicts[0] == world.ops["nlo.tha"]


@pytest.mark.parametrize(("query", "who"), [
    ("state=MYS", ["nlo.mys"]),
    ("type=airport_checks", ["nlo.nzl"]),
    ("severity=high", ["nlo.tha", "nlo.mys"]),
    ("severity=medium", ["nlo.tha", "nlo.nzl"]),
    ("status=planned", ["nlo.tha", "nlo.mys", "nlo.nzl"]),
    ("status=active", []),
    ("age=under-24h", ["nlo.tha", "nlo.mys", "nlo.nzl"]),
    ("age=over-3-days", []),
    ("state=THA&severity=high", ["nlo.tha"]),
])
def test_filters(world, browser, query, who):
    html = html_of(client_of(browser, "co.nzl"), f"/periods/{world.active}/operations?{query}")
    expected = sorted(world.ops[w] for w in who)
    assert sorted(operation_ids(html) if expected else []) == expected
    if not expected:
        assert "No operations match these filters." in html


def test_cancelled_filter_and_the_conflict_count_drops(app, world, browser):
    with app.extensions["jpa.db"].transaction() as session:
        operations.cancel_operation(session, actor=principal(app, "nlo.nzl"),
                                    op_id=world.ops["nlo.nzl"], reason="Stood down.")
    client = client_of(browser, "co.nzl")
    html = html_of(client, f"/periods/{world.active}/operations?status=cancelled")
    assert operation_ids(html) == [world.ops["nlo.nzl"]]
    html = html_of(client, f"/periods/{world.active}/operations?sort=-conflicts")
    rows = {int(re.search(r">#(\d+)</a>", r).group(1)): r for r in body_rows(html)}
    assert re.search(r'class="num"><a [^>]*>1</a>', rows[world.ops["nlo.tha"]])


def test_pages_of_fifty(app, world, browser):
    add_operations(app, world, PAGE_SIZE + 2)  # 55 in all
    client = client_of(browser, "co.nzl")
    first = html_of(client, f"/periods/{world.active}/operations?state=THA")
    assert len(body_rows(first)) == PAGE_SIZE
    assert f"Showing 1\u2013{PAGE_SIZE} of {PAGE_SIZE + 3} operations (page 1 of 2)" in first
    next_link = re.search(r'<a href="([^"]+)" rel="next">Next</a>', first).group(1)
    assert "state=THA" in next_link and "page=2" in next_link
    second = html_of(client, next_link.replace("&amp;", "&"))
    assert len(body_rows(second)) == 3
    assert not set(operation_ids(first)) & set(operation_ids(second))
    assert 'rel="prev">Previous</a>' in second and 'rel="next"' not in second
    response = client.get(f"/periods/{world.active}/operations?state=THA&page=3")
    assert response.status_code == 400 and "page" in response.get_data(as_text=True)


@pytest.mark.parametrize(("who", "query", "parameter"), [
    ("co.nzl", "sort=bogus", "sort"),
    ("co.nzl", "sort=--id", "sort"),
    ("co.nzl", "sort=title", "sort"),  # the co-chair sees no titles
    ("co.nzl", "status=open", "status"),
    ("co.nzl", "severity=low", "severity"),
    ("co.nzl", "type=fishing", "type"),
    ("co.nzl", "state=AUS", "state"),
    ("co.nzl", "age=old", "age"),
    ("co.nzl", "page=0", "page"),
    ("co.nzl", "page=two", "page"),
    ("co.nzl", "page=" + "9" * 5000, "page"),
    ("co.nzl", "page=%EF%BC%92", "page"),  # a full-width digit
    ("nlo.tha", "state=MYS", "state"),
    ("nlo.tha", "sort=state", "sort"),
    ("ana", "severity=high", "severity"),
    ("ana", "sort=conflicts", "sort"),
])
def test_a_bad_parameter_is_a_400_page_naming_it(world, browser, who, query, parameter):
    response = client_of(browser, who).get(f"/periods/{world.active}/operations?{query}")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert f"<strong>{parameter}</strong>" in text and "Bad request" in text


def test_nlo_sees_its_own_operations_with_titles(world, browser):
    html = html_of(client_of(browser, "nlo.tha"), f"/periods/{world.active}/operations")
    assert operation_ids(html) == [world.ops["nlo.tha"]]
    assert "Bangkok phone op" in html and 'id="filter-state"' not in html
    assert header(html, "Title") and header(html, "Conflicts")


def test_analyst_sees_no_conflict_column(world, browser):
    html = html_of(client_of(browser, "ana"), f"/periods/{world.active}/operations")
    assert "Conflicts<" not in html.split("<thead>")[1].split("</thead>")[0]
    assert 'id="filter-severity"' not in html


def test_times_are_in_the_viewer_zone_to_the_minute(world, browser):
    html = html_of(client_of(browser, "co.nzl"), f"/periods/{world.active}/operations")
    assert re.search(r"\d\d \w{3} \d{4} \d\d:\d\d NZ[DS]T", html)
    html = html_of(client_of(browser, "nlo.tha"), f"/periods/{world.active}/conflicts")
    assert re.search(r"<time datetime=\"[^\"]+\">\d\d \w{3} \d{4} \d\d:\d\d \+07</time>", html)
    assert "+00:00</td>" not in html


# ---------------------------------------------------------------- conflicts


def conflict_ids(html: str) -> list[int]:
    """The conflict ids of the list's rows, in order."""
    return [int(re.search(r">#(\d+)</a>", row).group(1)) for row in body_rows(html)]


def test_conflicts_filter_by_reason_severity_state_and_status(app, world, browser):
    chair = client_of(browser, "co.nzl")
    base = f"/periods/{world.active}/conflicts"
    every = conflict_ids(html_of(chair, base))
    assert len(every) == 2 and world.conflict in every
    location = [cid for cid in every if cid != world.conflict]
    assert conflict_ids(html_of(chair, base + "?type=target")) == [world.conflict]
    assert conflict_ids(html_of(chair, base + "?type=location")) == location
    assert conflict_ids(html_of(chair, base + "?severity=medium")) == location
    assert conflict_ids(html_of(chair, base + "?state=MYS")) == [world.conflict]
    assert conflict_ids(html_of(chair, base + "?age=under-24h")) == every
    assert "No conflicts match" in html_of(chair, base + "?age=1-3-days")
    with app.extensions["jpa.db"].transaction() as session:
        operations.resolve_conflict(session, actor=principal(app, "nlo.mys"),
                                    conflict_id=world.conflict, resolution="joint", note="ok")
    assert conflict_ids(html_of(chair, base + "?status=unresolved")) == location
    assert conflict_ids(html_of(chair, base + "?status=resolved")) == [world.conflict]
    tha = client_of(browser, "nlo.tha")
    assert conflict_ids(html_of(tha, base + "?state=NZL")) == location
    assert "No conflicts match" in html_of(tha, base + "?state=THA")
    # A state outside both of THA's conflicts sees none of them.
    assert "No conflicts" in html_of(client_of(browser, "nlo.mys"), base + "?state=NZL")


def test_conflicts_sort_by_severity_and_age(world, browser):
    chair = client_of(browser, "co.nzl")
    base = f"/periods/{world.active}/conflicts"
    html = html_of(chair, base + "?sort=severity")
    assert conflict_ids(html)[0] == world.conflict
    assert 'aria-sort="ascending"' in header(html, "Severity")
    assert conflict_ids(html_of(chair, base + "?sort=-severity"))[-1] == world.conflict
    # Youngest first: the location conflict came after the target one.
    assert conflict_ids(html_of(chair, base + "?sort=age"))[-1] == world.conflict
    assert conflict_ids(html_of(chair, base + "?sort=-age"))[0] == world.conflict
    for cell in body_rows(html):
        assert re.search(r"<td>\d+ min</td>", cell)


@pytest.mark.parametrize(("who", "query", "parameter"), [
    ("co.nzl", "sort=title", "sort"), ("co.nzl", "status=planned", "status"),
    ("nlo.tha", "type=phone", "type"), ("nlo.tha", "state=FRA", "state"),
    ("ana", "page=-1", "page"), ("co.nzl", "page=2", "page"),
])
def test_conflicts_bad_parameters_are_400(world, browser, who, query, parameter):
    response = client_of(browser, who).get(f"/periods/{world.active}/conflicts?{query}")
    assert response.status_code == 400
    assert f"<strong>{parameter}</strong>" in response.get_data(as_text=True)


def test_conflict_history_is_in_the_viewer_zone(world, browser):
    html = html_of(client_of(browser, "co.nzl"), f"/conflicts/{world.conflict}")
    history = html.split("<h2>History</h2>")[1]
    assert re.search(r">\d\d \w{3} \d{4} \d\d:\d\d NZ[DS]T</time>", history)
    assert "+00:00</time>" not in history


def test_conflict_pages_keep_need_to_know(world, browser):
    html = html_of(client_of(browser, "co.nzl"), f"/periods/{world.active}/conflicts")
    for secret in ("Bangkok phone op", "nlo.tha phone", "Aminah Rahman", "Somchai", "NZ at BKK"):
        assert secret not in html
    html = html_of(client_of(browser, "nlo.tha"), f"/periods/{world.active}/conflicts")
    assert "KL phone op" not in html and "nlo.mys phone" not in html and "NZ at BKK" not in html
    assert "Aminah Rahman" in html and "Aroha Ngata" in html
