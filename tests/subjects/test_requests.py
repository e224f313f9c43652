"""The contact point's tools over the real API: find a person by each identifier kind, give
access with the recipients, route corrections, erase, restrict and refuse (AVG art. 15-18,
WGS art. 1.4(4), UAVG art. 41). Each test posts a person of its own."""

import json
import uuid

from sqlalchemy import select

from hub.audit.models import AuditEvent
from hub.linking.models import Proposal, ProposalLink, ProposalMember
from hub.signals.models import Identifier, Signal
from hub.subjects.models import SubjectRequest
from tests.conftest import World
from tests.linking.test_proposals import _entry, _phone, _post, _proposals_of, _settled, _work
from tests.subjects.helpers import Person, complete, open_request

PURPOSE = "?purpose=case-proposal"


def _signal(api, headers: dict, *subjects: dict, body=_entry) -> str:  # type: ignore[no-untyped-def]
    return _post(api, headers, body(*subjects))


def _ids(request: dict) -> set[str]:
    return {s["id"] for s in request["signals"]}


def test_a_person_is_found_by_name_and_birth_date_by_bsn_and_by_document(
    api, world: World, dpo, sessions
) -> None:
    person = Person.new()
    by_name = _signal(api, world.headers["KMAR"], person.by_name(role="victim"))
    by_bsn = _signal(api, world.headers["SZW"], person.by_bsn(), body=_work)
    by_document = _signal(api, world.headers["POLITIE"], person.passport_subject("id-card"))
    other = _signal(api, world.headers["KMAR"], Person.new().by_name())

    found = open_request(api, dpo.headers, "access", person.by_name())
    assert _ids(found) == {by_name}
    [signal] = found["signals"]
    assert signal["agency"] == "KMAR" and signal["subject_positions"] == [0]
    assert _ids(open_request(api, dpo.headers, "access", person.by_bsn())) == {by_bsn}
    # Every document kind is searched: the desk saw a passport, the source wrote id-card.
    document = open_request(api, dpo.headers, "access", person.passport_subject("passport"))
    assert _ids(document) == {by_document}
    every = open_request(
        api, dpo.headers, "erase", person.by_name(), person.by_bsn(), person.passport_subject()
    )
    assert _ids(every) == {by_name, by_bsn, by_document} and other not in _ids(every)

    with sessions() as session:
        stored = session.scalars(
            select(SubjectRequest).where(SubjectRequest.id == uuid.UUID(every["id"]))
        ).one()
        row = json.dumps([stored.tokens, stored.found]) + repr(stored.notes)
        # Tokens and ids only: never what the contact point typed.
        for plaintext in (person.name, person.bsn, person.passport, person.birth_date):
            assert plaintext not in row
        assert len(stored.tokens) >= 3 and all(len(t) == 64 for _, t in stored.tokens)
        tokens = {t for _, t in stored.tokens}
        carried = set(
            session.scalars(select(Identifier.signal_id).where(Identifier.token.in_(tokens)))
        )
        assert {str(i) for i in carried} == {by_name, by_bsn, by_document}
        # The find is audited on the request and, under each source, on each signal found.
        found_events = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "signal.subject-found",
                AuditEvent.object_id == by_bsn,
            )
        ).all()
        assert {e.owner for e in found_events} == {"SZW"}
        assert {e.detail["request"] for e in found_events} >= {every["id"]}


def test_access_exports_what_is_held_and_who_received_it(
    api, world: World, dpo, server, sessions
) -> None:
    person = Person.new()
    phone = {"type": "phone", "number": _phone()}
    held = _signal(api, world.headers["KMAR"], person.by_name(), phone)
    _signal(api, world.headers["SZW"], phone, body=_work)
    # EMM reads KMAR's signal for a case proposal: a disclosure on record.
    read = api.get(f"/api/v1/signals/{held}{PURPOSE}", headers=world.headers["EMM"])
    assert read.status_code == 200, read.text
    [proposal] = _proposals_of(server, held)

    request = open_request(api, dpo.headers, "access", person.by_name())
    assert [p["id"] for p in request["proposals"]] == [str(proposal.id)]
    response = api.get(f"/api/v1/subject-requests/{request['id']}/export", headers=dpo.headers)
    assert response.status_code == 200, response.text
    document = response.json()
    [signal] = document["signals"]
    assert signal["id"] == held and signal["agency"] == "KMAR"
    # The person's own subject, decrypted; the phone is someone else's business.
    assert signal["subjects"] == [
        {"type": "person", "name": person.name, "birth_date": person.birth_date}
    ]
    assert signal["other_subjects"] == 1 and signal["has_summary"] is True
    recipients = {(r["agency"], r["how"]) for r in document["recipients"]}
    assert ("EMM", "disclosed") in recipients
    assert all(r["signal_id"] == held for r in document["recipients"])
    emm = next(r for r in document["recipients"] if r["agency"] == "EMM")
    assert emm["level"] == "full" and emm["purpose"] == "case-proposal" and emm["covenant"]

    page = api.get(
        f"/api/v1/subject-requests/{request['id']}/export",
        headers=dpo.headers | {"Accept": "text/html"},
    )
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert person.name in page.text and "EMM" in page.text and "<script" not in page.text
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]

    done = complete(api, dpo.headers, request["id"])
    assert done["status"] == "done" and done["outcome"]["recipients"] >= 1
    with sessions() as session:
        actions = set(
            session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == request["id"]))
        )
    assert {"subject-request.opened", "subject-request.exported", "subject-request.access"} <= (
        actions
    )


