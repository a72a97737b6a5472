"""Plain text from the sanitised HTML of a release, so .txt says exactly what the page says.

Pure: standard library only.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "hr", "pre"}


class _TextWriter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.lists: list[list[int]] = []  # [is_ordered, counter]
        self.links: list[str | None] = []

    def flush(self) -> None:
        """Close the current block."""
        text = "".join(self.current)
        text = "\n".join(re.sub(r"[ \t\r\f\v]+", " ", line).strip()
                         for line in text.split("\n"))
        if text.strip("\n"):
            self.blocks.append(text.strip("\n"))
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open blocks, list items, line breaks and links."""
        if tag in _BLOCKS:
            self.flush()
        if tag in ("ul", "ol"):
            self.lists.append([tag == "ol", 0])
        elif tag == "li":
            if self.current:
                self.current.append("\n")
            marker = "-"
            if self.lists and self.lists[-1][0]:
                self.lists[-1][1] += 1
                marker = f"{self.lists[-1][1]}."
            self.current.append("  " * max(len(self.lists) - 1, 0) + marker + " ")
        elif tag == "br":
            self.current.append("\n")
        elif tag == "a":
            self.links.append(dict(attrs).get("href"))
        elif tag == "hr":
            self.blocks.append("----")

    def handle_endtag(self, tag: str) -> None:
        """Close lists, links (with their target) and blocks."""
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        if tag == "a" and self.links:
            href = self.links.pop()
            if href and not "".join(self.current).rstrip().endswith(href):
                self.current.append(f" ({href})")
        if tag in _BLOCKS:
            self.flush()

    def handle_data(self, data: str) -> None:
        """Text, with source line breaks as spaces."""
        self.current.append(data.replace("\n", " "))


def html_to_text(html: str) -> str:
    """The text of sanitised release HTML: blocks separated by blank lines, lists with marks."""
    writer = _TextWriter()
    writer.feed(html)
    writer.close()
    writer.flush()
    return "\n\n".join(writer.blocks) + "\n"
