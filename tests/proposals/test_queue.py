"""The review queue: strongest first, filtered on what the viewer sees, cursor-paginated."""

import time
from datetime import UTC, datetime, timedelta

import httpx

from tests.conftest import World
from tests.factories import signal_body
from tests.linking.test_proposals import _body, _phone, _post, _proposals_of

QUEUE = "/api/v1/proposals?purpose=case-proposal"


def _pair(api, world: World, server, first: tuple, second: tuple) -> str:  # type: ignore[no-untyped-def]
    """Two signals sharing a fresh phone: (agency, barrier, indicator, municipality) each."""
    phone = {"type": "phone", "number": _phone()}
    ids = [
        _post(api, world.headers[a], _body(b, i, [phone], municipality=m))
        for a, b, i, m in (first, second)
    ]
    [proposal] = _proposals_of(server, ids[0])
    return str(proposal.id)


def _all(api: httpx.Client, headers: dict, query: str) -> list[dict]:
    found: list[dict] = []
    url = f"{QUEUE}&limit=3{query}"
    while url:
        response = api.get(url, headers=headers)
        assert response.status_code == 200, response.text
        found += response.json()["items"]
        cursor = response.json()["next_cursor"]
        assert (cursor is None) == ("Link" not in response.headers)
        url = f"{QUEUE}&limit=3{query}&cursor={cursor}" if cursor else ""
    return found


ENTRY = ("KMAR", "entry", "entry.intermediary-many-applications", "GM0363")
WORK = ("SZW", "employment", "employment.wages-below-minimum", "GM0363")
MONEY = ("IND", "finance", "finance.many-workers-one-account", "GM0599")
HOUSING = ("POLITIE", "accommodation", "accommodation.overcrowded-address", "GM0599")


def test_the_queue_filters_on_what_the_viewer_sees_and_pages_strongest_first(
    api, world: World, server
) -> None:
    since = (datetime.now(UTC) - timedelta(seconds=1)).isoformat().replace("+00:00", "Z")
    time.sleep(0.01)
    entry_work = _pair(api, world, server, ENTRY, WORK)
    entry_money = _pair(api, world, server, ENTRY, MONEY)
    money_housing = _pair(api, world, server, MONEY, HOUSING)
    mine = {entry_work, entry_money, money_housing}
    emm = world.headers["EMM"]
    window = f"&createdFrom={since}"

    listed = [p for p in _all(api, emm, window) if p["id"] in mine]
    assert {p["id"] for p in listed} == mine
    scores = [p["score"] for p in _all(api, emm, window)]
    assert scores == sorted(scores, reverse=True)
    ids = [p["id"] for p in _all(api, emm, window)]
    assert len(ids) == len(set(ids)), "a page repeated a proposal"

    def ids_for(query: str, headers: dict = emm) -> set[str]:
        return {p["id"] for p in _all(api, headers, window + query)} & mine

    assert ids_for("&barrier=finance") == {entry_money, money_housing}
    assert ids_for("&barrier=identity") == set()
    assert ids_for("&agency=SZW") == {entry_work}
    assert ids_for("&region=rotterdam") == {entry_money, money_housing}
    assert ids_for("&status=new") == mine == ids_for("&status=open")
    assert ids_for("&status=accepted") == set()
    best = max(p["score"] for p in listed)
    assert ids_for(f"&minScore={best}") == {p["id"] for p in listed if p["score"] >= best}
    # A RIEC's queue is its own region by default: RIEC-AA sees its Amsterdam pair only (the
    # Amsterdam half of a mixed pair is one member, and one member is no proposal).
    assert ids_for("", world.headers["RIEC-AA"]) == {entry_work}
    assert ids_for("&region=all", world.headers["RIEC-AA"]) == {entry_work}
    assert ids_for("", world.headers["RIEC-RR"]) == {money_housing}


def test_queue_parameters_are_checked(api, world: World) -> None:
    emm = world.headers["EMM"]
    for query in ("&barrier=nope", "&minScore=-1", "&cursor=not-ours", "&limit=0"):
        response = api.get(QUEUE + query, headers=emm)
        assert response.status_code == 400, (query, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")


def test_a_queue_row_equals_the_proposal_read_member_by_member(api, world: World, server) -> None:
    """The queue reads its members' codes joined in one column and decides grants once per
    kind of member; the proposal read decides and redacts each member on its own. Members
    with several barriers and indicators, seen at different levels or not at all, must come
    out the same both ways for every viewer."""
    since = (datetime.now(UTC) - timedelta(seconds=1)).isoformat().replace("+00:00", "Z")
    time.sleep(0.01)
    phone = {"type": "phone", "number": _phone()}
    postings = (
        ("KMAR", ["entry", "identity"], ["entry.intermediary-many-applications"], "GM0363"),
        (
            "SZW",
            ["employment", "finance"],
            ["employment.wages-below-minimum", "finance.many-workers-one-account"],
            "GM0363",
        ),
        ("IND", ["finance"], ["finance.many-workers-one-account"], "GM0599"),
        ("POLITIE", ["accommodation"], [], "GM0363"),
    )
    ids = [
        _post(
            api,
            world.headers[agency],
            signal_body(
                barriers=barriers, indicators=indicators, subjects=[phone], municipality=place
            ),
        )
        for agency, barriers, indicators, place in postings
    ]
    [proposal] = _proposals_of(server, ids[0])
    seen_by_some = 0
    for viewer in ("EMM", "RIEC-AA", "RIEC-RR", "KMAR", "SZW"):
        headers = world.headers[viewer]
        rows = [
            p for p in _all(api, headers, f"&createdFrom={since}") if p["id"] == str(proposal.id)
        ]
        detail = api.get(f"/api/v1/proposals/{proposal.id}?purpose=case-proposal", headers=headers)
        if detail.status_code == 404:
            assert rows == [], viewer
            continue
        assert detail.status_code == 200, detail.text
        seen_by_some += 1
        [row], shown = rows, detail.json()
        for key in ("barriers", "agencies", "size", "score_parts"):
            assert row[key] == shown[key], (viewer, key)
        assert abs(row["score"] - shown["score"]) <= 0.01, viewer  # recency moves on
    assert seen_by_some >= 2  # the premise: some viewers see it, at different levels
