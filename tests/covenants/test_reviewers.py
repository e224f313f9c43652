"""Who decides on a case proposal: `policy.reviewing_rule` on the shipped covenants, and against a
longhand oracle for random covenants whose rules sometimes name reviewers.

Pure: no database, no app.
"""

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from hypothesis import event, given, settings
from hypothesis import strategies as st

from hub.covenants.loader import load_covenants
from hub.covenants.model import Agency, Covenant, Party
from hub.covenants.policy import SignalFacts, reviewing_rule
from hub.covenants.service import to_document
from tests.covenants.test_policy import (
    AGENCIES,
    DAY0,
    _granting_today,
    _party_covers,
    agencies,
    signals,
    worlds,
)

COVENANTS = load_covenants(Path(__file__).resolve().parents[2] / "covenants")
TODAY = date(2026, 6, 1)
DEMO = {a.code: a for a in AGENCIES}
AMSTERDAM, ROTTERDAM = "amsterdam-amstelland", "rotterdam"


def member(source: str, region: str | None = AMSTERDAM) -> SignalFacts:
    return SignalFacts(source=DEMO[source], barriers=frozenset({"entry"}), region=region)


def rule_of(viewer: str, *members: SignalFacts, covenants: tuple[Covenant, ...] = COVENANTS):
    found = reviewing_rule(DEMO[viewer], members, covenants, TODAY)
    return None if found is None else (found.covenant_id, found.covenant_version, found.rule_id)


# --- the demo's choice -------------------------------------------------------------------------


def test_the_emm_reviews_nationally_what_its_rule_shows_it() -> None:
    for region in (AMSTERDAM, ROTTERDAM, None):
        found = rule_of("EMM", member("SZW", region), member("KMAR", ROTTERDAM))
        assert found == ("emm-case-proposals", 1, "enforcement-to-emm")
    # Municipalities' signals reach the RIECs, not the EMM: two of them make the EMM no reviewer.
    assert rule_of("EMM", member("GM0363"), member("GM0363"), member("KMAR")) is None


def test_a_riec_reviews_proposals_with_two_members_in_its_region() -> None:
    both = (member("KMAR"), member("GM0363"))
    assert rule_of("RIEC-AA", *both) == ("riec-liec", 1, "riec-region-pseudonymised")
    assert rule_of("RIEC-RR", *both) is None
    # One member in each region: neither RIEC decides for the other's region.
    split = (member("KMAR", AMSTERDAM), member("SZW", ROTTERDAM), member("IND", None))
    assert rule_of("RIEC-AA", *split) is None and rule_of("RIEC-RR", *split) is None


def test_providers_municipalities_and_the_liec_never_review() -> None:
    # Finding 4: SZW saw two of five members (its own) and decided for everyone.
    five = [member(s) for s in ("SZW", "SZW", "KMAR", "IND", "POLITIE")]
    for viewer in ("SZW", "KMAR", "IND", "POLITIE", "GM0363", "GM0599", "LIEC"):
        assert rule_of(viewer, *five) is None, viewer


def test_no_reviewer_once_the_covenant_is_withdrawn() -> None:
    withdrawn = tuple(replace(c, withdrawn_on=TODAY) for c in COVENANTS)
    assert rule_of("EMM", member("SZW"), member("KMAR"), covenants=withdrawn) is None
    assert rule_of("RIEC-AA", member("SZW"), member("KMAR"), covenants=withdrawn) is None


def test_a_covenant_naming_no_reviewers_is_stored_as_before() -> None:
    # The stored document's digest guards a version against edits: rules that name no
    # reviewers must not change it, or a hub that loaded them before would refuse to start.
    by_id = {c.id: c for c in COVENANTS}
    assert all("reviews" not in r for r in to_document(by_id["enforcement-hit-lookup"])["rules"])
    riec = {r["id"]: r for r in to_document(by_id["riec-liec"])["rules"]}
    assert riec["riec-region-pseudonymised"]["reviews"] is True
    assert "reviews" not in riec["riec-accepted-full"]


# --- against the oracle ------------------------------------------------------------------------


def oracle(viewer: Agency, members: list[SignalFacts], world: list[Covenant], today: date) -> set:
    """Every (covenant, version, rule) that makes the viewer a reviewer, written out longhand."""
    found = set()
    for cid in {c.id for c in world}:
        live = [c for c in world if c.id == cid and _granting_today(c, today)]
        if not live:
            continue
        c = max(live, key=lambda c: c.version)
        if "case-proposal" not in c.purposes:
            continue
        if not any(_party_covers(p, viewer) for p in c.parties):
            continue
        for r in c.rules:
            if not r.reviews or r.aggregates_only or "case-proposal" not in r.purposes:
                continue
            if not any(_party_covers(p, viewer) for p in r.viewers):
                continue
            covered = 0
            for m in members:
                if not any(_party_covers(p, m.source) for p in c.parties):
                    continue
                if not any(_party_covers(p, m.source) for p in r.sources):
                    continue
                if r.barriers is not None and any(b not in r.barriers for b in m.barriers):
                    continue
                if r.scope == "own-region" and (viewer.region is None or viewer.region != m.region):
                    continue
                if r.scope == "accepted-cases" and viewer.code not in m.accepted_by:
                    continue
                covered += 1
            if covered >= 2:
                found.add((c.id, c.version, r.id))
    return found


def reviewing(data: st.DataObject, covenant: Covenant, viewer: Agency) -> Covenant:
    """The covenant with rules that name reviewers now and then: mostly for case-proposal, as
    the loader demands (the policy must hold when one does not), often the viewer's agency."""
    rules, parties = [], covenant.parties
    for rule in covenant.rules:
        reviews = data.draw(st.integers(0, 3)) > 0
        if reviews and data.draw(st.integers(0, 4)) > 0:
            rule = replace(rule, purposes=rule.purposes | {"case-proposal"})
        if reviews and data.draw(st.booleans()):
            rule = replace(rule, viewers=(*rule.viewers, Party(code=viewer.code)))
            parties = (*parties, Party(code=viewer.code))
        rules.append(replace(rule, reviews=reviews))
    purposes = frozenset().union(*(r.purposes for r in rules)) | covenant.purposes
    return replace(covenant, purposes=purposes, parties=parties, rules=tuple(rules))


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_reviewing_rule_agrees_with_the_oracle(data: st.DataObject) -> None:
    viewer = data.draw(agencies)
    # Members from one or two agencies, so that one rule often covers two of them.
    pool = data.draw(st.lists(agencies, min_size=1, max_size=2))
    sources = data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=5))
    world = data.draw(worlds((viewer, *sources)))
    world = [reviewing(data, c, viewer) for c in world]
    members = [data.draw(signals(world, s)) for s in sources]
    # Mostly a day when every covenant has started (they start within 60 days of DAY0).
    today = DAY0 + timedelta(days=data.draw(st.one_of(st.integers(60, 90), st.integers(0, 150))))

    found = reviewing_rule(viewer, members, world, today)
    allowed = oracle(viewer, members, world, today)
    event("reviewer" if allowed else "not a reviewer")
    if found is None:
        assert allowed == set()
    else:
        assert (found.covenant_id, found.covenant_version, found.rule_id) in allowed
