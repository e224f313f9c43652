"""The analysts' pages in a real browser (headless Chromium): sign in, review, decide, split.

These run on a hub of their own seeded with the demo (`hub demo`'s agencies, covenants and
synthetic cases), so the strongest proposal is a planted one and the screenshots show the demo.
They take the README's screenshots (HUB_SCREENSHOTS=docs writes them to docs/)."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser import screenshot_path
from tests.factories import ASSESSMENT
from tests.ui.demo import DemoHub, demo_hub
from tests.ui.helpers import Account, signed_in_client
from tests.ui.test_pages import queue_ids


@pytest.fixture(scope="module")
def demo(db_factory, tmp_path_factory) -> Iterator[DemoHub]:  # type: ignore[no-untyped-def]
    """A demo hub of this module's own: its tests decide and split the demo's proposals, which
    the demo hub the other browser tests share (tests/ui/conftest.py) must not see."""
    with demo_hub(db_factory, tmp_path_factory, "uipages") as hub:
        yield hub


@dataclass
class Watch:
    """What the page did that it should not: script or CSP errors, requests off the hub."""

    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.errors == [], self.errors
        assert self.foreign == [], self.foreign


@contextmanager
def signed_in_page(  # type: ignore[no-untyped-def]
    chromium, demo: DemoHub, account: Account, start: str, *, locale: str = "en-GB"
) -> Iterator[tuple]:
    """A page at `start`, reached through the login form the way an analyst gets there, with
    a browser set to `locale` (its Accept-Language)."""
    context = chromium.new_context(viewport={"width": 1366, "height": 768}, locale=locale)
    watch = Watch()
    try:
        page = context.new_page()
        page.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: watch.errors.append(str(e)))
        page.on(
            "request",
            lambda r: (
                None if urlsplit(r.url).hostname == "127.0.0.1" else watch.foreign.append(r.url)
            ),
        )
        page.goto(demo.url + start)
        assert "/ui/login?next=" in page.url
        page.fill("#username", account.username)
        page.fill("#password", account.password)
        page.click("main button[type=submit]")
        page.wait_for_url(demo.url + start)
        yield page, watch
    finally:
        context.close()


def _rows(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.eval_on_selector_all(
        "table.queue tbody tr", "rows => rows.map(r => r.dataset.proposal)"
    )


def _click_first_signal_node(page) -> str:  # type: ignore[no-untyped-def]
    """Click, with the mouse, on the first signal node Cytoscape drew; its id."""
    x, y, node = page.evaluate(
        """() => {
            const box = document.getElementById("graph");
            const node = box._cyreg.cy.nodes('[kind = "signal"]')[0];
            const at = node.renderedPosition(), edge = box.getBoundingClientRect();
            return [edge.left + at.x, edge.top + at.y, node.id()];
        }"""
    )
    page.mouse.click(x, y)
    return node


def test_an_analyst_accepts_the_strongest_proposal_and_it_leaves_the_queue(
    chromium, demo: DemoHub, tmp_path: Path
) -> None:
    """In a Dutch browser, as the README's screenshots show the hub."""
    with signed_in_page(chromium, demo, demo.riec, "/ui/proposals", locale="nl-NL") as (
        page,
        watch,
    ):
        assert page.title() == "Wachtrij · Barrier Hub"
        # The filter form updates the results in place (htmx) and keeps the address in step.
        page.select_option("#f-barrier", "identity")
        page.wait_for_url(re.compile(r"barrier=identity"))
        assert (
            page.locator("table.queue tbody tr").count()
            == page.locator("table.queue tbody tr:has(.chip-identity)").count()
        )
        page.goto(f"{demo.url}/ui/proposals")
        strongest = _rows(page)[0]
        page.screenshot(path=str(screenshot_path("ui-queue.png", tmp_path)))

        page.click(f'tr[data-proposal="{strongest}"] a')
        page.wait_for_selector("#graph[data-nodes]")
        assert int(page.get_attribute("#graph", "data-nodes") or 0) >= 3
        assert page.locator("#node-hint").is_visible()
        node = _click_first_signal_node(page)
        # The card comes from the server when its node is first selected.
        page.locator(f"#card-{node}").wait_for(state="visible", timeout=10_000)
        assert not page.locator("#node-hint").is_visible()
        assert "gepseudonimiseerd" in page.inner_text(f"#card-{node}")
        # The card's summary and subjects arrive when it is shown (htmx), not with the page:
        # once its end is scrolled into view, below a long proposal name as the case may be.
        page.locator(f"#card-{node} .member-detail").scroll_into_view_if_needed()
        page.wait_for_function(
            "id => !/laden/i.test(document.getElementById('card-' + id).innerText)", arg=node
        )
        assert page.locator(f"#card-{node} ul.subjects").count() == 1
        # In the table of members, they arrive when the analyst opens them.
        first = page.locator("table.members details.member-detail").first
        assert first.locator("ul.subjects").count() == 0
        first.locator("summary").click()
        first.locator("div[hx-get]").scroll_into_view_if_needed()  # as the analyst reads on
        first.locator("ul.subjects").wait_for()
        # Taller, to the end of the graph: the screen an analyst scrolls to first. (A full-page
        # capture would blank Cytoscape's canvas; a resize lets it redraw.)
        page.set_viewport_size({"width": 1366, "height": 960})
        page.wait_for_timeout(300)
        page.screenshot(path=str(screenshot_path("ui-proposal.png", tmp_path)))
        page.set_viewport_size({"width": 1366, "height": 768})

        page.fill("#decide-reason", "Recruitment, housing and wages: one exploiter.")
        for name, text in ASSESSMENT.items():
            page.fill(f"#assess-{name}", text)
        page.click("text=Aanvaarden als casus")
        page.wait_for_url(re.compile(r"done=accepted"))
        assert re.match(r"Casus RIEC-AA-\d{4}-\d{4}", page.inner_text("h1"))
        assert "nu een casus" in page.inner_text(".flash-area")
        page.click("nav.site-nav >> text=Wachtrij")
        page.wait_for_url(f"{demo.url}/ui/proposals")
        assert strongest not in _rows(page)
        watch.assert_clean()


