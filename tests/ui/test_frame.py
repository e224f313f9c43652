"""The page frame: landmarks, header and nav, strict headers, static files, no inline code."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

from hub.ui.app import CSP
from hub.ui.templating import STATIC_DIR, TEMPLATES_DIR
from tests.ui.helpers import meta_token

ASSETS = Path(__file__).resolve().parents[2] / "hub" / "ui" / "assets"


def test_a_signed_in_page_has_the_frame(signed_in, account) -> None:
    page = signed_in.get("/ui/_probe/page")
    assert page.status_code == 200
    html = page.text
    assert f"<strong>{account.username}</strong>" in html and f"({account.agency_code})" in html
    assert '<a class="nl-skip-link nl-skip-link--visible-on-focus" href="#main">' in html
    assert '<main id="main"' in html
    assert '<nav class="utrecht-nav-bar site-nav" aria-label="Main">' in html
    for href, label in (
        ("/ui/proposals", "Queue"),
        ("/ui/dashboard", "Dashboard"),
        ("/ui/reports", "Reports"),
    ):
        assert f'<a class="utrecht-nav-list__link" href="{href}">{label}</a>' in html
    assert '<a href="/ui/toegankelijkheid">' in html  # the accessibility statement, in the footer
    sign_out = re.search(r'<form method="post" action="/ui/logout".*?</form>', html, re.S)
    assert sign_out and f'value="{meta_token(html)}"' in sign_out.group(0)
    assert signed_in.get("/ui/_probe").json()["session_id"]  # the token is this session's:
    assert (
        signed_in.post("/ui/_probe", headers={"X-CSRF-Token": meta_token(html)}).status_code == 200
    )


def test_ui_responses_carry_the_strict_csp_and_are_not_cached(signed_in, browser) -> None:
    for response in (
        signed_in.get("/ui/_probe/page"),
        browser.get("/ui/login"),
        browser.get("/ui/nowhere"),
    ):
        assert response.headers["Content-Security-Policy"] == CSP
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        # Not the hub's no-referrer: under it a browser posts forms with "Origin: null".
        assert response.headers["Referrer-Policy"] == "same-origin"
    assert "script-src 'self';" in CSP and "unsafe" not in CSP and "frame-ancestors 'none'" in CSP


def test_the_login_page_shows_no_nav_and_no_sign_on_button_without_a_provider(browser) -> None:
    page = browser.get("/ui/login")
    assert 'autocomplete="current-password"' in page.text and 'autocomplete="username"' in page.text
    assert "site-nav" not in page.text and "Sign out" not in page.text
    assert "/ui/login/oidc" not in page.text
    assert browser.get("/ui/login/oidc").status_code == 404


def test_an_unknown_ui_address_is_an_html_404_in_the_frame(browser) -> None:
    response = browser.get("/ui/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "There is no page at this address." in response.text
    assert browser.get("/ui/login/").status_code == 404  # no slash redirects, as in the API


def test_static_files_are_served_from_the_package_with_their_types(browser) -> None:
    types = {
        "vendor/htmx.min.js": "javascript",
        "vendor/cytoscape.min.js": "javascript",
        "hub.js": "javascript",
        "hub.css": "text/css",
    }
    for name, kind in types.items():
        response = browser.get(f"/ui/static/{name}")
        assert response.status_code == 200, name
        assert kind in response.headers["content-type"], name
        assert response.content == (STATIC_DIR / name).read_bytes()
    assert browser.post("/ui/static/hub.js").status_code == 405


def test_vendored_libraries_are_the_locked_versions_with_their_licences() -> None:
    lock = json.loads((ASSETS / "package-lock.json").read_text())["packages"]
    wanted = json.loads((ASSETS / "package.json").read_text())["dependencies"]
    assert {name: lock[f"node_modules/{name}"]["version"] for name in wanted} == wanted
    vendor = STATIC_DIR / "vendor"
    assert f'version:"{wanted["htmx.org"]}"' in (vendor / "htmx.min.js").read_text()
    assert f'"{wanted["cytoscape"]}"' in (vendor / "cytoscape.min.js").read_text()
    assert "Zero-Clause BSD" in (vendor / "htmx.LICENSE").read_text()
    assert "Permission is hereby granted" in (vendor / "cytoscape.LICENSE").read_text()
    # NL Design System: hub.css imports only what is vendored, and each comes with its licence.
    imported = re.findall(r'@import url\("([^"]+)"\)', (STATIC_DIR / "hub.css").read_text())
    assert len(imported) > 5 and all((STATIC_DIR / name).is_file() for name in imported)
    nlds = vendor / "nlds"
    # All under the EUPL, as the hub is; none reserved to one party, as the Rijkshuisstijl
    # tokens are (to the Rijksoverheid), which is why the theme is NL Design System's example.
    licences = sorted(licence.name for licence in nlds.glob("*LICENSE*"))
    assert licences == [
        "nl-design-system-candidate.LICENSE.md",
        "utrecht.LICENSE.md",
        "voorbeeld-design-tokens.LICENSE.md",
    ]
    for licence in licences:
        text = (nlds / licence).read_text()
        assert "EUROPEAN UNION PUBLIC LICENCE v. 1.2" in text
        assert "all rights reserved" not in text.lower()
    # The theme's tokens are scoped to a class, which every page's <html> carries.
    scope = re.search(r"^\.([\w-]+) \{", (nlds / "voorbeeld-design-tokens.css").read_text(), re.M)
    assert scope and scope.group(1) == "voorbeeld-theme"
    assert re.search(
        r'<html [^>]*class="[^"]*\bvoorbeeld-theme\b', (TEMPLATES_DIR / "base.html").read_text()
    )
    # axe-core, for the tests only: not under static/, so the hub never serves it.
    axe = Path(__file__).resolve().parent / "vendor"
    assert (axe / "axe.min.js").read_text().startswith(f"/*! axe v{wanted['axe-core']}")
    assert "Mozilla Public License, version 2.0" in (axe / "axe-core.LICENSE").read_text()


def test_every_token_hub_css_reads_is_defined() -> None:
    # A token the theme does not define leaves its property unset without a word; hub.css
    # fills in what the theme leaves open.
    css = (STATIC_DIR / "hub.css").read_text()
    theme = (STATIC_DIR / "vendor" / "nlds" / "voorbeeld-design-tokens.css").read_text()
    defined = set(re.findall(r"(--[\w-]+)\s*:", theme + css))
    read = set(re.findall(r"var\((--[\w-]+)", css))
    assert len(read) > 40 and read - defined == set()


class _Inline(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, styles and event handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {k for k, _ in attrs}
        if tag == "script":
            self._in_script = True
            if "src" not in names:
                self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style>")
        self.found += [f"{k}= on <{tag}>" for k in names if k == "style" or k.startswith("on")]
        self.found += [f"javascript: URL on <{tag}>" for _, v in attrs if v and "javascript:" in v]

    def handle_endtag(self, tag: str) -> None:
        self._in_script = self._in_script and tag != "script"

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.found.append("inline script code")


def test_no_template_holds_inline_script_or_style() -> None:
    templates = sorted(TEMPLATES_DIR.rglob("*.html"))
    assert {p.name for p in templates} >= {"base.html", "login.html"}
    for path in templates:
        parser = _Inline()
        parser.feed(re.sub(r"\{#.*?#\}", "", path.read_text(), flags=re.S))  # Jinja comments
        assert parser.found == [], f"{path.name}: {parser.found}"
