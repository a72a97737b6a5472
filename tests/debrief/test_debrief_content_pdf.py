"""The pack's report.pdf: every page carries the period's name, the handling marking and
"Page i of n"; nothing is fetched from a network while printing."""

from __future__ import annotations

import pytest
import tinycss2

from debrief.pack_facts import HANDLING_WORDS
from debrief.pack_pdf import css_string, page_css, render_pdf
from press.pdf import ResourceGuard
from tests.debrief.debrief_content_support import PERIOD_NAME, make_pack_world, pdf_pages


@pytest.mark.parametrize("handling", ["H2", "H0"])
def test_every_page_carries_the_period_the_marking_and_page_x_of_y(app, accounts, handling):
    world = make_pack_world(app, accounts)
    pages = pdf_pages(world.build(handling=handling, annex="THA")["report.pdf"])
    assert len(pages) >= 5
    marking = HANDLING_WORDS[handling]
    for number, text in enumerate(pages, start=1):
        assert PERIOD_NAME in text, number
        assert marking in text, number
        assert f"Page {number} of {len(pages)}" in text, number
    everything = " ".join(pages)
    for heading in ("Executive summary", "Deconfliction in numbers", "Improvement plan",
                    "Annex: THA"):
        assert heading in everything


def test_printing_fetches_nothing_from_a_network():
    guard = ResourceGuard()
    page = ('<!doctype html><html><head><link rel="stylesheet" href="http://cdn.example/x.css">'
            '</head><body><p>Text</p><img src="https://tracker.example/pixel.png">'
            '<img src="file:///etc/passwd"></body></html>')
    pdf = render_pdf(page, marking="H2 — participating states only", period_name="P",
                     guard=guard)
    assert pdf.startswith(b"%PDF")
    assert sorted(guard.refused) == ["file:///etc/passwd", "http://cdn.example/x.css",
                                     "https://tracker.example/pixel.png"]
    assert "Page 1 of 1" in pdf_pages(pdf)[0]


def test_page_margins_quote_user_text_safely():
    assert css_string('A "quoted" name\\ with\nlines') == '"A \\"quoted\\" name\\\\ with lines"'
    name = 'JPA "2031"; } body { color: red'
    rules = tinycss2.parse_stylesheet(page_css(marking="H3 — x", period_name=name),
                                      skip_comments=True, skip_whitespace=True)
    assert [rule.at_keyword for rule in rules] == ["page"]  # no rule smuggled in
    margins = [token for token in tinycss2.parse_blocks_contents(rules[0].content)
               if token.type == "at-rule"]
    assert [m.at_keyword for m in margins] == ["top-left", "top-right", "bottom-center",
                                               "bottom-left"]
    strings = [token.value for token in margins[1].content if token.type == "string"]
    assert strings[0] == name
