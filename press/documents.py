"""The public documents of a published press release: HTML page, plain text, PDF, ETag.

Pure functions over plain data (no Flask, SQLAlchemy or `core`): the service renders them
once at publication (or correction, or withdrawal), stores the bytes and serves them with
`strong_etag`; `press.export` writes the same documents as a static mirror. The HTML body
arrives already sanitised (press.rendering); everything else is escaped here. The PDF is
made by WeasyPrint with no network access (see `ResourceGuard`) and fonts from the system.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from html import escape
from pathlib import Path
from typing import Final

from press.etag import strong_etag
from press.labels import label

SLUG_RE: Final = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,118}[a-z0-9])?")
LANGUAGE_RE: Final = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
SCOPES: Final = frozenset({"regional", "national"})
STYLESHEET_NAME: Final = "press.css"
STYLESHEET_PATH: Final = Path(__file__).resolve().parent / "static" / STYLESHEET_NAME
TEXT_WIDTH: Final = 72


def valid_slug(slug: str) -> str:
    """`slug` if it is 1-120 characters of [a-z0-9-] (no leading/trailing '-'), else ValueError."""
    if not isinstance(slug, str) or not SLUG_RE.fullmatch(slug):
        raise ValueError(f"invalid press release slug: {slug!r} (allowed: a-z, 0-9 and '-')")
    return slug


def _aware(moment: datetime, name: str) -> datetime:
    """`moment` if it carries a time zone, else ValueError."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return moment


@dataclass(frozen=True, slots=True)
class Correction:
    """A dated correction note: the version it introduced, when it was published, why."""

    version: int
    corrected_at: datetime
    note: str

    def __post_init__(self) -> None:
        _aware(self.corrected_at, "corrected_at")


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """The withdrawal of a release: when, and the notice shown in its place."""

    withdrawn_at: datetime
    note: str

    def __post_init__(self) -> None:
        _aware(self.withdrawn_at, "withdrawn_at")


@dataclass(frozen=True, slots=True)
class PublishedVersion:
    """One published version of a release, as plain data.

    `html_body` is the sanitised HTML of the body, `text_body` its plain text; `state` is the
    state's display name (national releases), `latest_version` the number of the release's
    newest version (M in "Version N of M"; None: this one); `corrections` are the dated notes
    of the corrections up to this version.
    """

    slug: str
    version: int
    language: str
    title: str
    html_body: str
    text_body: str
    published_at: datetime
    period_name: str
    scope: str = "regional"
    state: str | None = None
    latest_version: int | None = None
    corrections: tuple[Correction, ...] = ()
    withdrawal: Withdrawal | None = None

    def __post_init__(self) -> None:
        valid_slug(self.slug)
        if self.version < 1 or (self.latest_version or self.version) < self.version:
            raise ValueError("version must be 1 or more and at most latest_version")
        if not LANGUAGE_RE.fullmatch(self.language):
            raise ValueError(f"invalid language tag: {self.language!r}")
        if self.scope not in SCOPES:
            raise ValueError(f"scope must be one of {sorted(SCOPES)}")
        _aware(self.published_at, "published_at")

    @property
    def count(self) -> int:
        """The number of versions of the release (M)."""
        return self.latest_version or self.version

    @property
    def is_latest(self) -> bool:
        """True for the release's newest version."""
        return self.version == self.count


@dataclass(frozen=True, slots=True)
class PublishedRelease:
    """Every published version of one release, oldest first (numbered 1..M)."""

    versions: tuple[PublishedVersion, ...]

    def __post_init__(self) -> None:
        if not self.versions:
            raise ValueError("a published release has at least one version")
        slug = self.versions[0].slug
        for number, version in enumerate(self.versions, start=1):
            if version.slug != slug:
                raise ValueError("all versions of a release share its slug")
            if version.version != number or version.count != len(self.versions):
                raise ValueError(f"{slug}: versions must be numbered 1..{len(self.versions)}")

    @property
    def slug(self) -> str:
        """The release's slug."""
        return self.versions[0].slug

    @property
    def latest(self) -> PublishedVersion:
        """The newest version (the public text)."""
        return self.versions[-1]

    @property
    def published_at(self) -> datetime:
        """When the first version was published."""
        return self.versions[0].published_at

    @property
    def updated_at(self) -> datetime:
        """The latest change: newest version or withdrawal, whichever is later."""
        withdrawal = self.latest.withdrawal
        moments = [self.latest.published_at] + ([withdrawal.withdrawn_at] if withdrawal else [])
        return max(moments)

    def version(self, number: int) -> PublishedVersion:
        """Version `number` (1..M), else LookupError."""
        if not 1 <= number <= len(self.versions):
            raise LookupError(f"{self.slug} has no version {number}")
        return self.versions[number - 1]


@dataclass(frozen=True, slots=True)
class Links:
    """Where the pages point: format strings with {slug} and {version}.

    The defaults are the service's public routes; `press.export` uses relative ones.
    """

    index: str = "/press"
    page: str = "/press/{slug}"
    version: str = "/press/{slug}?v={version}"
    text: str = "/press/{slug}.txt"
    pdf: str = "/press/{slug}.pdf"
    feed: str = "/press/feed.atom"
    stylesheet: str = "/press/" + STYLESHEET_NAME


