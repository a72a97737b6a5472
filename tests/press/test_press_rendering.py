"""Rendering: Markdown to sanitised HTML and text, escaping of context strings, per-language
formats, suppression in the output and the preliminary line the template cannot remove."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser

import pytest

from press.rendering import render_release
from tests.press.press_samples import national_context, regional_context

CTX = regional_context()
AS_AT = date(2015, 10, 12)


def render(body: str, ctx=CTX, language: str = "en", preliminary: bool = False, as_at=None):
    return render_release(body, ctx, language=language, preliminary=preliminary, as_at=as_at)


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_comment(self, data):
        self.tags.append(("!--", {}))


def markup(html: str) -> list[tuple[str, dict]]:
    """Every element and comment in the HTML with its attributes."""
    parser = _Tags()
    parser.feed(html)
    return parser.tags


SAFE_TAGS = {"h1", "h2", "h3", "h4", "p", "br", "hr", "strong", "em", "ul", "ol", "li",
             "blockquote", "a", "code"}


def assert_inert(html: str) -> None:
    for tag, attrs in markup(html):
        assert tag in SAFE_TAGS, (tag, html)
        allowed = {"href", "rel", "title"} if tag == "a" else set()
        assert set(attrs) <= allowed, (tag, attrs)
        href = (attrs.get("href") or "https:").lower()
        assert href.startswith(("https:", "http:", "mailto:")), href


XSS = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    "[click me](javascript:alert(1))",
    "[click me](JaVaScRiPt:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<div style="display:none" onclick="alert(1)">hidden</div>',
    "<iframe src=\"https://evil.example\"></iframe>",
    "<style>body { display: none }</style>",
    "<svg onload=alert(1)>",
    '<p onmouseover="alert(1)">x</p>',
    "![x](javascript:alert(1))",
    "<object data=\"x\"></object><embed src=\"x\">",
]


@pytest.mark.parametrize("attack", XSS)
def test_xss_in_the_body_is_stripped(attack):
    rendered = render(f"# Title\n\nBefore.\n\n{attack}\n\nAfter {{{{ figures.arrests }}}}.\n")
    assert_inert(rendered.html)
    assert "<script" not in rendered.html.lower()
    assert "<h1>Title</h1>" in rendered.html
    assert "After 32." in rendered.text


def test_raw_html_is_shown_as_text_not_markup():
    rendered = render("Some <b>bold</b> and <em>em</em> text.")
    assert "<b>" not in rendered.html
    assert "&lt;b&gt;bold&lt;/b&gt;" in rendered.html
    assert "Some <b>bold</b> and <em>em</em> text." in rendered.text


def test_markdown_links_to_http_stay_with_a_safe_rel():
    html = render("[Bali Process](https://www.baliprocess.net/)").html
    assert 'href="https://www.baliprocess.net/"' in html
    assert 'rel="noopener noreferrer"' in html


HOSTILE_NAME = ("[click](https://evil.example) <script>alert(1)</script> **bold** _it_ `code`"
                "\n# Heading\n1. item <img src=x onerror=alert(1)> &amp;")


def test_context_strings_cannot_inject_markdown_or_html():
    rendered = render("# {{ period.name }}\n\nThe {{ period.name }} ended.\n",
                      ctx=regional_context(period_name=HOSTILE_NAME))
    html = rendered.html
    assert [tag for tag, _ in markup(html)] == ["h1", "p"], html
    flat = HOSTILE_NAME.replace("\n", " ")
    assert f"The {flat} ended." in rendered.text
    assert "&lt;script&gt;" in html and "&amp;amp;" in html


NUMBERS = {"en": "1,234", "fr": "1\u202f234", "id": "1.234", "ms": "1,234", "th": "1,234"}
DATES = {"en": "28 September 2015", "fr": "28 septembre 2015", "id": "28 September 2015",
         "ms": "28 September 2015", "th": "28 กันยายน พ.ศ. 2558"}
SHORT_DATES = {"en": "28/10/2015", "fr": "28/10/2015", "id": "28/10/15", "ms": "28/10/15",
               "th": "28/10/15"}
LISTS = {"en": "Indonesia, Malaysia and Thailand", "fr": "Indonésie, Malaisie et Thaïlande",
         "id": "Indonesia, Malaysia, dan Thailand", "ms": "Indonesia, Malaysia dan Thailand",
         "th": "อินโดนีเซีย มาเลเซีย และไทย"}
PAIRS = {"en": "New Zealand and Sri Lanka", "fr": "Nouvelle-Zélande et Sri Lanka",
         "id": "Selandia Baru dan Sri Lanka", "ms": "New Zealand dan Sri Lanka",
         "th": "นิวซีแลนด์และศรีลังกา"}
FEWER = {"en": "fewer than 5", "fr": "moins de 5", "id": "kurang dari 5",
         "ms": "kurang daripada 5", "th": "น้อยกว่า 5"}
WITHHELD = {"en": "not published", "fr": "non publié", "id": "tidak dipublikasikan",
            "ms": "tidak diterbitkan", "th": "ไม่เปิดเผย"}


@pytest.mark.parametrize("language", list(NUMBERS))
def test_per_language_numbers_dates_lists_and_suppression(language):
    ctx = national_context(states=("IDN", "MYS", "THA"))
    body = ("N={{ national.international_enquiries }}|{{ national.international_enquiries|number }}"
            "|{{ operations.count|number }}\n\nD={{ period.starts_on }}|"
            "{{ period.ends_on|date('short') }}\n\nL={{ states|join_and }}|"
            "{{ co_chairs|join_and }}|{{ states }}\n\nS={{ figures.victims_assisted.female_child }}"
            "|{{ figures.victims_assisted.male_child }}|{{ figures.victims_assisted }}"
            "|{{ figures.victims_assisted.unknown }}")
    text = render(body, ctx=ctx, language=language).text
    n, d, lists, s = (line for line in text.splitlines() if line)
    assert n == f"N={NUMBERS[language]}|{NUMBERS[language]}|14"
    assert d == f"D={DATES[language]}|{SHORT_DATES[language]}"
    assert lists == f"L={LISTS[language]}|{PAIRS[language]}|{LISTS[language]}"
    assert s == f"S={FEWER[language]}|{WITHHELD[language]}|59|0"
    assert not any("\u0e50" <= ch <= "\u0e59" for ch in text)  # Thai keeps Arabic digits
    if language == "fr":
        html = render(body, ctx=ctx, language=language).html
        assert "1\u202f234" in html  # the narrow no-break space survives into the HTML


PRELIMINARY = {
    "en": "PRELIMINARY - figures as at 12 October 2015; final figures will follow.",
    "fr": "PROVISOIRE - chiffres arrêtés au 12 octobre 2015 ; les chiffres définitifs suivront.",
    "id": "SEMENTARA - angka per 12 Oktober 2015; angka final akan menyusul.",
    "ms": "SEMENTARA - angka setakat 12 Oktober 2015; angka muktamad akan menyusul.",
    "th": "ข้อมูลเบื้องต้น - ตัวเลข ณ วันที่ 12 ตุลาคม พ.ศ. 2558 "
          "ตัวเลขฉบับสมบูรณ์จะประกาศในภายหลัง",
}


@pytest.mark.parametrize("language", list(PRELIMINARY))
def test_the_preliminary_line_comes_first_in_the_language(language):
    rendered = render("# Title\n\nText.", language=language, preliminary=True, as_at=AS_AT)
    assert rendered.html.startswith(
        f'<p class="preliminary"><strong>{PRELIMINARY[language]}</strong></p>\n<h1>Title</h1>')
    assert rendered.text.splitlines()[0] == PRELIMINARY[language]
    final = render("# Title\n\nText.", language=language, preliminary=False, as_at=AS_AT)
    assert final.html.startswith("<h1>Title</h1>")
    assert PRELIMINARY[language] not in final.text


def test_preliminary_without_a_date_still_says_so():
    text = render("Text.", preliminary=True).text
    assert text.startswith("PRELIMINARY - final figures will follow.\n")


HIDING = [
    "<!--\n\nText.\n\n-->",
    "<!-- Text.",
    "<style>.preliminary { display: none }</style>\n\nText.",
    '<div style="display:none">\n\nText.\n\n</div>',
    "<div hidden>\n\nText.\n\n</div>",
    "</p></strong><p>Text.",
    '<span class="preliminary">replacement</span>',
    "{% if preliminary %}{% endif %}Text.",
    "{% set preliminary = false %}Text.",
]


@pytest.mark.parametrize("attempt", HIDING)
def test_a_template_cannot_hide_the_preliminary_line(attempt):
    rendered = render(attempt, preliminary=True, as_at=AS_AT)
    html = rendered.html
    assert html.startswith(f'<p class="preliminary"><strong>{PRELIMINARY["en"]}</strong></p>\n')
    assert_inert(html.split("\n", 1)[1])
    assert [attrs for _, attrs in markup(html)].count({"class": "preliminary"}) == 1
    assert rendered.text.splitlines()[0] == PRELIMINARY["en"]


def test_text_output_has_no_markup_and_keeps_structure():
    body = ("# Head\n\nOne **bold** and [a link](https://example.org/x).\n\n- first\n- second\n\n"
            "1. uno\n2. dos\n\n> quoted\n\nLast line  \nbroken.")
    text = render(body).text
    assert text == ("Head\n\nOne bold and a link (https://example.org/x).\n\n- first\n- second"
                    "\n\n1. uno\n2. dos\n\nquoted\n\nLast line\nbroken.\n")


def test_regional_release_renders_the_suppressed_2015_tally():
    rendered = render("{{ figures.victims_assisted }} victims; girls: "
                      "{{ figures.victims_assisted.female_child }}.")
    assert rendered.text == "59 victims; girls: fewer than 5.\n"
    assert "3" not in rendered.text
