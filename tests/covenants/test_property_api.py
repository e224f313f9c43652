"""The policy over real HTTP against the independent oracle, for random covenants and signals.

Each example loads random covenants (fresh ids: loaded versions are frozen) into the database,
serves them, lets random demo agencies post signals (bound to the versions in force at
posting), puts them in accepted cases that opened some of them to some agencies, files
disclosure requests whose items the sources granted, refused or revoked, and then asks every
demo agency, for every purpose the signal routes serve, for each signal alone and for the list:
the API must give exactly the level the oracle in test_policy.py grants, shaped as that level
allows, and nothing at all where the level is none (the list is policy.sql's pushdown, the
single read policy.decide). Other purposes, and none, are a 400.
"""

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import httpx
import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from schwifty import IBAN as IBANNumber
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from hub.agencies.models import Agency as AgencyRow
from hub.barriers.vocabulary import Vocabulary
from hub.covenants.model import DATA_CATEGORIES, PURPOSES, Agency, Covenant, Level, Party, Rule
from hub.covenants.models import CaseOpening, DisclosureItem, DisclosureRequest
from hub.covenants.policy import SignalFacts
from hub.covenants.service import sync_covenants
from hub.covenants.sql import level_of
from hub.db import transaction
from hub.demo.synthetic import DEMO_AGENCIES
from hub.kit import clock
from hub.linking.models import Proposal, ProposalMember
from hub.signals.models import Signal
from tests.conftest import REGION_OF, SECRET_SUMMARY, LiveServer, World
from tests.covenants.test_endpoints import served_covenants
from tests.covenants.test_enforcement import SERVED, _check_shape, _refused
from tests.covenants.test_policy import (
    BARRIERS,
    _granting_today,
    _party_covers,
    any_party,
    barrier_sets,
    oracle,
    purpose_sets,
    rules,
)
from tests.factories import signal_body

TODAY = date(2026, 6, 1)
DEMO = {a["code"]: Agency(a["code"], a["kind"], a["region"]) for a in DEMO_AGENCIES}
MUNICIPALITIES = ("GM0363", "GM0599", None)
SUBJECT_TYPES = tuple(s["type"] for s in signal_body()["subjects"])


@dataclass(frozen=True)
class Posting:
    source: str
    barriers: frozenset[str]
    municipality: str | None


def _days(low: int, high: int) -> st.SearchStrategy[date]:
    return st.integers(low, high).map(lambda d: TODAY + timedelta(days=d))


def _odds(draw: st.DrawFn, yes: int, no: int) -> bool:
    """True with odds yes:no."""
    return draw(st.sampled_from([True] * yes + [False] * no))


@st.composite
def parties_near(draw: st.DrawFn, focus: tuple[Agency, ...]) -> Party:
    """As test_policy's parties_near, with the odds it means (4:1 near the focus) made real."""
    near = [Party(code=a.code) for a in focus] + [Party(kind=a.kind) for a in focus]
    near += [Party(kind=a.kind, region=a.region) for a in focus if a.region]
    return draw(st.sampled_from(near) if _odds(draw, 4, 1) else any_party)


@st.composite
def likely_rules(
    draw: st.DrawFn,
    index: int,
    sources: st.SearchStrategy[Party],
    parties: st.SearchStrategy[Party],
) -> Rule:
    """Mostly a rule that grants something to someone: from the posting agencies, at a level
    above none, for every signal or the viewer's region; now and then test_policy's rule."""
    if _odds(draw, 1, 3):
        return draw(rules(index, parties))
    return Rule(
        id=f"r{index}",
        sources=tuple(draw(st.lists(sources, min_size=1, max_size=2))),
        viewers=tuple(draw(st.lists(parties, min_size=1, max_size=3))),
        purposes=draw(purpose_sets),
        level=draw(st.sampled_from([Level.HIT, Level.SUMMARY, Level.PSEUDONYMISED, Level.FULL])),
        categories=draw(st.frozensets(st.sampled_from(DATA_CATEGORIES), min_size=1)),
        barriers=None if _odds(draw, 2, 1) else draw(barrier_sets),
        scope=draw(st.sampled_from(["all", "all", "all", "own-region", "accepted-cases"])),
    )


