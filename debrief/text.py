"""Markdown typed by people (answers, the executive summary) made safe to show: `markdown`
with raw HTML turned off, then `nh3` with the press allow-list, so a `<script>` or an event
attribute typed into an answer never reaches a page. What was typed is stored as typed."""

from __future__ import annotations

import markdown
import nh3

from press.rendering import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, MARKDOWN_EXTENSIONS, URL_SCHEMES

# Every free-text answer, comment and summary: at most this many characters.
TEXT_MAX = 20_000


def render_markdown(source: str) -> str:
    """Sanitised HTML of the Markdown `source` (raw HTML is shown as text, never run)."""
    if not source:
        return ""
    converter = markdown.Markdown(extensions=list(MARKDOWN_EXTENSIONS))
    converter.preprocessors.deregister("html_block")
    converter.inlinePatterns.deregister("html")
    return nh3.clean(converter.convert(source), tags=ALLOWED_TAGS,
                     attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     strip_comments=True, link_rel="noopener noreferrer")
