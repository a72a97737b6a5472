"""The axe-core harness itself: it runs under the app's CSP and it does fail on a real
violation (so that a clean crawl means something)."""

from __future__ import annotations

import pytest

from tests.e2e.ux_shell_axe import (
    assert_no_serious_axe_violations,
    axe_violations,
    serious_axe_violations,
)

pytestmark = pytest.mark.browser


def test_axe_runs_under_the_csp_and_the_login_page_is_clean(ui):
    ui.page.goto(ui.url("/login"))
    csp = ui.page.evaluate("() => document.readyState") and ui.page.request.get(
        ui.url("/login")).headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp  # the policy that blocks an injected inline script
    assert isinstance(axe_violations(ui.page), list)
    assert_no_serious_axe_violations(ui.page, where="/login")


def test_axe_fails_on_a_serious_violation_and_names_it(ui):
    ui.page.goto(ui.url("/login"))
    # An unlabelled input and an image without alternative text: both critical in axe-core.
    ui.page.evaluate("""() => {
      const img = document.createElement('img');
      img.src = '/static/favicon.svg';
      document.querySelector('main').append(img, document.createElement('input'));
    }""")
    rules = {violation["id"] for violation in serious_axe_violations(ui.page)}
    assert {"image-alt", "label"} <= rules
    with pytest.raises(AssertionError, match=r"image-alt.*\n\s+at "):
        assert_no_serious_axe_violations(ui.page, where="/login with a broken image")
