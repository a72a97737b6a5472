"""Browser tests: the real app served over HTTP from a thread, driven by Debian's Chromium.

Every test here is skipped when Chromium is missing, unless JPA_REQUIRE_BROWSER=1 (then it
fails). The tests run on SQLite only: `database_url` is overridden below, so the shared
`settings` (built by tests.conftest.make_settings), `app` and `accounts` fixtures use a copy
of the migrated SQLite template.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag

import pytest
from flask import Flask
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    Response,
    sync_playwright,
)
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
TIMEOUT_MS = 15_000

# Chromium reports CSP violations on the console itself; this makes sure each one also
# surfaces as a console error with a recognisable prefix, whatever the browser version.
_CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


def chromium_path() -> str | None:
    """Debian's Chromium, if installed."""
    if os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    return shutil.which("chromium")


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: Path) -> str:
    """SQLite only for the browser: a copy of the migrated template."""
    path = tmp_path / "e2e.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The application served for real on 127.0.0.1 from a background thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium per test module, closed (and Playwright stopped) after it."""
    path = chromium_path()
    if path is None:
        if os.environ.get("JPA_REQUIRE_BROWSER", "") not in ("", "0", "false"):
            pytest.fail("JPA_REQUIRE_BROWSER=1 but Chromium is not installed")
        pytest.skip("Chromium is not installed (/usr/bin/chromium)")
    playwright = sync_playwright().start()
    try:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
    finally:
        playwright.stop()


_FAILED_LOAD = re.compile(r"Failed to load resource: the server responded with a status of (\d+)")


@dataclass
class Ui:
    """A browser tab on the live server, recording what would signal a broken page."""

    page: Page
    base_url: str
    console_errors: list[tuple[str, str]] = field(default_factory=list)  # (text, url)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    error_documents: set[tuple[str, int]] = field(default_factory=set)  # (url, status)

    def url(self, path: str) -> str:
        """The absolute URL of a path on the live server."""
        return self.base_url + path

    def _expected(self, text: str, url: str) -> bool:
        # Chromium logs every 4xx page on the console; a page answered 401 or 422 on
        # purpose (a refused login, a form with errors) is not a broken page.
        match = _FAILED_LOAD.match(text)
        if match is None:
            return False
        return (urldefrag(url).url, int(match.group(1))) in self.error_documents

    def problems(self) -> list[str]:
        """Console errors (CSP violations among them), script errors, failed sub-resources."""
        console = [f"console: {text} ({url})" for text, url in self.console_errors
                   if not self._expected(text, url)]
        return [*console, *self.page_errors, *self.failed_requests]

    def clear(self) -> None:
        """Forget what was recorded so far."""
        self.console_errors.clear()
        self.page_errors.clear()
        self.failed_requests.clear()


def open_ui(browser: Browser, base_url: str) -> tuple[Ui, BrowserContext]:
    """A fresh context (no cookies) and tab that records errors; returns (ui, context)."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900},
                                  locale="en-GB", timezone_id="UTC")
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(_CSP_LISTENER)
    page = context.new_page()
    ui = Ui(page, base_url)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            ui.console_errors.append((message.text, message.location.get("url", "")))

    def on_response(response: Response) -> None:
        if response.status < 400:
            return
        if response.request.resource_type == "document":
            ui.error_documents.add((urldefrag(response.url).url, response.status))
        else:  # a stylesheet, image or script must never fail
            ui.failed_requests.append(f"{response.status} {response.url}")

    def on_failed(request: Request) -> None:
        # ERR_ABORTED is the browser cancelling a load because the page navigated on
        # (e.g. the favicon of a page left at once); anything else is a real failure.
        if request.failure != "net::ERR_ABORTED":
            ui.failed_requests.append(f"failed {request.url}: {request.failure}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: ui.page_errors.append(str(error)))
    page.on("response", on_response)
    page.on("requestfailed", on_failed)
    return ui, context


@pytest.fixture
def open_tab(browser: Browser, live_server: str) -> Iterator[Callable[[], Ui]]:
    """Open independent tabs (each in its own context: no shared cookies, e.g. a second user).

    After the test, any console error, CSP violation, script error or failed sub-resource
    that the test did not itself expect (and clear) fails it.
    """
    opened: list[tuple[Ui, BrowserContext]] = []

    def opener() -> Ui:
        ui, context = open_ui(browser, live_server)
        opened.append((ui, context))
        return ui

    yield opener
    problems = [problem for ui, _ in opened for problem in ui.problems()]
    for _, context in opened:
        context.close()
    if problems:
        pytest.fail(f"the browser reported problems: {problems}")


@pytest.fixture
def ui(open_tab: Callable[[], Ui]) -> Ui:
    """The main tab of a test."""
    return open_tab()


def log_in_as(ui: Ui, username: str, password: str) -> Page:
    """Log in through the form and wait for the logged-in header."""
    from playwright.sync_api import expect

    page = ui.page
    page.goto(ui.url("/login"))
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    return page
