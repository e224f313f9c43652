"""Acceptance opens only what the accepting agency was shown; the rest goes through a
disclosure request that the sources grant, refuse or revoke (issue 12, finding 1; WGS art.
1.7(3)). Over the real API, with the demo covenants: RIEC-AA sees Amsterdam signals only."""

import uuid

import httpx
from sqlalchemy import select

from hub.audit.models import AuditEvent
from hub.linking.models import ProposalEvent
from hub.linking.service import LIVE
from tests.conftest import World
from tests.factories import acceptance
from tests.linking.test_proposals import _entry, _phone, _proposals_of, _work
from tests.proposals.test_actions import PURPOSE, _act, _read

AMSTERDAM, ROTTERDAM = "GM0363", "GM0599"
INVESTIGATE = "?purpose=investigation"
# Two Amsterdam members RIEC-AA sees, two Rotterdam ones it never sees.
MIXED = (("KMAR", AMSTERDAM), ("SZW", ROTTERDAM), ("IND", AMSTERDAM), ("POLITIE", ROTTERDAM))


def _case(  # type: ignore[no-untyped-def]
    api: httpx.Client, world: World, server, sources: tuple[tuple[str, str], ...]
) -> tuple[str, dict[str, str]]:
    """One proposal of signals sharing a phone, each (source, municipality): its id and the
    signal ids by source."""
    phone = {"type": "phone", "number": _phone()}
    ids: dict[str, str] = {}
    for i, (source, municipality) in enumerate(sources):
        body = (_entry if i % 2 == 0 else _work)(phone, municipality=municipality)
        response = api.post("/api/v1/signals", json=body, headers=world.headers[source])
        assert response.status_code == 201, response.text
        ids[source] = response.json()["id"]
    [found] = [p for p in _proposals_of(server, ids[sources[0][0]]) if p.status in LIVE]
    return str(found.id), ids


def _accept(api: httpx.Client, headers: dict, proposal: str) -> httpx.Response:
    etag = _read(api, headers, proposal).headers["ETag"]
    decision = acceptance("The case meeting takes it up.")
    accepted = _act(api, headers, proposal, "decisions", decision, etag)
    assert accepted.status_code == 200, accepted.text
    return accepted


def _investigate(api: httpx.Client, headers: dict, signal: str) -> int:
    return api.get(f"/api/v1/signals/{signal}{INVESTIGATE}", headers=headers).status_code


def _ask(api: httpx.Client, headers: dict, proposal: str) -> httpx.Response:
    return api.post(
        f"/api/v1/proposals/{proposal}/disclosure-requests",
        json={"reason": "The case meeting needs the employer in Rotterdam."},
        headers=headers,
    )


def _decide(  # type: ignore[no-untyped-def]
    api: httpx.Client, headers: dict, request: str, signal: str, decision: str
) -> httpx.Response:
    return api.post(
        f"/api/v1/disclosure-requests/{request}/items/{signal}/decisions",
        json={"decision": decision, "reason": "Within the covenant's purpose."},
        headers=headers,
    )


def _walk(api: httpx.Client, headers: dict, first: str) -> list[dict]:
    """Every item of a list, following its Link headers page by page."""
    items: list[dict] = []
    url: str | None = first
    while url:
        response = api.get(url, headers=headers)
        assert response.status_code == 200, response.text
        items += response.json()["items"]
        link = response.headers.get("Link")
        assert bool(link) == bool(response.json()["next_cursor"])
        url = link.split(">")[0].lstrip("<") if link else None
    return items


