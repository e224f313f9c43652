"""The analysts' actions over the real API: decisions with If-Match, assign, merge, split, undo,
comments, history and the case file. Each test builds its own clusters from fresh phones."""

import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
from sqlalchemy import select

from hub.audit.models import AuditEvent
from hub.db import now
from hub.kit.crypto import DataKeys
from hub.linking.models import LinkJoin, LinkSeparation, Proposal, ProposalEvent
from hub.linking.service import LIVE, relink
from hub.retention.service import purge_expired
from hub.signals.models import Signal
from tests.conftest import World
from tests.factories import ASSESSMENT, acceptance
from tests.linking.test_proposals import _entry, _live, _phone, _post, _proposals_of, _work

PURPOSE = "?purpose=case-proposal"


def _cluster(  # type: ignore[no-untyped-def]
    api: httpx.Client, world: World, server, sources: tuple[str, ...], phone: dict | None = None
) -> tuple[str, list[str]]:
    """Signals of these agencies sharing one phone; the proposal id and the signal ids."""
    phone = phone or {"type": "phone", "number": _phone()}
    ids = [
        _post(api, world.headers[s], (_entry if i % 2 == 0 else _work)(phone))
        for i, s in enumerate(sources)
    ]
    [proposal] = [p for p in _proposals_of(server, ids[0]) if p.status in LIVE]
    return str(proposal.id), ids


def _read(api: httpx.Client, headers: dict, proposal_id: str) -> httpx.Response:
    response = api.get(f"/api/v1/proposals/{proposal_id}{PURPOSE}", headers=headers)
    assert response.status_code == 200, response.text
    return response


def _act(
    api: httpx.Client,
    headers: dict,
    proposal_id: str,
    path: str,
    body: dict | None,
    etag: str | None,
) -> httpx.Response:  # type: ignore[no-untyped-def]
    extra = {"If-Match": etag} if etag is not None else {}
    return api.post(f"/api/v1/proposals/{proposal_id}/{path}", json=body, headers=headers | extra)


def test_accepting_needs_the_current_etag_and_makes_a_numbered_case(
    api, world: World, server, sessions
) -> None:
    emm = world.headers["EMM"]
    proposal, _ = _cluster(api, world, server, ("KMAR", "SZW"))
    etag = _read(api, emm, proposal).headers["ETag"]
    decision = acceptance("Entry and work: one exploiter.")

    missing = _act(api, emm, proposal, "decisions", decision, None)
    assert missing.status_code == 428, missing.text
    assert missing.headers["content-type"].startswith("application/problem+json")
    stale = _act(api, emm, proposal, "decisions", decision, '"999"')
    assert stale.status_code == 412, stale.text

    accepted = _act(api, emm, proposal, "decisions", decision, etag)
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    assert body["status"] == "accepted"
    assert re.fullmatch(r"EMM-\d{4}-\d{4}", body["case_number"])
    assert accepted.headers["ETag"] != etag
    # The same ETag again is stale now; a second acceptance is refused either way.
    again = _act(api, emm, proposal, "decisions", decision, accepted.headers["ETag"])
    assert again.status_code == 409, again.text
    with sessions() as session:
        [audited] = session.scalars(
            select(AuditEvent).where(
                AuditEvent.object_id == proposal, AuditEvent.action == "proposal.accepted"
            )
        ).all()
        assert audited.agency == "EMM"
        stored = session.scalars(
            select(ProposalEvent).where(
                ProposalEvent.proposal_id == uuid.UUID(proposal),
                ProposalEvent.action == "accepted",
            )
        ).one()
        # The reason is sealed at rest.
        assert stored.text is not None and b"exploiter" not in stored.text


def test_two_analysts_deciding_at_once_get_one_success(api, world: World, server) -> None:
    emm = world.headers["EMM"]
    proposal, _ = _cluster(api, world, server, ("KMAR", "SZW"))
    etag = _read(api, emm, proposal).headers["ETag"]

    def decide(decision: str) -> int:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            body = acceptance("r" * 5) if decision == "accept" else {"decision": decision}
            return _act(
                client, emm, proposal, "decisions", {"reason": "r" * 5} | body, etag
            ).status_code

    with ThreadPoolExecutor(4) as pool:
        codes = sorted(pool.map(decide, ["accept", "reject", "accept", "reject"]))
    assert codes.count(200) == 1, codes
    assert all(c in (409, 412) for c in codes if c != 200), codes


