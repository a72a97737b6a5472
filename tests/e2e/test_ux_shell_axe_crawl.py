"""axe-core on every page, as each role, at 1366 px and 390 px: a bounded crawl of the links
of the header navigation and of the pages it reaches (period pages among them), same-origin,
GET only (links, never forms), downloads and logout skipped. `-s` prints what each walk saw."""

from __future__ import annotations

import re
from collections import Counter, deque
from urllib.parse import urldefrag, urlsplit

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import Ui
from tests.e2e.ux_shell_axe import describe_violations, serious_axe_violations
from tests.e2e.ux_shell_support import (
    LAPTOP,
    PHONE,
    ROLE_USERS,
    build_world,
    log_in_demo,
    settle,
)

pytestmark = pytest.mark.browser

MAX_PAGES = 45  # per role: every kind of page, not every row of every list
MAX_PER_KIND = 2  # /operations/12 and /operations/13 are the same template
MAX_DEPTH = 3
# Downloads are no pages; a pack's report.html is a stored document shown under a `sandbox`
# CSP that lets no script run in it, axe's included (its structure is tested with the pack).
_SKIPPED = re.compile(r"(\.(csv|pdf|txt|atom|css|js|svg|png|zip)$)|/download$|/report\.html$"
                      r"|^/(api|static)/|logout|/healthz$")
# Every link of the page: the public press documents are standalone, with no <main>.
_LINKS = """() => Array.from(document.querySelectorAll('a[href]'))
  .filter((a) => !a.hasAttribute('download')).map((a) => a.href)"""


def _kind(path: str) -> str:
    """The template a path shows: its digits and slugs replaced."""
    path = re.sub(r"/press/[^/]+$", "/press/<slug>", path)
    path = re.sub(r"/templates/\w+/\w+$", "/templates/<scope>/<language>", path)
    return re.sub(r"\d+", "<n>", path)


def _followable(url: str, origin: str) -> str | None:
    """The same-origin path to visit for a link, or None to leave it."""
    url = urldefrag(url).url
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin or _SKIPPED.search(parts.path):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(ui: Ui, start: list[str]) -> dict[str, list[str]]:
    """Walk breadth-first from `start`; run axe at both widths on each page.

    Returns {"<width> <path>": readable violations} for every page with a serious one.
    """
    page: Page = ui.page
    origin = ui.base_url
    queue = deque((path, 0) for path in start)
    seen: set[str] = set(start)
    kinds: Counter[str] = Counter()
    found: dict[str, list[str]] = {}
    visited = 0
    while queue and visited < MAX_PAGES:
        path, depth = queue.popleft()
        if kinds[_kind(urlsplit(path).path)] >= MAX_PER_KIND:
            continue
        kinds[_kind(urlsplit(path).path)] += 1
        page.set_viewport_size(LAPTOP)
        response = page.goto(ui.url(path))
        assert response is not None and response.status < 500, f"{path}: {response}"
        visited += 1
        for size in (LAPTOP, PHONE):
            page.set_viewport_size(size)
            settle(page)
            blocking = serious_axe_violations(page)
            if blocking:
                found[f"{size['width']} {path}"] = [describe_violations(blocking)]
        if depth >= MAX_DEPTH:
            continue
        for link in page.evaluate(_LINKS):
            target = _followable(link, origin)
            if target is not None and target not in seen:
                seen.add(target)
                queue.append((target, depth + 1))
    print(f"crawl: {visited} pages of {len(kinds)} kinds: {sorted(kinds)}")
    assert visited >= len(start), f"the crawl visited only {visited} pages"
    # A standalone public release page names no icon, so Chromium asks for /favicon.ico (a
    # 404 that the reader never sees; test_e2e_press.py allows it the same way).
    ui.console_errors[:] = [(text, url) for text, url in ui.console_errors
                            if not url.endswith("/favicon.ico")]
    return found


def report(found: dict[str, list[str]]) -> str:
    """Every page with its violations, one block each."""
    return "\n\n".join(f"== {where}\n{text[0]}" for where, text in sorted(found.items()))


@pytest.mark.parametrize("role", sorted(ROLE_USERS))
def test_every_page_of_a_role_has_no_serious_axe_violation(ui, app, runner, role):
    world = build_world(app, runner)
    log_in_demo(ui, ROLE_USERS[role])
    start = ["/", f"/periods/{world.active_period}", f"/periods/{world.demo_period}"]
    found = crawl(ui, start)
    assert not found, report(found)


def test_the_public_pages_have_no_serious_axe_violation(ui, app, runner):
    build_world(app, runner)
    found = crawl(ui, ["/login", "/press"])
    assert not found, report(found)
