"""Dutch first, English too: every page in Dutch by default, in English by Accept-Language or by
the switch in the header, and the choice kept in the browser (also across signing in and out).
"""

import re
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass

import httpx
import pytest
from typer.testing import CliRunner

from hub.app import create_app
from hub.cli import app as cli
from hub.kit import i18n
from hub.kit.i18n import CatalogueMissing, negotiate
from hub.ui.language import COOKIE
from tests.conftest import LiveServer, World, free_port
from tests.linking.test_proposals import _entry, _post
from tests.proposals.test_actions import _cluster
from tests.subjects.helpers import Person
from tests.ui.helpers import (
    PASSWORD,
    Account,
    hidden_token,
    new_account,
    sign_in,
    signed_in_client,
)
from tests.ui.test_pages import make_analyst

DUTCH = {"Accept-Language": "nl-NL,nl;q=0.9"}
ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}
OTHER = {"Accept-Language": "de-DE,de;q=0.9,fr;q=0.8"}


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    role: str | None  # who reads it: None signed out, else "analyst" or "dpo"
    dutch: str  # a text only the Dutch page shows
    english: str  # its English, which the Dutch page must not show
    status: int = 200


PAGES = (
    Page("sign-in", "/ui/login", None, ">Inloggen</h1>", ">Sign in</h1>"),
    Page(
        "error", "/ui/no-such-page", "analyst", "<h1>Niet gevonden</h1>", "<h1>Not found</h1>", 404
    ),
    Page(
        "missing proposal",
        "/ui/proposals/00000000-0000-4000-8000-000000000000",
        "analyst",
        "Er is geen voorstel 00000000-0000-4000-8000-000000000000 dat u voor dit doel mag zien.",
        "There is no proposal 00000000-0000-4000-8000-000000000000 that you may see",
        404,
    ),
    Page(
        "accessibility statement",
        "/ui/toegankelijkheid",
        None,
        "<h1>Toegankelijkheidsverklaring</h1>",
        "<h1>Accessibility statement</h1>",
    ),
    Page("queue", "/ui/proposals", "analyst", "<h1>Casusvoorstellen</h1>", "<h1>Case proposals"),
    Page(
        "proposal",
        "/ui/proposals/{proposal}",
        "analyst",
        "Hoe de signalen samenhangen",
        "How the signals link",
    ),
    Page("signal", "/ui/signals/{signal}", "analyst", "Wat u mag zien", "What you may see"),
    Page("dashboard", "/ui/dashboard", "analyst", "Per barrière", "Per barrier"),
    Page("reports", "/ui/reports", "analyst", "<h1>Trendrapportages</h1>", "<h1>Trend reports"),
    Page(
        "disclosures",
        "/ui/disclosures",
        "analyst",
        "<h1>Verstrekkingsverzoeken</h1>",
        "<h1>Disclosure requests",
    ),
    Page("rules", "/ui/rules", "analyst", "<h1>Koppelregels</h1>", "<h1>Linking rules"),
    Page(
        "subject requests",
        "/ui/subject-requests",
        "dpo",
        "<h1>Verzoeken van betrokkenen</h1>",
        "<h1>Data subjects' requests",
    ),
    Page(
        "subject request",
        "/ui/subject-requests/{request}",
        "dpo",
        "Waar de persoon nu in voorkomt",
        "What holds the person now",
    ),
    Page(
        "access export",
        "/ui/subject-requests/{request}/export.html",
        "dpo",
        "Wat Barrier Hub over u vastlegt",
        "What Barrier Hub holds about you",
    ),
)
# How the reader asks for a language: (headers, language chosen with the switch or None, the
# language served).
WAYS = {
    "by default": ({}, None, "nl"),
    "for another language": (OTHER, None, "nl"),
    "by Accept-Language": (ENGLISH, None, "en"),
    "by the switch": (DUTCH, "en", "en"),
    "by the switch back": (ENGLISH, "nl", "nl"),
}


@dataclass(frozen=True)
class Site:
    url: str
    accounts: dict[str, Account]
    ids: dict[str, str]


@pytest.fixture(scope="module")
def site(hub: LiveServer, world: World, sessions) -> Site:  # type: ignore[no-untyped-def]
    """A proposal and a signal a RIEC analyst sees, and an access request of a contact point."""
    with httpx.Client(base_url=hub.url, timeout=30) as api:
        proposal, signals = _cluster(api, world, hub, ("KMAR", "SZW"))
        person = Person.new()
        _post(api, world.headers["KMAR"], _entry(person.by_name()))
    analyst = make_analyst(sessions, "RIEC-AA")
    dpo = new_account(sessions, role="dpo")
    with closing(signed_in_client(hub.url, dpo)) as desk:
        listing = desk.get("/ui/subject-requests")
        opened = desk.post(
            "/ui/subject-requests",
            data={
                "csrf_token": hidden_token(listing.text),
                "kind": "access",
                "name": person.name,
                "birth_date": person.birth_date,
            },
        )
        assert opened.status_code == 303, opened.text
    request = opened.headers["location"].split("?")[0].rsplit("/", 1)[1]
    return Site(
        hub.url,
        {"analyst": analyst, "dpo": dpo},
        {"proposal": proposal, "signal": signals[0], "request": request},
    )


