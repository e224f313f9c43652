"""The printable case file speaks Dutch unless the caller asks for English (Accept-Language);
the JSON case file has no language."""

import pytest

from tests.conftest import World
from tests.proposals.test_actions import _cluster

DUTCH = ("<h2>Samenvatting</h2>", "Vertrouwelijk — gedeeld onder de convenanten", "Casusdossier")
ENGLISH = ("<h2>Summary</h2>", "Confidential — shared under the covenants", "Case file")


@pytest.mark.parametrize(
    ("accept_language", "served"),
    [(None, "nl"), ("nl", "nl"), ("de-DE", "nl"), ("en-GB,en;q=0.9", "en")],
)
def test_the_case_file_page_speaks_the_language_asked_for(
    api, world: World, server, accept_language: str | None, served: str
) -> None:
    emm = world.headers["EMM"]
    proposal, ids = _cluster(api, world, server, ("KMAR", "SZW"))
    headers = emm | {"Accept": "text/html"}
    if accept_language is not None:
        headers["Accept-Language"] = accept_language
    page = api.get(f"/api/v1/proposals/{proposal}/export", headers=headers)
    assert page.status_code == 200, page.text
    assert f'<html lang="{served}"' in page.text and ids[0] in page.text
    wanted, other = (DUTCH, ENGLISH) if served == "nl" else (ENGLISH, DUTCH)
    assert all(text in page.text for text in wanted), wanted
    assert not any(text in page.text for text in other), other
    # The barriers and the disclosure level are words of that language too.
    assert ("arbeid" if served == "nl" else "employment") in page.text
    assert ("niveau volledig" if served == "nl" else "level full") in page.text
    as_json = api.get(
        f"/api/v1/proposals/{proposal}/export", headers=emm | {"Accept-Language": "en"}
    )
    assert as_json.headers["content-type"] == "application/json"
    assert as_json.json()["proposal"]["id"] == proposal
