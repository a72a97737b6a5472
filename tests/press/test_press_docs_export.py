"""Press documents: the static export writes the expected tree, atomically, byte for byte."""

from __future__ import annotations

import hashlib
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import press.export as export
from press.documents import PublishedRelease
from press.export import export_site, write_atomically
from press.feed import FeedSettings
from tests.press.press_docs_support import release, thai_release, version

SETTINGS = FeedSettings(base_url="https://static.example.org/press/")


def fake_pdf(v) -> bytes:
    """A stand-in for WeasyPrint where the PDF itself is not under test."""
    return b"%PDF-1.7 " + f"{v.slug} v{v.version}".encode()


def digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_export_writes_the_expected_tree(tmp_path):
    written = export_site([release("regional-en", versions=2), thai_release()], tmp_path,
                          settings=SETTINGS, pdf=fake_pdf)
    names = sorted(str(p.relative_to(tmp_path)) for p in written)
    assert names == sorted([
        "index.html", "press.css", "feed.atom",
        "regional-en/index.html", "regional-en/v1.html", "regional-en/v2.html",
        "regional-en.txt", "regional-en.pdf",
        "jpa-2026-th/index.html", "jpa-2026-th/v1.html", "jpa-2026-th/v2.html",
        "jpa-2026-th.txt", "jpa-2026-th.pdf"])
    assert sorted(digest(tmp_path)) == names  # no temporary file left behind
    latest = (tmp_path / "regional-en/index.html").read_text()
    assert latest == (tmp_path / "regional-en/v2.html").read_text()
    assert 'href="../press.css"' in latest and 'href="v1.html"' in latest
    assert 'href="../regional-en.pdf"' in latest
    index = (tmp_path / "index.html").read_text()
    assert 'href="regional-en/"' in index and 'href="press.css"' in index
    feed = ET.parse(tmp_path / "feed.atom").getroot()
    hrefs = {link.get("href") for link in feed.iter("{http://www.w3.org/2005/Atom}link")}
    assert "https://static.example.org/press/jpa-2026-th/" in hrefs
    assert "https://static.example.org/press/feed.atom" in hrefs
    assert (tmp_path / "jpa-2026-th.txt").read_text(encoding="utf-8").count("ผู้เสียหาย") == 1
    assert (tmp_path / "regional-en.pdf").read_bytes() == b"%PDF-1.7 regional-en v2"


def test_rerun_with_the_same_data_is_byte_identical(tmp_path):
    data = [release("a-release", versions=3), thai_release(),
            release("withdrawn", withdrawn=True)]
    first_dir, second_dir = tmp_path / "one", tmp_path / "two"
    export_site(data, first_dir, settings=SETTINGS)  # real PDFs from WeasyPrint
    before = digest(first_dir)
    export_site(list(reversed(data)), first_dir, settings=SETTINGS)
    export_site(data, second_dir, settings=SETTINGS)
    assert digest(first_dir) == before == digest(second_dir)
    assert (first_dir / "a-release.pdf").read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize("slug", ["../escape", "a/b", "UPPER", "dot.dot", ".hidden", "a b"])
def test_bad_slugs_are_refused_before_anything_is_written(tmp_path, slug):
    good = release("good")
    bad = PublishedRelease.__new__(PublishedRelease)  # bypass the dataclass checks ...
    object.__setattr__(bad, "versions", (version("good"),))
    object.__setattr__(bad.versions[0], "slug", slug)  # ... to reach the export's own check
    with pytest.raises(ValueError):
        export_site([good, bad], tmp_path, settings=SETTINGS, pdf=fake_pdf)
    assert list(tmp_path.iterdir()) == []


def test_duplicate_slugs_are_refused(tmp_path):
    with pytest.raises(ValueError):
        export_site([release("same"), release("same")], tmp_path, settings=SETTINGS,
                    pdf=fake_pdf)
    assert list(tmp_path.iterdir()) == []


def test_write_is_atomic_and_leaves_nothing_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "sub" / "file.html"
    write_atomically(target, b"old")
    assert target.read_bytes() == b"old" and oct(target.stat().st_mode & 0o777) == "0o644"

    def broken_replace(source, destination):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_atomically(target, b"new")
    assert target.read_bytes() == b"old"  # readers never see a partial file
    assert [p.name for p in target.parent.iterdir()] == ["file.html"]


def test_other_files_in_the_directory_are_left_alone(tmp_path):
    (tmp_path / "robots.txt").write_text("User-agent: *\n")
    export_site([release("one")], tmp_path, settings=SETTINGS, pdf=fake_pdf)
    assert (tmp_path / "robots.txt").read_text() == "User-agent: *\n"
    assert export.FEED_NAME == "feed.atom"