def test_review_assign_and_reject_are_in_the_history(api, world: World, server) -> None:
    emm, riec = world.headers["EMM"], world.headers["RIEC-AA"]
    proposal, _ = _cluster(api, world, server, ("KMAR", "SZW"))
    etag = _read(api, emm, proposal).headers["ETag"]
    started = _act(api, emm, proposal, "reviews", None, etag)
    assert started.status_code == 200 and started.json()["status"] == "in_review"
    assigned = _act(
        api,
        emm,
        proposal,
        "assignments",
        {"assignee": "analyst.one", "reason": "Knows the employer."},
        started.headers["ETag"],
    )
    assert assigned.status_code == 200 and assigned.json()["assigned_to"] == "analyst.one"
    rejected = _act(
        api,
        emm,
        proposal,
        "decisions",
        {"decision": "reject", "reason": "Two different people."},
        assigned.headers["ETag"],
    )
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"

    items = api.get(f"/api/v1/proposals/{proposal}/history", headers=emm).json()["items"]
    actions = [e["action"] for e in items]
    assert actions[0] == "created"
    assert actions[-3:] == ["review-started", "assigned", "rejected"]
    assert items[-1]["text"] == "Two different people."
    assert items[-2]["detail"] == {"assignee": "analyst.one"}
    # Another agency's analyst sees the acts, not who nor why.
    theirs = api.get(f"/api/v1/proposals/{proposal}/history", headers=riec).json()["items"]
    assert theirs[-1]["text"] is None and theirs[-1]["actor"] == "an analyst of EMM"
    assert theirs[-2]["detail"] == {"assignee": "an analyst"}


