"""The debrief pack's files: fixed safe names, the totals the API gives, BOM and formula-safe
CSV, byte-identical data files on a rebuild, a self-contained report with every section."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest

from core.errors import NotFound, ValidationFailed
from debrief.pack_content import PackRequest, build_pack_files
from tests.debrief.debrief_content_support import (
    GENERATED_AT,
    PERIOD_NAME,
    PackWorld,
    make_pack_world,
)
from tests.outcomes.helpers import API

SAFE_NAME = re.compile(r"(report\.(html|pdf)|data/[a-z_]+\.csv|charts/[a-z0-9_]+\.svg)")
DATA_FILES = ["totals", "totals_by_state", "totals_by_category", "daily_cumulative",
              "completeness", "operations_by_type_state", "conflicts_by_reason_severity",
              "deconfliction_summary", "press_releases", "objectives", "responses", "ratings",
              "improvements"]


@pytest.fixture
def world(app, accounts) -> PackWorld:
    """The 2015 period with figures, operations, a conflict, a release and a debrief."""
    return make_pack_world(app, accounts)


def rows_of(body: bytes) -> list[list[str]]:
    """A CSV file's rows (after its byte-order mark)."""
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_pack_has_every_file_under_a_fixed_safe_name_and_reports_progress(world):
    stages: list[tuple[int, str]] = []
    files = world.build(stages=stages)
    names = list(files)
    assert names[:2] == ["report.html", "report.pdf"]
    assert [n for n in names if n.startswith("data/")] == [f"data/{n}.csv" for n in DATA_FILES]
    assert "charts/ratings.svg" in names
    # One cumulative chart per indicator with a total: suspects, arrests, search warrants.
    assert [n for n in names if n.startswith("charts/cumulative_")] == [
        "charts/cumulative_02.svg", "charts/cumulative_03.svg", "charts/cumulative_04.svg"]
    assert all(SAFE_NAME.fullmatch(name) for name in names), names
    assert "manifest.json" not in files and not any(n.startswith("annex/") for n in names)
    assert files["report.pdf"].startswith(b"%PDF")
    for name in names:
        if name.endswith(".svg"):
            assert files[name].startswith(b"<svg ") and b"<script" not in files[name]
    percents = [percent for percent, _ in stages]
    assert percents == sorted(percents) and percents[-1] == 100 and len(percents) >= 6
    assert all(stage for _, stage in stages)


def test_the_totals_file_equals_what_the_totals_api_gives(world):
    files = world.build()
    api = world.api("chair.nzl").get(f"{API}/periods/{world.pid}/totals").get_json()
    totals = {row[0]: int(row[3]) for row in rows_of(files["data/totals.csv"])[1:]}
    assert totals == api["totals"]
    assert totals["arrests"] == 9 and totals["suspects_identified"] == 5
    by_state: dict[str, dict[str, int]] = {}
    for state, key, _label, _unit, value in rows_of(files["data/totals_by_state.csv"])[1:]:
        by_state.setdefault(state, {})[key] = int(value)
    assert by_state == api["by_state"]
    cumulative = [row for row in rows_of(files["data/daily_cumulative.csv"])[1:]
                  if row[1] == "arrests"]
    assert cumulative[-1][3] == "9"
    assert [row[3] for row in cumulative if row[0] in ("2015-09-28", "2015-09-29")] == ["7", "9"]


def test_csv_files_carry_a_bom_and_neutralise_formulas(world):
    files = world.build()
    for name in DATA_FILES:
        assert files[f"data/{name}.csv"].startswith(b"\xef\xbb\xbf\"")
    responses = rows_of(files["data/responses.csv"])
    assert ["THA", "2015-11-01", "What did not work", "'=HYPERLINK(\"x\")"] in responses
    plan = rows_of(files["data/improvements.csv"])
    assert plan[1][3] == "'@reminders earlier"
    assert not any(cell.startswith(("=", "+", "-", "@")) for name in DATA_FILES
                   for row in rows_of(files[f"data/{name}.csv"]) for cell in row)


def test_deconfliction_appears_in_numbers_only(world):
    files = world.build()
    summary = {(m, g): v for m, g, v in rows_of(files["data/deconfliction_summary.csv"])[1:]}
    assert summary[("conflicts", "all")] == "1"
    assert summary[("resolutions", "joint")] == "1"
    assert summary[("escalations", "all")] == "1"
    assert summary[("acknowledgements", "all")] == "2"
    # Acknowledged after 2 and 6 hours: median 4, 90th percentile (nearest rank) 6.
    assert summary[("hours to acknowledgement", "median")] == "4.0"
    assert summary[("hours to acknowledgement", "p90")] == "6.0"
    assert rows_of(files["data/conflicts_by_reason_severity.csv"])[1:] == [
        ["location", "high", "1"], ["target: phone", "high", "1"]]
    assert rows_of(files["data/operations_by_type_state.csv"])[1:] == [
        ["MYS", "airport_checks", "1"], ["NZL", "network_targeting", "1"],
        ["THA", "airport_checks", "1"]]


