"""Who decides on a proposal, over the real API: only an agency a covenant rule names as a
reviewer of two or more of its members (in the demo: the EMM nationally, each RIEC for its
region). Others that see the proposal read it and comment on it; their actions are 403."""

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import httpx
from sqlalchemy import select

from hub.audit.models import AuditEvent
from hub.covenants.model import DATA_CATEGORIES, Covenant, Level, Party, Rule
from hub.covenants.service import sync_covenants
from hub.db import transaction
from hub.linking.models import ProposalEvent
from hub.linking.service import LIVE
from tests.conftest import World
from tests.covenants.test_endpoints import served_covenants
from tests.factories import acceptance
from tests.linking.test_proposals import _entry, _phone, _post, _proposals_of, _work
from tests.proposals.test_actions import _act, _cluster, _read
from tests.proposals.test_queue import _all

EMM_RULE = {
    "covenant_id": "emm-case-proposals",
    "covenant_version": 1,
    "rule_id": "enforcement-to-emm",
}
RIEC_RULE = {
    "covenant_id": "riec-liec",
    "covenant_version": 1,
    "rule_id": "riec-region-pseudonymised",
}


def _since() -> str:
    since = (datetime.now(UTC) - timedelta(seconds=1)).isoformat().replace("+00:00", "Z")
    time.sleep(0.01)
    return since


def _refused(response: httpx.Response) -> None:
    assert response.status_code == 403, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    detail = response.json()["detail"]
    assert "may read" in detail and "comment" in detail and "reviewer" in detail, detail


def _audited(sessions, proposal: str, action: str) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(
                    AuditEvent.object_id == proposal, AuditEvent.action == f"proposal.{action}"
                )
            )
        )


