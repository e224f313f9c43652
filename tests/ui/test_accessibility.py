"""Accessibility in a real browser (headless Chromium) on a hub seeded with the demo: axe-core
finds no violation of the WCAG 2.1 A and AA rules on any page or state, the main path works by
keyboard alone, every page fits a 360 px wide screen, and the accessibility statement is there
for anyone, signed in or not."""

import re
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from hub.demo.seed import DEMO_SCOPES, build_yesterday, demo_credentials
from tests.browser import axe_violations
from tests.factories import accept_form
from tests.ui.demo import DemoHub
from tests.ui.helpers import Account, hidden_token, new_account, signed_in_client
from tests.ui.test_pages import act, make_analyst, queue_ids

STATEMENT = "/ui/toegankelijkheid"


@dataclass
class Site:
    """The demo hub, its accounts (signed in once each), and what the states open."""

    url: str
    accounts: dict[str, Account]
    cookies: dict[str, Any]  # account name -> Playwright storage state
    proposal: str
    case: str  # a proposal the RIEC accepted: a case, with its investigation view
    signal: str
    report_day: date
    subject_request: str
    bearer: str  # an access token of the RIEC's demo client, for the API's case file


@pytest.fixture(scope="module")
def site(demo: DemoHub, chromium) -> Site:  # type: ignore[no-untyped-def]
    app = demo.server.app
    settings = app.state.settings
    sessions = app.state.sessions
    report_day = build_yesterday(settings)
    accounts = {
        "riec": demo.riec,
        "liec": make_analyst(sessions, "LIEC"),
        "dpo": new_account(sessions, role="dpo"),
    }
    with closing(signed_in_client(demo.url, demo.riec)) as riec:
        proposal, case = queue_ids(riec)[:2]
        page = riec.get(f"/ui/proposals/{proposal}").text
        signal = re.findall(r'href="/ui/signals/([0-9a-f-]{36})"', page)[0]
        accepted = act(riec, case, "decide", accept_form("Housing and wages: one exploiter."))
        assert accepted.status_code == 303, accepted.text
    with closing(signed_in_client(demo.url, accounts["dpo"])) as dpo:
        form = dpo.get("/ui/subject-requests").text
        opened = dpo.post(
            "/ui/subject-requests",
            data={
                "csrf_token": hidden_token(form),
                "kind": "access",
                "document_number": "NX4815162",
                "document_country": "NL",
            },
        )
        assert opened.status_code == 303, opened.text
        subject_request = opened.headers["location"].split("?")[0].rsplit("/", 1)[1]
    client = demo_credentials(settings.data_dir)["RIEC-AA"]
    token = httpx.post(
        f"{demo.url}/oauth/token",
        data={"grant_type": "client_credentials", "scope": " ".join(sorted(DEMO_SCOPES))},
        auth=(client["client_id"], client["client_secret"]),
    )
    assert token.status_code == 200, token.text
    cookies = {}
    for name, account in accounts.items():
        context = chromium.new_context()
        try:
            page = context.new_page()
            page.goto(f"{demo.url}/ui/login")
            page.fill("#username", account.username)
            page.fill("#password", account.password)
            page.click("main button[type=submit]")
            page.wait_for_url(re.compile(r"/ui/(proposals|subject-requests)$"))
            cookies[name] = context.storage_state()
        finally:
            context.close()
    return Site(
        demo.url,
        accounts,
        cookies,
        proposal,
        case,
        signal,
        report_day,
        subject_request,
        token.json()["access_token"],
    )


@contextmanager
def browsing(  # type: ignore[no-untyped-def]
    chromium,
    site: Site,
    who: str | None,
    *,
    width: int = 1366,
    height: int = 768,
    motion: str = "no-preference",
) -> Iterator[Any]:
    """A page in a fresh context, signed in as `who` (or not signed in)."""
    context = chromium.new_context(
        viewport={"width": width, "height": height},
        storage_state=site.cookies[who] if who else None,
        reduced_motion=motion,
    )
    try:
        yield context.new_page()
    finally:
        context.close()


