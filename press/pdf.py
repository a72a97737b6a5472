"""The PDF of a published release, made by WeasyPrint with no network access.

A4, page numbers in the release's language, fonts from the system through fontconfig
("Noto Sans", "Noto Sans Thai", sans-serif: Debian's fonts-noto-core). Every resource the
document asks for goes through a `ResourceGuard`: `data:` URLs and the package's own
stylesheet are served from memory, every other URL (http, https, file, ftp, ...) is recorded
and refused, so a stray `<img src="http://...">` in a body can neither leak the reader's
visit nor slow the rendering down.
"""

from __future__ import annotations

import base64
import re
from dataclasses import replace
from typing import Any, Final
from urllib.parse import unquote_to_bytes

from press.documents import (
    SERVICE_LINKS,
    STYLESHEET_PATH,
    Links,
    PublishedVersion,
    render_page,
    stylesheet,
)
from press.labels import label

STYLESHEET_URL: Final = STYLESHEET_PATH.as_uri()
_DATA_URL: Final = re.compile(r"data:(?P<type>[^,;]*)(?P<params>(?:;[^,;]*)*),(?P<data>.*)",
                              re.DOTALL | re.IGNORECASE)


class RefusedFetch(ValueError):
    """A URL the PDF renderer may not fetch."""


class ResourceGuard:
    """Serves `data:` URLs and the local stylesheet; records and refuses every other URL."""

    def __init__(self) -> None:
        self.refused: list[str] = []
        self.served: list[str] = []

    def resolve(self, url: str) -> tuple[bytes, str]:
        """The bytes and media type of an allowed URL; RefusedFetch (recorded) otherwise."""
        if url == STYLESHEET_URL:
            self.served.append(url)
            return stylesheet(), "text/css"
        match = _DATA_URL.fullmatch(url)
        if match:
            params = [p.strip().lower() for p in match["params"].split(";") if p.strip()]
            raw = unquote_to_bytes(match["data"])
            data = base64.b64decode(raw, validate=False) if "base64" in params else raw
            self.served.append(url[:40])
            return data, (match["type"].strip().lower() or "text/plain")
        self.refused.append(url)
        raise RefusedFetch(f"network access refused: {url[:200]}")

    def url_fetcher(self) -> Any:
        """A `url_fetcher` for the installed WeasyPrint (URLFetcher subclass, or a function)."""
        from weasyprint import urls

        guard = self
        base = getattr(urls, "URLFetcher", None)
        if isinstance(base, type):  # WeasyPrint >= 68: a URLFetcher with a fetch method

            class _Fetcher(base):  # type: ignore[misc, valid-type]
                def fetch(self, url: str, headers: Any = None) -> Any:
                    data, media_type = guard.resolve(url)
                    return urls.URLFetcherResponse(url, data, {"Content-Type": media_type})

            return _Fetcher(fail_on_errors=False)

        def fetch(url: str) -> dict[str, Any]:  # WeasyPrint 63-67: a function -> dict
            data, media_type = guard.resolve(url)
            return {"string": data, "mime_type": media_type, "redirected_url": url}

        return fetch


def _css_string(text: str) -> str:
    """`text` as a CSS string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ") + '"'


def page_css(language: str) -> str:
    """The A4 @page rule with 'Page N of M' in `language` at the foot of every page."""
    template = label(language, "page_of", page="\0page\0", pages="\0pages\0")
    content = " ".join(
        f"counter({part})" if part in {"page", "pages"} else _css_string(part)
        for part in template.split("\0") if part)
    return ("@page { size: A4; @bottom-center { content: " + content + "; "
            'font-family: "Noto Sans", "Noto Sans Thai", sans-serif; font-size: 8.5pt; '
            "color: #56606b; } }\n")


def render_pdf(version: PublishedVersion, *, links: Links = SERVICE_LINKS,
               guard: ResourceGuard | None = None) -> bytes:
    """The PDF (A4, numbered pages, system fonts, no network fetch) of one version."""
    from weasyprint import CSS, HTML

    guard = guard if guard is not None else ResourceGuard()
    fetcher = guard.url_fetcher()
    page = render_page(version, links=replace(links, stylesheet=STYLESHEET_URL))
    document = HTML(string=page, base_url=None, url_fetcher=fetcher, media_type="print")
    extra = CSS(string=page_css(version.language), url_fetcher=fetcher)
    pdf = document.write_pdf(stylesheets=[extra])
    assert pdf is not None
    return pdf
