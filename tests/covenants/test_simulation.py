"""The covenant simulator: exact changes in what an agency sees under a draft, counts only."""

import json
import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from hub.audit.models import AuditEvent
from hub.auth.management import CLI_CALLER
from hub.covenants import simulation
from hub.covenants.loader import load_covenants, load_documents
from hub.covenants.model import Covenant, Level
from hub.linking.models import Proposal, ProposalMember
from hub.paths import document_dir
from tests.factories import Partner, PartnerFactory, signal_body

SHIPPED = document_dir("covenants")
POSTED = 3  # signals the source posts
HIDDEN = "Simulated narrative"


def covenant_text(source: str, viewer: str, *, extra_rule: bool) -> str:
    """A covenant between two test agencies: a hit-lookup rule, and (extra_rule) one more that
    shows the source's signals to the viewer at summary for case proposals."""
    rules = f"""\
  - id: lookup-hit
    from: [{source}]
    to: [{viewer}]
    purposes: [hit-lookup]
    level: hit
    categories: [indicators]
    barriers: all
"""
    if extra_rule:
        rules += f"""\
  - id: proposals-summary
    from: [{source}]
    to: [{viewer}]
    purposes: [case-proposal]
    level: summary
    categories: [indicators, location]
    barriers: all
"""
    return f"""\
id: sim-{source.lower()}
version: 1
title: Simulator test covenant
legal_basis: ["AVG art. 6(1)(e)"]
parties: [{source}, {viewer}]
purposes: [case-proposal, hit-lookup]
valid_from: 2025-01-01
retention_days: 365
onward_sharing: false
rules:
{rules}"""


@dataclass
class Pair:
    source: Partner
    viewer: Partner
    signals: list[str]
    proposal: str

    def covenants(self, *, extra_rule: bool) -> tuple[Covenant, ...]:
        text = covenant_text(self.source.code, self.viewer.code, extra_rule=extra_rule)
        return load_covenants(SHIPPED) + load_documents({"sim.yaml": text})


@pytest.fixture
def pair(api, partners: PartnerFactory, sessions) -> Pair:
    """A source that posted POSTED signals (one proposal holds them all), and a viewer."""
    source, viewer = partners.new(kind="other"), partners.new(kind="other")
    ids = []
    for _ in range(POSTED):
        # A person of its own per signal, so the linker joins them to nothing else.
        person = {"type": "person", "name": f"P {uuid.uuid4().hex}", "birth_date": "1990-01-01"}
        body = signal_body(subjects=[person], summary=f"{HIDDEN} {uuid.uuid4().hex}")
        response = api.post("/api/v1/signals", json=body, headers=source.headers)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    proposal = uuid.uuid4()
    with sessions() as session, session.begin():
        session.add(
            Proposal(id=proposal, score=1.0, score_parts={}, barriers=[], agencies=[], size=POSTED)
        )
        session.flush()
        for signal_id in ids:
            session.add(ProposalMember(proposal_id=proposal, signal_id=uuid.UUID(signal_id)))
    return Pair(source, viewer, ids, str(proposal))


def run(sessions, current, draft) -> simulation.Simulation:  # type: ignore[no-untyped-def]
    with sessions() as session:
        try:
            return simulation.run(session, CLI_CALLER, current=current, draft=draft)
        finally:
            session.rollback()


def row(result: simulation.Simulation, agency: str, purpose: str) -> simulation.Row:
    [found] = [r for r in result.rows if r.agency == agency and r.purpose == purpose]
    return found


def test_a_draft_that_adds_a_rule_raises_exactly_what_it_shows(sessions, pair: Pair) -> None:
    result = run(sessions, pair.covenants(extra_rule=False), pair.covenants(extra_rule=True))

    seen = row(result, pair.viewer.code, "case-proposal")
    assert seen.signals.now[Level.SUMMARY] == 0
    assert seen.signals.draft[Level.SUMMARY] == POSTED
    assert seen.signals.change == [-POSTED, 0, POSTED, 0, 0]
    assert (seen.signals.raised, seen.signals.lowered) == (POSTED, 0)
    # The proposal of the three: unseen now, seen at summary under the draft.
    assert seen.proposals.change == [-1, 0, 1, 0, 0]
    assert (seen.proposals.raised, seen.proposals.lowered) == (1, 0)
    # Nothing else changes: not the lookup rule, not the source, not any other agency.
    assert row(result, pair.viewer.code, "hit-lookup").signals.now[Level.HIT] == POSTED
    assert result.changed == 1
    assert result.signals >= POSTED and result.proposals >= 1


