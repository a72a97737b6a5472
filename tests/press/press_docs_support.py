"""Builders of published releases as plain data, for the press documents tests and bench."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from press.documents import Correction, PublishedRelease, PublishedVersion, Withdrawal

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

THAI_TITLE = "ปฏิบัติการร่วม: ผลการปฏิบัติงานระดับประเทศ"
THAI_BODY_TEXT = ("เจ้าหน้าที่ได้ช่วยเหลือผู้เสียหาย 1,234 คน และจับกุมผู้ต้องสงสัย 56 ราย "
                  "ในระหว่างปฏิบัติการร่วมของประเทศสมาชิก\n\nตัวเลขทั้งหมดเป็นตัวเลขเบื้องต้น")
THAI_BODY_HTML = ("<p>เจ้าหน้าที่ได้ช่วยเหลือผู้เสียหาย <strong>1,234</strong> คน "
                  "และจับกุมผู้ต้องสงสัย 56 ราย ในระหว่างปฏิบัติการร่วมของประเทศสมาชิก</p>"
                  "<p>ตัวเลขทั้งหมดเป็นตัวเลขเบื้องต้น</p>")

ENGLISH_PARAGRAPH = (
    "Law-enforcement agencies of the participating states assisted 1,234 victims and arrested "
    "56 suspects during the Joint Period of Action, working from a single set of figures that "
    "every national liaison officer signed off before publication. ")


def version(slug: str = "jpa-2026-regional-en", number: int = 1, *, count: int | None = None,
            language: str = "en", title: str = "Joint operation: regional results",
            html_body: str = "<p>Officers assisted <strong>1,234</strong> victims.</p>",
            text_body: str = "Officers assisted 1,234 victims.",
            published_at: datetime = T0, scope: str = "regional", state: str | None = None,
            corrections: tuple[Correction, ...] = (),
            withdrawal: Withdrawal | None = None) -> PublishedVersion:
    """One published version with sensible defaults."""
    return PublishedVersion(
        slug=slug, version=number, language=language, title=title, html_body=html_body,
        text_body=text_body, published_at=published_at, period_name="JPA 2026",
        scope=scope, state=state, latest_version=count, corrections=corrections,
        withdrawal=withdrawal)


def release(slug: str, versions: int = 1, *, start: datetime = T0, language: str = "en",
            title: str = "Joint operation: results", withdrawn: bool = False,
            html_body: str = "<p>Officers assisted <strong>1,234</strong> victims.</p>",
            text_body: str = "Officers assisted 1,234 victims.") -> PublishedRelease:
    """A release with `versions` versions a day apart (each after the first a correction)."""
    built = []
    corrections: tuple[Correction, ...] = ()
    for number in range(1, versions + 1):
        moment = start + timedelta(days=number - 1)
        if number > 1:
            corrections = (*corrections,
                           Correction(number, moment, f"Figure corrected in version {number}."))
        withdrawal = (Withdrawal(start + timedelta(days=versions), "Withdrawn: figures revised.")
                      if withdrawn else None)
        built.append(version(slug, number, count=versions, language=language,
                             title=f"{title} (v{number})", html_body=html_body,
                             text_body=text_body, published_at=moment,
                             corrections=corrections, withdrawal=withdrawal))
    return PublishedRelease(tuple(built))


def thai_release(slug: str = "jpa-2026-th") -> PublishedRelease:
    """A national Thai release with a correction."""
    first = version(slug, 1, count=2, language="th", title=THAI_TITLE, html_body=THAI_BODY_HTML,
                    text_body=THAI_BODY_TEXT, scope="national", state="ประเทศไทย")
    note = Correction(2, T0 + timedelta(days=1), "แก้ไขจำนวนผู้ต้องสงสัย")
    second = version(slug, 2, count=2, language="th", title=THAI_TITLE,
                     html_body=THAI_BODY_HTML, text_body=THAI_BODY_TEXT,
                     published_at=T0 + timedelta(days=1), scope="national",
                     state="ประเทศไทย", corrections=(note,))
    return PublishedRelease((first, second))


def two_page_version(paragraphs: int = 9) -> PublishedVersion:
    """An English release long enough for two A4 pages (with a table of figures)."""
    rows = "".join(f"<tr><td>State {i}</td><td class=\"num\">{i * 37:,}</td></tr>"
                   for i in range(1, 9))
    html_body = ("".join(f"<p>{ENGLISH_PARAGRAPH * 2}</p>" for _ in range(paragraphs))
                 + f"<table><tr><th>State</th><th class=\"num\">Victims</th></tr>{rows}</table>")
    return version("jpa-2026-two-pages", html_body=html_body,
                   text_body="\n\n".join(ENGLISH_PARAGRAPH * 2 for _ in range(paragraphs)))
