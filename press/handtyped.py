"""Hand-typed figures: digits typed into a template body rather than taken from a placeholder.

Pure: standard library and Babel. Jinja tags, comments and link targets are ignored, and so
are years (1900-2100, or a Thai era year after "พ.ศ."/"ค.ศ.") and dates (ISO, d/m/y, and a
day next to a month name in any release language). What is left is listed with its line,
for the author to accept or replace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from babel import Locale

from press.i18n import LOCALES

_TAGS = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_LINK_TARGET = re.compile(r"\]\([^)\s]*\)|<?(?:https?|mailto):[^\s>)]*>?", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,\u00a0\u202f ]\d{3})*(?:[.,]\d+)?(?![\w])")
_ISO_DATE = re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b")
_SLASH_DATE = re.compile(r"\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b")
_ERA_YEAR = re.compile(r"(?:พ\.ศ\.|ค\.ศ\.)\s*\d{4}")  # Thai: Buddhist or Common Era year


@dataclass(frozen=True)
class HandTypedFigure:
    """A number typed into the body: its line (1-based) and the text as typed."""

    line: int
    text: str

    @property
    def message(self) -> str:
        """A sentence for the author."""
        return (f"line {self.line}: '{self.text}' is typed by hand; "
                "use a placeholder so the release says the approved figure")


@cache
def _month_pattern() -> re.Pattern[str]:
    names: set[str] = set()
    for locale in LOCALES.values():
        months = Locale.parse(locale).months
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                names.update(n.rstrip(".") for n in months[context][width].values())
    alternatives = "|".join(sorted((re.escape(n) for n in names if n), key=len, reverse=True))
    day = r"\d{1,2}(?:st|nd|rd|th|er)?"
    return re.compile(rf"(?<!\d){day}\s*(?:{alternatives})\.?|(?:{alternatives})\.?\s*{day}(?!\d)",
                      re.IGNORECASE)


def _blank(match: re.Match[str]) -> str:
    """The match replaced by spaces, newlines kept, so columns and lines stay put."""
    return re.sub(r"[^\n]", " ", match.group(0))


def hand_typed_figures(body: str) -> list[HandTypedFigure]:
    """Digits in the body outside placeholders, years and dates aside, with line numbers."""
    text = _TAGS.sub(_blank, body)
    for pattern in (_LINK_TARGET, _ISO_DATE, _SLASH_DATE, _ERA_YEAR, _month_pattern()):
        text = pattern.sub(_blank, text)
    found = []
    for number, line in enumerate(text.split("\n"), start=1):
        for match in _NUMBER.finditer(line):
            typed = match.group(0).strip()
            digits = re.sub(r"\D", "", typed)
            if len(digits) == 4 and typed == digits and 1900 <= int(digits) <= 2100:
                continue
            found.append(HandTypedFigure(number, typed))
    return found