def test_data_files_are_byte_identical_on_a_rebuild_and_change_with_the_data(world):
    first = world.build(version=1, generated_at=GENERATED_AT)
    again = world.build(version=2, handling="H3", generated_at=GENERATED_AT + timedelta(days=3))
    data = [name for name in first if name.startswith(("data/", "charts/"))]
    assert data == [name for name in again if name.startswith(("data/", "charts/"))]
    assert all(first[name] == again[name] for name in data)
    assert first["report.html"] != again["report.html"]  # version, time and marking differ
    world.amend("THA", world.report_ids["THA 2015-09-29"], {"arrests": 7})
    changed = world.build(version=3)
    differing = {name for name in data if changed[name] != first[name]}
    assert differing == {"data/totals.csv", "data/totals_by_state.csv",
                         "data/daily_cumulative.csv", "charts/cumulative_03.svg"}
    totals = {row[0]: int(row[3]) for row in rows_of(changed["data/totals.csv"])[1:]}
    assert totals["arrests"] == 14


def test_the_report_is_self_contained_with_contents_sections_and_marking(world):
    files = world.build()
    page = files["report.html"].decode("utf-8")
    # No resource or link leaves the document: no src, no external href, no url(), no //.
    assert not re.search(r"\s(src|srcset|action|poster|data)\s*=", page, re.IGNORECASE)
    assert not re.search(r"href\s*=\s*\"(?!#)", page)
    assert not re.search(r"url\(|@import|<link|<script|<img|<iframe", page, re.IGNORECASE)
    assert "//" not in page and "http" not in page
    # The marking comes first, then the title; a table of contents whose every link resolves.
    assert page.index("H2 — participating states only") < page.index("<h1>")
    contents = page.split('<nav class="toc"')[1].split("</nav>")[0]
    assert len(re.findall(r'href="#([a-z_-]+)"', contents)) == 9
    anchors = re.findall(r'href="#([a-z_-]+)"', page)
    assert all(f'id="{anchor}"' in page for anchor in anchors) and len(anchors) == 11
    for heading in ("Executive summary", "The period", "Outcomes", "Deconfliction in numbers",
                    "Press releases issued", "The questionnaire", "Objectives and ratings",
                    "Strengths and areas for improvement", "Improvement plan"):
        assert re.search(rf"<h2>\d+\. {heading}</h2>", page), heading
    assert page.count("<table>") == page.count("<caption>") and page.count("<caption>") > 10
    assert PERIOD_NAME in page and "<svg" in page
    # The co-chairs' Markdown, sanitised: emphasis kept, the link's text kept without it.
    assert "A <strong>good</strong> period. See the site." in page
    assert "<script>" not in page and "evil.example" not in page
    assert "JPA 2015 results" in page and "/press/jpa-2015-results" in page


def test_only_submitted_responses_count(world):
    files = world.build()
    everything = b"".join(files.values())
    assert b"NZL DRAFT ANSWER" not in everything
    ratings = rows_of(files["data/ratings.csv"])[1:]
    assert {row[2] for row in ratings} == {"MYS", "THA"}
    page = files["report.html"].decode("utf-8")
    strengths, areas = page.split("<h3>Strengths</h3>")[1].split("<h3>Areas for improvement</h3>")
    assert "Objective 1: Disrupt networks" in strengths  # P and S
    assert "Objective 2: Share information" in areas.split("</section>")[0]  # S and M: a tie
    assert "Objective 3: Protect victims" in areas.split("</section>")[0]  # U and U
    assert "THA (U)</strong>: THA on Protect victims" in areas


def test_bad_requests_change_nothing_and_name_the_field(world):
    with world.session(write=False) as session:
        with pytest.raises(ValidationFailed) as bad:
            build_pack_files(session, PackRequest(world.pid, 1, "H9", GENERATED_AT),
                             lambda percent, stage: None)
        assert list(bad.value.fields) == ["handling"]
        with pytest.raises(ValidationFailed) as outsider:
            build_pack_files(session, PackRequest(world.pid, 1, "H2", GENERATED_AT, "AUS"),
                             lambda percent, stage: None)
        assert list(outsider.value.fields) == ["annex_state"]
        with pytest.raises(NotFound):
            build_pack_files(session, PackRequest(world.pid + 99, 1, "H2", GENERATED_AT),
                             lambda percent, stage: None)
