"""The linking rules page (/ui/rules): rendered from the published rule set, in Dutch and English
side by side, linked from the navigation and from each proposal."""

import html as markup

import httpx

from hub.linking import ruleset
from tests.conftest import World
from tests.proposals.test_actions import _cluster
from tests.ui.test_pages import Analysts, analyst  # noqa: F401 (a fixture)


def _text(page: str) -> str:
    return markup.unescape(page)


def test_the_rules_page_shows_every_rule_in_both_languages(signed_in: httpx.Client) -> None:
    response = signed_in.get("/ui/rules")
    assert response.status_code == 200, response.text
    page = _text(response.text)
    described = ruleset.describe()
    assert f'<strong id="ruleset-version">{described["version"]}</strong>' in page
    assert f'<span class="mono hash" id="ruleset-hash">{described["hash"]}</span>' in page
    assert described["summary"]["nl"] in page and described["summary"]["en"] in page
    for key_type in described["key_types"]:
        assert f'<th scope="row" class="mono">{key_type["type"]}</th>' in page
        assert key_type["label"]["nl"] in page and key_type["label"]["en"] in page
    for group in described["groups"]:
        assert group["title"]["nl"] in page and group["title"]["en"] in page
    for rule in described["rules"]:
        assert f'id="rule-{rule["id"]}"' in page
        for lang, name in (("nl", "Nederlands"), ("en", "English")):
            reason = rule["reason"][lang]
            assert f'<p lang="{lang}"><span class="lang">{name}</span>{reason}</p>' in page
        for name in rule["parameters"]:
            assert f"<dt>{name}</dt>" in page
    threshold = next(r for r in described["rules"] if r["id"] == "link-threshold")
    assert f"<dt>points</dt><dd>{threshold['parameters']['points']:g}</dd>" in page
    # The navigation leads here, marked as the current page.
    current = 'href="/ui/rules" aria-current="page">Linking rules</a>'
    assert f'<a class="utrecht-nav-list__link" {current}' in page


def test_the_rules_page_needs_a_signed_in_user(browser: httpx.Client) -> None:
    response = browser.get("/ui/rules")
    assert response.status_code == 303
    assert response.headers["location"] == "/ui/login?next=/ui/rules"


def test_a_proposal_page_names_its_rules_and_links_to_them(
    analyst: Analysts,  # noqa: F811
    api,  # type: ignore[no-untyped-def]
    world: World,
    server,  # type: ignore[no-untyped-def]
) -> None:
    proposal, _ = _cluster(api, world, server, ("KMAR", "SZW"))
    page = analyst("RIEC-AA").get(f"/ui/proposals/{proposal}")
    assert page.status_code == 200, page.text
    current = ruleset.current()
    assert (
        f'linking rules {current.version} <span class="mono">{current.hash[:12]}</span></a>'
        in page.text
    )
    assert 'href="/ui/rules"' in page.text
