"""Press documents: the PDF (WeasyPrint) is a real A4 PDF, Thai is set in a Thai font, and
rendering never touches the network."""

from __future__ import annotations

import io
import socket

import pypdf
import pytest

from press.documents import render_documents
from press.etag import strong_etag
from press.pdf import RefusedFetch, ResourceGuard, page_css, render_pdf
from tests.press.press_docs_support import release, thai_release, two_page_version, version

A4 = (595.28, 841.89)  # points


@pytest.fixture
def no_network(monkeypatch):
    """Every socket connection or name lookup attempted is recorded and fails."""
    attempts: list[object] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access in a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


def fonts(reader: pypdf.PdfReader) -> set[str]:
    """The base font names used on every page."""
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def test_pdf_is_a4_with_page_numbers(no_network):
    data = render_pdf(two_page_version())
    assert data.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - A4[0]) < 1 and abs(height - A4[1]) < 1
    assert "Page 1 of 2" in reader.pages[0].extract_text()
    assert "Page 2 of 2" in reader.pages[1].extract_text()
    assert reader.metadata.title == "Joint operation: regional results"
    assert not no_network


def test_thai_text_is_set_in_a_thai_font_and_extractable(no_network):
    data = render_pdf(thai_release().latest)
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() for page in reader.pages)
    for word in ("ผู้เสียหาย", "1,234", "จับกุม", "ผู้ต้องสงสัย", "56", "ประเทศไทย",
                 "ฉบับที่ 2 จาก 2", "หน้า 1 จาก 1", "แก้ไขเมื่อ 2026-11-03"):
        assert word in text, word
    used = fonts(reader)
    assert any("Noto-Sans-Thai" in name for name in used), used
    assert reader.trailer["/Root"]["/Lang"] == "th"
    assert not no_network


def test_no_url_is_fetched_except_data_and_the_local_stylesheet(no_network):
    pixel = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4"
             "nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==")
    body = ('<p>Figures</p><img src="http://example.org/x.png" alt="x">'
            '<img src="https://example.org/y.png" alt="y"><img src="file:///etc/passwd">'
            f'<img src="{pixel}" alt="pixel"><a href="http://example.org/">a link</a>')
    guard = ResourceGuard()
    data = render_pdf(version(html_body=body), guard=guard)
    assert data.startswith(b"%PDF-")
    assert guard.refused == ["http://example.org/x.png", "https://example.org/y.png",
                             "file:///etc/passwd"]
    assert any(url.endswith("/press/static/press.css") for url in guard.served)
    assert any(url.startswith("data:image/png") for url in guard.served)
    assert not no_network  # not one socket was opened


def test_the_guard_refuses_and_records():
    guard = ResourceGuard()
    with pytest.raises(RefusedFetch):
        guard.resolve("http://example.org/")
    assert guard.resolve("data:text/plain,caf%C3%A9") == ("café".encode(), "text/plain")
    assert guard.refused == ["http://example.org/"]


def test_page_number_rule_is_localised_and_quoted():
    assert 'content: "Page " counter(page) " of " counter(pages)' in page_css("en")
    assert '"หน้า " counter(page) " จาก " counter(pages)' in page_css("th")


def test_same_data_gives_the_same_pdf_and_all_formats_are_stored_with_etags():
    v = release("same-bytes", versions=2).latest
    first, second = render_documents(v), render_documents(v)
    assert first == second
    assert first.etag("pdf") == strong_etag(first.pdf)
    assert first.html.startswith(b"<!DOCTYPE html>") and first.text.endswith(b"\n")