def test_an_analyst_splits_a_proposal_by_ticking_members_and_undoes_it(
    chromium, demo: DemoHub
) -> None:
    with signed_in_page(chromium, demo, demo.riec, "/ui/proposals") as (page, watch):
        sizes = page.eval_on_selector_all(
            "table.queue tbody tr",
            "rows => rows.map(r => [r.dataset.proposal, +r.cells[4].innerText])",
        )
        proposal = next(p for p, size in sizes if size >= 3)
        page.goto(f"{demo.url}/ui/proposals/{proposal}")
        members = page.locator("table.members tbody tr")
        before = members.count()
        # One signal out: the rest stays this proposal, the one signal is on its own.
        page.locator('input[form="split-form"]').first.check()
        page.fill("#split-reason", "Another household.")
        page.click("text=Split off the ticked members")
        page.wait_for_url(re.compile(r"done=split"))
        assert members.count() == before - 1
        assert "the signal you ticked is on its own" in page.inner_text(".flash-area")

        page.locator('input[id^="undo-reason-"]').fill("One household after all.")
        page.click("text=Undo the split")
        page.wait_for_url(re.compile(r"done=undone"))
        assert members.count() == before
        assert "Undone" in page.inner_text("#history")
        watch.assert_clean()


def test_a_municipality_of_another_region_gets_no_access(chromium, demo: DemoHub) -> None:
    riec = signed_in_client(demo.url, demo.riec)
    try:
        amsterdam = queue_ids(riec, "status=all")
    finally:
        riec.close()
    assert amsterdam
    with signed_in_page(chromium, demo, demo.rotterdam, "/ui/proposals") as (page, watch):
        assert not set(_rows(page)) & set(amsterdam)
        response = page.goto(f"{demo.url}/ui/proposals/{amsterdam[0]}")
        assert response is not None and response.status == 404
        assert page.inner_text("h1") == "Not found"
        body = page.inner_text("main")
        assert "ps-" not in body and "pseudonymised" not in body
        assert page.locator("#graph, table.members").count() == 0
        page.goto(f"{demo.url}/ui/dashboard")
        assert "Amsterdam-Amstelland" not in page.inner_text("main")
        # The browser logs the 404 itself as an error; nothing else may be.
        watch.errors = [e for e in watch.errors if "status of 404" not in e]
        watch.assert_clean()