def test_rectify_routes_a_correction_that_the_source_sees_and_makes(
    api, world: World, dpo, partners
) -> None:
    person = Person.new()
    held = _signal(api, world.headers["KMAR"], person.by_bsn())
    request = open_request(api, dpo.headers, "rectify", person.by_bsn())
    done = complete(api, dpo.headers, request["id"], note="The birth date is 1990-02-03.")
    assert done["outcome"] == {"corrections": 1}

    def mine(headers: dict) -> list[dict]:
        response = api.get("/api/v1/subject-requests/corrections?limit=500", headers=headers)
        assert response.status_code == 200, response.text
        return [c for c in response.json()["items"] if c["request_id"] == request["id"]]

    [correction] = mine(world.headers["KMAR"])
    assert correction["signal_id"] == held and correction["status"] == "open"
    assert correction["note"] == "The birth date is 1990-02-03."
    assert correction["subject_positions"] == [0]
    assert mine(world.headers["SZW"]) == []  # only the source sees it
    fixed = api.patch(
        f"/api/v1/signals/{held}",
        json={"subjects": [person.by_bsn() | {"birth_date": "1990-02-03"}]},
        headers=world.headers["KMAR"] | {"Content-Type": "application/merge-patch+json"},
    )
    assert fixed.status_code == 200, fixed.text
    [correction] = mine(world.headers["KMAR"])
    assert correction["status"] == "corrected"


def test_erase_removes_the_person_and_relinks_what_remains(
    api, world: World, dpo, server, sessions
) -> None:
    person = Person.new()
    phone = {"type": "phone", "number": _phone()}
    # A holds the person and a phone; B only the person (it goes whole); C shares the phone.
    a = _signal(api, world.headers["KMAR"], person.by_name(role="victim"), phone)
    b = _signal(api, world.headers["SZW"], person.by_name(), body=_work)
    c = _signal(api, world.headers["POLITIE"], phone, body=_work)
    [proposal] = [p for p in _proposals_of(server, a) if p.status == "new"]
    with sessions() as session:
        members = set(
            session.scalars(
                select(ProposalMember.signal_id).where(ProposalMember.proposal_id == proposal.id)
            )
        )
    assert {str(m) for m in members} == {a, b, c}

    request = open_request(api, dpo.headers, "erase", person.by_name())
    assert _ids(request) == {a, b}
    done = complete(api, dpo.headers, request["id"])
    assert done["outcome"]["signals_deleted"] == [b]
    assert done["outcome"]["signals_changed"] == [a]
    assert done["signals"] == [] and done["proposals"] == []
    # The person is no longer found, by anyone.
    assert open_request(api, dpo.headers, "access", person.by_name())["signals"] == []

    with _settled(server)() as session:
        stored = session.scalars(
            select(SubjectRequest).where(SubjectRequest.id == uuid.UUID(request["id"]))
        ).one()
        assert stored.tokens == []  # nothing that could find them again
        assert session.scalars(select(Signal).where(Signal.id == uuid.UUID(b))).first() is None
        kept = session.scalars(select(Signal).where(Signal.id == uuid.UUID(a))).one()
        assert kept.version == 2
        types = set(
            session.scalars(select(Identifier.type).where(Identifier.signal_id == uuid.UUID(a)))
        )
        assert "person" not in types and "person-dob" not in types and "phone" in types
        # The proposal continues with what still links: A and C through the phone.
        now_members = set(
            session.scalars(
                select(ProposalMember.signal_id).where(ProposalMember.proposal_id == proposal.id)
            )
        )
        assert {str(m) for m in now_members} == {a, c}
        assert session.get(Proposal, proposal.pk).status == "new"  # type: ignore[union-attr]
        evidence = [
            e[0]
            for link in session.scalars(
                select(ProposalLink).where(ProposalLink.proposal_id == proposal.id)
            )
            for e in link.evidence
        ]
        assert evidence and "person" not in evidence
    source = api.get(f"/api/v1/signals/{a}{PURPOSE}", headers=world.headers["KMAR"])
    assert source.status_code == 200, source.text
    assert [s["type"] for s in source.json()["subjects"]] == ["phone"]
    # KMAR is asked to check A's summary, which may still name the person.
    corrections = api.get(
        "/api/v1/subject-requests/corrections?limit=500", headers=world.headers["KMAR"]
    )
    assert any(c["signal_id"] == a for c in corrections.json()["items"])


