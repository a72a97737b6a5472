"""The static mirror of the public press pages (`jpa press export DIR`).

Writes what any web server or object store can serve as it is:

    index.html              the list of releases, newest first
    press.css               the stylesheet
    feed.atom               the Atom feed
    <slug>/index.html       the current version of each release
    <slug>/v<N>.html        every version N (the service's /press/<slug>?v=N)
    <slug>.txt, <slug>.pdf  the current version as text and PDF

Every file is written atomically (a temporary file in the same directory, then a rename), so
a server reading the directory never sees half a file. The output depends on the data only:
running it again with the same releases writes byte-identical files. Nothing else in the
directory is touched or removed.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Final

from press.documents import (
    STYLESHEET_NAME,
    Links,
    PublishedRelease,
    PublishedVersion,
    render_index,
    render_page,
    render_text,
    stylesheet,
    valid_slug,
)
from press.feed import FeedSettings, build_feed

FEED_NAME: Final = "feed.atom"

# Links from the site root (index.html, and the feed's absolute URLs) ...
ROOT_LINKS: Final = Links(index="index.html", page="{slug}/", version="{slug}/v{version}.html",
                          text="{slug}.txt", pdf="{slug}.pdf", feed=FEED_NAME,
                          stylesheet=STYLESHEET_NAME)
# ... and from a release's own directory (<slug>/index.html, <slug>/v<N>.html).
PAGE_LINKS: Final = Links(index="../index.html", page="index.html", version="v{version}.html",
                          text="../{slug}.txt", pdf="../{slug}.pdf", feed="../" + FEED_NAME,
                          stylesheet="../" + STYLESHEET_NAME)

PdfRenderer = Callable[[PublishedVersion], bytes]


def _default_pdf(version: PublishedVersion) -> bytes:
    from press.pdf import render_pdf

    return render_pdf(version, links=PAGE_LINKS)


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in its directory and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                             suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def site_files(releases: Iterable[PublishedRelease], settings: FeedSettings, *,
               pdf: PdfRenderer = _default_pdf,
               language: str = "en") -> dict[str, bytes]:
    """Every file of the static mirror: relative path -> bytes (not yet written)."""
    ordered = sorted(releases, key=lambda r: r.slug)
    seen: set[str] = set()
    for release in ordered:
        slug = valid_slug(release.slug)
        if slug in seen:
            raise ValueError(f"two releases share the slug {slug!r}")
        seen.add(slug)
    files: dict[str, bytes] = {
        STYLESHEET_NAME: stylesheet(),
        "index.html": render_index(ordered, links=ROOT_LINKS, language=language,
                                   title=settings.title).encode(),
        FEED_NAME: build_feed(ordered, settings, links=ROOT_LINKS),
    }
    for release in ordered:
        slug, latest = release.slug, release.latest
        files[f"{slug}/index.html"] = render_page(latest, links=PAGE_LINKS).encode()
        for version in release.versions:
            files[f"{slug}/v{version.version}.html"] = render_page(
                version, links=PAGE_LINKS).encode()
        files[f"{slug}.txt"] = render_text(latest).encode()
        files[f"{slug}.pdf"] = pdf(latest)
    return files


def export_site(releases: Iterable[PublishedRelease], directory: str | os.PathLike[str], *,
                settings: FeedSettings, pdf: PdfRenderer = _default_pdf,
                language: str = "en") -> list[Path]:
    """Write the static mirror of `releases` into `directory`; the paths written, sorted."""
    root = Path(directory).resolve()
    files = site_files(releases, settings, pdf=pdf, language=language)
    written: list[Path] = []
    for name in sorted(files):
        target = (root / name).resolve()
        if root not in target.parents:  # slugs are validated; this is a second lock
            raise ValueError(f"refusing to write outside {root}: {name}")
        write_atomically(target, files[name])
        written.append(target)
    return written
