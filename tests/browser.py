"""A real browser for the tests: Debian's Chromium, headless, driven by Playwright.

Playwright's own browser download needs the internet, so the tests drive the system Chromium
(`apt-get install chromium`, which .ci/run does). Where it is missing the browser tests are
skipped with the reason, unless HUB_REQUIRE_BROWSER is set (CI sets it): then they fail.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling out to Google's hosts, which
# this closed network refuses; no sandbox because CI runs as root.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Screenshots the README shows are written here when HUB_SCREENSHOTS=docs.
DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """A headless Chromium for the whole session."""
    if not CHROMIUM.exists():
        if os.environ.get("HUB_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium to run browser tests)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=FLAGS
        )
        try:
            yield browser
        finally:
            browser.close()


def screenshot_path(name: str, tmp_path: Path) -> Path:
    """Where a test saves its screenshot: docs/ when asked to refresh them, else tmp_path."""
    folder = DOCS if os.environ.get("HUB_SCREENSHOTS") == "docs" else tmp_path
    folder.mkdir(exist_ok=True)
    return folder / name


# axe-core from the npm registry (hub/ui/assets/vendor.sh copies it here; the hub never serves it).
AXE = Path(__file__).resolve().parent / "ui" / "vendor" / "axe.min.js"
# The rules of WCAG 2.1 levels A and AA, which the Besluit digitale toegankelijkheid overheid
# requires (through EN 301 549).
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    """What axe-core finds against WCAG 2.1 A and AA on the page as it is now, one line per
    rule and element. axe is evaluated through the DevTools protocol, which the page's CSP
    does not govern: the page itself stays under its own policy."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: "tag", values: tags},
                                      resultTypes: ["violations"]})
            .then(r => r.violations.flatMap(v => v.nodes.map(n =>
                `${v.id} (${v.impact}): ${n.target.join(" ")}: ${n.failureSummary}`)))""",
        WCAG_21_AA,
    )
    return list(found)
