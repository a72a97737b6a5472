"""Defect 15 end to end in Chromium: the administrator invites a user on the admin page, the
mail arrives at a real SMTP server (aiosmtpd), the user opens the link, sets a password and
logs in; the used link then shows the 'invalid or expired' page."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from core.settings import Settings
from tests.conftest import make_settings
from tests.deconfliction.helpers import SmtpServer
from tests.e2e.conftest import log_in_as
from tests.security import sec_invite_support as support

ADMIN, ADMIN_PASSWORD = "admin.invites", "a passphrase for the administrator"
CHOSEN = "the analyst's own passphrase"



@pytest.fixture
def settings(tmp_path: Path, database_url: str, smtp_server: SmtpServer) -> Settings:
    """The browser tests' settings with SMTP pointing at the local aiosmtpd server."""
    return make_settings(tmp_path, database_url, smtp_host=smtp_server.host,
                         smtp_port=smtp_server.port)


def test_an_invited_user_sets_the_password_from_the_mailed_link(open_tab, accounts,
                                                                smtp_server):
    accounts.create(ADMIN, "admin", password=ADMIN_PASSWORD)
    admin = open_tab()
    page = log_in_as(admin, ADMIN, ADMIN_PASSWORD)
    page.goto(admin.url("/admin/users"))
    expect(page.get_by_label("Initial password")).to_have_count(0)
    page.get_by_label("Username", exact=True).fill("ana.lyst")
    page.get_by_label("Full name", exact=True).fill("Ana Lyst")
    page.get_by_label("E-mail", exact=True).fill("ana@jpa.example")
    page.get_by_label("Role", exact=True).select_option(value="analyst")
    page.get_by_role("button", name="Invite user").click()
    expect(page.get_by_text("User ana.lyst invited")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("ana.lyst"))
    expect(row).to_contain_text("Invited, link expires")

    [body] = support.mails_to(smtp_server, "ana@jpa.example")
    link = support.LINK.search(body)
    assert link is not None, body
    path = urlsplit(link.group(0)).path  # the mail names JPA_BASE_URL; the browser goes local

    user = open_tab()
    visitor = user.page
    visitor.goto(user.url(path))
    expect(visitor.get_by_role("heading", name="Choose your password")).to_be_visible()
    expect(visitor.get_by_text("ana.lyst")).to_be_visible()
    visitor.get_by_label("New password", exact=True).fill(CHOSEN)
    visitor.get_by_label("Repeat the password", exact=True).fill(CHOSEN + " typo")
    visitor.get_by_role("button", name="Set my password").click()
    expect(visitor.get_by_text("the two passwords do not match").first).to_be_visible()
    visitor.get_by_label("New password", exact=True).fill(CHOSEN)
    visitor.get_by_label("Repeat the password", exact=True).fill(CHOSEN)
    visitor.get_by_role("button", name="Set my password").click()
    expect(visitor).to_have_url(user.url("/login"))
    expect(visitor.get_by_text("Your password is set")).to_be_visible()

    log_in_as(user, "ana.lyst", CHOSEN)
    expect(visitor.get_by_role("button", name="Log out")).to_be_visible()

    visitor.goto(user.url(path))  # used up
    expect(visitor.get_by_role("heading", name="Link not valid")).to_be_visible()
    expect(visitor.get_by_text("ask your administrator for a new one")).to_be_visible()
    page.reload()
    expect(page.get_by_role("row", name=re.compile("ana.lyst"))).to_contain_text("Active")