SERVICE_LINKS: Final = Links()


def stylesheet() -> bytes:
    """The bytes of the press stylesheet (served locally, never from a CDN)."""
    return _stylesheet()


@cache
def _stylesheet() -> bytes:
    return STYLESHEET_PATH.read_bytes()


def iso_date(moment: datetime) -> str:
    """The UTC calendar date of `moment`, YYYY-MM-DD."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d")


def rfc3339(moment: datetime) -> str:
    """`moment` in UTC as RFC 3339 (seconds, 'Z')."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _kicker(version: PublishedVersion) -> list[str]:
    """Scope, state and period: the line above the title."""
    parts = [label(version.language, version.scope)]
    if version.state:
        parts.append(version.state)
    parts.append(version.period_name)
    return parts


def _attr(value: str) -> str:
    return escape(value, quote=True)


def _time(moment: datetime) -> str:
    return f'<time datetime="{rfc3339(moment)}">{iso_date(moment)}</time>'


def render_page(version: PublishedVersion, *, links: Links = SERVICE_LINKS) -> str:
    """The complete standalone HTML document of one version of a release."""
    lang, slug = version.language, version.slug
    head = [
        "<!DOCTYPE html>",
        f'<html lang="{_attr(lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(version.title)}</title>",
        f'<meta name="dcterms.created" content="{rfc3339(version.published_at)}">',
    ]
    if not version.is_latest:
        head.append('<meta name="robots" content="noindex">')
    head += [
        f'<link rel="stylesheet" href="{_attr(links.stylesheet)}">',
        f'<link rel="alternate" type="application/atom+xml" title="{_attr(label(lang, "feed"))}"'
        f' href="{_attr(links.feed)}">',
        "</head>",
        "<body>",
        '<header class="release-header">',
        f'<p class="kicker">{escape(" · ".join(_kicker(version)))}</p>',
        f"<h1>{escape(version.title)}</h1>",
        f'<p class="meta">{label(lang, "published", date=_time(version.published_at))} · '
        f'{escape(label(lang, "version_of", n=version.version, m=version.count))}</p>',
        "</header>",
    ]
    body = head
    if version.withdrawal is not None:
        withdrawn = label(lang, "withdrawn_on", date=_time(version.withdrawal.withdrawn_at))
        body += ['<aside class="notice withdrawn" role="note">',
                 f"<p><strong>{withdrawn}</strong></p>",
                 f"<p>{escape(version.withdrawal.note)}</p>", "</aside>"]
    if not version.is_latest:
        current = links.page.format(slug=slug)
        body += ['<aside class="notice earlier" role="note">',
                 f'<p>{escape(label(lang, "earlier"))} <a href="{_attr(current)}">'
                 f'{escape(label(lang, "read_current"))}</a></p>', "</aside>"]
    body += ['<main class="release-body">', version.html_body.strip(), "</main>"]
    if version.corrections:
        body += ['<section class="corrections">',
                 f'<h2>{escape(label(lang, "corrections"))}</h2>', "<ul>"]
        body += [f'<li><strong>{label(lang, "correction_of", date=_time(c.corrected_at))}'
                 f"</strong>: {escape(c.note)}</li>" for c in version.corrections]
        body += ["</ul>", "</section>"]
    if version.count > 1:
        body += ['<nav class="versions screen-only">',
                 f'<h2>{escape(label(lang, "versions"))}</h2>', "<ul>"]
        for number in range(1, version.count + 1):
            name = escape(label(lang, "version_of", n=number, m=version.count))
            if number == version.count:
                name += f' ({escape(label(lang, "current"))})'
            href = (links.page.format(slug=slug) if number == version.count
                    else links.version.format(slug=slug, version=number))
            body.append(f'<li aria-current="page">{name}</li>' if number == version.version
                        else f'<li><a href="{_attr(href)}">{name}</a></li>')
        body += ["</ul>", "</nav>"]
    footer = [(links.text.format(slug=slug), "text"), (links.pdf.format(slug=slug), "pdf"),
              (links.feed, "feed"), (links.index, "press_releases")]
    body += ['<footer class="site-footer screen-only">',
             " · ".join(f'<a href="{_attr(href)}">{escape(label(lang, key))}</a>'
                        for href, key in footer),
             "</footer>", "</body>", "</html>", ""]
    return "\n".join(body)