@st.composite
def dated_covenants(
    draw: st.DrawFn,
    cid: str,
    version: int,
    sources: st.SearchStrategy[Party],
    parties: st.SearchStrategy[Party],
) -> Covenant:
    """A covenant mostly in force on TODAY; now and then not yet, no longer, or withdrawn."""
    # Odds drawn explicitly: st.one_of does not weight repeated branches (they count once).
    start = draw(_days(-90, 0) if _odds(draw, 9, 1) else _days(1, 30))
    ends = st.integers(0, 240).map(lambda d: start + timedelta(days=d))
    end = None if _odds(draw, 4, 1) else draw(ends)
    withdrawn = None if _odds(draw, 7, 1) else draw(_days(-10, 30))
    made = tuple(draw(likely_rules(i, sources, parties)) for i in range(draw(st.integers(1, 4))))
    named = list(draw(st.lists(parties, min_size=2, max_size=6)))
    if _odds(draw, 3, 1):
        # Usually the covenant lists every party its rules name, as a real one would.
        named += [p for r in made for p in (*r.sources, *r.viewers) if p not in named]
    return Covenant(
        id=cid,
        version=version,
        title=f"Property test {cid} v{version}",
        legal_basis=("test",),
        parties=tuple(named),
        purposes=draw(purpose_sets),
        valid_from=start,
        valid_until=end,
        retention_days=365,
        onward_sharing=False,
        rules=made,
        withdrawn_on=withdrawn,
    )


@st.composite
def covenant_worlds(draw: st.DrawFn, prefix: str, sources: tuple[Agency, ...]) -> list[Covenant]:
    """One to three covenants of one or two versions; rules mostly from the posting agencies,
    to parties near any of the ten (every demo agency is asked)."""
    near_sources, near_anyone = parties_near(sources), parties_near(tuple(DEMO.values()))
    made = []
    for name in ("a", "b", "c")[: draw(st.integers(1, 3))]:
        for version in range(1, draw(st.integers(1, 2)) + 1):
            made.append(
                draw(dated_covenants(f"{prefix}-{name}", version, near_sources, near_anyone))
            )
    return made


postings = st.builds(
    Posting,
    source=st.sampled_from(sorted(DEMO)),
    barriers=st.frozensets(st.sampled_from(BARRIERS), min_size=1),
    municipality=st.sampled_from(MUNICIPALITIES),
)


def bound_at_posting(source: Agency, world: list[Covenant], today: date) -> dict[str, int]:
    """Longhand: per covenant id, the newest version in force, if the source is a party to it."""
    bound = {}
    for cid in {c.id for c in world}:
        live = [c for c in world if c.id == cid and _granting_today(c, today)]
        if not live:
            continue
        newest = max(live, key=lambda c: c.version)
        if any(_party_covers(p, source) for p in newest.parties):
            bound[cid] = newest.version
    return bound


def _fresh_subjects() -> tuple[list[dict], list[str]]:
    """One subject of each type signal_body has, with values no other signal uses (so other
    tests' look-ups never hit them), and the tell-tale strings that must not show below full."""
    digits = str(uuid.uuid4().int)
    surname = f"Prop{uuid.uuid4().hex[:8]}"
    account = str(10**8 + int(digits[:8]))
    number = IBANNumber.generate("NL", bank_code="ABNA", account_code=account).compact
    kvk, phone = digits[8:16], f"61{digits[16:23]}"
    subjects = [
        {"type": "person", "name": f"Ion {surname}", "birth_date": "1994-03-02", "role": "victim"},
        {"type": "address", "postcode": f"{1000 + int(digits[23:26])} AB", "house_number": 12},
        {"type": "company", "name": f"Flex {surname} B.V.", "kvk_number": kvk},
        {"type": "iban", "number": number},
        {"type": "phone", "number": f"0{phone}"},
    ]
    return subjects, [surname, number, kvk, phone]


