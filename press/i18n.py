"""Per-language formatting for releases: numbers, dates, lists, state names, fixed phrases.

Pure: Babel and pycountry only. The five release languages map to one Babel locale each;
English uses en_GB conventions ("12 October 2015", "A, B and C"), Thai keeps Arabic digits
(Babel's default) and writes dates in the Buddhist Era, as Thai government releases do.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import cache

import pycountry
from babel import Locale
from babel.dates import format_date as _babel_format_date
from babel.lists import format_list
from babel.numbers import format_decimal

LOCALES: dict[str, str] = {"en": "en_GB", "fr": "fr", "id": "id", "ms": "ms", "th": "th"}
LANGUAGES: tuple[str, ...] = tuple(LOCALES)
DATE_FORMATS = ("long", "medium", "short", "full")

_FEWER_THAN = {
    "en": "fewer than {k}", "fr": "moins de {k}", "id": "kurang dari {k}",
    "ms": "kurang daripada {k}", "th": "น้อยกว่า {k}",
}
_NOT_PUBLISHED = {
    "en": "not published", "fr": "non publié", "id": "tidak dipublikasikan",
    "ms": "tidak diterbitkan", "th": "ไม่เปิดเผย",
}
_PRELIMINARY_AS_AT = {
    "en": "PRELIMINARY - figures as at {d}; final figures will follow.",
    "fr": "PROVISOIRE - chiffres arrêtés au {d} ; les chiffres définitifs suivront.",
    "id": "SEMENTARA - angka per {d}; angka final akan menyusul.",
    "ms": "SEMENTARA - angka setakat {d}; angka muktamad akan menyusul.",
    "th": "ข้อมูลเบื้องต้น - ตัวเลข ณ วันที่ {d} ตัวเลขฉบับสมบูรณ์จะประกาศในภายหลัง",
}
_PRELIMINARY = {
    "en": "PRELIMINARY - final figures will follow.",
    "fr": "PROVISOIRE - les chiffres définitifs suivront.",
    "id": "SEMENTARA - angka final akan menyusul.",
    "ms": "SEMENTARA - angka muktamad akan menyusul.",
    "th": "ข้อมูลเบื้องต้น - ตัวเลขฉบับสมบูรณ์จะประกาศในภายหลัง",
}


class UnknownLanguage(ValueError):
    """A release language outside en, fr, id, ms and th."""


def check_language(language: str) -> str:
    """Return the Babel locale of a release language, or raise UnknownLanguage."""
    try:
        return LOCALES[language]
    except (KeyError, TypeError):
        raise UnknownLanguage(
            f"unknown language {language!r}; one of {', '.join(LANGUAGES)}") from None


def format_number(value: int, language: str) -> str:
    """A whole number with the language's grouping ("1,234", "1\u202f234", "1.234")."""
    return format_decimal(value, locale=check_language(language))


def format_day(day: date, language: str, style: str = "long") -> str:
    """A date in the language (Thai: Buddhist Era, e.g. "12 ตุลาคม พ.ศ. 2558")."""
    locale = check_language(language)
    if style not in DATE_FORMATS:
        raise ValueError(f"date format must be one of {', '.join(DATE_FORMATS)}")
    if language == "th" and style in ("long", "full"):
        month = Locale.parse(locale).months["format"]["wide"][day.month]
        return f"{day.day} {month} พ.ศ. {day.year + 543}"
    return _babel_format_date(day, format=style, locale=locale)


def join_and(items: Iterable[object], language: str) -> str:
    """Items as a list in the language ("A, B and C", "A, B et C", "A, B, dan C")."""
    return format_list([str(item) for item in items], locale=check_language(language))


@cache
def state_name(code: str, language: str) -> str:
    """A state's short name in the language from its ISO 3166 alpha-2 or alpha-3 code."""
    locale = Locale.parse(check_language(language))
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else \
        pycountry.countries.get(alpha_3=code)
    if country is None:
        raise ValueError(f"unknown state code {code!r}")
    return locale.territories.get(country.alpha_2, country.name)


def fewer_than(k: int, language: str) -> str:
    """The words shown for a suppressed small count ("fewer than 5")."""
    return _FEWER_THAN[language].format(k=format_number(k, language))


def not_published(language: str) -> str:
    """The words shown for a cell withheld by the complementary rule ("not published")."""
    check_language(language)
    return _NOT_PUBLISHED[language]


def preliminary_line(as_at: date | None, language: str) -> str:
    """The line every preliminary release begins with, in the release's language."""
    check_language(language)
    if as_at is None:
        return _PRELIMINARY[language]
    return _PRELIMINARY_AS_AT[language].format(d=format_day(as_at, language))
