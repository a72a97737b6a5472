"""Drives the press pages through the test client as a browser would (login form, CSRF
token from the page, form posts), for tests/press/test_press_pages_*.py."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from press.models import Release
from tests.conftest import WebAuth, csrf_token_from
from tests.press.press_workflow_support import Newsroom, build_newsroom


def browser(app: Flask, username: str) -> tuple[Any, WebAuth]:
    """A fresh test client logged in as `username` through the login form."""
    client = app.test_client()
    auth = WebAuth(client)
    assert auth.login(username).status_code == 302
    return client, auth


def post_form(client: Any, page: str, to: str | None = None, **fields: str) -> Any:
    """Submit a form of `page` (its CSRF token) to `to` (default: the page itself)."""
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    return client.post(to or page, data={"csrf_token": token, **fields})


def text_of(response: Any) -> str:
    """The page's HTML with runs of whitespace collapsed, for phrase assertions."""
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def release_row(app: Flask, rid: int) -> Release:
    """The release as stored."""
    with app.extensions["jpa.db"].transaction(write=False) as session:
        release = session.get(Release, rid)
        assert release is not None
        return release


@pytest.fixture
def newsroom(app: Flask, accounts: Any) -> Newsroom:
    """The 2015 window (LKA MDV MYS NZL THA) and its people (tests.press.press_workflow_support)."""
    return build_newsroom(app, accounts)