def _post(
    api: httpx.Client, world: World, posting: Posting, vocabulary: Vocabulary
) -> tuple[str, list[str]]:
    barriers = sorted(posting.barriers)
    subjects, secrets = _fresh_subjects()
    body = signal_body(
        barriers=barriers,
        indicators=[vocabulary.indicators_of(b)[0].code for b in barriers],
        summary=f"{SECRET_SUMMARY} {uuid.uuid4().hex}",
        subjects=subjects,
    )
    if posting.municipality is None:
        del body["municipality"]
    else:
        body["municipality"] = posting.municipality
    response = api.post("/api/v1/signals", json=body, headers=world.headers[posting.source])
    assert response.status_code == 201, response.text
    return response.json()["id"], secrets


def _listed(api: httpx.Client, headers: dict[str, str], purpose: str | None) -> Iterator[dict]:
    query = f"purpose={purpose}&" if purpose else ""
    url = f"/api/v1/signals?{query}limit=200"
    while url:
        response = api.get(url, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        yield from page["items"]
        cursor = page["next_cursor"]
        url = f"/api/v1/signals?{query}limit=200&cursor={cursor}" if cursor else ""


def _check_granted(
    body: dict, level: Level, posting: Posting, covenants: list[Covenant], *, own: bool
) -> None:
    """_check_shape, plus what the granting rule's data categories open at that level.

    The disclosure must name a rule of a served covenant version that gives exactly `level`."""
    disclosure = body["disclosure"]
    if own:
        assert disclosure["rule_id"] == "own-signal"
        categories = frozenset(DATA_CATEGORIES)
    elif disclosure["rule_id"].startswith("disclosure-request:"):
        # The source's consent, carried by a served covenant version that serves investigation.
        key = (disclosure["covenant_id"], disclosure["covenant_version"])
        [covenant] = [c for c in covenants if (c.id, c.version) == key]
        assert level == Level.FULL and "investigation" in covenant.purposes
        categories = frozenset(DATA_CATEGORIES)
    else:
        key = (disclosure["covenant_id"], disclosure["covenant_version"])
        [covenant] = [c for c in covenants if (c.id, c.version) == key]
        [rule] = [r for r in covenant.rules if r.id == disclosure["rule_id"]]
        assert rule.level == level and not rule.aggregates_only
        categories = rule.categories
    assert set(body["barriers"]) == posting.barriers
    types = sorted(s["type"] for s in body["subjects"])
    if level >= Level.PSEUDONYMISED:
        assert types == sorted(t for t in SUBJECT_TYPES if t in categories)
    if level >= Level.SUMMARY:
        assert bool(body["indicators"]) == ("indicators" in categories)
        assert body["municipality"] == (posting.municipality if "location" in categories else None)
        assert (body["reliability"] is not None) == ("grading" in categories)
    if level == Level.FULL:
        assert (body["summary"] is not None) == ("summary-text" in categories)
    if level == Level.PSEUDONYMISED and not types:
        # No posted identifier type granted: exactly what summary shows, under another label.
        _check_shape({**body, "disclosure": {**disclosure, "level": "summary"}}, Level.SUMMARY)
    else:
        _check_shape(body, level)


class Harness:
    """The fixtures an example needs, under one short name in hypothesis's failure report."""

    def __init__(  # type: ignore[no-untyped-def]
        self, server, api, sessions, world, vocabulary
    ) -> None:
        self.server: LiveServer = server
        self.api: httpx.Client = api
        self.sessions: sessionmaker[Session] = sessions
        self.world: World = world
        self.vocabulary: Vocabulary = vocabulary

    def __repr__(self) -> str:
        return "<harness: the live server, its client and the demo agencies>"


@pytest.fixture
def harness(server, api, sessions, world, vocabulary, monkeypatch) -> Harness:  # type: ignore[no-untyped-def]
    # The server thread reads the same module attribute: every decision and binding uses TODAY.
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return Harness(server, api, sessions, world, vocabulary)


def _check_secrets(text: str, level: Level, secrets: list[str]) -> None:
    """The posted identifiers never show below full (_check_shape looks for signal_body's)."""
    if level < Level.FULL:
        assert not [secret for secret in secrets if secret in text], level


# No shrinking: every example is a few hundred HTTP calls, and a drawn one is already small
# (at most four signals and three covenants of two versions) and printed in full on failure.
@settings(
    max_examples=15,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_the_api_serves_exactly_what_the_oracle_grants(
    data: st.DataObject, harness: Harness
) -> None:
    posted = data.draw(st.lists(postings, min_size=1, max_size=4), label="signals")
    sources = tuple(DEMO[code] for code in sorted({p.source for p in posted}))
    # Fresh ids every example (replays included): a loaded covenant version is frozen.
    prefix = f"prop-{uuid.uuid4().hex[:8]}"
    covenants = data.draw(covenant_worlds(prefix, sources), label="covenants")
    with transaction(harness.sessions) as session:
        sync_covenants(session, tuple(covenants))
    with served_covenants(harness.server, covenants):
        foreign = _check_example(harness, posted, covenants, data)
    for level in sorted(foreign):
        event(f"foreign level {level} ({Level(level).label})")
    event("a foreign grant above none" if foreign - {0} else "no foreign grant above none")


def _check_example(
    harness: Harness, posted: list[Posting], covenants: list[Covenant], data: st.DataObject
) -> set[int]:
    """Post the signals, put them in accepted cases that opened some of them to some agencies
    and file disclosure requests some sources granted, then hold every read of every demo
    agency to the oracle; return the oracle levels seen for other agencies' signals."""
    api, world = harness.api, harness.world
    facts: dict[str, tuple[Posting, SignalFacts]] = {}
    secrets: dict[str, list[str]] = {}
    for posting in posted:
        source = DEMO[posting.source]
        signal_id, secrets[signal_id] = _post(api, world, posting, harness.vocabulary)
        facts[signal_id] = (
            posting,
            SignalFacts(
                source=source,
                barriers=posting.barriers,
                region=REGION_OF.get(posting.municipality or ""),
                bound=bound_at_posting(source, covenants, TODAY),
            ),
        )
    cases = _open_and_grant(harness, list(facts), covenants, data)
    try:
        facts = {
            signal_id: (
                posting,
                SignalFacts(
                    **{
                        **signal.__dict__,
                        "accepted_by": cases.opened.get(signal_id, frozenset()),
                        "granted_to": cases.granted.get(signal_id, frozenset()),
                    }
                ),
            )
            for signal_id, (posting, signal) in facts.items()
        }
        return _check_reads(harness, facts, secrets, covenants, cases.agencies)
    finally:
        cases.remove(harness.sessions)


@dataclass
class Cases:
    """What _open_and_grant stored: per signal, the agencies a case opened it to and the live
    grants (agency, request id); the proposals, to remove after the example."""

    opened: dict[str, frozenset[str]]
    granted: dict[str, frozenset[tuple[str, str]]]
    proposals: list[uuid.UUID]
    agencies: list[str]

    def remove(self, sessions: sessionmaker[Session]) -> None:
        with transaction(sessions) as session:
            requests = select(DisclosureRequest.pk).where(
                DisclosureRequest.proposal_id.in_(self.proposals)
            )
            session.execute(delete(DisclosureItem).where(DisclosureItem.request_pk.in_(requests)))
            for model in (DisclosureRequest, CaseOpening, ProposalMember):
                session.execute(delete(model).where(model.proposal_id.in_(self.proposals)))
            session.execute(delete(Proposal).where(Proposal.id.in_(self.proposals)))


def _open_and_grant(
    harness: Harness, signal_ids: list[str], covenants: list[Covenant], data: st.DataObject
) -> Cases:
    """Random openings and disclosure items (every state), stored as the workflow stores them:
    per agency involved, one case it accepted that holds every signal of the example (so a
    member that was not opened to it is there too, as after a merge) and one request."""
    # Mostly the agencies an accepted-cases rule names as viewers, so that the openings matter.
    scoped = sorted(
        code
        for code, agency in DEMO.items()
        for c in covenants
        for r in c.rules
        if r.scope == "accepted-cases" and any(_party_covers(p, agency) for p in r.viewers)
    )
    codes = (scoped * 3 + sorted(DEMO)) if scoped else sorted(DEMO)
    if scoped:
        event("an accepted-cases rule names a demo agency")
    opened_pairs = data.draw(
        st.sets(st.tuples(st.sampled_from(signal_ids), st.sampled_from(codes)), max_size=4),
        label="opened (signal, agency)",
    )
    consents = data.draw(
        st.dictionaries(
            st.tuples(st.sampled_from(signal_ids), st.sampled_from(codes)),
            st.sampled_from(["pending", "granted", "granted", "refused", "revoked"]),
            max_size=4,
        ),
        label="disclosure items (signal, requester) -> status",
    )
    involved = sorted({a for _, a in opened_pairs} | {a for _, a in consents})
    harness.server.app.state.link_worker.drain()
    opened: dict[str, set[str]] = {}
    granted: dict[str, set[tuple[str, str]]] = {}
    proposals = []
    with transaction(harness.sessions) as session:
        sources = dict(
            session.execute(
                select(Signal.id, Signal.agency_id).where(
                    Signal.id.in_([uuid.UUID(s) for s in signal_ids])
                )
            ).all()
        )
        for agency in involved:
            proposal = Proposal(
                id=uuid.uuid4(),
                status="accepted",
                accepted_by=agency,
                score=0.0,
                score_parts={},
                barriers=[],
                agencies=[],
                size=len(signal_ids),
            )
            session.add(proposal)
            session.flush()  # no relationship orders the two inserts: the proposal goes first
            request = DisclosureRequest(
                id=uuid.uuid4(),
                proposal_id=proposal.id,
                agency=agency,
                requested_by="property-test",
                reason_key_id="test",
                reason=b"sealed elsewhere",
            )
            session.add(request)
            session.flush()
            proposals.append(proposal.id)
            for signal_id in signal_ids:
                session.add(ProposalMember(proposal_id=proposal.id, signal_id=uuid.UUID(signal_id)))
                if (signal_id, agency) in opened_pairs:
                    session.add(
                        CaseOpening(
                            proposal_id=proposal.id, signal_id=uuid.UUID(signal_id), agency=agency
                        )
                    )
                    opened.setdefault(signal_id, set()).add(agency)
                status = consents.get((signal_id, agency))
                if status is not None:
                    session.add(
                        DisclosureItem(
                            request_pk=request.pk,
                            signal_id=uuid.UUID(signal_id),
                            source_agency_id=sources[uuid.UUID(signal_id)],
                            status=status,
                        )
                    )
                    if status == "granted":
                        granted.setdefault(signal_id, set()).add((agency, str(request.id)))
    if opened:
        event("a case opened a signal")
    if granted:
        event("a source granted a signal")
    return Cases(
        {s: frozenset(a) for s, a in opened.items()},
        {s: frozenset(g) for s, g in granted.items()},
        proposals,
        involved,
    )


def _check_reads(
    harness: Harness,
    facts: dict[str, tuple[Posting, SignalFacts]],
    secrets: dict[str, list[str]],
    covenants: list[Covenant],
    cases: list[str],
) -> set[int]:
    """Every read of every demo agency, held to the oracle; `cases`: the agencies whose
    accepted case holds every signal (opened to them or not)."""
    api, world = harness.api, harness.world
    foreign: set[int] = set()
    accepted = set(cases)
    for viewer, purpose in ((v, p) for v in DEMO.values() for p in (*PURPOSES, None)):
        headers = world.headers[viewer.code]
        if purpose not in SERVED:
            # GET /signals serves case-proposal and investigation only: anything else, and no
            # purpose, is a 400 for every signal, the viewer's own included, and for the list.
            query = f"?purpose={purpose}" if purpose else ""
            for signal_id in facts:
                case = (viewer.code, purpose, signal_id)
                _refused(api.get(f"/api/v1/signals/{signal_id}{query}", headers=headers), case)
            _refused(api.get(f"/api/v1/signals{query}", headers=headers), (viewer.code, purpose))
            continue
        wanted: dict[str, Level] = {}
        for signal_id, (posting, signal) in facts.items():
            own = viewer.code == signal.source.code
            if own:
                level = Level.FULL
            else:
                level = Level(oracle(viewer, purpose, signal, covenants, TODAY))
                foreign.add(int(level))
                widened = SignalFacts(
                    **{**signal.__dict__, "accepted_by": signal.accepted_by | {viewer.code}}
                )
                if (
                    viewer.code in accepted
                    and oracle(viewer, purpose, widened, covenants, TODAY) > level
                ):
                    event("a member of an accepted case stays closed: not opened to it")
            case = (viewer.code, purpose, signal_id, posting, signal.accepted_by, signal.granted_to)
            response = api.get(f"/api/v1/signals/{signal_id}?purpose={purpose}", headers=headers)
            if level == Level.NONE:
                assert response.status_code == 404, case
                continue
            assert response.status_code == 200, (case, response.text)
            _check_granted(response.json(), level, posting, covenants, own=own)
            _check_secrets(response.text, level, secrets[signal_id])
            wanted[signal_id] = level

        listed = {item["id"]: item for item in _listed(api, headers, purpose)}
        if len(listed) < 200:
            # A page just long enough for the whole listing must hold it all and end there.
            # Rows the SQL pushdown let through but the policy withholds would leave it short
            # or continued (the list route drops them, so the listing alone cannot show it).
            fit = max(len(listed), 1)
            page = api.get(f"/api/v1/signals?purpose={purpose}&limit={fit}", headers=headers).json()
            got = ([item["id"] for item in page["items"]], page["next_cursor"])
            assert got == (list(listed), None), (viewer.code, purpose, "pushdown")
        mine = {i: item for i, item in listed.items() if i in facts}
        assert set(mine) == set(wanted), (viewer.code, purpose, sorted(mine), sorted(wanted))
        for signal_id, item in mine.items():
            posting, signal = facts[signal_id]
            own = viewer.code == signal.source.code
            _check_granted(item, wanted[signal_id], posting, covenants, own=own)
            _check_secrets(json.dumps(item), wanted[signal_id], secrets[signal_id])
    _check_levels(harness, facts, covenants)
    return foreign


def _check_levels(
    harness: Harness, facts: dict[str, tuple[Posting, SignalFacts]], covenants: list[Covenant]
) -> None:
    """The policy's SQL level expression (the covenant simulator's) gives every demo agency the
    oracle's level of each signal for each purpose: as bound, and as if shared today."""
    ids = [uuid.UUID(i) for i in facts]
    with harness.sessions() as session:
        agency_ids = {
            code: pk for code, pk in session.execute(select(AgencyRow.code, AgencyRow.id))
        }
        agencies = {agency_ids[code]: agency for code, agency in DEMO.items()}
        for viewer, purpose in ((v, p) for v in DEMO.values() for p in PURPOSES):
            stored, today = (
                level_of(
                    viewer=viewer,
                    viewer_id=agency_ids[viewer.code],
                    purpose=purpose,
                    covenants=tuple(covenants),
                    agencies=agencies,
                    today=TODAY,
                    as_shared_today=unbound,
                )
                for unbound in (False, True)
            )
            rows = session.execute(select(Signal.id, stored, today).where(Signal.id.in_(ids)))
            for signal_id, as_bound, as_today in rows:
                signal = facts[str(signal_id)][1]
                fresh = SignalFacts(**{**signal.__dict__, "bound": None})
                case = (viewer.code, purpose, str(signal_id))
                assert as_bound == oracle(viewer, purpose, signal, covenants, TODAY), case
                assert as_today == oracle(viewer, purpose, fresh, covenants, TODAY), case
