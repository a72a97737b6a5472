"""Screenshots for a reviewer, written to build/screenshots/ (git-ignored) at 1366 px and
390 px: the NLO's home, an operation with a high conflict, the registration form with
errors and the dashboard. axe-core runs on each as it is shot (the form with errors is not
reached by the crawl, which only follows links)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.e2e.screenshots import screenshot_path
from tests.e2e.ux_shell_axe import assert_no_serious_axe_violations
from tests.e2e.ux_shell_support import (
    WIDTHS,
    World,
    build_world,
    log_in_demo,
    settle,
)

pytestmark = pytest.mark.browser


def _nlo_home(page: Page, base: str, world: World) -> None:
    page.goto(base + "/")


def _high_conflict(page: Page, base: str, world: World) -> None:
    page.goto(f"{base}/operations/{world.malaysian_operation}")


def _form_with_errors(page: Page, base: str, world: World) -> None:
    page.goto(f"{base}/periods/{world.active_period}/operations/new")
    page.get_by_role("button", name="Register and check").click()
    page.wait_for_load_state()


def _dashboard(page: Page, base: str, world: World) -> None:
    page.goto(f"{base}/periods/{world.demo_period}/dashboard")


SHOTS = {  # name: (who, how to get there)
    "nlo-home": ("nlo.mys", _nlo_home),
    "operation-high-conflict": ("nlo.mys", _high_conflict),
    "registration-form-errors": ("nlo.mys", _form_with_errors),
    "dashboard": ("cochair.nzl", _dashboard),
}


@pytest.mark.parametrize("name", list(SHOTS))
def test_screenshot_at_both_widths(ui, app, runner, name):
    world = build_world(app, runner)
    who, go = SHOTS[name]
    page = log_in_demo(ui, who)
    for width, size in WIDTHS.items():
        page.set_viewport_size(size)
        go(page, ui.base_url, world)
        settle(page)
        path = screenshot_path(name, width)
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 1000
        assert_no_serious_axe_violations(page, where=f"{name} ({who})")
    # A form refused with errors answers 4xx on purpose: not a broken page.
    ui.console_errors[:] = [(text, url) for text, url in ui.console_errors
                            if "status of 422" not in text and "status of 400" not in text]
