"""axe-core in the browser tests: inject the vendored `axe.min.js` and fail on any violation of
impact serious or critical, printed so that a reader can find the element and the rule.

The app's Content-Security-Policy (`script-src 'self'`) blocks an injected inline <script>
(what `page.add_script_tag(path=...)` adds), so the file's text is evaluated through the
DevTools protocol instead (`page.evaluate`), which the page's CSP does not govern.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE_PATH = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_VERSION = "4.14.1"  # npm package axe-core; see tests/e2e/vendor/README.md
BLOCKING_IMPACTS = frozenset({"serious", "critical"})

# Run on the whole document; the result is reduced in the page to what a report needs.
_RUN_AXE = """
async () => {
  const result = await window.axe.run(document, {resultTypes: ['violations']});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target.join(' '), summary: n.failureSummary,
                                html: n.html.slice(0, 200)})),
  }));
}
"""


@cache
def axe_source() -> str:
    """The vendored axe-core script's text (read once)."""
    return AXE_PATH.read_text(encoding="utf-8")


def inject_axe(page: Page) -> None:
    """Define `window.axe` in the page unless it is there already."""
    if page.evaluate("() => typeof window.axe === 'object'"):
        return
    page.evaluate(axe_source())


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Every axe-core violation on the page as it is now (any impact)."""
    inject_axe(page)
    return page.evaluate(_RUN_AXE)


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """A readable list: rule, impact and help, then each offending element and why."""
    lines: list[str] = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} "
                     f"({violation['helpUrl']})")
        for node in violation["nodes"]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"    at {node['target']}: {node['html']}")
            lines.append(f"       {summary}")
    return "\n".join(lines)


def serious_axe_violations(page: Page) -> list[dict[str, Any]]:
    """The violations of impact serious or critical on the page as it is now."""
    return [v for v in axe_violations(page) if v["impact"] in BLOCKING_IMPACTS]


def assert_no_serious_axe_violations(page: Page, *, where: str = "") -> None:
    """Fail when axe-core finds a serious or critical violation on the page as it is now."""
    blocking = serious_axe_violations(page)
    if blocking:
        width = (page.viewport_size or {}).get("width")
        heading = f"axe-core found serious/critical violations on {where or page.url}"
        raise AssertionError(f"{heading} at {width} px:\n{describe_violations(blocking)}")
