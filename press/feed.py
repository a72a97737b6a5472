"""The Atom 1.0 feed (RFC 4287) of published press releases.

Built with xml.etree.ElementTree (the serializer escapes; no string templates). One entry per
release, not per version: its id is stable across corrections, `updated` is the newest
version (or the withdrawal), `published` the first publication; a withdrawn release stays in
the feed with its withdrawal notice as the summary. Entries run newest first.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final
from urllib.parse import urljoin

from press.documents import (
    SERVICE_LINKS,
    Links,
    PublishedRelease,
    iso_date,
    newest_first,
    rfc3339,
)
from press.labels import label

ATOM_NS: Final = "http://www.w3.org/2005/Atom"
XML_LANG: Final = "{http://www.w3.org/XML/1998/namespace}lang"
MEDIA_TYPE: Final = "application/atom+xml"
SUMMARY_LENGTH: Final = 300
EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
# A tag: URI authority (RFC 4151): a domain or e-mail address, a comma and a date.
_TAG_AUTHORITY: Final = re.compile(r"[A-Za-z0-9.@-]+,\d{4}(?:-\d{2}(?:-\d{2})?)?")
# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class FeedSettings:
    """What names the feed: the public base URL, title, author and (optionally) tag: ids.

    With `tag_authority` (e.g. "press.example.org,2026") ids are tag: URIs that survive a
    move of the site (the service and its static mirror then share ids); without it they
    are the absolute URLs of the feed and of each release's page.
    """

    base_url: str
    title: str = "Joint Period of Action: press releases"
    author: str = "Joint Period of Action co-chairs"
    language: str = "en"
    tag_authority: str | None = None

    def __post_init__(self) -> None:
        if not re.match(r"https?://[^/\s]+", self.base_url):
            raise ValueError("base_url must be an absolute http(s) URL")
        if self.tag_authority is not None and not _TAG_AUTHORITY.fullmatch(self.tag_authority):
            raise ValueError("tag_authority must look like 'example.org,2026'")

    def url(self, reference: str) -> str:
        """`reference` (a path or relative link) made absolute against the base URL."""
        base = self.base_url if self.base_url.endswith("/") else self.base_url + "/"
        return urljoin(base, reference)

    def feed_id(self, links: Links) -> str:
        """The feed's permanent id."""
        if self.tag_authority:
            return f"tag:{self.tag_authority}:press"
        return self.url(links.feed)

    def entry_id(self, slug: str, links: Links) -> str:
        """The permanent id of a release (the same for all its versions)."""
        if self.tag_authority:
            return f"tag:{self.tag_authority}:press/{slug}"
        return self.url(links.page.format(slug=slug))


def xml_text(value: str) -> str:
    """`value` without the characters XML 1.0 cannot represent."""
    return _NOT_XML.sub("", value)


def summarize(text: str, limit: int = SUMMARY_LENGTH) -> str:
    """The first paragraph of `text`, cut at a word boundary to about `limit` characters."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    first = " ".join(paragraphs[0].split()) if paragraphs else ""
    if len(first) <= limit:
        return first
    cut = first[:limit]
    if " " in cut[limit // 2:]:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,;:.") + "…"


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attributes.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def _entry(feed: ET.Element, release: PublishedRelease, settings: FeedSettings,
           links: Links) -> None:
    """Append the entry of one release."""
    latest = release.latest
    entry = _add(feed, "entry", **{XML_LANG: latest.language})
    _add(entry, "id", settings.entry_id(release.slug, links))
    _add(entry, "title", latest.title, type="text")
    _add(entry, "updated", rfc3339(release.updated_at))
    _add(entry, "published", rfc3339(release.published_at))
    author = _add(entry, "author")
    _add(author, "name", latest.state if latest.scope == "national" and latest.state
         else settings.author)
    _add(entry, "link", rel="alternate", type="text/html", hreflang=latest.language,
         href=settings.url(links.page.format(slug=release.slug)))
    _add(entry, "link", rel="alternate", type="text/plain", hreflang=latest.language,
         href=settings.url(links.text.format(slug=release.slug)))
    _add(entry, "link", rel="alternate", type="application/pdf", hreflang=latest.language,
         href=settings.url(links.pdf.format(slug=release.slug)))
    _add(entry, "category", term=latest.scope, label=label(latest.language, latest.scope))
    if latest.withdrawal is not None:
        when = label(latest.language, "withdrawn_on",
                     date=iso_date(latest.withdrawal.withdrawn_at))
        summary = f"{when}: {' '.join(latest.withdrawal.note.split())}"
    else:
        summary = summarize(latest.text_body)
    _add(entry, "summary", summary, type="text")


def build_feed(releases: Iterable[PublishedRelease], settings: FeedSettings, *,
               links: Links = SERVICE_LINKS) -> bytes:
    """The Atom 1.0 feed document (UTF-8 bytes) of `releases`, newest first."""
    ordered = newest_first(releases)
    slugs = [r.slug for r in ordered]
    if len(set(slugs)) != len(slugs):
        raise ValueError("two releases share a slug")
    feed = ET.Element("feed", {"xmlns": ATOM_NS, XML_LANG: settings.language})
    _add(feed, "id", settings.feed_id(links))
    _add(feed, "title", settings.title, type="text")
    _add(feed, "updated", rfc3339(ordered[0].updated_at if ordered else EPOCH))
    author = _add(feed, "author")
    _add(author, "name", settings.author)
    _add(feed, "link", rel="self", type=MEDIA_TYPE, href=settings.url(links.feed))
    _add(feed, "link", rel="alternate", type="text/html", href=settings.url(links.index))
    for release in ordered:
        _entry(feed, release, settings, links)
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"