def switch(client: httpx.Client, page: str, to: str) -> httpx.Response:
    """Use the header's switch on `page` as a browser would: its form, its token."""
    html = client.get(page).text
    form = re.search(
        r'<form method="post" action="([^"]+)" class="language-switch">.*?</form>', html, re.S
    )
    assert form, "the page has no language switch"
    fields = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form.group(0)))
    offered = re.search(r'name="language" value="([a-z]+)"', form.group(0))
    assert offered and offered.group(1) == to, "the switch offers the other language"
    return client.post(form.group(1), data=fields | {"language": to})


@pytest.fixture(scope="module")
def reader(site: Site) -> Iterator[Callable[[str | None, str], httpx.Client]]:
    """`reader(role, way)`: a client of that role (None: signed out) asking in that way."""
    made: dict[tuple[str | None, str], httpx.Client] = {}

    def get(role: str | None, way: str) -> httpx.Client:
        if (role, way) not in made:
            headers, chosen, _ = WAYS[way]
            client = httpx.Client(base_url=site.url, timeout=30, headers=headers)
            if role is not None:
                assert sign_in(client, site.accounts[role].username, PASSWORD).status_code == 303
            if chosen is not None:
                start = "/ui/login" if role is None else "/ui/rules"
                assert switch(client, start, chosen).status_code == 303
            made[role, way] = client
        return made[role, way]

    yield get
    for client in made.values():
        client.close()


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_page_speaks_the_language_asked_for(
    site: Site, reader: Callable[[str | None, str], httpx.Client], page: Page, way: str
) -> None:
    served = WAYS[way][2]
    response = reader(page.role, way).get(page.path.format(**site.ids))
    assert response.status_code == page.status, response.text
    text = response.text
    assert f'<html lang="{served}"' in text
    if page.name != "access export":  # a document of its own, served as it is
        assert response.headers["content-language"] == served
    wanted, other = (page.dutch, page.english) if served == "nl" else (page.english, page.dutch)
    assert wanted in text, f"{page.name} in {served}: {wanted!r} is missing"
    assert other not in text, f"{page.name} in {served}: {other!r} shows"


def test_the_queue_results_speak_the_page_language(
    site: Site, reader: Callable[[str | None, str], httpx.Client]
) -> None:
    """The part htmx swaps in when the filters change."""
    partial = {"HX-Request": "true"}
    dutch = reader("analyst", "by default").get("/ui/proposals?status=all", headers=partial)
    english = reader("analyst", "by the switch").get("/ui/proposals?status=all", headers=partial)
    assert '<th scope="col">Voorgesteld</th>' in dutch.text and "<html" not in dutch.text
    assert '<th scope="col">Proposed</th>' in english.text


def test_the_switch_names_the_other_language_in_itself(
    site: Site, reader: Callable[[str | None, str], httpx.Client]
) -> None:
    dutch = reader("analyst", "by default").get("/ui/dashboard").text
    english = reader("analyst", "by Accept-Language").get("/ui/dashboard").text
    assert '<span class="visually-hidden">Taal: </span><span lang="en">English</span>' in dutch
    assert '<span class="visually-hidden">Language: </span><span lang="nl">Nederlands</span>' in (
        english
    )
    assert 'action="/ui/language"' in dutch  # signed in: the session's token proves it
    signed_out = reader(None, "by default").get("/ui/login").text
    assert 'action="/ui/login/language"' in signed_out  # the login form's token does


def test_the_switch_remembers_the_choice_in_a_cookie_and_returns_to_the_page(
    site: Site,
) -> None:
    with closing(signed_in_client(site.url, site.accounts["analyst"], headers=DUTCH)) as client:
        chosen = switch(client, "/ui/dashboard?x=1", "en")
        assert chosen.status_code == 303 and chosen.headers["location"] == "/ui/dashboard?x=1"
        cookie = chosen.headers["set-cookie"]
        assert cookie.startswith(f"{COOKIE}=en;") and "Path=/ui" in cookie
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=" in cookie
        assert '<html lang="en"' in client.get("/ui/dashboard").text


