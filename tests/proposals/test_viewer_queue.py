"""Finding 5: the queue's order, `minScore` and cursors use only what the viewer sees, and every
cursor the API issues is opaque and authenticated (bound to the viewer and the filters)."""

import base64
import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.agencies.models import Agency as AgencyRow
from hub.db import transaction
from hub.linking.models import Proposal, ProposalMember
from hub.signals.models import Signal
from hub.subjects.models import SignalRestriction, SubjectRequest
from tests.conftest import World
from tests.factories import seal_audit, signal_body
from tests.linking.test_proposals import _body, _phone, _post, _proposals_of

QUEUE = "/api/v1/proposals?purpose=case-proposal&limit=1"
# (agency, barrier, indicator, municipality): Amsterdam ones RIEC-AA sees, Rotterdam ones not.
ENTRY_AMS = ("KMAR", "entry", "entry.intermediary-many-applications", "GM0363")
WORK_AMS = ("SZW", "employment", "employment.wages-below-minimum", "GM0363")
MONEY_RTM = ("IND", "finance", "finance.many-workers-one-account", "GM0599")
HOUSING_RTM = ("POLITIE", "accommodation", "accommodation.overcrowded-address", "GM0599")


def _cluster(api: httpx.Client, world: World, server, postings: tuple) -> str:  # type: ignore[no-untyped-def]
    phone = {"type": "phone", "number": _phone()}
    ids = [
        _post(api, world.headers[a], _body(b, i, [phone], municipality=m))
        for a, b, i, m in postings
    ]
    [proposal] = _proposals_of(server, ids[0])
    return str(proposal.id)


def _payload(cursor: str) -> dict:
    """What a client could read from a cursor: the part before the tag, if it is JSON at all."""
    encoded = cursor.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))


def _walk(api: httpx.Client, headers: dict, query: str) -> tuple[list[dict], list[str]]:
    items: list[dict] = []
    cursors: list[str] = []
    url = QUEUE + query
    while url:
        response = api.get(url, headers=headers)
        assert response.status_code == 200, response.text
        items += response.json()["items"]
        cursor = response.json()["next_cursor"]
        if cursor:
            cursors.append(cursor)
        url = f"{QUEUE}{query}&cursor={cursor}" if cursor else ""
    return items, cursors


def _window() -> str:
    since = (datetime.now(UTC) - timedelta(seconds=1)).isoformat().replace("+00:00", "Z")
    time.sleep(0.01)
    return f"&createdFrom={since}"


def test_the_queue_is_ordered_filtered_and_paged_by_the_score_the_viewer_sees(
    api, world: World, server, sessions
) -> None:
    window = _window()
    # RIEC-AA sees two KMAR entry signals of `mostly_hidden` (one barrier, one agency) but not
    # its Rotterdam finance and housing members, which make its stored score the higher one.
    mostly_hidden = _cluster(api, world, server, (ENTRY_AMS, ENTRY_AMS, MONEY_RTM, HOUSING_RTM))
    all_seen = _cluster(api, world, server, (ENTRY_AMS, WORK_AMS))
    with sessions() as session:
        stored = dict(
            session.execute(
                select(Proposal.id, Proposal.score).where(
                    Proposal.id.in_([uuid.UUID(mostly_hidden), uuid.UUID(all_seen)])
                )
            ).all()
        )
    assert stored[uuid.UUID(mostly_hidden)] > stored[uuid.UUID(all_seen)]  # the premise

    riec = world.headers["RIEC-AA"]
    items, cursors = _walk(api, riec, window)
    mine = [p for p in items if p["id"] in (all_seen, mostly_hidden)]
    assert [p["id"] for p in mine] == [all_seen, mostly_hidden]
    shown = {p["id"]: p["score"] for p in items}
    assert shown[mostly_hidden] < stored[uuid.UUID(mostly_hidden)]
    scores = [p["score"] for p in items]
    assert scores == sorted(scores, reverse=True)
    # Each cursor (one item a page) carries the score RIEC-AA was shown on that page, and no
    # score over members it may not see.
    assert len(cursors) == len(items) - 1
    for item, cursor in zip(items, cursors, strict=False):
        assert "." in cursor
        payload = _payload(cursor)
        assert payload["score"] == item["score"]
        assert str(stored[uuid.UUID(mostly_hidden)]) not in json.dumps(payload)
    # minScore is checked on the shown score: the hidden members do not lift it over the bar.
    above, _ = _walk(api, riec, f"{window}&minScore={shown[all_seen]}")
    assert {p["id"] for p in above} & {all_seen, mostly_hidden} == {all_seen}
    assert all(p["score"] >= shown[all_seen] for p in above)
    # The detail shows the same score as the queue row.
    detail = api.get(f"/api/v1/proposals/{mostly_hidden}?purpose=case-proposal", headers=riec)
    assert abs(detail.json()["score"] - shown[mostly_hidden]) <= 0.01  # recency moves on


