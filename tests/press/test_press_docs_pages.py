"""Press documents: the public HTML page, the plain text, the ETag helper, the data checks."""

from __future__ import annotations

from datetime import datetime, timedelta
from html.parser import HTMLParser

import pytest

from press.documents import (
    Links,
    PublishedRelease,
    render_index,
    render_page,
    render_text,
    stylesheet,
    valid_slug,
    wrap_text,
)
from press.etag import etag_matches, strong_etag
from tests.press.press_docs_support import T0, release, thai_release, version


class _Collector(HTMLParser):
    """Tags, attributes and text of a page; fails on unbalanced main structure."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> _Collector:
    collector = _Collector()
    collector.feed(page)
    return collector


def test_page_is_a_standalone_document_in_the_release_language():
    page = render_page(thai_release().latest)
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"th\">")
    parsed = parse(page)
    names = [tag for tag, _ in parsed.tags]
    assert names.count("title") == 1 and "main" in names
    sheets = [a["href"] for t, a in parsed.tags if t == "link" and a.get("rel") == "stylesheet"]
    assert sheets == ["/press/press.css"]  # served locally: no CDN, no other host
    assert not any("style" in attrs for _, attrs in parsed.tags)  # no inline styles
    assert "style" not in names and "script" not in names
    assert "<title>ปฏิบัติการร่วม: ผลการปฏิบัติงานระดับประเทศ</title>" in page
    assert "ฉบับที่ 2 จาก 2" in page  # "Version 2 of 2" in Thai


def test_title_and_notes_are_escaped_but_the_sanitised_body_is_kept():
    v = version(title="Figures <b>&</b> \"more\"", html_body="<p>Kept <em>as is</em></p>",
                corrections=())
    page = render_page(v)
    assert "Figures &lt;b&gt;&amp;&lt;/b&gt; &quot;more&quot;" in page
    assert "<p>Kept <em>as is</em></p>" in page


def test_versions_link_older_ones_and_corrections_are_dated():
    r = release("jpa-2026-regional-en", versions=3)
    latest = render_page(r.latest)
    assert "Version 3 of 3" in latest
    assert 'href="/press/jpa-2026-regional-en?v=1"' in latest
    assert 'href="/press/jpa-2026-regional-en?v=2"' in latest
    assert "?v=3" not in latest  # the current one is the page itself
    assert 'Correction of <time datetime="2026-11-03T09:00:00Z">2026-11-03</time>' in latest
    assert "Figure corrected in version 3." in latest
    older = render_page(r.version(1))
    assert "Version 1 of 3" in older and "This is an earlier version" in older
    assert 'href="/press/jpa-2026-regional-en"' in older
    assert '<meta name="robots" content="noindex">' in older
    assert "Correction of" not in older  # version 1 had no correction yet


def test_withdrawn_release_shows_the_notice_on_every_version():
    r = release("withdrawn-one", versions=2, withdrawn=True)
    for v in r.versions:
        page = render_page(v)
        assert 'class="notice withdrawn"' in page
        assert "Withdrawn on" in page and "Withdrawn: figures revised." in page
        assert "WITHDRAWN ON" in render_text(v)


def test_links_follow_the_given_scheme():
    links = Links(index="../index.html", page="index.html", version="v{version}.html",
                  text="../{slug}.txt", pdf="../{slug}.pdf", feed="../feed.atom",
                  stylesheet="../press.css")
    page = render_page(release("abc", versions=2).latest, links=links)
    assert 'href="v1.html"' in page and 'href="../abc.pdf"' in page
    assert 'href="../press.css"' in page


def test_text_is_wrapped_utf8_and_carries_the_same_content():
    long_body = ("Officers of the participating states assisted many victims. " * 8 + "\n\n"
                 "- first point " + "word " * 20 + "\n- second point\n\n| a | b |\n|---|---|")
    v = version(text_body=long_body, title="Joint operation: results",
                corrections=())
    text = render_text(v)
    assert text.endswith("\n") and "\r" not in text
    assert all(len(line) <= 72 for line in text.splitlines() if not line.startswith("|"))
    assert "Joint operation: results\n========================" in text
    assert "Published 2026-11-02 · Version 1 of 1" in text
    assert "- first point" in text and "  word" in text  # hanging indent of a list item
    assert "| a | b |\n|---|---|" in text  # tables kept as typed
    thai = render_text(thai_release().latest)
    thai.encode("utf-8")
    assert "ผู้เสียหาย 1,234 คน" in thai and "แก้ไขเมื่อ 2026-11-03" in thai


def test_wrap_text_never_splits_a_thai_word():
    word = "ผู้เสียหาย" * 12  # no spaces: longer than a line, kept whole
    assert wrap_text(word, width=20) == word


def test_index_lists_latest_versions_newest_first():
    old = release("older", start=T0)
    new = release("newer", start=T0 + timedelta(days=5))
    page = render_index([old, new, thai_release()])
    assert page.index('href="/press/newer"') < page.index('href="/press/jpa-2026-th"') \
        < page.index('href="/press/older"')
    assert '<li lang="th">' in page
    assert "No press release" in render_index([])


def test_strong_etag_and_if_none_match():
    data = render_page(release("abc").latest).encode()
    tag = strong_etag(data)
    assert tag.startswith('"') and tag.endswith('"') and len(tag) == 66
    assert tag == strong_etag(bytes(data)) and tag != strong_etag(data + b" ")
    assert etag_matches(tag, tag)
    assert etag_matches(f'"x", W/{tag}', tag)
    assert etag_matches("*", tag)
    assert not etag_matches(None, tag) and not etag_matches('"other"', tag)


@pytest.mark.parametrize("slug", ["", "-a", "a-", "A", "a_b", "a/b", "../x", "a.b", "é",
                                  "a" * 121, "a b"])
def test_bad_slugs_are_refused(slug):
    with pytest.raises(ValueError):
        valid_slug(slug)
    with pytest.raises(ValueError):
        version(slug)


def test_versions_must_be_complete_and_times_aware():
    with pytest.raises(ValueError):
        PublishedRelease((version("a", 2, count=2),))
    with pytest.raises(ValueError):
        version(published_at=datetime(2026, 11, 2, 9, 0))  # naive
    with pytest.raises(ValueError):
        version(language="not a language")
    with pytest.raises(ValueError):
        version(scope="global")


def test_stylesheet_names_the_system_fonts_and_fetches_nothing():
    css = stylesheet().decode()
    assert '"Noto Sans", "Noto Sans Thai", sans-serif' in css
    assert "@import" not in css and "url(" not in css and "@font-face" not in css