def test_bad_actions_are_problems_and_change_nothing(api, world: World, server) -> None:
    emm = world.headers["EMM"]
    proposal, ids = _cluster(api, world, server, ("KMAR", "SZW"))
    etag = _read(api, emm, proposal).headers["ETag"]
    cases = [
        ("decisions", {"decision": "maybe", "reason": "hmm hmm"}, "/decision"),
        ("decisions", {"decision": "accept", "reason": "ok!", "extra": 1}, "/extra"),
        ("merges", {"other": proposal, "reason": "itself"}, "/other"),
        ("splits", {"members": [str(uuid.uuid4())], "reason": "not a member"}, "/members"),
        ("splits", {"members": ids, "reason": "all of them"}, "/members"),
    ]
    for path, body, pointer in cases:
        response = _act(api, emm, proposal, path, body, etag)
        assert response.status_code == 400, (path, response.text)
        assert pointer in {e.get("pointer") for e in response.json()["errors"]}, response.text
        assert "Traceback" not in response.text
    assert _read(api, emm, proposal).headers["ETag"] == etag
    unknown = _act(api, emm, str(uuid.uuid4()), "reviews", None, etag)
    assert unknown.status_code == 404
    wrong_type = api.post(
        f"/api/v1/proposals/{proposal}/decisions",
        content=b"decision=accept",
        headers=emm | {"If-Match": etag, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert wrong_type.status_code == 415


def test_a_merge_holds_through_relinking_redirects_and_can_be_undone(
    api, world: World, server, sessions, vocabulary, settings
) -> None:
    emm = world.headers["EMM"]
    first, first_ids = _cluster(api, world, server, ("KMAR", "SZW"))
    second, second_ids = _cluster(api, world, server, ("IND", "POLITIE"))
    etag = _read(api, emm, first).headers["ETag"]
    merged = _act(api, emm, first, "merges", {"other": second, "reason": "Same employer."}, etag)
    assert merged.status_code == 200, merged.text
    assert {m["id"] for m in merged.json()["members"]} == {*first_ids, *second_ids}
    assert any(
        s["type"] == "merge" for link in merged.json()["explanation"] for s in link["shared"]
    )
    moved = api.get(f"/api/v1/proposals/{second}{PURPOSE}", headers=emm)
    assert moved.status_code == 307 and first in moved.headers["Location"]

    # A full relink keeps the analyst's merge, with the same id.
    with sessions() as session, session.begin():
        relink(
            session,
            weights=vocabulary.indicator_weights(),
            keys=DataKeys.load_or_create(settings.data_dir),
        )
    members = {str(m) for m in _live(server)[uuid.UUID(first)]}
    assert members == {*first_ids, *second_ids}

    history = api.get(f"/api/v1/proposals/{first}/history", headers=emm).json()["items"]
    [merge_event] = [e for e in history if e["action"] == "merged"]
    undone = _act(
        api,
        emm,
        first,
        "undos",
        {"event": merge_event["id"], "reason": "Merged by mistake."},
        _read(api, emm, first).headers["ETag"],
    )
    assert undone.status_code == 200, undone.text
    assert {m["id"] for m in undone.json()["members"]} == set(first_ids)
    back = _read(api, emm, second).json()
    assert back["status"] == "new" and {m["id"] for m in back["members"]} == set(second_ids)
    with sessions() as session:
        left = session.scalars(
            select(LinkJoin).where(LinkJoin.signal_b.in_([uuid.UUID(i) for i in second_ids]))
        ).all()
        assert left == []
    twice = _act(
        api,
        emm,
        first,
        "undos",
        {"event": merge_event["id"], "reason": "Again."},
        undone.headers["ETag"],
    )
    assert twice.status_code == 409


def test_a_split_holds_through_relinking_and_can_be_undone(
    api, world: World, server, sessions, vocabulary, settings
) -> None:
    emm = world.headers["EMM"]
    phone = {"type": "phone", "number": _phone()}
    proposal, ids = _cluster(api, world, server, ("KMAR", "SZW", "IND", "POLITIE"), phone)
    etag = _read(api, emm, proposal).headers["ETag"]
    taken = ids[2:]
    response = _act(
        api, emm, proposal, "splits", {"members": taken, "reason": "Other household."}, etag
    )
    assert response.status_code == 200, response.text
    part = response.json()["part"]
    assert part is not None and response.json()["proposal"] == proposal
    live = _live(server)
    assert {str(m) for m in live[uuid.UUID(proposal)]} == set(ids[:2])
    assert {str(m) for m in live[uuid.UUID(part)]} == set(taken)

    # A new signal on the same phone and a full relink do not put the parts back together.
    newcomer = _post(api, world.headers["SZW"], _work(phone))
    with sessions() as session, session.begin():
        relink(
            session,
            weights=vocabulary.indicator_weights(),
            keys=DataKeys.load_or_create(settings.data_dir),
        )
    live = _live(server)
    assert set(ids[:2]) <= {str(m) for m in live[uuid.UUID(proposal)]}
    assert set(taken) <= {str(m) for m in live[uuid.UUID(part)]}
    assert not any(set(ids) <= {str(m) for m in members} for members in live.values())

    history = api.get(f"/api/v1/proposals/{proposal}/history", headers=emm).json()["items"]
    [split_event] = [e for e in history if e["action"] == "split"]
    assert sorted(split_event["detail"]["members"]) == sorted(taken)
    undone = _act(
        api,
        emm,
        proposal,
        "undos",
        {"event": split_event["id"], "reason": "One household after all."},
        _read(api, emm, proposal).headers["ETag"],
    )
    assert undone.status_code == 200, undone.text
    assert {m["id"] for m in undone.json()["members"]} == {*ids, newcomer}
    moved = api.get(f"/api/v1/proposals/{part}{PURPOSE}", headers=emm)
    assert moved.status_code == 307 and proposal in moved.headers["Location"]
    with sessions() as session:
        kept_apart = session.scalars(
            select(LinkSeparation).where(
                LinkSeparation.signal_a.in_([uuid.UUID(i) for i in ids]),
                LinkSeparation.signal_b.in_([uuid.UUID(i) for i in ids]),
            )
        ).all()
        assert kept_apart == []


def test_a_post_joining_one_side_of_a_merge_leaves_every_proposal_whole(
    api, world: World, server, sessions, vocabulary, settings
) -> None:
    """The linker reads a merged proposal whole, and what its far side reaches: here a part an
    analyst split off, which must keep its id and its members, in no second proposal."""
    emm = world.headers["EMM"]
    phone, far = {"type": "phone", "number": _phone()}, {"type": "phone", "number": _phone()}
    first, first_ids = _cluster(api, world, server, ("KMAR", "SZW"), phone)
    second, second_ids = _cluster(api, world, server, ("IND", "POLITIE", "KMAR", "SZW"), far)
    split = _act(
        api,
        emm,
        second,
        "splits",
        {"members": second_ids[2:], "reason": "Other household."},
        _read(api, emm, second).headers["ETag"],
    )
    assert split.status_code == 200, split.text
    part = split.json()["part"]
    merged = _act(
        api,
        emm,
        first,
        "merges",
        {"other": second, "reason": "Same employer."},
        _read(api, emm, first).headers["ETag"],
    )
    assert merged.status_code == 200, merged.text

    newcomer = _post(api, world.headers["IND"], _entry(phone))
    live = _live(server)
    assert {str(m) for m in live[uuid.UUID(first)]} == {*first_ids, *second_ids[:2], newcomer}
    assert {str(m) for m in live[uuid.UUID(part)]} == set(second_ids[2:])
    held = [m for members in live.values() for m in members]
    assert len(held) == len(set(held))

    # What a full relink makes of the same signals: the same proposals.
    with sessions() as session, session.begin():
        relink(
            session,
            weights=vocabulary.indicator_weights(),
            keys=DataKeys.load_or_create(settings.data_dir),
        )
    assert _live(server) == live


def test_comments_are_sealed_and_read_by_the_writers_agency_only(
    api, world: World, server, sessions
) -> None:
    emm, riec = world.headers["EMM"], world.headers["RIEC-AA"]
    proposal, _ = _cluster(api, world, server, ("KMAR", "SZW"))
    note = f"Check the landlord {uuid.uuid4().hex[:8]}"
    response = api.post(f"/api/v1/proposals/{proposal}/comments", json={"text": note}, headers=emm)
    assert response.status_code == 201, response.text
    assert response.json()["text"] == note and response.json()["action"] == "commented"
    theirs = api.get(f"/api/v1/proposals/{proposal}/history", headers=riec)
    assert theirs.status_code == 200 and note not in theirs.text
    with sessions() as session:
        event = session.get(ProposalEvent, response.json()["id"])
        assert event is not None and note.encode() not in (event.text or b"")
    empty = api.post(f"/api/v1/proposals/{proposal}/comments", json={"text": ""}, headers=emm)
    assert empty.status_code == 400


def test_the_case_file_shows_what_the_viewer_may_see_and_is_audited(
    api, world: World, server, sessions
) -> None:
    emm = world.headers["EMM"]
    proposal, ids = _cluster(api, world, server, ("KMAR", "SZW"))
    as_json = api.get(f"/api/v1/proposals/{proposal}/export", headers=emm)
    assert as_json.status_code == 200, as_json.text
    document = as_json.json()
    assert {m["id"] for m in document["proposal"]["members"]} == set(ids)
    [covenant] = document["covenants"]
    assert covenant["covenant_id"] == "emm-case-proposals" and covenant["members"] == 2
    as_html = api.get(f"/api/v1/proposals/{proposal}/export", headers=emm | {"Accept": "text/html"})
    assert as_html.status_code == 200
    assert as_html.headers["content-type"].startswith("text/html")
    assert "emm-case-proposals" in as_html.text and ids[0] in as_html.text
    assert "<script" not in as_html.text
    refused = api.get(f"/api/v1/proposals/{proposal}/export", headers=emm | {"Accept": "image/png"})
    assert refused.status_code == 406
    with sessions() as session:
        exports = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_id == proposal, AuditEvent.action == "proposal.exported")
            .order_by(AuditEvent.id)
        ).all()
        assert [e.detail["rendition"] for e in exports] == ["json", "html"]


