"""The public side of press releases (no login): 404 until published, the stored bytes with
a strong ETag, Cache-Control public max-age=300, a 304 for If-None-Match, ?v=N, .txt, .pdf,
the index and the Atom feed, on SQLite and PostgreSQL."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.press.press_public_support import public_world, store_release

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def published(app, accounts):
    """A period with a release published in two versions, and a draft never published."""
    pid = public_world(app, accounts)
    store_release(app, pid, "jpa-2031-regional-en", versions=2)
    store_release(app, pid, "jpa-2031-draft", versions=0, title="Not yet out")
    return pid


def _cacheable(response) -> None:
    assert response.headers["Cache-Control"] in ("public, max-age=300", "max-age=300, public")
    assert "no-store" not in response.headers["Cache-Control"]
    assert "Pragma" not in response.headers
    assert response.headers["ETag"].startswith('"') and len(response.headers["ETag"]) == 66
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_404_until_published(client, published):
    for path in ("/press/jpa-2031-draft", "/press/jpa-2031-draft.txt",
                 "/press/jpa-2031-draft.pdf", "/press/nothing-here", "/press/Bad_Slug",
                 "/press/jpa-2031-draft?v=1"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "no-store" in response.headers["Cache-Control"]
    assert b"Not yet out" not in client.get("/press").data
    assert b"Not yet out" not in client.get("/press/feed.atom").data


def test_page_is_served_without_login_from_the_stored_bytes(client, published):
    response = client.get("/press/jpa-2031-regional-en")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "Joint operation: regional results (v2)" in page
    assert "Version 2 of 2" in page and "Figure corrected in version 2." in page
    _cacheable(response)


def test_etag_and_304(client, published):
    first = client.get("/press/jpa-2031-regional-en")
    etag = first.headers["ETag"]
    again = client.get("/press/jpa-2031-regional-en", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    _cacheable(again)
    other = client.get("/press/jpa-2031-regional-en", headers={"If-None-Match": '"abc"'})
    assert other.status_code == 200 and other.data == first.data
    listed = client.get("/press/jpa-2031-regional-en",
                        headers={"If-None-Match": f'"x", W/{etag}'})
    assert listed.status_code == 304


def test_older_versions_with_v(client, published):
    one = client.get("/press/jpa-2031-regional-en?v=1")
    assert one.status_code == 200
    assert "regional results (v1)" in one.get_data(as_text=True)
    assert one.headers["ETag"] != client.get("/press/jpa-2031-regional-en").headers["ETag"]
    _cacheable(one)
    assert client.get("/press/jpa-2031-regional-en?v=2").data == \
        client.get("/press/jpa-2031-regional-en").data
    for bad in ("3", "0", "-1", "x", "1.0", "9" * 40):
        assert client.get(f"/press/jpa-2031-regional-en?v={bad}").status_code == 404, bad


def test_text_and_pdf(client, published):
    text = client.get("/press/jpa-2031-regional-en.txt")
    assert text.status_code == 200 and text.mimetype == "text/plain"
    assert "Officers assisted 1,234 victims." in text.get_data(as_text=True)
    _cacheable(text)
    pdf = client.get("/press/jpa-2031-regional-en.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF-")
    _cacheable(pdf)
    assert client.get("/press/jpa-2031-regional-en.pdf",
                      headers={"If-None-Match": pdf.headers["ETag"]}).status_code == 304


def test_index_feed_and_stylesheet(client, published):
    index = client.get("/press")
    assert index.status_code == 200
    assert 'href="/press/jpa-2031-regional-en"' in index.get_data(as_text=True)
    _cacheable(index)
    assert client.get("/press", headers={"If-None-Match": index.headers["ETag"]}
                      ).status_code == 304
    feed = client.get("/press/feed.atom")
    assert feed.status_code == 200 and feed.mimetype == "application/atom+xml"
    _cacheable(feed)
    root = ET.fromstring(feed.data)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == \
        ["Joint operation: regional results (v2)"]
    assert entries[0].find(f"{ATOM}link").get("href") == \
        "http://jpa.test/press/jpa-2031-regional-en"
    css = client.get("/press/press.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    _cacheable(css)


def test_private_pages_stay_no_store(client, published):
    assert client.get("/login").headers["Cache-Control"] == "no-store"