def _open_member(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    """The proposal with a member's summary and subjects opened (fetched by htmx)."""
    page.goto(f"{site.url}/ui/proposals/{site.proposal}")
    page.wait_for_selector("#graph[data-nodes]")
    detail = page.locator("table.members details.member-detail").first
    detail.locator("summary").click()
    detail.locator("ul.subjects, p.muted:not(:has-text('Loading'))").first.wait_for()


def _open_graph(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    """The proposal with the graph's table opened and a node's card shown (both fetched)."""
    page.goto(f"{site.url}/ui/proposals/{site.proposal}")
    page.wait_for_selector("#graph[data-nodes]")
    page.click("details.graph-table summary")
    button = page.locator("details.graph-table button.show-node").first
    button.wait_for()
    node = button.get_attribute("data-node")
    button.click()
    page.locator(f"[id='card-{node}']").wait_for(state="visible")


def _sign_in_wrong(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{site.url}/ui/login")
    page.fill("#username", "nobody")
    page.fill("#password", "not the password")
    page.click("main button[type=submit]")
    page.wait_for_selector("#sign-in-error")


def _case_file(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    page.set_extra_http_headers({"Authorization": f"Bearer {site.bearer}", "Accept": "text/html"})
    response = page.goto(
        f"{site.url}/api/v1/proposals/{site.proposal}/export?purpose=case-proposal"
    )
    assert response is not None and response.status == 200


Opener = Callable[[Any, Site], None]


def _go(path: Callable[[Site], str], status: int = 200) -> Opener:
    def open_(page, site: Site) -> None:  # type: ignore[no-untyped-def]
        response = page.goto(site.url + path(site))
        assert response is not None and response.status == status, response and response.status

    return open_


# Every page and state an analyst, the LIEC or the contact point meets: (who, how to get there).
STATES: dict[str, tuple[str | None, Opener]] = {
    "sign-in": (None, _go(lambda s: "/ui/login")),
    "sign-in-error": (None, _sign_in_wrong),
    "statement": (None, _go(lambda s: STATEMENT)),
    "not-found": ("riec", _go(lambda s: "/ui/proposals/00000000-0000-4000-8000-000000000000", 404)),
    "forbidden": ("dpo", _go(lambda s: "/ui/proposals", 403)),
    "queue": ("riec", _go(lambda s: "/ui/proposals")),
    "queue-filtered-empty": ("riec", _go(lambda s: "/ui/proposals?min_score=100000")),
    "proposal": ("riec", _go(lambda s: f"/ui/proposals/{s.proposal}")),
    "proposal-member-opened": ("riec", _open_member),
    "proposal-graph-opened": ("riec", _open_graph),
    "case": ("riec", _go(lambda s: f"/ui/proposals/{s.case}")),
    "case-investigation": ("riec", _go(lambda s: f"/ui/proposals/{s.case}/investigation")),
    "signal": ("riec", _go(lambda s: f"/ui/signals/{s.signal}")),
    "dashboard": ("riec", _go(lambda s: "/ui/dashboard")),
    "reports-not-granted": ("riec", _go(lambda s: "/ui/reports")),
    "reports": ("liec", _go(lambda s: "/ui/reports")),
    "report": ("liec", _go(lambda s: f"/ui/reports/{s.report_day.isoformat()}.html")),
    "case-file": ("riec", _case_file),
    "disclosures": ("riec", _go(lambda s: "/ui/disclosures")),
    "rules": ("riec", _go(lambda s: "/ui/rules")),
    "subject-requests": ("dpo", _go(lambda s: "/ui/subject-requests")),
    "subject-request": ("dpo", _go(lambda s: f"/ui/subject-requests/{s.subject_request}")),
    "subject-request-export": (
        "dpo",
        _go(lambda s: f"/ui/subject-requests/{s.subject_request}/export.html"),
    ),
}


@pytest.mark.parametrize("state", list(STATES))
def test_axe_finds_no_wcag_21_aa_violation(chromium, site: Site, state: str) -> None:
    who, open_ = STATES[state]
    with browsing(chromium, site, who) as page:
        open_(page, site)
        assert page.title(), "every page has a title"
        violations = axe_violations(page)
        assert violations == [], "\n".join(violations)


def test_axe_runs_and_reports_what_it_finds(chromium, site: Site) -> None:
    with browsing(chromium, site, None) as page:
        page.goto(f"{site.url}/ui/login")
        assert axe_violations(page) == []
        # A field without a label, added through the DOM (the CSP allows no inline markup).
        page.evaluate("document.querySelector('form').append(document.createElement('input'))")
        found = axe_violations(page)
        assert found and found[0].startswith("label (critical)"), found


@pytest.mark.parametrize("state", list(STATES))
def test_every_page_fits_a_360_px_screen(chromium, site: Site, state: str) -> None:
    who, open_ = STATES[state]
    with browsing(chromium, site, who, width=360, height=740) as page:
        open_(page, site)
        wide = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert wide[0] <= wide[1], (
            f"{state}: the page is {wide[0]} px wide on a {wide[1]} px screen"
        )


def test_the_queue_fits_420_px(chromium, site: Site) -> None:
    with browsing(chromium, site, "riec", width=420, height=740) as page:
        page.goto(f"{site.url}/ui/proposals")
        assert page.locator("table.queue tbody tr").count() > 0
        wide = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert wide[0] <= wide[1], wide


# What the focused element is: its place in the page and whether a focus indicator shows.
FOCUSED = """() => {
    const e = document.activeElement;
    const s = getComputedStyle(e), r = e.getBoundingClientRect();
    const region = e.closest("header, nav, main, footer");
    return {
        tag: e.tagName.toLowerCase(), id: e.id, text: (e.innerText || "").trim().slice(0, 60),
        cls: e.className || "", region: region ? region.tagName.toLowerCase() : "",
        href: e.getAttribute("href") || "",
        ring: (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0)
              || s.boxShadow !== "none",
        visible: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0
                 && r.top < innerHeight && r.left < innerWidth,
    };
}"""


def _tab(page) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    page.keyboard.press("Tab")
    # The page scrolls smoothly to what takes focus: give it the moment that takes.
    with suppress(PlaywrightTimeout):  # if it never shows, the assertion below says what
        page.wait_for_function(f"() => ({FOCUSED})().visible", timeout=5000)
    focused = page.evaluate(FOCUSED)
    assert focused["ring"], f"no visible focus indicator on {focused}"
    assert focused["visible"], f"the focused element is off screen: {focused}"
    return focused


def _tab_until(page, found: Callable[[dict[str, Any]], bool], limit: int = 80) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    walked = []
    for _ in range(limit):
        walked.append(_tab(page))
        if found(walked[-1]):
            return walked[-1]
    raise AssertionError(f"not reached in {limit} tabs: {[w['text'] or w['tag'] for w in walked]}")


def test_the_main_path_works_by_keyboard_alone(chromium, site: Site) -> None:
    # Without smooth scrolling (as a user may ask): a Tab pressed at machine speed would
    # otherwise interrupt the scroll that brought the previous element into view.
    with browsing(chromium, site, "riec", motion="reduce") as page:
        page.goto(f"{site.url}/ui/proposals")
        # The first Tab lands on the skip link, shown now, and Enter moves focus to main.
        first = _tab(page)
        assert "skip-link" in first["cls"] and first["href"] == "#main"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        # From the top again: the header, then the navigation, then the page, then the footer.
        page.goto(f"{site.url}/ui/proposals")
        _tab(page)
        order = [_tab(page) for _ in range(12)]
        regions = [f["region"] for f in order]
        seen = [r for i, r in enumerate(regions) if r and r not in regions[:i]]
        assert seen[:3] == ["header", "nav", "main"], regions
        assert any(f["region"] == "nav" and f["href"] == "/ui/proposals" for f in order), order
        # Into the queue's table, and Enter opens the proposal.
        row = _tab_until(page, lambda f: f["href"].startswith("/ui/proposals/"))
        page.keyboard.press("Enter")
        page.wait_for_url(f"{site.url}{row['href']}")
        page.wait_for_selector("#graph[data-nodes]")
        # The graph's table is reached by keyboard; its buttons select a node and show its card.
        _tab_until(page, lambda f: f["tag"] == "summary" and "graph-table" in f["cls"])
        page.keyboard.press("Enter")
        page.wait_for_selector("details.graph-table table")  # loaded when opened
        button = _tab_until(page, lambda f: f["tag"] == "button" and "show-node" in f["cls"])
        node = page.evaluate("document.activeElement.dataset.node")
        page.keyboard.press("Enter")
        # The card comes from the server when its node is first selected.
        page.locator(f"#card-{node}").wait_for(state="visible", timeout=10_000)
        # The focus goes to the card shown, with a visible ring, not left behind off screen.
        page.wait_for_function(
            "id => document.activeElement && document.activeElement.id === 'card-' + id",
            arg=node,
            timeout=5000,
        )
        page.wait_for_function(f"() => ({FOCUSED})().visible", timeout=5000)
        assert page.evaluate(FOCUSED)["ring"]
        assert page.evaluate(
            "id => document.getElementById('graph')._cyreg.cy.getElementById(id).selected()", node
        ), button
        # The footer's link to the accessibility statement is reached too.
        _tab_until(page, lambda f: f["href"] == STATEMENT, limit=400)


def test_the_statement_is_open_to_all_and_linked_from_every_page(site: Site) -> None:
    anonymous = httpx.get(f"{site.url}{STATEMENT}")
    assert anonymous.status_code == 200
    text = anonymous.text
    assert 'lang="nl"' in text and "Toegankelijkheidsverklaring" in text
    # The digitoegankelijk.nl model: status, what was tested and how, limits, contact.
    for part in ("Nalevingsstatus", "axe-core", "toetsenbord", "Bekende beperkingen", "Contact"):
        assert part in text, part
    # In English to whoever asks for it, the Dutch names of the law and the ombudsman marked so.
    english = httpx.get(f"{site.url}{STATEMENT}", headers={"Accept-Language": "en"}).text
    assert 'lang="en"' in english and "Accessibility statement" in english
    assert "Compliance status" in english and "Nalevingsstatus" not in english
    assert '<span lang="nl">Besluit digitale toegankelijkheid overheid</span>' in english
    for page in ("/ui/login", STATEMENT):
        assert f'href="{STATEMENT}"' in httpx.get(f"{site.url}{page}").text
    with closing(signed_in_client(site.url, site.accounts["riec"])) as riec:
        assert f'href="{STATEMENT}"' in riec.get("/ui/dashboard").text
        assert (
            f'href="{STATEMENT}"'
            in riec.get("/ui/proposals/00000000-0000-4000-8000-000000000000").text
        )