def test_a_restricted_signal_links_to_nothing_and_no_partner_sees_it_until_lifted(
    api, world: World, dpo, server
) -> None:
    person = Person.new()
    phone_number = _phone()
    phone = {"type": "phone", "number": phone_number}
    held = _signal(api, world.headers["KMAR"], person.by_bsn(), phone)
    other = _signal(api, world.headers["SZW"], phone, body=_work)
    [proposal] = [p for p in _proposals_of(server, held) if p.status == "new"]
    url = f"/api/v1/signals/{held}{PURPOSE}"
    assert api.get(url, headers=world.headers["EMM"]).status_code == 200

    request = open_request(api, dpo.headers, "restrict", person.by_bsn())
    refused = api.post(
        f"/api/v1/subject-requests/{request['id']}/completions", json={}, headers=dpo.headers
    )
    assert refused.status_code == 400 and refused.json()["errors"][0]["pointer"] == "/ground"
    done = complete(api, dpo.headers, request["id"], ground="avg-18-1-a")
    assert done["ground"] == "avg-18-1-a" and done["signals"][0]["restricted"] is True

    assert api.get(url, headers=world.headers["EMM"]).status_code == 404
    listed = api.get(f"/api/v1/signals{PURPOSE}&limit=200", headers=world.headers["EMM"])
    assert held not in {s["id"] for s in listed.json()["items"]}
    lookup = api.post(
        "/api/v1/lookups?purpose=hit-lookup",
        json={"identifiers": [{"type": "phone", "number": phone_number}]},
        headers=world.headers["EMM"],
    )
    assert {m["id"] for m in lookup.json()["results"][0]["matches"]} == {other}
    # Its source still sees it in full.
    assert api.get(url, headers=world.headers["KMAR"]).status_code == 200
    # It left its proposal, which no longer spans two signals.
    assert all(p.status == "closed" for p in _proposals_of(server, held) if p.id == proposal.id)

    lifted = api.post(f"/api/v1/subject-requests/{request['id']}/liftings", headers=dpo.headers)
    assert lifted.status_code == 200 and lifted.json()["status"] == "lifted"
    assert api.get(url, headers=world.headers["EMM"]).status_code == 200
    assert any(p.status in ("new", "in_review") for p in _proposals_of(server, held))
    again = api.post(f"/api/v1/subject-requests/{request['id']}/liftings", headers=dpo.headers)
    assert again.status_code == 409


def test_a_refusal_records_its_ground_and_ends_the_request(
    api, world: World, dpo, sessions
) -> None:
    person = Person.new()
    _signal(api, world.headers["KMAR"], person.by_name())
    request = open_request(api, dpo.headers, "erase", person.by_name())
    url = f"/api/v1/subject-requests/{request['id']}"
    bad = api.post(f"{url}/refusals", json={"ground": "no-reason"}, headers=dpo.headers)
    assert bad.status_code == 400 and bad.json()["errors"][0]["pointer"] == "/ground"
    refused = api.post(
        f"{url}/refusals",
        json={"ground": "uavg-41-1-d", "note": "A criminal investigation is running."},
        headers=dpo.headers,
    )
    assert refused.status_code == 200, refused.text
    body = refused.json()
    assert body["status"] == "refused" and body["ground"] == "uavg-41-1-d"
    assert "A criminal investigation is running." in body["notes"]
    assert len(body["signals"]) == 1  # nothing was erased
    for again in (f"{url}/refusals", f"{url}/completions"):
        response = api.post(again, json={"ground": "uavg-41-1-d"}, headers=dpo.headers)
        assert response.status_code == 409, response.text
    with sessions() as session:
        [event] = session.scalars(
            select(AuditEvent).where(
                AuditEvent.object_id == request["id"],
                AuditEvent.action == "subject-request.refused",
            )
        ).all()
    assert event.detail == {"kind": "erase", "ground": "uavg-41-1-d"}
    assert "investigation" not in json.dumps(event.detail)


