"""Every proposal, link and decision records the linking rules that made it (WGS art. 1.9(6)):
the version and hash of hub.linking.ruleset, shown in the detail, the history and the case file."""

import uuid

import pytest
from sqlalchemy import select

from hub.audit.models import AuditEvent
from hub.linking import ruleset
from hub.linking.models import Proposal, ProposalEvent, ProposalLink
from tests.conftest import World
from tests.factories import acceptance
from tests.proposals.test_actions import _act, _cluster, _read

CURRENT = ruleset.current().as_dict()


def _events(sessions, proposal: str, action: str) -> list[ProposalEvent]:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return list(
            session.scalars(
                select(ProposalEvent).where(
                    ProposalEvent.proposal_id == uuid.UUID(proposal),
                    ProposalEvent.action == action,
                )
            )
        )


def test_a_proposal_and_its_links_record_the_rules_that_made_them(
    api, world: World, server, sessions
) -> None:
    proposal, _ = _cluster(api, world, server, ("KMAR", "SZW", "IND"))
    with sessions() as session:
        stored = session.scalars(select(Proposal).where(Proposal.id == uuid.UUID(proposal))).one()
        assert (stored.ruleset_version, stored.ruleset_hash) == (
            CURRENT["version"],
            CURRENT["hash"],
        )
        links = session.scalars(
            select(ProposalLink).where(ProposalLink.proposal_id == uuid.UUID(proposal))
        ).all()
        assert len(links) == 3
        assert {(link.ruleset_version, link.ruleset_hash) for link in links} == {
            (CURRENT["version"], CURRENT["hash"])
        }
    [created] = _events(sessions, proposal, "created")
    assert created.detail is not None and created.detail["ruleset"] == CURRENT
    detail = _read(api, world.headers["EMM"], proposal).json()
    assert detail["ruleset"] == CURRENT


def test_relinking_under_new_rules_records_them(
    api, world: World, server, sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A proposal names the rules that made what it holds now: new rules, a new record, even
    where the members and links come out the same."""
    proposal, ids = _cluster(api, world, server, ("KMAR", "SZW"))
    before = _read(api, world.headers["EMM"], proposal).headers["ETag"]
    newer = ruleset.RulesetId("99.0.0", "f" * 64)
    monkeypatch.setattr(ruleset, "current", lambda: newer)
    with sessions() as session, session.begin():
        server.app.state.link_worker.linker(session, [uuid.UUID(i) for i in ids])
    monkeypatch.undo()
    with sessions() as session:
        stored = session.scalars(select(Proposal).where(Proposal.id == uuid.UUID(proposal))).one()
        assert (stored.ruleset_version, stored.ruleset_hash) == ("99.0.0", "f" * 64)
        links = session.scalars(
            select(ProposalLink).where(ProposalLink.proposal_id == uuid.UUID(proposal))
        ).all()
        assert links and all(link.ruleset_version == "99.0.0" for link in links)
    [changed] = _events(sessions, proposal, "changed")
    assert changed.detail == {"joined": 0, "left": 0, "ruleset": newer.as_dict()}
    # The change is a new version of the proposal: an analyst's old ETag is stale.
    after = _read(api, world.headers["EMM"], proposal)
    assert after.headers["ETag"] != before
    assert after.json()["ruleset"] == newer.as_dict()
    # Linking again under the same rules changes nothing.
    with sessions() as session, session.begin():
        server.app.state.link_worker.linker(session, [uuid.UUID(i) for i in ids])
    assert len(_events(sessions, proposal, "changed")) == 2  # back to the current rules
    with sessions() as session, session.begin():
        server.app.state.link_worker.linker(session, [uuid.UUID(i) for i in ids])
    assert len(_events(sessions, proposal, "changed")) == 2


def test_a_decision_records_the_rules_of_what_was_decided_on(
    api, world: World, server, sessions
) -> None:
    emm = world.headers["EMM"]
    proposal, _ = _cluster(api, world, server, ("KMAR", "SZW"))
    etag = _read(api, emm, proposal).headers["ETag"]
    decision = acceptance("Entry and work: one exploiter.")
    accepted = _act(api, emm, proposal, "decisions", decision, etag)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["ruleset"] == CURRENT
    [event] = _events(sessions, proposal, "accepted")
    assert event.detail is not None and event.detail["ruleset"] == CURRENT
    with sessions() as session:
        [audited] = session.scalars(
            select(AuditEvent).where(
                AuditEvent.object_id == proposal, AuditEvent.action == "proposal.accepted"
            )
        ).all()
        assert audited.detail is not None and audited.detail["ruleset"] == CURRENT

    history = api.get(f"/api/v1/proposals/{proposal}/history", headers=emm).json()["items"]
    by_action = {e["action"]: e for e in history}
    assert by_action["created"]["detail"]["ruleset"] == CURRENT
    assert by_action["accepted"]["detail"]["ruleset"] == CURRENT

    case = api.get(f"/api/v1/proposals/{proposal}/export", headers=emm).json()
    assert case["proposal"]["ruleset"] == CURRENT
    assert {e["action"]: e["detail"].get("ruleset") for e in case["history"]}["accepted"] == (
        CURRENT
    )
    html = api.get(
        f"/api/v1/proposals/{proposal}/export",
        headers=emm | {"Accept": "text/html", "Accept-Language": "en"},
    ).text
    assert f"version {CURRENT['version']}, sha256" in html and CURRENT["hash"] in html


def test_merges_and_splits_record_the_rules(api, world: World, server, sessions) -> None:
    emm = world.headers["EMM"]
    first, _ = _cluster(api, world, server, ("KMAR", "SZW"))
    second, _ = _cluster(api, world, server, ("IND", "POLITIE"))
    etag = _read(api, emm, first).headers["ETag"]
    merged = _act(api, emm, first, "merges", {"other": second, "reason": "Same employer."}, etag)
    assert merged.status_code == 200, merged.text
    [event] = _events(sessions, first, "merged")
    assert event.detail is not None
    assert event.detail["ruleset"] == CURRENT and event.detail["other_ruleset"] == CURRENT

    third, ids = _cluster(api, world, server, ("KMAR", "SZW", "IND", "POLITIE"))
    etag = _read(api, emm, third).headers["ETag"]
    split = _act(api, emm, third, "splits", {"members": ids[2:], "reason": "Two homes."}, etag)
    assert split.status_code == 200, split.text
    [event] = _events(sessions, third, "split")
    assert event.detail is not None and event.detail["ruleset"] == CURRENT
    part = _read(api, emm, split.json()["part"]).json()
    assert part["ruleset"] == CURRENT
    with sessions() as session:
        audited = session.scalars(
            select(AuditEvent).where(
                AuditEvent.object_id.in_([first, third]),
                AuditEvent.action.in_(["proposal.merged", "proposal.split"]),
            )
        ).all()
        assert len(audited) == 2
        assert all(a.detail is not None and a.detail["ruleset"] == CURRENT for a in audited)
