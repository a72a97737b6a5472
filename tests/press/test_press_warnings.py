"""Hand-typed figures: digits typed into the body outside placeholders are listed with their
line; years, dates, placeholders, tags and link targets are not."""

from __future__ import annotations

from press.handtyped import HandTypedFigure, hand_typed_figures
from press.rendering import render_release
from tests.press.press_samples import regional_context


def found(body: str) -> list[tuple[int, str]]:
    return [(w.line, w.text) for w in hand_typed_figures(body)]


def test_typed_numbers_are_listed_with_their_lines():
    body = ("# 32 arrests\n"
            "Police made {{ figures.arrests }} arrests and assisted 59 victims.\n"
            "\n"
            "About 1,234 checks, 1 234 in French, 1.234 in Bahasa and 12.5 per cent.\n"
            "Thai digits ๕๙ count too.")
    assert found(body) == [(1, "32"), (2, "59"), (4, "1,234"), (4, "1 234"), (4, "1.234"),
                           (4, "12.5"), (5, "๕๙")]


def test_years_dates_and_placeholders_are_not_listed():
    body = ("In 2015, from 28 September 2015 to 28 October 2015 (Sept. 28 and October 12).\n"
            "{{ figures.arrests }} {% if operations.count > 3 %}x{% endif %} {# 99 #}\n"
            "On 2015-10-12, 12/10/2015, 12 octobre, 12 Oktober, 12 ตุลาคม พ.ศ. 2558,\n"
            "and 1st October.\n"
            "[report](https://example.org/2015/report-42) <https://example.org/7>\n"
            "{{ figures.victims_assisted\n    .female_child }} on 5 Okt and 1er octobre")
    assert found(body) == []


def test_years_outside_the_range_and_long_numbers_are_listed():
    assert found("In 1850 and in 2101 and 20150") == [(1, "1850"), (1, "2101"), (1, "20150")]


def test_the_warning_says_what_to_do():
    warning = HandTypedFigure(3, "59")
    assert warning.message == ("line 3: '59' is typed by hand; use a placeholder so the "
                               "release says the approved figure")


def test_rendered_release_carries_the_warnings():
    rendered = render_release("We made 32 arrests.\n\nIn 2015 {{ figures.arrests }}.",
                              regional_context(), language="en", preliminary=False)
    assert rendered.warnings == [HandTypedFigure(1, "32")]
