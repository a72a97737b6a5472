"""The ten default templates render against a sample context in every language, in proper
language text with no hand-typed figures, and say the suppressed figures."""

from __future__ import annotations

from datetime import date

import pytest

from press.defaults import SCOPES, default_template, default_templates
from press.i18n import LANGUAGES
from press.rendering import render_release
from tests.press.press_samples import national_context, regional_context

CONTEXTS = {"regional": regional_context(), "national": national_context()}
# A phrase of each language's own text, the suppressed girls' line and the formatted figure.
EXPECTED = {
    "en": ("About the Joint Period of Action", "girls: fewer than 5", "presumed victims"),
    "fr": ("À propos de la période d'action conjointe", "filles : moins de 5",
           "victimes présumées de la traite"),
    "id": ("Tentang Periode Aksi Bersama", "anak perempuan: kurang dari 5",
           "diduga menjadi korban perdagangan orang"),
    "ms": ("Mengenai Tempoh Tindakan Bersama", "kanak-kanak perempuan: kurang daripada 5",
           "dipercayai mangsa pemerdagangan orang"),
    "th": ("เกี่ยวกับช่วงปฏิบัติการร่วม", "เด็กหญิง: น้อยกว่า 5", "ผู้เสียหายจากการค้ามนุษย์"),
}
STATE_NAMES = {"en": "Thailand", "fr": "Thaïlande", "id": "Thailand", "ms": "Thailand",
               "th": "ไทย"}


def test_there_are_ten_default_templates():
    assert len(default_templates()) == 10
    with pytest.raises(ValueError):
        default_template("local", "en")
    with pytest.raises(ValueError):
        default_template("regional", "de")


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_default_template_renders_in_its_language(scope, language):
    body = default_template(scope, language)
    rendered = render_release(body, CONTEXTS[scope], language=language, preliminary=False)
    about, girls, victims = EXPECTED[language]
    text = rendered.text
    assert about in text and girls in text and victims in text
    assert STATE_NAMES[language] in text
    assert rendered.warnings == []
    assert "{{" not in text and "{%" not in text
    assert "\\" not in text  # no stray Markdown escapes
    assert rendered.html.startswith("<h1>")
    if scope == "regional":
        assert text.count("\n- ") == 4  # the four victim categories
        assert ("32" in text) and ("485" in text) and ("59" in text)
    else:
        assert ("11" in text) and ("1" + {"fr": "\u202f", "id": "."}.get(language, ",")
                                   + "234") in text
    if language == "th":
        assert "พ.ศ. 2558" in text
        assert not any("\u0e50" <= ch <= "\u0e59" for ch in text)
    if language == "fr":
        assert "« " in text and "Nouvelle-Zélande" in text


@pytest.mark.parametrize(("scope", "template_language"), list(default_templates()))
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_default_template_renders_in_every_language_and_preliminary(
        scope, template_language, language):
    body = default_template(scope, template_language)
    rendered = render_release(body, CONTEXTS[scope], language=language, preliminary=True,
                              as_at=date(2015, 10, 12))
    assert rendered.html.startswith('<p class="preliminary">')
    assert rendered.text.count("\n\n") > 6


def test_source_files_keep_their_thai_and_french_characters():
    assert "การค้ามนุษย์" in default_template("regional", "th")
    assert "arrêtés" not in default_template("regional", "fr")  # the line is added outside
    assert "démantèlement" in default_template("regional", "fr")
    assert "« {{ period.name }} »" in default_template("national", "fr")
