"""Stores published releases the way publication does (documents rendered once by
press.documents, bytes and ETags in press_release_versions), for the public-side tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask

from press.documents import Correction, PublishedVersion, render_documents
from press.models import Release, ReleaseVersion
from tests.deconfliction.helpers import make_world

T0 = datetime(2031, 10, 29, 9, 0, tzinfo=UTC)


def store_release(app: Flask, period_id: int, slug: str, *, versions: int = 1,
                  title: str = "Joint operation: regional results",
                  body_html: str = "<p>Officers assisted <strong>1,234</strong> victims.</p>",
                  body_text: str = "Officers assisted 1,234 victims.") -> int:
    """A regional English release with `versions` published versions (0: a draft)."""
    with app.extensions["jpa.db"].transaction() as session:
        release = Release(period_id=period_id, scope="regional", language="en", slug=slug,
                          status="published" if versions else "draft", title=title,
                          body="Officers assisted {{ figures.victims_assisted }} victims.",
                          version=versions, updated_at=T0)
        session.add(release)
        session.flush()
        corrections: tuple[Correction, ...] = ()
        for number in range(1, versions + 1):
            moment = T0 + timedelta(days=number - 1)
            note = f"Figure corrected in version {number}." if number > 1 else None
            if note:
                corrections = (*corrections, Correction(number, moment, note))
            plain = PublishedVersion(
                slug=slug, version=number, language="en", title=f"{title} (v{number})",
                html_body=body_html, text_body=body_text, published_at=moment,
                period_name="JPA 2031", latest_version=number, corrections=corrections)
            docs = render_documents(plain)
            session.add(ReleaseVersion(
                release_id=release.id, number=number, title=plain.title, body=release.body,
                html_body=body_html, text_body=body_text, html=docs.html, text=docs.text,
                pdf=docs.pdf, etag_html=docs.etag("html"), etag_text=docs.etag("text"),
                etag_pdf=docs.etag("pdf"), figures={}, preliminary=False, as_at=None,
                published_at=moment, correction_note=note))
        return release.id


def public_world(app: Flask, accounts: Any) -> int:
    """A period (through the API) for releases to belong to; returns its id."""
    return make_world(app, accounts).pid
