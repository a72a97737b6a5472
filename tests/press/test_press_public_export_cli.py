"""`jpa press export DIR` writes the published releases as static files (every version, text,
PDF, index, feed, stylesheet), never a draft, byte-identical when run again."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from tests.press.press_public_support import public_world, store_release


def test_export_writes_the_published_site(app, accounts, runner, tmp_path):
    pid = public_world(app, accounts)
    store_release(app, pid, "jpa-2031-regional-en", versions=2)
    store_release(app, pid, "jpa-2031-draft", versions=0, title="Not yet out")
    target = tmp_path / "site"
    (target).mkdir()
    (target / "keep.txt").write_text("mine")

    result = runner.invoke(args=["press", "export", str(target)])
    assert result.exit_code == 0, result.output
    assert "exported 1 release (8 files)" in result.output
    names = sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())
    assert names == ["feed.atom", "index.html", "jpa-2031-regional-en.pdf",
                     "jpa-2031-regional-en.txt", "jpa-2031-regional-en/index.html",
                     "jpa-2031-regional-en/v1.html", "jpa-2031-regional-en/v2.html",
                     "keep.txt", "press.css"]
    assert (target / "keep.txt").read_text() == "mine"
    page = (target / "jpa-2031-regional-en" / "index.html").read_text()
    assert "regional results (v2)" in page and 'href="../press.css"' in page
    assert "regional results (v1)" in (target / "jpa-2031-regional-en" / "v1.html").read_text()
    assert (target / "jpa-2031-regional-en.pdf").read_bytes().startswith(b"%PDF-")
    assert "Officers assisted 1,234 victims." in (target / "jpa-2031-regional-en.txt").read_text()
    assert "Not yet out" not in (target / "index.html").read_text()
    feed = ET.fromstring((target / "feed.atom").read_bytes())
    assert len(feed.findall("{http://www.w3.org/2005/Atom}entry")) == 1

    before = {p: p.read_bytes() for p in target.rglob("*") if p.is_file()}
    again = runner.invoke(args=["press", "export", str(target)])
    assert again.exit_code == 0, again.output
    assert {p: p.read_bytes() for p in target.rglob("*") if p.is_file()} == before


def test_export_into_an_unwritable_place_is_an_error_message(app, runner, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = runner.invoke(args=["press", "export", str(blocker / "site")])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