def test_an_accepted_case_holds_its_members_past_their_retention(
    api, world: World, server, sessions, settings
) -> None:
    emm = world.headers["EMM"]
    kept, kept_ids = _cluster(api, world, server, ("KMAR", "SZW"))
    _, open_ids = _cluster(api, world, server, ("KMAR", "SZW"))
    etag = _read(api, emm, kept).headers["ETag"]
    decision = acceptance("A case.")
    assert _act(api, emm, kept, "decisions", decision, etag).status_code == 200
    # Three years on: past every covenant's two years, within the case's five.
    later = now() + timedelta(days=3 * 365)
    with sessions() as session:
        result = purge_expired(session, now=later, default_days=730, dry_run=True)
    assert set(open_ids) <= set(result.signal_ids)
    assert not set(kept_ids) & set(result.signal_ids)
    much_later = now() + timedelta(days=6 * 365)
    with sessions() as session:
        result = purge_expired(session, now=much_later, default_days=730, dry_run=True)
        assert set(kept_ids) <= set(result.signal_ids)
        # The dry run only counted.
        assert session.scalar(select(Signal.id).where(Signal.id == uuid.UUID(kept_ids[0])))


def test_a_riec_that_accepted_a_case_may_investigate_it_in_full(api, world: World, server) -> None:
    riec = world.headers["RIEC-AA"]
    proposal, ids = _cluster(api, world, server, ("KMAR", "SZW"))
    read = f"/api/v1/signals/{ids[0]}?purpose=investigation"
    assert api.get(read, headers=riec).status_code == 404
    detail = _read(api, riec, proposal)
    assert {m["disclosure"]["level"] for m in detail.json()["members"]} == {"pseudonymised"}
    accepted = _act(
        api,
        riec,
        proposal,
        "decisions",
        acceptance("Case meeting agreed."),
        detail.headers["ETag"],
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["case_number"].startswith("RIEC-AA-")
    full = api.get(read, headers=riec)
    assert full.status_code == 200, full.text
    assert full.json()["disclosure"]["rule_id"] == "riec-accepted-full"
    # Another RIEC accepted nothing: still nothing to investigate for it.
    assert api.get(read, headers=world.headers["RIEC-RR"]).status_code == 404


def test_a_source_learns_its_signal_joined_an_accepted_case_at_its_own_level(
    api, world: World, server
) -> None:
    emm, kmar = world.headers["EMM"], world.headers["KMAR"]
    proposal, (entry, work) = _cluster(api, world, server, ("KMAR", "SZW"))
    url = f"/api/v1/signals/{entry}/cases"
    assert api.get(f"{url}{PURPOSE}", headers=kmar).json()["items"] == []
    etag = _read(api, emm, proposal).headers["ETag"]
    decision = acceptance("One chain.")
    accepted = _act(api, emm, proposal, "decisions", decision, etag).json()

    [case] = api.get(f"{url}{PURPOSE}", headers=kmar).json()["items"]
    assert case["case_number"] == accepted["case_number"] and case["accepted_by"] == "EMM"
    # No covenant shows SZW's signals to KMAR for case-proposal or investigation: the case's
    # other member is not listed (KMAR sees it at hit level only through a look-up).
    assert case["members"] == [] and work not in api.get(f"{url}{PURPOSE}", headers=kmar).text
    investigating = api.get(f"{url}?purpose=investigation", headers=kmar).json()["items"]
    assert [c["members"] for c in investigating] == [[]]
    # No purpose, or one the route does not serve, is a 400 naming the ones it does.
    for refused in (url, f"{url}?purpose=hit-lookup"):
        response = api.get(refused, headers=kmar)
        assert response.status_code == 400, refused
        assert "case-proposal, investigation" in response.json()["detail"]
        assert "items" not in response.json() and work not in response.text
    # Only the source asks about its signal.
    assert api.get(f"{url}{PURPOSE}", headers=world.headers["SZW"]).status_code == 404


def test_a_split_that_leaves_one_signal_closes_and_its_undo_reopens(
    api, world: World, server
) -> None:
    emm = world.headers["EMM"]
    proposal, ids = _cluster(api, world, server, ("KMAR", "SZW", "IND"))
    etag = _read(api, emm, proposal).headers["ETag"]
    response = _act(api, emm, proposal, "splits", {"members": ids[1:], "reason": "Not hers."}, etag)
    assert response.status_code == 200, response.text
    part = response.json()["part"]
    assert api.get(f"/api/v1/proposals/{proposal}{PURPOSE}", headers=emm).status_code == 404
    history = api.get(f"/api/v1/proposals/{part}/history", headers=emm).json()["items"]
    assert history[0]["action"] == "split-from"
    with server.app.state.sessions() as session:
        [event] = session.scalars(
            select(ProposalEvent).where(
                ProposalEvent.proposal_id == uuid.UUID(proposal), ProposalEvent.action == "split"
            )
        ).all()
        closed = session.scalars(
            select(Proposal).where(Proposal.id == uuid.UUID(proposal))
        ).one_or_none()
        assert closed is not None and closed.status == "closed"
        version = closed.version
    undone = _act(
        api,
        emm,
        proposal,
        "undos",
        {"event": event.pk, "reason": "One case after all."},
        f'"{version}"',
    )
    assert undone.status_code == 200, undone.text
    assert undone.json()["status"] == "new"
    assert {m["id"] for m in undone.json()["members"]} == set(ids)


def test_accepting_records_the_signal_assessment_each_criterion_required(
    api, world: World, server, sessions
) -> None:
    emm = world.headers["EMM"]
    proposal, _ = _cluster(api, world, server, ("KMAR", "SZW"))
    etag = _read(api, emm, proposal).headers["ETag"]
    bare = {"decision": "accept", "reason": "One exploiter."}
    missing = _act(api, emm, proposal, "decisions", bare, etag)
    assert missing.status_code == 400, missing.text
    assert [e["pointer"] for e in missing.json()["errors"]] == ["/assessment"]
    assert "2.23" in missing.json()["errors"][0]["detail"]
    for criterion in ASSESSMENT:
        for value in (None, "", "   "):
            assessment = {k: v for k, v in ASSESSMENT.items() if k != criterion}
            if value is not None:
                assessment[criterion] = value
            response = _act(
                api, emm, proposal, "decisions", bare | {"assessment": assessment}, etag
            )
            assert response.status_code == 400, (criterion, value, response.text)
            pointers = [e["pointer"] for e in response.json()["errors"]]
            assert pointers == [f"/assessment/{criterion}"], (criterion, value, pointers)
    # A rejection needs none, and records none.
    assert _read(api, emm, proposal).headers["ETag"] == etag
    secret = f"Weight: one inspection {uuid.uuid4().hex[:8]}."
    accepted = _act(
        api,
        emm,
        proposal,
        "decisions",
        acceptance("One exploiter.")
        | {"assessment": ASSESSMENT | {"weight_and_earlier_interventions": secret}},
        etag,
    )
    assert accepted.status_code == 200, accepted.text

    with sessions() as session:
        stored = session.scalars(
            select(ProposalEvent).where(
                ProposalEvent.proposal_id == uuid.UUID(proposal),
                ProposalEvent.action == "accepted",
            )
        ).one()
        [audited] = session.scalars(
            select(AuditEvent).where(
                AuditEvent.object_id == proposal, AuditEvent.action == "proposal.accepted"
            )
        ).all()
    # Sealed at rest; the audit says which criteria were recorded, not what they say.
    assert stored.assessment is not None and secret.encode() not in stored.assessment
    assert audited.detail["assessment"] == sorted(ASSESSMENT)
    assert secret not in str(audited.detail)
    # The accepting agency reads it in the history and the case file; another agency does not.
    [event] = [
        e
        for e in api.get(f"/api/v1/proposals/{proposal}/history", headers=emm).json()["items"]
        if e["action"] == "accepted"
    ]
    assert event["assessment"]["weight_and_earlier_interventions"] == secret
    document = api.get(f"/api/v1/proposals/{proposal}/export{PURPOSE}", headers=emm).json()
    assert document["assessment"]["weight_and_earlier_interventions"] == secret
    assert document["assessment"]["event"] == event["id"]
    riec = world.headers["RIEC-AA"]
    theirs = api.get(f"/api/v1/proposals/{proposal}/export{PURPOSE}", headers=riec)
    assert theirs.status_code == 200 and secret not in theirs.text
    assert theirs.json()["assessment"] is None


def test_a_rejection_with_an_assessment_is_refused(api, world: World, server) -> None:
    emm = world.headers["EMM"]
    proposal, _ = _cluster(api, world, server, ("KMAR", "SZW"))
    etag = _read(api, emm, proposal).headers["ETag"]
    body = {"decision": "reject", "reason": "Two people.", "assessment": ASSESSMENT}
    response = _act(api, emm, proposal, "decisions", body, etag)
    assert response.status_code == 400
    assert [e["pointer"] for e in response.json()["errors"]] == ["/assessment"]