def test_accepting_opens_only_the_members_the_agency_was_shown(
    api, world: World, server, sessions
) -> None:
    riec = world.headers["RIEC-AA"]
    proposal, ids = _case(api, world, server, MIXED)
    seen = {m["id"] for m in _read(api, riec, proposal).json()["members"]}
    shown = {ids["KMAR"], ids["IND"]}
    assert seen == shown
    assert all(_investigate(api, riec, s) == 404 for s in ids.values())

    _accept(api, riec, proposal)

    for source, signal in ids.items():
        expected = 200 if signal in shown else 404
        assert _investigate(api, riec, signal) == expected, source
    with sessions() as session:
        [audited] = session.scalars(
            select(AuditEvent).where(
                AuditEvent.object_id == proposal, AuditEvent.action == "proposal.accepted"
            )
        ).all()
        assert sorted(audited.detail["opened"]) == sorted(shown)
        [event] = session.scalars(
            select(ProposalEvent).where(
                ProposalEvent.proposal_id == uuid.UUID(proposal),
                ProposalEvent.action == "accepted",
            )
        ).all()
        assert sorted(event.detail["opened"]) == sorted(shown)
    # The accepting agency reads what it opened in the history.
    history = api.get(f"/api/v1/proposals/{proposal}/history", headers=riec).json()["items"]
    assert sorted(history[-1]["detail"]["opened"]) == sorted(shown)
    # Nor does the signal list for investigation name the members it was never shown.
    listed = api.get(f"/api/v1/signals{INVESTIGATE}&limit=100", headers=riec)
    assert listed.status_code == 200, listed.text
    names = set()
    while True:
        page = listed.json()
        names |= {s["id"] for s in page["items"]}
        if not page.get("next_cursor"):
            break
        listed = api.get(
            f"/api/v1/signals{INVESTIGATE}&limit=100&cursor={page['next_cursor']}", headers=riec
        )
    assert shown <= names and not (set(ids.values()) - shown) & names


def test_a_member_merged_into_an_accepted_case_is_not_opened_by_that(
    api, world: World, server
) -> None:
    riec = world.headers["RIEC-AA"]
    case, case_ids = _case(api, world, server, (("KMAR", AMSTERDAM), ("SZW", AMSTERDAM)))
    other, other_ids = _case(api, world, server, (("IND", AMSTERDAM), ("POLITIE", AMSTERDAM)))
    accepted = _accept(api, riec, case)
    merged = _act(
        api,
        riec,
        case,
        "merges",
        {"other": other, "reason": "Same employer."},
        accepted.headers["ETag"],
    )
    assert merged.status_code == 200, merged.text
    assert {m["id"] for m in merged.json()["members"]} >= set(other_ids.values())
    assert all(_investigate(api, riec, s) == 200 for s in case_ids.values())
    assert all(_investigate(api, riec, s) == 404 for s in other_ids.values())