def render_index(releases: Iterable[PublishedRelease], *, links: Links = SERVICE_LINKS,
                 language: str = "en", title: str | None = None) -> str:
    """The HTML list of published releases, newest first (latest version of each)."""
    ordered = newest_first(releases)
    heading = title or label(language, "press_releases")
    lines = [
        "<!DOCTYPE html>", f'<html lang="{_attr(language)}">', "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(heading)}</title>",
        f'<link rel="stylesheet" href="{_attr(links.stylesheet)}">',
        f'<link rel="alternate" type="application/atom+xml" '
        f'title="{_attr(label(language, "feed"))}" href="{_attr(links.feed)}">',
        "</head>", "<body>", f"<h1>{escape(heading)}</h1>",
    ]
    if not ordered:
        lines.append(f"<p>{escape(label(language, 'none'))}</p>")
    else:
        lines.append('<ul class="release-list">')
        for release in ordered:
            latest = release.latest
            lang = latest.language
            meta = " · ".join([*_kicker(latest), iso_date(release.updated_at)])
            mark = (f' <span class="withdrawn-mark">({escape(label(lang, "withdrawn"))})</span>'
                    if latest.withdrawal else "")
            href = _attr(links.page.format(slug=latest.slug))
            lines.append(
                f'<li lang="{_attr(lang)}"><a href="{href}">{escape(latest.title)}</a>{mark}'
                f'<br><span class="meta">{escape(meta)}</span></li>')
        lines.append("</ul>")
    lines += [f'<footer class="site-footer"><a href="{_attr(links.feed)}">'
              f'{escape(label(language, "feed"))}</a></footer>', "</body>", "</html>", ""]
    return "\n".join(lines)


def newest_first(releases: Iterable[PublishedRelease]) -> list[PublishedRelease]:
    """Releases ordered by their latest change, newest first (slug breaks ties)."""
    ordered = sorted(releases, key=lambda r: r.slug)
    return sorted(ordered, key=lambda r: r.updated_at, reverse=True)


def display_width(text: str) -> int:
    """The number of columns `text` takes (combining and format characters take none)."""
    return sum(unicodedata.category(ch) not in {"Mn", "Me", "Cf"} for ch in text)


_LIST_ITEM: Final = re.compile(r"(\s*(?:[-*+]|\d{1,3}[.)])\s+)")


def wrap_text(text: str, width: int = TEXT_WIDTH) -> str:
    """`text` with each paragraph and list item wrapped at `width`; tables kept as they are."""
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n").strip()):
        lines = block.split("\n")
        if any(line.lstrip().startswith("|") for line in lines):
            out.append("\n".join(line.rstrip() for line in lines))
            continue
        items: list[tuple[str, str]] = []
        for line in lines:
            marker = _LIST_ITEM.match(line)
            if marker or not items:
                prefix = marker.group(1).lstrip() if marker else ""
                items.append((prefix, line[marker.end():] if marker else line.strip()))
            else:
                items[-1] = (items[-1][0], f"{items[-1][1]} {line.strip()}")
        wrapped = [textwrap.fill(" ".join(body.split()), width=width, initial_indent=prefix,
                                 subsequent_indent=" " * len(prefix), break_long_words=False,
                                 break_on_hyphens=False) for prefix, body in items]
        out.append("\n".join(wrapped))
    return "\n\n".join(part for part in out if part)


def render_text(version: PublishedVersion, *, width: int = TEXT_WIDTH) -> str:
    """The plain-text document of one version: the same content as the page, wrapped."""
    lang = version.language
    title = " ".join(version.title.split())
    parts = [wrap_text(" · ".join(_kicker(version)), width),
             f"{title}\n{'=' * max(3, min(width, display_width(title)))}",
             f'{label(lang, "published", date=iso_date(version.published_at))} · '
             f'{label(lang, "version_of", n=version.version, m=version.count)}']
    if version.withdrawal is not None:
        when = label(lang, "withdrawn_on", date=iso_date(version.withdrawal.withdrawn_at))
        parts.append(wrap_text(f"*** {when.upper()} ***\n\n{version.withdrawal.note}", width))
    if not version.is_latest:
        parts.append(wrap_text(label(lang, "earlier"), width))
    parts.append(wrap_text(version.text_body, width))
    if version.corrections:
        notes = "\n".join(f'- {label(lang, "correction_of", date=iso_date(c.corrected_at))}: '
                          f"{c.note}" for c in version.corrections)
        parts.append(f'{label(lang, "corrections")}\n{"-" * 3}\n{wrap_text(notes, width)}')
    return "\n\n".join(parts) + "\n"


@dataclass(frozen=True, slots=True)
class RenderedDocuments:
    """The stored bytes of one version: page, text and PDF, each with its ETag."""

    html: bytes
    text: bytes
    pdf: bytes

    def etag(self, kind: str) -> str:
        """The strong ETag of the 'html', 'text' or 'pdf' bytes."""
        return strong_etag(getattr(self, kind))


def render_pdf(version: PublishedVersion, *, links: Links = SERVICE_LINKS) -> bytes:
    """The PDF of `version` (A4, page numbers, system fonts, no network; see press.pdf)."""
    from press import pdf

    return pdf.render_pdf(version, links=links)


def render_documents(version: PublishedVersion, *,
                     links: Links = SERVICE_LINKS) -> RenderedDocuments:
    """Every public format of `version`, as the bytes to store at publication."""
    return RenderedDocuments(html=render_page(version, links=links).encode(),
                             text=render_text(version).encode(),
                             pdf=render_pdf(version, links=links))