def test_the_switch_refuses_a_forged_post_an_unknown_language_and_a_foreign_target(
    site: Site,
) -> None:
    with closing(signed_in_client(site.url, site.accounts["analyst"], headers=DUTCH)) as client:
        token = hidden_token(client.get("/ui/dashboard").text)
        forged = client.post("/ui/language", data={"language": "en", "next": "/ui/dashboard"})
        assert forged.status_code == 403 and COOKIE not in forged.headers.get("set-cookie", "")
        unknown = client.post("/ui/language", data={"csrf_token": token, "language": "de"})
        assert unknown.status_code == 400 and "Kies Nederlands (nl) of Engels (en)." in (
            unknown.text
        )
        away = client.post(
            "/ui/language",
            data={"csrf_token": token, "language": "en", "next": "https://elsewhere.example/"},
        )
        assert away.status_code == 303 and away.headers["location"] == "/ui/"
    with httpx.Client(base_url=site.url, timeout=30) as stranger:
        # Signed out and without the login form's cookie, nothing is switched.
        refused = stranger.post("/ui/login/language", data={"language": "en", "csrf_token": "x"})
        assert refused.status_code == 403


def test_anyone_may_switch_the_statement_page_signed_out(site: Site) -> None:
    """The accessibility statement is open to all, and so is its other language."""
    with httpx.Client(base_url=site.url, timeout=30) as visitor:
        assert ">Toegankelijkheidsverklaring</h1>" in visitor.get("/ui/toegankelijkheid").text
        chosen = switch(visitor, "/ui/toegankelijkheid", "en")
        assert chosen.status_code == 303, chosen.text
        assert chosen.headers["location"] == "/ui/toegankelijkheid"
        assert ">Accessibility statement</h1>" in visitor.get("/ui/toegankelijkheid").text


def test_the_choice_outlives_signing_in_and_out(site: Site) -> None:
    account = site.accounts["analyst"]
    with httpx.Client(base_url=site.url, timeout=30, headers=DUTCH) as client:
        chosen = switch(client, "/ui/login?next=/ui/dashboard", "en")
        assert chosen.status_code == 303
        assert chosen.headers["location"] == "/ui/login?next=/ui/dashboard"
        assert ">Sign in</h1>" in client.get("/ui/login").text
        assert sign_in(client, account.username, account.password).status_code == 303
        assert "<h1>Dashboard</h1>" in client.get("/ui/dashboard").text
        assert switch(client, "/ui/dashboard", "nl").status_code == 303
        token = hidden_token(client.get("/ui/dashboard").text)
        assert client.post("/ui/logout", data={"csrf_token": token}).status_code == 303
        assert ">Inloggen</h1>" in client.get("/ui/login").text


def test_a_failed_sign_in_says_why_in_the_page_language(site: Site) -> None:
    with httpx.Client(base_url=site.url, timeout=30) as client:
        refused = sign_in(client, site.accounts["analyst"].username, "not the password")
        assert refused.status_code == 400
        assert "Inloggen mislukt" in refused.text and '<html lang="nl"' in refused.text


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "nl"),
        ("", "nl"),
        ("nl", "nl"),
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("nl-BE, en;q=0.8", "nl"),
        ("de-DE, en;q=0.5", "en"),  # English is the best of what the hub speaks
        ("fr;q=0.9, nl;q=0.1, en;q=0.5", "en"),
        ("en;q=0.5, nl;q=0.5", "en"),  # a tie: the first listed
        ("de, fr", "nl"),
        ("*", "nl"),
        ("en;q=0", "nl"),  # q=0 means "not this one"
        ("en;q=zero, ;;, ,", "nl"),
    ],
)
def test_accept_language_chooses_dutch_or_english(header: str | None, language: str) -> None:
    assert negotiate(header) == language


def test_the_hub_refuses_to_start_without_the_compiled_catalogue(
    settings,
    tmp_path,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    """A missing .mo would quietly make the hub English: it stops at start instead."""
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path / "locale")
    i18n.translations.cache_clear()
    try:
        with pytest.raises(CatalogueMissing, match=r"messages\.mo is missing.*pip install"):
            create_app(settings)
        served = CliRunner().invoke(cli, ["serve", "--port", str(free_port())])
        assert served.exit_code == 2 and "translation catalogue" in served.output
    finally:
        monkeypatch.undo()
        i18n.translations.cache_clear()
    assert i18n.translations("nl").gettext("Sign in") == "Inloggen"


def test_the_switch_works_with_the_keyboard_in_a_real_browser(chromium, site: Site) -> None:
    context = chromium.new_context(viewport={"width": 1366, "height": 768}, locale="nl-NL")
    try:
        page = context.new_page()
        page.goto(f"{site.url}/ui/login")
        assert page.get_attribute("html", "lang") == "nl"
        button = page.get_by_role("button", name="Taal: English")
        button.focus()
        page.keyboard.press("Enter")
        page.wait_for_function("document.documentElement.lang === 'en'")
        assert page.locator("h1").inner_text() == "Sign in"
        assert page.get_by_role("button", name="Language: Nederlands").is_visible()
    finally:
        context.close()
