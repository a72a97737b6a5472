"""The release sandbox: escapes, unknown names, syntax errors and size caps are refused with
the line they are on; nothing outside the release context can be reached."""

from __future__ import annotations

import pytest

from press.i18n import UnknownLanguage
from press.rendering import Limits, TemplateProblem, check_template, render_release
from tests.press.press_samples import regional_context

CTX = regional_context()


def problem(body: str, *, limits: Limits | None = None, language: str = "en") -> TemplateProblem:
    with pytest.raises(TemplateProblem) as caught:
        render_release(body, CTX, language=language, preliminary=False, limits=limits)
    return caught.value


ESCAPES = [
    ("{{ figures.arrests.__class__ }}", "__class__"),
    ("{{ period.name.__class__.__mro__ }}", "__class__"),
    ("{{ ''.__class__.mro() }}", "__class__"),
    ("{{ period.name.mro }}", "mro"),
    ("{{ self }}", "self"),
    ("{{ self.__init__ }}", "self"),
    ("{{ cycler('a', 'b').next() }}", "cycler"),
    ("{{ joiner(',') }}", "joiner"),
    ("{% set ns = namespace(a=1) %}{{ ns.a }}", "namespace"),
    ("{% for i in range(100000) %}x{% endfor %}", "range"),
    ("{{ lipsum(1000) }}", "lipsum"),
    ("{{ dict(a=1) }}", "dict"),
    ("{{ period.name.upper() }}", "upper"),
    ("{{ period.name.format(x=1) }}", "format"),
    ("{{ figures['arrests']['__class__'] }}", "__class__"),
    ("{% set d = {'a': 1} %}{{ d.a }}", "'a'"),
    ("{% set d = {'a': 1} %}{{ d['a'] }}", "'a'"),
    ("{{ figures.arrests|attr('__class__') }}", "attr"),
    ("{{ states|map(attribute='__class__') }}", "map"),
    ("{% include 'press/other.md' %}", "include"),
    ("{% import 'macros.md' as m %}", "import"),
    ("{% from 'macros.md' import m %}", "import"),
    ("{% extends 'base.md' %}", "extends"),
    ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "macro"),
    ("{{ 'x' * 1000000 }}", "output cap"),
    ("{{ states.items * 100000 }}", "items"),
    ("{{ '%0999999d' % 1 }}", "%"),
    ("{{ 9 ** 9999 }}", "powers"),
    ("{{ (10 ** 60) ** 60 }}", "powers"),
    ("{{ (10 ** 18) ** 64 * (10 ** 18) ** 64 }}", "too large"),
    ("{% for s in states recursive %}{{ loop(states) }}{% endfor %}", "recursive"),
    ("{% for s in states %}{{ loop.cycle('a', 'b') }}{% endfor %}", "cycle"),
    ("{% for a in states %}{% for b in states %}{% for c in states %}{% endfor %}"
     "{% endfor %}{% endfor %}", "nested"),
]


@pytest.mark.parametrize(("escape", "named"), ESCAPES)
def test_each_escape_is_refused_naming_its_line(escape, named):
    body = f"# Release\n\nFirst paragraph.\n{escape}\n\nLast paragraph.\n"
    refused = problem(body)
    assert refused.line == 4, (escape, refused)
    assert named in refused.message
    assert str(refused).startswith("line 4: ")
    assert isinstance(refused, ValueError)


@pytest.mark.parametrize(("body", "line", "named"), [
    ("ok\n{{ nope }}", 2, "nope"),
    ("ok\n\n{{ figures.no_such_indicator }}", 3, "no_such_indicator"),
    ("{{ figures.arrests.female_child }}", 1, "female_child"),
    ("a\nb\nc\n{{ figures.victims_assisted.girls }}", 4, "girls"),
    ("{{ national.arrests }}", 1, "national"),  # a regional release has no national figures
    ("{{ state }}", 1, "state"),
    ("{{ states[20] }}", 1, "20"),
    ("{{ figures }}", 1, "figures"),
])
def test_unknown_placeholders_are_refused_naming_the_line(body, line, named):
    refused = problem(body)
    assert (refused.line, named in refused.message) == (line, True), refused


@pytest.mark.parametrize(("body", "line"), [
    ("a\n{% if %}", 2),
    ("a\nb\n{{ figures.arrests ", 3),
    ("{% for s in states %}\n{{ s }}\n", 2),
    ("a\n{{ figures.arrests | nosuchfilter }}", 2),
    ("{% endif %}", 1),
])
def test_syntax_errors_name_the_line(body, line):
    refused = problem(body)
    assert refused.line == line
    assert refused.message


def test_output_over_the_cap_is_refused():
    body = "{% for a in states %}{% for b in states %}{{ period.name }} {% endfor %}{% endfor %}"
    refused = problem(body, limits=Limits(max_output=1_000))
    assert "over 1,000 characters" in refused.message
    assert refused.line == 1
    # Within the cap it renders.
    assert render_release(body, CTX, language="en", preliminary=False).html


def test_a_body_over_the_cap_is_refused():
    refused = problem("a" * 100_001)
    assert "over 100,000 characters" in refused.message
    refused = problem("word " * 300, limits=Limits(max_body=1_000))
    assert "over 1,000 characters" in refused.message


def test_unknown_language_is_refused():
    refused = problem("{{ figures.arrests }}", language="de")
    assert "unknown language 'de'" in refused.message
    with pytest.raises(UnknownLanguage):
        from press.i18n import format_number
        format_number(1, "xx")


def test_allowed_constructs_render():
    body = ("{% for s in states %}{{ loop.index }}. {{ s }}{% if not loop.last %}; {% endif %}"
            "{% endfor %}\n\n{{ states[0] }} / {{ states|length }} / {{ states|first }} / "
            "{{ figures['arrests'] }} / {{ period.name|upper }} / "
            "{% if preliminary %}P{% else %}F{% endif %} / {{ as_at }} / {{ 2 * 3 }} / "
            "{{ operations.by_type.airport_checks }} / {{ operations['count'] }}")
    text = render_release(body, CTX, language="en", preliminary=False).text
    assert "1. Australia; 2. Indonesia;" in text
    assert "Australia / 8 / Australia / 32 / JOINT PERIOD OF ACTION 2015 / F / / 6 / 4 / 14" in text


def test_check_template_returns_the_warnings_or_raises():
    assert [w.text for w in check_template("We made 32 arrests.", CTX, language="en")] == ["32"]
    with pytest.raises(TemplateProblem):
        check_template("{{ nope }}", CTX, language="en")


def test_a_cached_template_still_names_the_line():
    body = "ok\n\n{{ figures.victims_assisted.nope }}"
    assert [problem(body).line for _ in range(3)] == [3, 3, 3]
    limits = Limits(max_output=500)
    looped = ("x\n{% for a in states %}{% for b in states %}{{ period.name }}"
              "{% endfor %}{% endfor %}")
    assert [problem(looped, limits=limits).line for _ in range(2)] == [2, 2]