def test_a_draft_that_removes_a_rule_lowers_exactly_what_it_showed(sessions, pair: Pair) -> None:
    result = run(sessions, pair.covenants(extra_rule=True), pair.covenants(extra_rule=False))

    seen = row(result, pair.viewer.code, "case-proposal")
    assert seen.signals.now[Level.SUMMARY] == POSTED
    assert seen.signals.change == [POSTED, 0, -POSTED, 0, 0]
    assert (seen.signals.raised, seen.signals.lowered) == (0, POSTED)
    assert seen.proposals.change == [1, 0, -1, 0, 0]
    assert result.changed == 1


def test_an_identical_draft_changes_nothing(sessions, pair: Pair) -> None:
    covenants = pair.covenants(extra_rule=True)
    result = run(sessions, covenants, covenants)

    assert result.changed == 0
    assert all(r.signals.change == [0] * 5 and r.proposals.change == [0] * 5 for r in result.rows)
    # Own signals are not counted: the source sees none of its own at any level.
    own = row(result, pair.source.code, "case-proposal").signals
    assert sum(own.now) == result.signals - POSTED


def _documents(extra: str | None = None) -> list[dict[str, str]]:
    documents = [
        {"name": path.name, "text": path.read_text(encoding="utf-8")}
        for path in sorted(SHIPPED.glob("*.yaml"))
    ]
    return documents + ([{"name": "sim.yaml", "text": extra}] if extra else [])


def test_the_api_simulates_for_administrators_with_counts_only(
    api, partners: PartnerFactory, sessions, pair: Pair
) -> None:
    admin = partners.new(kind="other", scopes="admin")
    draft = covenant_text(pair.source.code, pair.viewer.code, extra_rule=True)
    response = api.post(
        "/api/v1/covenants/simulations",
        json={"documents": _documents(draft)},
        headers=admin.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    # The app's covenants are the shipped ones: the draft adds the test covenant, and with it
    # the lookup rule (hit for the viewer) and the summary rule (for case proposals).
    [seen] = [
        r
        for r in body["rows"]
        if r["agency"] == pair.viewer.code and r["purpose"] == "case-proposal"
    ]
    assert seen["signals"]["change"] == {
        "none": -POSTED,
        "hit": 0,
        "summary": POSTED,
        "pseudonymised": 0,
        "full": 0,
    }
    assert seen["proposals"]["change"]["summary"] == 1
    assert body["changed"] == 2  # the viewer, for case proposals and for lookups
    assert "sim-" + pair.source.code.lower() + " v1" in body["draft"]
    # Counts only: no signal or proposal id, no narrative, no subject anywhere in the answer.
    text = json.dumps(body)
    for secret in [*pair.signals, pair.proposal, HIDDEN, "birth"]:
        assert secret not in text
    with sessions() as session:
        event = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "covenants.simulated")
            .order_by(AuditEvent.id.desc())
        ).first()
    assert event is not None and event.agency == admin.code
    assert event.detail is not None and event.detail["changed"] == 2
    assert not set(pair.signals) & set(json.dumps(event.detail).split('"'))


def test_an_identical_draft_over_the_api_changes_nothing(api, partners: PartnerFactory) -> None:
    admin = partners.new(kind="other", scopes="admin")
    response = api.post(
        "/api/v1/covenants/simulations", json={"documents": _documents()}, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["changed"] == 0
    assert response.json()["draft"] == response.json()["against"]


def test_only_administrators_may_simulate(api, partners: PartnerFactory) -> None:
    reader = partners.new(kind="riec", region="rotterdam", scopes="signals:read")
    response = api.post(
        "/api/v1/covenants/simulations", json={"documents": _documents()}, headers=reader.headers
    )
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")


def test_a_bad_draft_is_a_400_naming_the_document_line_and_field(
    api, partners: PartnerFactory
) -> None:
    admin = partners.new(kind="other", scopes="admin")
    broken = covenant_text("KMAR", "IND", extra_rule=True).replace("level: summary", "level: most")
    response = api.post(
        "/api/v1/covenants/simulations",
        json={"documents": [*_documents(), {"name": "broken.yaml", "text": broken}]},
        headers=admin.headers,
    )
    assert response.status_code == 400, response.text
    [error] = response.json()["errors"]
    assert error["pointer"] == f"/documents/{len(_documents())}/text"
    assert error["detail"].startswith("draft/broken.yaml:")
    assert "rules[1].level" in error["detail"]


def test_a_draft_with_aliases_is_refused(api, partners: PartnerFactory) -> None:
    admin = partners.new(kind="other", scopes="admin")
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"
    response = api.post(
        "/api/v1/covenants/simulations",
        json={"documents": [{"name": "bomb.yaml", "text": bomb}]},
        headers=admin.headers,
    )
    assert response.status_code == 400
    assert "aliases" in response.json()["errors"][0]["detail"]