def test_a_proposals_cursor_works_only_for_its_viewer_and_filters(
    api, world: World, server
) -> None:
    window = _window()
    for _ in range(2):
        _cluster(api, world, server, (ENTRY_AMS, WORK_AMS))
    emm = world.headers["EMM"]
    first = api.get(QUEUE + window, headers=emm).json()
    cursor = first["next_cursor"]
    assert cursor
    ok = api.get(f"{QUEUE}{window}&cursor={cursor}", headers=emm)
    assert ok.status_code == 200, ok.text
    assert ok.json()["items"][0]["id"] != first["items"][0]["id"]

    encoded, tag = cursor.split(".")
    lifted = dict(_payload(cursor), score=99999.0)
    forged_body = base64.urlsafe_b64encode(json.dumps(lifted).encode()).decode().rstrip("=")
    refused = {
        "tampered": (f"{QUEUE}{window}&cursor={forged_body}.{tag}", emm),
        "bad tag": (f"{QUEUE}{window}&cursor={encoded}.{tag[:-2]}AA", emm),
        "another agency's": (f"{QUEUE}{window}&cursor={cursor}", world.headers["RIEC-AA"]),
        "other filters": (f"{QUEUE}{window}&status=new&cursor={cursor}", emm),
        "another purpose": (
            f"{QUEUE.replace('case-proposal', 'investigation')}{window}&cursor={cursor}",
            emm,
        ),
        "old style": (f"{QUEUE}{window}&cursor={encoded}", emm),
    }
    for name, (url, headers) in refused.items():
        response = api.get(url, headers=headers)
        assert response.status_code == 400, (name, response.text)
        assert response.headers["content-type"].startswith("application/problem+json"), name


def _forged(doc: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(doc).encode()).decode().rstrip("=")


FORGED = [
    _forged({"after": True}),
    _forged({"after": 10**40}),
    _forged({"after": -1}),
    _forged({"score": 1e308, "pk": 10**30, "at": 1e300}),
    _forged([1, 2]),
    _forged({"after": 1}) + "." + _forged({"after": 1}),
    "not-ours",
    "a.b.c",
    "%F0%9F%98%80.%F0",
]


def test_forged_cursors_are_a_400_on_every_list(api, world: World, partners) -> None:
    emm = world.headers["EMM"]
    auditor = partners.new(scopes="audit:read").headers
    lists = {
        "/api/v1/proposals?purpose=case-proposal": emm,
        "/api/v1/signals?purpose=case-proposal": emm,
        "/api/v1/audit?limit=1": auditor,
    }
    for url, headers in lists.items():
        for cursor in FORGED:
            response = api.get(f"{url}&cursor={cursor}", headers=headers)
            assert response.status_code == 400, (url, cursor, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")


def test_signal_and_audit_cursors_are_bound_to_their_reader_and_filters(
    api, world: World, partners, sessions
) -> None:
    emm, kmar = world.headers["EMM"], world.headers["KMAR"]
    signals = "/api/v1/signals?purpose=case-proposal&limit=1"
    cursor = api.get(signals, headers=emm).json()["next_cursor"]
    assert cursor and "." in cursor
    assert api.get(f"{signals}&cursor={cursor}", headers=emm).status_code == 200
    for url, headers in (
        (f"{signals}&cursor={cursor}", kmar),
        (f"{signals}&barrier=entry&cursor={cursor}", emm),
        (f"{signals.replace('case-proposal', 'investigation')}&cursor={cursor}", emm),
    ):
        response = api.get(url, headers=headers)
        assert response.status_code == 400, (url, response.text)

    first, second = (
        partners.new(scopes="audit:read signals:read signals:write").headers for _ in range(2)
    )
    for headers in (first, first, second):
        _post(api, headers, signal_body())
    seal_audit(sessions)  # the audit list holds the sealed chain
    audit = "/api/v1/audit?limit=1"
    cursor = api.get(audit, headers=first).json()["next_cursor"]
    assert cursor and "." in cursor
    assert api.get(f"{audit}&cursor={cursor}", headers=first).status_code == 200
    assert api.get(f"{audit}&cursor={cursor}", headers=second).status_code == 400
    assert api.get(f"{audit}&action=x&cursor={cursor}", headers=first).status_code == 400


def test_a_restricted_member_left_in_a_proposal_shows_to_its_source_alone(
    api, world: World, server, sessions
) -> None:
    """The queue and the proposal read each member's restriction with the member (not in a
    query of their own): one restricted while still a member is gone for everyone else."""
    window = _window()
    proposal = _cluster(api, world, server, (ENTRY_AMS, WORK_AMS, WORK_AMS))
    with sessions() as session:
        [held] = session.scalars(
            select(Signal.id)
            .join(ProposalMember, ProposalMember.signal_id == Signal.id)
            .where(ProposalMember.proposal_id == uuid.UUID(proposal))
            .where(Signal.agency_id == _agency_id(session, "KMAR"))
        ).all()
    # Restricted straight in the tables: the service would also take it out of its proposal.
    with transaction(sessions) as session:
        request = SubjectRequest(kind="restrict", agency="DPO", opened_by="t", tokens=[], found={})
        session.add(request)
        session.flush()
        session.add(SignalRestriction(signal_id=held, request_id=request.id, ground="avg-18-1-a"))
    url = f"/api/v1/proposals/{proposal}?purpose=case-proposal"
    emm = api.get(url, headers=world.headers["EMM"]).json()
    assert [m["agency"] for m in emm["members"]] == ["SZW", "SZW"] and emm["size"] == 2
    items, _ = _walk(api, world.headers["EMM"], window)
    [seen] = [p for p in items if p["id"] == proposal]
    assert (seen["size"], seen["agencies"], seen["barriers"]) == (2, ["SZW"], ["employment"])
    alone = f"/api/v1/signals/{held}?purpose=case-proposal"
    assert api.get(alone, headers=world.headers["EMM"]).status_code == 404
    assert api.get(alone, headers=world.headers["KMAR"]).status_code == 200  # its source


def _agency_id(session: Session, code: str) -> int | None:
    return session.scalar(select(AgencyRow.id).where(AgencyRow.code == code))