def test_finding_4_a_provider_seeing_two_members_does_not_decide_for_everyone(
    api, world: World, server, sessions
) -> None:
    emm, szw, riec = world.headers["EMM"], world.headers["SZW"], world.headers["RIEC-AA"]
    since = _since()
    # Five members in Amsterdam; SZW sees two of them: its own.
    proposal, _ = _cluster(api, world, server, ("SZW", "KMAR", "SZW", "IND", "POLITIE"))
    seen = _read(api, szw, proposal).json()
    before = _read(api, emm, proposal)
    assert seen["size"] == 2 and before.json()["size"] == 5

    rejected = _act(
        api,
        szw,
        proposal,
        "decisions",
        {"decision": "reject", "reason": "Not ours to pursue."},
        _read(api, szw, proposal).headers["ETag"],
    )
    _refused(rejected)
    # Clients are told beforehand who may act.
    assert seen["may_review"] is False and before.json()["may_review"] is True
    assert _read(api, riec, proposal).json()["may_review"] is True
    # Still in the EMM's and the region's RIEC's open queues, unchanged.
    after = _read(api, emm, proposal)
    assert after.headers["ETag"] == before.headers["ETag"]
    assert after.json()["status"] == "new"
    for headers in (emm, riec):
        queue = _all(api, headers, f"&status=open&region=all&createdFrom={since}")
        assert proposal in [p["id"] for p in queue]
    assert _audited(sessions, proposal, "rejected") == []

    # SZW may still comment; the EMM decides.
    comment = api.post(
        f"/api/v1/proposals/{proposal}/comments",
        json={"text": "We know the employer."},
        headers=szw,
    )
    assert comment.status_code == 201, comment.text
    decided = _act(
        api,
        emm,
        proposal,
        "decisions",
        {"decision": "reject", "reason": "Two households."},
        after.headers["ETag"],
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "rejected"
    [audited] = _audited(sessions, proposal, "rejected")
    assert audited.agency == "EMM" and audited.detail["reviewing_rule"] == EMM_RULE


def test_every_action_of_a_non_reviewer_is_refused_and_changes_nothing(
    api, world: World, server, sessions
) -> None:
    emm, szw = world.headers["EMM"], world.headers["SZW"]
    first, first_ids = _cluster(api, world, server, ("SZW", "KMAR", "SZW"))
    second, _ = _cluster(api, world, server, ("SZW", "POLITIE", "SZW"))
    third, _ = _cluster(api, world, server, ("SZW", "IND", "SZW"))
    # A merge by the EMM, for SZW to try to undo.
    merged = _act(
        api,
        emm,
        first,
        "merges",
        {"other": second, "reason": "Same employer."},
        _read(api, emm, first).headers["ETag"],
    )
    assert merged.status_code == 200, merged.text
    [merge_audit] = _audited(sessions, first, "merged")
    assert merge_audit.detail["reviewing_rule"] == EMM_RULE
    assert merge_audit.detail["other_reviewing_rule"] == EMM_RULE
    history = api.get(f"/api/v1/proposals/{first}/history", headers=emm).json()["items"]
    [merge_event] = [e for e in history if e["action"] == "merged"]
    etag = _read(api, szw, first).headers["ETag"]

    actions = [
        ("decisions", acceptance("Seen enough of it.")),
        ("assignments", {"assignee": "analyst.x", "reason": "Mine now."}),
        ("reviews", None),
        ("merges", {"other": third, "reason": "Same employer."}),
        ("splits", {"members": [first_ids[0]], "reason": "Another household."}),
        ("undos", {"event": merge_event["id"], "reason": "By mistake."}),
    ]
    for path, body in actions:
        _refused(_act(api, szw, first, path, body, etag))
    comment = api.post(
        f"/api/v1/proposals/{first}/comments", json={"text": "Seen at the port."}, headers=szw
    )
    assert comment.status_code == 201, comment.text

    assert _read(api, szw, first).headers["ETag"] == etag
    with sessions() as session:
        by_szw = session.scalars(
            select(ProposalEvent.action).where(
                ProposalEvent.proposal_id.in_([uuid.UUID(p) for p in (first, second, third)]),
                ProposalEvent.agency == "SZW",
            )
        ).all()
        assert by_szw == ["commented"]
    # An agency that may not see the proposal still gets 404, never 403.
    unseen = _act(api, world.headers["RIEC-RR"], first, "reviews", None, etag)
    assert unseen.status_code == 404, unseen.text


def _post_in(api: httpx.Client, world: World, members: tuple[tuple[str, str], ...]) -> list[str]:
    """Signals of (agency, municipality) sharing a fresh phone."""
    phone = {"type": "phone", "number": _phone()}
    return [
        _post(api, world.headers[a], (_entry if i % 2 == 0 else _work)(phone, municipality=m))
        for i, (a, m) in enumerate(members)
    ]


def _proposal(server, signal_id: str) -> str:  # type: ignore[no-untyped-def]
    [proposal] = [p for p in _proposals_of(server, signal_id) if p.status in LIVE]
    return str(proposal.id)


@contextmanager
def riecs_read_nationally(server, sessions) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """The demo covenants plus one that shows every RIEC every provider's signals (summary, no
    reviewing), so a RIEC sees proposals with fewer than two members in its region."""
    providers = tuple(Party(code=c) for c in ("KMAR", "IND", "SZW", "POLITIE"))
    extra = Covenant(
        id=f"riec-national-{uuid.uuid4().hex[:8]}",
        version=1,
        title="RIECs read nationally (test)",
        legal_basis=("test",),
        parties=(Party(kind="riec"), *providers),
        purposes=frozenset({"case-proposal"}),
        valid_from=date(2025, 1, 1),
        valid_until=None,
        retention_days=730,
        onward_sharing=False,
        rules=(
            Rule(
                id="riec-national-summary",
                sources=providers,
                viewers=(Party(kind="riec"),),
                purposes=frozenset({"case-proposal"}),
                level=Level.SUMMARY,
                categories=frozenset(DATA_CATEGORIES),
            ),
        ),
    )
    with transaction(sessions) as session:
        sync_covenants(session, (extra,))
    with served_covenants(server, (*server.app.state.covenants, extra)):
        yield


def test_a_riec_decides_only_with_two_members_in_its_region(
    api, world: World, server, sessions
) -> None:
    aa, rr = world.headers["RIEC-AA"], world.headers["RIEC-RR"]
    with riecs_read_nationally(server, sessions):
        amsterdam = _post_in(api, world, (("KMAR", "GM0363"), ("SZW", "GM0363"), ("IND", "GM0599")))
        rotterdam = _post_in(api, world, (("POLITIE", "GM0599"), ("KMAR", "GM0599")))
        mostly_aa, only_rr = _proposal(server, amsterdam[0]), _proposal(server, rotterdam[0])
        # RIEC-RR sees all three members of the Amsterdam proposal, one in its region.
        seen = _read(api, rr, mostly_aa)
        assert seen.json()["size"] == 3 and seen.json()["may_review"] is False
        decision = acceptance("Case meeting agreed.")
        _refused(_act(api, rr, mostly_aa, "decisions", decision, seen.headers["ETag"]))
        # A merge changes both proposals: the caller must review both.
        merge = {"other": only_rr, "reason": "Same phone."}
        etag = _read(api, aa, mostly_aa).headers["ETag"]
        _refused(_act(api, aa, mostly_aa, "merges", merge, etag))
        back = {"other": mostly_aa, "reason": "Same phone."}
        _refused(_act(api, rr, only_rr, "merges", back, _read(api, rr, only_rr).headers["ETag"]))

        accepted = _act(api, aa, mostly_aa, "decisions", decision, etag)
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["case_number"].startswith("RIEC-AA-")
        [audited] = _audited(sessions, mostly_aa, "accepted")
        assert audited.detail["reviewing_rule"] == RIEC_RULE
        assert _read(api, rr, only_rr).json()["may_review"] is True