def test_request_grant_read_revoke_and_refuse(api, world: World, server, sessions) -> None:
    riec, szw, politie = (world.headers[c] for c in ("RIEC-AA", "SZW", "POLITIE"))
    proposal, ids = _case(api, world, server, MIXED)
    _accept(api, riec, proposal)

    asked = _ask(api, riec, proposal)
    assert asked.status_code == 201, asked.text
    request = asked.json()["id"]
    assert asked.headers["Location"] == f"/api/v1/disclosure-requests/{request}"
    assert asked.json()["proposal"] == proposal and asked.json()["status"] == "filed"

    # Each source sees its own signal asked for, with the case and the reason.
    inbox = api.get("/api/v1/disclosure-requests?status=pending", headers=szw).json()["items"]
    [item] = [i for i in inbox if i["request"] == request]
    assert item["signal_id"] == ids["SZW"] and item["requested_by"] == "RIEC-AA"
    assert item["reason"].startswith("The case meeting") and item["case_number"]
    # Members the requester was shown, and others' signals, were not asked for.
    assert ids["KMAR"] not in {i["signal_id"] for i in inbox}
    kmar_inbox = api.get("/api/v1/disclosure-requests", headers=world.headers["KMAR"]).json()
    assert request not in {i["request"] for i in kmar_inbox["items"]}

    # Only the source decides: anyone else finds no such item.
    assert _decide(api, world.headers["KMAR"], request, ids["SZW"], "grant").status_code == 404
    assert _decide(api, riec, request, ids["SZW"], "grant").status_code == 404

    granted = _decide(api, szw, request, ids["SZW"], "grant")
    assert granted.status_code == 200, granted.text
    assert granted.json()["status"] == "granted"
    assert _decide(api, szw, request, ids["SZW"], "refuse").status_code == 409

    read = api.get(f"/api/v1/signals/{ids['SZW']}{INVESTIGATE}", headers=riec)
    assert read.status_code == 200, read.text
    assert read.json()["disclosure"]["level"] == "full"
    assert read.json()["disclosure"]["rule_id"] == f"disclosure-request:{request}"
    # The grant serves investigation only.
    proposing = api.get(f"/api/v1/signals/{ids['SZW']}{PURPOSE}", headers=riec)
    assert proposing.status_code == 404
    mine = api.get(f"/api/v1/disclosure-requests/{request}", headers=riec).json()
    assert mine["granted"] == [ids["SZW"]]
    sent = {r["id"]: r for r in _walk(api, riec, "/api/v1/disclosure-requests/sent?limit=1")}
    assert sent[request]["granted"] == [ids["SZW"]] and sent[request]["proposal"] == proposal
    inbox = _walk(api, szw, "/api/v1/disclosure-requests?limit=1")
    assert [i["status"] for i in inbox if i["request"] == request] == ["granted"]

    refused = _decide(api, politie, request, ids["POLITIE"], "refuse")
    assert refused.status_code == 200 and refused.json()["status"] == "refused"
    assert _investigate(api, riec, ids["POLITIE"]) == 404

    revoke = f"/api/v1/disclosure-requests/{request}/items/{ids['SZW']}/revocations"
    assert api.post(revoke, json={"reason": "Taken back."}, headers=riec).status_code == 404
    revoked = api.post(revoke, json={"reason": "Taken back."}, headers=szw)
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert api.post(revoke, json={"reason": "Again."}, headers=szw).status_code == 409
    assert _investigate(api, riec, ids["SZW"]) == 404
    assert api.get(f"/api/v1/disclosure-requests/{request}", headers=riec).json()["granted"] == []
    assert api.get(f"/api/v1/disclosure-requests/{request}", headers=szw).status_code in (403, 404)

    with sessions() as session:
        actions = {
            (e.action, e.agency, e.object_id)
            for e in session.scalars(
                select(AuditEvent).where(AuditEvent.action.like("disclosure.%"))
            )
        }
        assert ("disclosure.requested", "RIEC-AA", request) in actions
        assert ("disclosure.granted", "SZW", ids["SZW"]) in actions
        assert ("disclosure.refused", "POLITIE", ids["POLITIE"]) in actions
        assert ("disclosure.revoked", "SZW", ids["SZW"]) in actions
        [shown] = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "signal.disclosed",
                AuditEvent.object_id == ids["SZW"],
                AuditEvent.agency == "RIEC-AA",
            )
        ).all()
        assert shown.rule_id == f"disclosure-request:{request}" and shown.owner == "SZW"
        assert shown.purpose == "investigation"


def test_the_answer_does_not_tell_how_many_members_are_hidden(api, world: World, server) -> None:
    riec = world.headers["RIEC-AA"]
    open_case, _ = _case(api, world, server, (("KMAR", AMSTERDAM), ("SZW", AMSTERDAM)))
    hidden_case, _ = _case(api, world, server, MIXED)
    answers = []
    for proposal in (open_case, hidden_case):
        _accept(api, riec, proposal)
        asked = _ask(api, riec, proposal)
        assert asked.status_code == 201, asked.text
        answers.append(asked)
    shapes = [
        (
            {k: v for k, v in a.json().items() if k not in ("id", "proposal", "created_at")},
            set(a.json()),
        )
        for a in answers
    ]
    assert shapes[0] == shapes[1]
    first, second = (sorted(a.headers) for a in answers)
    assert first == second
    views = [api.get(a.headers["Location"], headers=riec).json() for a in answers]
    assert [v["granted"] for v in views] == [[], []]


def test_only_the_accepting_agency_asks_and_only_for_a_case(api, world: World, server) -> None:
    riec, emm = world.headers["RIEC-AA"], world.headers["EMM"]
    proposal, _ = _case(api, world, server, MIXED)
    assert _ask(api, riec, proposal).status_code == 409  # not accepted yet
    _accept(api, riec, proposal)
    assert _ask(api, emm, proposal).status_code == 403  # sees it, did not accept it
    # An agency that sees too little of it, or a proposal that does not exist: nothing there.
    assert _ask(api, world.headers["LIEC"], proposal).status_code == 404
    assert _ask(api, riec, str(uuid.uuid4())).status_code == 404
    bad = api.post(
        f"/api/v1/proposals/{proposal}/disclosure-requests", json={"why": "x"}, headers=riec
    )
    assert bad.status_code == 400
    assert bad.headers["content-type"].startswith("application/problem+json")
    wrong = _decide(api, world.headers["SZW"], str(uuid.uuid4()), str(uuid.uuid4()), "grant")
    assert wrong.status_code == 404
