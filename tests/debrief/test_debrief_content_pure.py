"""The pack's pure parts without a database: the CSV writer's BOM option, strengths and areas
for improvement, acknowledgement percentiles, sanitised Markdown, charts and entry names."""

from __future__ import annotations

import re

from core.csvsafe import csv_bytes, csv_document
from debrief.pack_charts import chart_files
from debrief.pack_csv import data_tables
from debrief.pack_data import _median, _percentile
from debrief.pack_facts import (
    Completeness,
    Deconfliction,
    Indicator,
    Objective,
    Outcomes,
    PackFacts,
    Rating,
)
from debrief.pack_report import findings, markdown_html, render_report


def facts(ratings: tuple[Rating, ...] = (), daily: dict[str, dict[str, int]] | None = None,
          summary: str = "") -> PackFacts:
    """A small pack: two indicators over three days, three objectives, two states."""
    indicators = (Indicator("arrests", "Arrests", "persons", ""),
                  Indicator("custom_x", "=Custom", "items", ""))
    daily = daily if daily is not None else {"arrests": {"2031-01-01": 2, "2031-01-03": 5}}
    totals = {key: sum(days.values()) for key, days in daily.items()}
    return PackFacts(
        period_name="JPA 2031", starts_at="2031-01-01 00:00 UTC",
        ends_at="2031-01-04 00:00 UTC", states=("AAA", "BBB"), co_chairs=("AAA",),
        handling="H2", generated_at="2031-02-01 10:00", version=1, summary=summary,
        outcomes=Outcomes(indicators=indicators, totals=totals, by_state={"AAA": totals},
                          breakdown={}, days=("2031-01-01", "2031-01-02", "2031-01-03"),
                          daily=daily, completeness=(Completeness("AAA", 2, 3),)),
        deconfliction=Deconfliction((), (), 0, (), (), (), 0, 0, None, None),
        press=(), objectives=(Objective(1, "One", ""), Objective(2, "Two", ""),
                              Objective(3, "Three", "")),
        responses=(), ratings=ratings, improvements=())


def test_a_bom_leads_the_document_only_when_asked():
    rows = [["label", "value"], ["=1+1", -2]]
    assert csv_document(rows) == '"label","value"\r\n"\'=1+1",-2\r\n'
    assert csv_document(rows, bom=True) == "\ufeff" + csv_document(rows)
    assert csv_bytes(rows) == b"\xef\xbb\xbf" + csv_document(rows).encode("utf-8")
    assert csv_bytes(rows, bom=False) == csv_document(rows).encode("utf-8")
    assert csv_bytes([["é"]]).decode("utf-8-sig") == '"é"\r\n'


def test_mostly_p_or_s_is_a_strength_and_mostly_m_or_u_or_a_tie_an_area():
    ratings = (Rating(1, "AAA", "P", "fine"), Rating(1, "BBB", "S", ""),
               Rating(2, "AAA", "S", ""), Rating(2, "BBB", "M", "hard"),
               Rating(3, "AAA", "U", ""), Rating(3, "BBB", "U", "none"))
    strengths, areas = findings(facts(ratings))
    assert [f.number for f in strengths] == [1]
    assert [f.number for f in areas] == [2, 3]
    assert strengths[0].comments == (("AAA", "P", "fine"),)
    assert areas[0].counts == {"P": 0, "S": 1, "M": 1, "U": 0}
    assert findings(facts(())) == ((), ())  # nobody rated: neither


def test_time_to_acknowledgement_median_and_nearest_rank_p90():
    assert _median([]) is None and _percentile([], 0.9) is None
    assert _median([1.0, 2.0, 10.0]) == 2.0 and _median([2.0, 6.0]) == 4.0
    hours = [float(h) for h in range(1, 11)]
    assert _percentile(hours, 0.9) == 9.0 and _percentile([3.0], 0.9) == 3.0


def test_markdown_is_sanitised_and_links_are_dropped():
    html = markdown_html("**bold** [x](http://a.example) <img src=x onerror=alert(1)>\n\n"
                         "<script>alert(1)</script>")
    assert "<strong>bold</strong>" in html and "x" in html
    assert "href" not in html and "<img" not in html and "<script" not in html
    assert "http" not in html


def test_charts_are_cumulative_named_by_position_and_drawn_only_for_figures():
    charts = chart_files(facts())
    assert list(charts) == ["charts/cumulative_01.svg", "charts/ratings.svg"]
    svg = charts["charts/cumulative_01.svg"]
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    # Cumulative: 2, 2, 7, scaled as the dashboard scales (90 units of height for the most).
    assert re.findall(r"v([\d.]+)h", svg) == ["25.71", "25.71", "90.0"]
    assert "Arrests: cumulative total, 2031-01-01 to 2031-01-03; 7 in all" in svg
    assert svg.count("<path ") == 1 and "<rect" not in svg


def test_tables_neutralise_nothing_themselves_and_keep_a_stable_order():
    tables = data_tables(facts())
    assert tables["data/totals.csv"] == [["indicator", "label", "unit", "total"],
                                         ["arrests", "Arrests", "persons", 7],
                                         ["custom_x", "=Custom", "items", 0]]
    assert tables["data/daily_cumulative.csv"][1:4] == [
        ["2031-01-01", "arrests", 2, 2], ["2031-01-02", "arrests", 0, 2],
        ["2031-01-03", "arrests", 5, 7]]
    assert data_tables(facts()) == tables


def test_the_report_escapes_user_text():
    page = render_report(facts(summary="<b>hi</b> & *there*"), chart_files(facts()))
    assert "&lt;b&gt;hi&lt;/b&gt; &amp; <em>there</em>" in page
    assert "=Custom" in page and "<h1>Debrief pack: JPA 2031</h1>" in page