def test_only_the_contact_point_may_use_the_desk(api, world: World, dpo, partners) -> None:
    analyst = partners.new(kind="riec", scopes="signals:read signals:write proposals:review")
    body = {"kind": "access", "identifiers": [Person.new().by_bsn()]}
    refused = api.post("/api/v1/subject-requests", json=body, headers=analyst.headers)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert api.get("/api/v1/subject-requests", headers=analyst.headers).status_code == 403
    # The contact point does not read sources' correction lists either.
    corrections = api.get("/api/v1/subject-requests/corrections", headers=dpo.headers)
    assert corrections.status_code == 403


def test_bad_input_is_a_problem_that_names_the_field(api, dpo) -> None:
    person = Person.new()
    cases = [
        ({"kind": "access", "identifiers": []}, "/identifiers"),
        (
            {"kind": "access", "identifiers": [{"type": "person", "name": "Only A Name"}]},
            "/identifiers/0",
        ),
        ({"kind": "forget", "identifiers": [person.by_bsn()]}, "/kind"),
        (
            {"kind": "access", "identifiers": [{"type": "phone", "number": "0612345678"}]},
            "/identifiers/0",
        ),
        (
            {"kind": "access", "identifiers": [person.by_name() | {"bsn": "123456789"}]},
            "/identifiers/0/bsn",
        ),
    ]
    for body, pointer in cases:
        response = api.post("/api/v1/subject-requests", json=body, headers=dpo.headers)
        assert response.status_code == 400, (body, response.text)
        problem = response.json()
        assert response.headers["content-type"] == "application/problem+json"
        assert any(e["pointer"].startswith(pointer) for e in problem["errors"]), problem
        assert person.bsn not in response.text and person.name not in response.text
    rectify = open_request(api, dpo.headers, "rectify", person.by_bsn())
    missing = api.post(
        f"/api/v1/subject-requests/{rectify['id']}/completions", json={}, headers=dpo.headers
    )
    assert missing.status_code == 400 and missing.json()["errors"][0]["pointer"] == "/note"
    unknown = api.get(f"/api/v1/subject-requests/{uuid.uuid4()}", headers=dpo.headers)
    assert unknown.status_code == 404 and unknown.json()["type"].endswith("/not-found")
    not_access = api.get(f"/api/v1/subject-requests/{rectify['id']}/export", headers=dpo.headers)
    assert not_access.status_code == 409


def test_erase_cleans_stored_links_and_digests(api, world: World, dpo, server) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from hub.digests.models import Digest
    from hub.digests.service import build_for_date
    from tests.proposals.test_disclosure_requests import _accept

    person = Person.new()
    # Three signals linked by the person alone; IND's names no one else, so it goes whole.
    a = _signal(api, world.headers["KMAR"], person.by_name(), {"type": "phone", "number": _phone()})
    c = _signal(
        api,
        world.headers["SZW"],
        person.by_name(),
        {"type": "phone", "number": _phone()},
        body=_work,
    )
    b = _signal(api, world.headers["IND"], person.by_name())
    [proposal] = [p for p in _proposals_of(server, a) if p.status == "new"]
    _accept(api, world.headers["EMM"], str(proposal.id))
    day = datetime.now(ZoneInfo("Europe/Amsterdam")).date()
    sessions = server.app.state.sessions
    with sessions.begin() as session:
        build_for_date(session, day=day)
    with sessions() as session:
        tokens = set(
            session.scalars(select(Identifier.token).where(Identifier.signal_id == uuid.UUID(a)))
        )
        ind = session.scalars(
            select(Digest).where(Digest.digest_date == day, Digest.content.contains(b))
        ).one()
        links = session.scalars(
            select(ProposalLink).where(ProposalLink.proposal_id == proposal.id)
        ).all()
    assert any(e[1] in tokens for link in links for e in link.evidence)

    request = open_request(api, dpo.headers, "erase", person.by_name())
    done = complete(api, dpo.headers, request["id"])
    assert done["outcome"]["signals_deleted"] == [b]
    assert sorted(done["outcome"]["signals_changed"]) == sorted([a, c])
    assert done["outcome"]["digests_cleaned"] >= 1 and done["outcome"]["links_cleaned"] >= 1
    with _settled(server)() as session:
        # A and C no longer link: the case is closed, and its stored links name no token of
        # the person any more (those that rested on the person alone are gone).
        assert session.get(Proposal, proposal.pk).status == "closed"  # type: ignore[union-attr]
        for link in session.scalars(
            select(ProposalLink).where(
                ProposalLink.signal_a.in_([uuid.UUID(a), uuid.UUID(c)])
                | ProposalLink.signal_b.in_([uuid.UUID(a), uuid.UUID(c)])
            )
        ):
            assert not {e[1] for e in link.evidence} & tokens
        cleaned = session.get(Digest, ind.id)
        assert cleaned is not None and b not in cleaned.content
        assert cleaned.content_hash != ind.content_hash
        assert json.loads(cleaned.content)["agency"] == "IND"
