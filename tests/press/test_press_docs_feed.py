"""Press documents: the Atom 1.0 feed (RFC 4287) of published releases."""

from __future__ import annotations

import xml.dom.minidom
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest

from press.documents import PublishedRelease
from press.feed import FeedSettings, build_feed, summarize
from tests.press.press_docs_support import T0, release, thai_release, version

A = "{http://www.w3.org/2005/Atom}"
LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SETTINGS = FeedSettings(base_url="https://jpa.example.org")


def parse(data: bytes) -> ET.Element:
    xml.dom.minidom.parseString(data)  # a second, independent parser accepts it too
    root = ET.fromstring(data)
    assert root.tag == f"{A}feed"
    return root


def releases() -> list[PublishedRelease]:
    return [release("older", start=T0), thai_release(),
            release("newest", versions=3, start=T0 + timedelta(days=3)),
            release("gone", start=T0 + timedelta(days=1), withdrawn=True)]


def test_feed_has_the_required_elements():
    data = build_feed(releases(), SETTINGS)
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = parse(data)
    for tag in ("id", "title", "updated", "author"):
        assert len(root.findall(f"{A}{tag}")) == 1, tag
    assert root.findtext(f"{A}id") == "https://jpa.example.org/press/feed.atom"
    self_links = [link for link in root.findall(f"{A}link") if link.get("rel") == "self"]
    assert [link.get("href") for link in self_links] == ["https://jpa.example.org/press/feed.atom"]
    assert root.findtext(f"{A}updated") == "2026-11-07T09:00:00Z"  # "newest", version 3
    for entry in root.findall(f"{A}entry"):
        for tag in ("id", "title", "updated", "published", "summary"):
            assert len(entry.findall(f"{A}{tag}")) == 1, tag
        assert entry.get(LANG)
        html = [link for link in entry.findall(f"{A}link")
                if link.get("rel") == "alternate" and link.get("type") == "text/html"]
        assert len(html) == 1 and html[0].get("href").startswith("https://jpa.example.org/press/")


def test_entries_are_newest_first_one_per_release_with_a_stable_id():
    root = parse(build_feed(releases(), SETTINGS))
    ids = [entry.findtext(f"{A}id") for entry in root.findall(f"{A}entry")]
    assert ids == ["https://jpa.example.org/press/newest", "https://jpa.example.org/press/gone",
                   "https://jpa.example.org/press/jpa-2026-th",
                   "https://jpa.example.org/press/older"]
    updated = [entry.findtext(f"{A}updated") for entry in root.findall(f"{A}entry")]
    assert updated == sorted(updated, reverse=True)
    newest = root.find(f"{A}entry")
    assert newest.findtext(f"{A}published") == "2026-11-05T09:00:00Z"  # first version
    assert newest.findtext(f"{A}updated") == "2026-11-07T09:00:00Z"  # latest version
    assert newest.findtext(f"{A}title") == "Joint operation: results (v3)"
    # A correction keeps the id: same release, one more version.
    corrected = build_feed([release("newest", versions=4, start=T0 + timedelta(days=3))],
                           SETTINGS)
    assert parse(corrected).find(f"{A}entry").findtext(f"{A}id") == ids[0]


def test_tag_ids_and_languages():
    settings = FeedSettings(base_url="https://jpa.example.org/",
                            tag_authority="jpa.example.org,2026")
    root = parse(build_feed([thai_release()], settings))
    assert root.findtext(f"{A}id") == "tag:jpa.example.org,2026:press"
    entry = root.find(f"{A}entry")
    assert entry.findtext(f"{A}id") == "tag:jpa.example.org,2026:press/jpa-2026-th"
    assert entry.get(LANG) == "th" and root.get(LANG) == "en"
    assert entry.find(f"{A}author").findtext(f"{A}name") == "ประเทศไทย"
    assert "ผู้เสียหาย 1,234 คน" in entry.findtext(f"{A}summary")


def test_withdrawn_release_stays_with_its_notice():
    root = parse(build_feed(releases(), SETTINGS))
    gone = next(e for e in root.findall(f"{A}entry") if e.findtext(f"{A}id").endswith("/gone"))
    assert gone.findtext(f"{A}summary") == "Withdrawn on 2026-11-04: Withdrawn: figures revised."
    assert gone.findtext(f"{A}updated") == "2026-11-04T09:00:00Z"  # the withdrawal


def test_markup_and_control_characters_are_escaped_or_dropped():
    nasty = 'Figures <script>alert(1)</script> & "quotes" ]]> \x00\x07\x1b end'
    r = PublishedRelease((version("nasty", title=nasty, text_body=nasty),))
    data = build_feed([r], SETTINGS)
    entry = parse(data).find(f"{A}entry")
    assert entry.findtext(f"{A}title") == 'Figures <script>alert(1)</script> & "quotes" ]]>  end'
    assert b"<script>" not in data and b"&lt;script&gt;" in data


def test_empty_feed_is_still_valid():
    root = parse(build_feed([], SETTINGS))
    assert root.findall(f"{A}entry") == [] and root.findtext(f"{A}updated")


def test_duplicate_slugs_and_bad_settings_are_refused():
    with pytest.raises(ValueError):
        build_feed([release("same"), release("same")], SETTINGS)
    with pytest.raises(ValueError):
        FeedSettings(base_url="jpa.example.org")
    with pytest.raises(ValueError):
        FeedSettings(base_url="https://x.org", tag_authority="no date")


def test_summary_is_the_first_paragraph_cut_on_a_word():
    assert summarize("First para.\n\nSecond.") == "First para."
    cut = summarize("word " * 200, limit=50)
    assert cut.endswith("…") and len(cut) <= 51 and "wor…" not in cut
