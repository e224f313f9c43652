"""Case proposals and the analysts' actions over real HTTP against the covenant oracle.

Each example loads random covenants into the hub and serves them (as test_property_api does),
lets two to four random demo agencies post signals that share one fresh identifier (so the
linker makes one proposal of them), and then holds every demo agency, for every purpose and for
none, to the oracle of test_policy.py:

- the proposal exists for a viewer (detail; and queue, read for case-proposal and one drawn
  purpose or none per agency) exactly when the oracle grants it two members at `hit` or more;
  each member shown has exactly the oracle's level and shape, and a member it denies appears
  nowhere (nor its agency, barriers or score share);
- the explanation carries a pseudonym only where both members are at `pseudonymised` or more
  and both grants name that identifier's data category; the graph has identifier nodes only
  for members at `pseudonymised` or more;
- no tell-tale string (summary text, identifier values) of a member below full, or of a data
  category its grant does not name, shows in the detail, the queue, the history or the case
  file (JSON and HTML);
- an agency for which the proposal does not exist (up to three per example: one that may see
  one member, one that may see it for another purpose, one that may see nothing) gets the
  same 404 as for a proposal that does not exist, on every action, the history and the case
  file, and the proposal, its events and the audit trail stay as they were.

The history, the case file and the actions always declare `case-proposal`.
"""

import base64
import json
import random
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from hypothesis import HealthCheck, Phase, event, example, given, settings
from hypothesis import strategies as st
from schwifty import IBAN
from sqlalchemy import select

from hub.agencies.regions import name_of
from hub.audit.models import AuditEvent
from hub.covenants.model import DATA_CATEGORIES, PURPOSES, Covenant, Level, Party, Rule, Scope
from hub.covenants.policy import SignalFacts
from hub.covenants.service import sync_covenants
from hub.db import transaction
from hub.linking.models import Proposal, ProposalEvent, ProposalMember
from hub.linking.service import LIVE
from hub.proposals.naming import main_place
from hub.proposals.service import PURPOSE as ACTION_PURPOSE
from tests.conftest import REGION_OF, SECRET_SUMMARY
from tests.covenants.test_endpoints import served_covenants
from tests.covenants.test_policy import BARRIERS, oracle
from tests.covenants.test_property_api import (  # noqa: F401 (harness is a fixture)
    DEMO,
    MUNICIPALITIES,
    TODAY,
    Harness,
    Posting,
    _check_granted,
    bound_at_posting,
    covenant_worlds,
    harness,
)
from tests.factories import acceptance, signal_body

# The subject types whose one value every posting of an example shares. An address is not
# among them: from three carriers on it no longer links alone (by design).
SHARED_TYPES = ("phone", "iban", "company", "person")
# The data category (subject type) each match-key type of the explanation comes from, written
# out here rather than read from the hub. A type not listed (a merge, say) never opens one.
KEY_CATEGORY = {
    "person": "person",
    "person-similar": "person",
    "bsn": "person",
    "address": "address",
    "kvk": "company",
    "company-name": "company",
    "iban": "iban",
    "phone": "phone",
    "email": "email",
    "vehicle": "vehicle",
    "document": "document",
    "document-similar": "document",
    "website": "website",
}
ALL_CATEGORIES = frozenset(DATA_CATEGORIES)
# The RIEC regions of the municipalities the postings are drawn from.
REGIONS = frozenset(REGION_OF[m] for m in MUNICIPALITIES if m is not None)
READ_PURPOSES = ("case-proposal", "investigation")
OTHER_PURPOSES = [p for p in [*PURPOSES, None] if p != ACTION_PURPOSE]
# Values must be fresh in every example, replays included: hypothesis seeds `random` itself.
_FRESH = random.SystemRandom()
# A proposal id nobody has: what "does not exist" looks like; its refusals, per action.
GHOST = str(uuid.uuid4())
_GHOSTS: dict[object, object] = {}
# The queue is walked over every proposal made since the module was loaded, so proposals of
# earlier examples (seen in part by many viewers) are ordered among this example's.
_STARTED = datetime.now(UTC) - timedelta(seconds=1)


@dataclass(frozen=True)
class Case:
    """One example: the postings, the subject type they share, and the covenants (whose ids
    the test makes fresh: a loaded covenant version is frozen)."""

    postings: tuple[Posting, ...]
    shared: str
    covenants: tuple[Covenant, ...]
    # Per demo agency (in code order), the purpose, besides case-proposal, whose queue it
    # reads (reading every queue of every agency would double an example's time); empty:
    # every purpose and none.
    queued: tuple[str | None, ...] = ()
    # Which outsiders act, where several would do (see _outsiders).
    order: int = 0


@dataclass(frozen=True)
class Member:
    id: str
    posting: Posting
    facts: SignalFacts
    # Each tell-tale string of the signal, with the data categories that show it at full.
    secrets: dict[str, frozenset[str]]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """Two to four postings by one to three agencies (so one rule often grants a viewer two
    of them), spanning two agencies or two barriers, as a proposal must."""
    pool = draw(st.lists(st.sampled_from(sorted(DEMO)), min_size=1, max_size=3, unique=True))
    posting = st.builds(
        Posting,
        source=st.sampled_from(pool),
        barriers=st.frozensets(st.sampled_from(BARRIERS), min_size=1),
        municipality=st.sampled_from(MUNICIPALITIES),
    )
    posted = draw(st.lists(posting, min_size=2, max_size=4))
    barriers = frozenset().union(*(p.barriers for p in posted))
    if len({p.source for p in posted}) == 1 and len(barriers) == 1:
        more = draw(st.sampled_from([b for b in BARRIERS if b not in barriers]))
        posted[-1] = replace(posted[-1], barriers=barriers | {more})
    sources = tuple(DEMO[code] for code in sorted({p.source for p in posted}))
    return Case(
        postings=tuple(posted),
        shared=draw(st.sampled_from(SHARED_TYPES)),
        covenants=tuple(draw(covenant_worlds("w", sources))),
        queued=tuple(draw(st.sampled_from(OTHER_PURPOSES)) for _ in DEMO),
        order=draw(st.integers(0, 2**16)),
    )


# --- fresh subjects --------------------------------------------------------------------------


def _fresh(kind: str) -> tuple[dict, dict[str, frozenset[str]]]:
    """A subject of this type that no other signal carries, and its tell-tale strings."""
    tag = uuid.uuid4().hex[:8]
    if kind == "person":
        # Never 1 January or 1 July: on such a placeholder date a name alone does not link.
        born = datetime(1950, 1, 2) + timedelta(days=_FRESH.randrange(20000))
        while (born.month, born.day) in ((1, 1), (7, 1)):
            born += timedelta(days=1)
        subject = {"type": "person", "name": f"Ion Prop{tag}", "birth_date": f"{born:%Y-%m-%d}"}
        return subject | {"role": "victim"}, {f"Prop{tag}": frozenset({"person"})}
    if kind == "address":
        postcode = f"{_FRESH.randrange(1000, 10000)} AB"
        number = _FRESH.randrange(1, 100000)
        subject = {"type": "address", "postcode": postcode, "house_number": number}
        return subject | {"street": f"Steeg{tag}"}, {f"Steeg{tag}": frozenset({"address"})}
    if kind == "company":
        kvk = str(_FRESH.randrange(10**7, 10**8))
        subject = {"type": "company", "name": f"Firm{tag} B.V.", "kvk_number": kvk}
        return subject, {f"Firm{tag}": frozenset({"company"}), kvk: frozenset({"company"})}
    if kind == "iban":
        account = f"{_FRESH.randrange(10**10):010d}"
        number = IBAN.generate("NL", bank_code="ABNA", account_code=account).compact
        return {"type": "iban", "number": number}, {number: frozenset({"iban"})}
    assert kind == "phone", kind
    digits = f"{_FRESH.choice('12345')}{_FRESH.randrange(10**7):07d}"  # a mobile number
    return {"type": "phone", "number": f"06-{digits}"}, {digits: frozenset({"phone"})}


def _post(
    live: Harness, posting: Posting, shared: tuple[dict, dict[str, frozenset[str]]]
) -> tuple[str, dict[str, frozenset[str]]]:
    """Post one signal with a subject of each type signal_body has (as _check_granted expects),
    all fresh but the shared one; its id and tell-tale strings."""
    subjects, secrets = [], {}
    for kind in (s["type"] for s in signal_body()["subjects"]):
        subject, told = shared if kind == shared[0]["type"] else _fresh(kind)
        subjects.append(subject)
        secrets |= told
    barriers = sorted(posting.barriers)
    story = uuid.uuid4().hex
    body = signal_body(
        barriers=barriers,
        indicators=[live.vocabulary.indicators_of(b)[0].code for b in barriers],
        summary=f"{SECRET_SUMMARY} {story}",
        subjects=subjects,
    )
    if posting.municipality is None:
        del body["municipality"]
    else:
        body["municipality"] = posting.municipality
    headers = live.world.headers[posting.source]
    response = live.api.post("/api/v1/signals", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["id"], secrets | {story: frozenset({"summary-text"})}


# --- what a viewer may see -------------------------------------------------------------------


def _levels(
    viewer: str, purpose: str | None, members: dict[str, Member], covenants: list[Covenant]
) -> dict[str, Level]:
    """The oracle's level of each member for this viewer and purpose."""
    out = {}
    for signal_id, member in members.items():
        if viewer == member.posting.source:
            out[signal_id] = Level.FULL
        elif purpose is None:
            out[signal_id] = Level.NONE
        else:
            out[signal_id] = Level(oracle(DEMO[viewer], purpose, member.facts, covenants, TODAY))
    return out


def _categories(body: dict, covenants: list[Covenant], *, own: bool) -> frozenset[str]:
    """The data categories of the rule a shown member's disclosure names."""
    if own:
        return ALL_CATEGORIES
    disclosure = body["disclosure"]
    key = (disclosure["covenant_id"], disclosure["covenant_version"])
    [covenant] = [c for c in covenants if (c.id, c.version) == key]
    [rule] = [r for r in covenant.rules if r.id == disclosure["rule_id"]]
    return rule.categories


def _absent(text: str, secrets: set[str], where: object) -> None:
    """None of the strings shows, nor one written with spaces, dots or hyphens in it."""
    compact = re.sub(r"[\s.\-]", "", text)
    found = sorted(s for s in secrets if s in text or s in compact)
    assert not found, (where, found)


@dataclass
class View:
    """What one viewer may see of the proposal for one purpose, by the oracle."""

    levels: dict[str, Level]
    forbidden_ids: set[str]
    forbidden_secrets: set[str]

    @property
    def exists(self) -> bool:
        return len(self.levels) - len(self.forbidden_ids) >= 2


def _view(levels: dict[str, Level], members: dict[str, Member]) -> View:
    """Before any read: every tell-tale string is forbidden (the detail read opens some)."""
    denied = {i for i, level in levels.items() if level < Level.HIT}
    every = {s for m in members.values() for s in m.secrets}
    return View(levels, denied, every)


def _check_detail(
    body: dict,
    view: View,
    *,
    viewer: str,
    members: dict[str, Member],
    covenants: list[Covenant],
) -> set[str]:
    """A proposal as shown to the viewer; returns the tell-tale strings it may see (those of
    the members at full, of the categories their grants name)."""
    levels = view.levels
    shown = {m["id"]: m for m in body["members"]}
    assert set(shown) == {i for i, level in levels.items() if level >= Level.HIT}, "members"
    categories: dict[str, frozenset[str]] = {}
    for signal_id, item in shown.items():
        member = members[signal_id]
        own = viewer == member.posting.source
        _check_granted(item, levels[signal_id], member.posting, covenants, own=own)
        categories[signal_id] = _categories(item, covenants, own=own)
    # Everything derived is derived from the members shown.
    barriers = sorted(frozenset().union(*(members[i].posting.barriers for i in shown)))
    agencies = sorted({members[i].posting.source for i in shown})
    assert (body["barriers"], body["agencies"], body["size"]) == (barriers, agencies, len(shown))
    assert body["score_parts"]["barriers"] == 10.0 * len(barriers)
    assert body["score_parts"]["agencies"] == min(20.0, 4.0 * (len(agencies) - 1))

    def pseudonyms(signal_id: str, category: str) -> set[str]:
        subjects = shown[signal_id]["subjects"]
        return {p for s in subjects if s["type"] == category for p in s.get("pseudonyms", [])}

    for link in body["explanation"]:
        ends = link["signals"]
        assert set(ends) <= set(shown), "a link to a member not shown"
        for item in link["shared"]:
            category = KEY_CATEGORY.get(item["type"])
            opened = category is not None and all(
                levels[e] >= Level.PSEUDONYMISED and category in categories[e] for e in ends
            )
            if item.get("pseudonym") is None:
                assert not opened, ("no pseudonym where both may see one", item)
                continue
            assert opened, ("a pseudonym below pseudonymised or of a category not granted", item)
            for end in ends:
                # The one the member's subject carries for this viewer (none at full).
                if levels[end] == Level.PSEUDONYMISED:
                    assert item["pseudonym"] in pseudonyms(end, category), item
    if "graph" in body:
        _check_graph(body["graph"], levels, shown)
    allowed = set()
    for signal_id, level in levels.items():
        if level == Level.FULL:
            opened_here = categories[signal_id]
            told = members[signal_id].secrets
            allowed |= {s for s, showing in told.items() if showing & opened_here}
    return allowed


def _check_graph(graph: dict, levels: dict[str, Level], shown: dict[str, dict]) -> None:
    nodes = {n["id"]: n for n in graph["nodes"]}
    signals = {i: n for i, n in nodes.items() if n["kind"] == "signal"}
    assert set(signals) == set(shown)
    assert all(n["level"] == levels[i].label for i, n in signals.items())
    identifiers = {i for i, n in nodes.items() if n["kind"] == "identifier"}
    carried = set()
    for edge in graph["edges"]:
        assert edge["source"] in shown, edge
        if edge["kind"] == "carries":
            assert levels[edge["source"]] >= Level.PSEUDONYMISED, edge
            assert edge["target"] in identifiers, edge
            carried.add(edge["target"])
        else:
            assert edge["target"] in shown, edge
    assert identifiers == carried, "an identifier node no member at pseudonymised carries"


def _check_text(text: str, view: View, where: object) -> None:
    assert not [i for i in view.forbidden_ids if i in text], (where, "a denied member's id")
    _absent(text, view.forbidden_secrets, where)


# --- the property ----------------------------------------------------------------------------


def _world(name: str, *rules: Rule) -> Covenant:
    """A covenant of every demo agency, in force on TODAY, for every purpose."""
    kinds = sorted({a.kind for a in DEMO.values()})
    return Covenant(
        id=name,
        version=1,
        title=f"Hand-picked {name}",
        legal_basis=("test",),
        parties=tuple(Party(kind=k) for k in kinds),
        purposes=frozenset(PURPOSES),
        valid_from=TODAY - timedelta(days=30),
        valid_until=None,
        retention_days=365,
        onward_sharing=False,
        rules=rules,
    )


def _rule(
    name: str,
    source: str,
    viewers: tuple[Party, ...],
    level: Level,
    *categories: str,
    purposes: frozenset[str] = frozenset(PURPOSES),
    scope: Scope = "all",
) -> Rule:
    """A rule from one agency's signals."""
    return Rule(
        id=name,
        sources=(Party(code=source),),
        viewers=viewers,
        purposes=purposes,
        level=level,
        categories=frozenset(categories),
        scope=scope,
    )


EMM, RIECS, RIEC_AA = (
    Party(code="EMM"),
    Party(kind="riec"),
    Party(kind="riec", region=REGION_OF["GM0363"]),
)
# EMM sees KMAR's signal at hit, SZW's pseudonymised with the phone, IND's in full: a hit member
# beside others, a pseudonym on one link only. RIECs see KMAR's in their own region without
# the phone, RIEC-AA SZW's with it: a link whose pseudonym one grant does not name.
A_HIT_MEMBER = Case(
    postings=(
        Posting("KMAR", frozenset({"entry"}), "GM0363"),
        Posting("SZW", frozenset({"employment"}), "GM0363"),
        Posting("IND", frozenset({"identity", "entry"}), None),
    ),
    shared="phone",
    covenants=(
        _world(
            "w-a",
            _rule("r0", "KMAR", (EMM,), Level.HIT, *DATA_CATEGORIES),
            _rule("r1", "SZW", (EMM, RIEC_AA), Level.PSEUDONYMISED, "phone", "indicators"),
            _rule("r2", "IND", (EMM,), Level.FULL, "phone", "summary-text", "person"),
            _rule(
                "r3", "KMAR", (RIECS,), Level.PSEUDONYMISED, "iban", "grading", scope="own-region"
            ),
        ),
    ),
)
# One agency on two barriers, sharing a company: a newer version narrows what EMM sees, and
# the municipality sees KMAR's signals for investigation only.
ONE_AGENCY = Case(
    postings=(
        Posting("KMAR", frozenset({"entry"}), "GM0599"),
        Posting("KMAR", frozenset({"finance"}), "GM0363"),
    ),
    shared="company",
    covenants=(
        _world("w-a", _rule("r0", "KMAR", (EMM,), Level.FULL, *DATA_CATEGORIES)),
        replace(
            _world(
                "w-a",
                _rule("r0", "KMAR", (EMM,), Level.SUMMARY, "location", "company"),
                _rule(
                    "r1",
                    "KMAR",
                    (Party(kind="municipality"),),
                    Level.FULL,
                    "company",
                    purposes=frozenset({"investigation"}),
                ),
            ),
            version=2,
            valid_from=TODAY - timedelta(days=2),
        ),
    ),
)


# No shrinking, as in test_property_api: every example is a few hundred HTTP calls, and a drawn
# one is small (at most four signals and three covenants of two versions) and printed in full.
@settings(
    max_examples=10,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(case=A_HIT_MEMBER)
@example(case=ONE_AGENCY)
@given(case=cases())
def test_proposals_show_exactly_what_the_oracle_grants(case: Case, harness: Harness) -> None:  # noqa: F811
    # Fresh ids every example (replays included): a loaded covenant version is frozen.
    prefix = f"prop-{uuid.uuid4().hex[:8]}"
    covenants = [replace(c, id=f"{prefix}-{c.id}") for c in case.covenants]
    with transaction(harness.sessions) as session:
        sync_covenants(session, tuple(covenants))
    with served_covenants(harness.server, covenants):
        seen = _check_case(harness, case, covenants)
    for level in sorted(seen):
        event(f"member shown at {Level(level).label}")


def _check_case(live: Harness, case: Case, covenants: list[Covenant]) -> set[int]:
    """Post, link, read as everyone, act as those who may not see; the levels shown."""
    since = datetime.now(UTC) - timedelta(seconds=1)
    shared = _fresh(case.shared)
    members: dict[str, Member] = {}
    for posting in case.postings:
        signal_id, secrets = _post(live, posting, shared)
        source = DEMO[posting.source]
        facts = SignalFacts(
            source=source,
            barriers=posting.barriers,
            region=REGION_OF.get(posting.municipality or ""),
            bound=bound_at_posting(source, covenants, TODAY),
        )
        members[signal_id] = Member(signal_id, posting, facts, secrets)
    proposal_id = _the_proposal(live, set(members))

    seen: set[int] = set()
    views: dict[tuple[str, str | None], View] = {}
    queued = dict(zip(sorted(DEMO), case.queued, strict=True)) if case.queued else {}
    for viewer, purpose in ((v, p) for v in sorted(DEMO) for p in [*PURPOSES, None]):
        view = _view(_levels(viewer, purpose, members, covenants), members)
        queue = purpose in (ACTION_PURPOSE, queued.get(viewer, purpose))
        read = (viewer, purpose, proposal_id, since)
        _check_reads(live, view, read, members, covenants, queue=queue)
        if view.exists:
            seen |= {int(level) for level in view.levels.values() if level >= Level.HIT}
        views[viewer, purpose] = view
    acting = {v: views[v, ACTION_PURPOSE] for v in sorted(DEMO)}
    event(f"seen by {sum(v.exists for v in acting.values())} agencies for case-proposal")
    _check_case_files(live, acting, proposal_id)
    _check_actions_refused(live, proposal_id, members, _outsiders(views, case.order))
    return seen


def _outsiders(views: dict[tuple[str, str | None], View], order: int) -> list[str]:
    """A few agencies for which the proposal does not exist for case-proposal (every action
    by every one of them would be most of an example's time): one that may see one member,
    one that may see the proposal for another purpose, one that may see nothing; any kind
    missing is made up by another outsider."""
    out = [v for v in sorted(DEMO) if not views[v, ACTION_PURPOSE].exists]
    random.Random(order).shuffle(out)

    def seen(viewer: str, purpose: str | None) -> int:
        view = views[viewer, purpose]
        return len(view.levels) - len(view.forbidden_ids)

    kinds = [
        lambda v: seen(v, ACTION_PURPOSE) == 1,
        lambda v: any(views[v, p].exists for p in PURPOSES),
        lambda v: not any(seen(v, p) for p in PURPOSES),
    ]
    chosen = [next((v for v in out if kind(v)), None) for kind in kinds]
    picked = list(dict.fromkeys(v for v in chosen if v is not None))
    picked += [v for v in out if v not in picked][: 3 - len(picked)]
    return picked


def _the_proposal(live: Harness, ids: set[str]) -> str:
    """The one live proposal of these signals, once the linker has run; it holds them all."""
    live.server.app.state.link_worker.drain()
    with live.sessions() as session:
        rows = session.execute(
            select(ProposalMember.proposal_id, ProposalMember.signal_id)
            .join(Proposal, Proposal.id == ProposalMember.proposal_id)
            .where(Proposal.status.in_(LIVE))
            .where(
                ProposalMember.proposal_id.in_(
                    select(ProposalMember.proposal_id).where(
                        ProposalMember.signal_id.in_([uuid.UUID(i) for i in ids])
                    )
                )
            )
        ).all()
    found: dict[str, set[str]] = {}
    for proposal_id, signal_id in rows:
        found.setdefault(str(proposal_id), set()).add(str(signal_id))
    assert list(found.values()) == [ids], found
    [proposal_id] = found
    return proposal_id


def _queue(
    api: httpx.Client, headers: dict[str, str], purpose: str | None, since: datetime
) -> Iterator[tuple[dict, str]]:
    """The viewer's queue of every region, proposed since `since`: each item and its page.

    Walked in small pages over every example so far (`since` only picks the items yielded),
    holding the order and the cursors to what the viewer is shown: scores never rise down the
    pages, and each cursor carries the score of its page's last row, so neither can tell
    anything of members the viewer may not see (stored scores over all members did)."""
    params: dict[str, str | int] = {"region": "all", "created_from": _STARTED.isoformat()}
    if purpose is not None:
        params["purpose"] = purpose
    cursor = None
    previous = float("inf")
    while True:
        page = api.get(
            "/api/v1/proposals",
            params=params | ({"cursor": cursor} if cursor else {}) | {"limit": 4},
            headers=headers,
        )
        assert page.status_code == 200, page.text
        items = page.json()["items"]
        for item in items:
            assert item["score"] <= previous, ("the queue's order", item, previous)
            previous = item["score"]
            if datetime.fromisoformat(item["created_at"]) >= since:
                yield item, page.text
        cursor = page.json()["next_cursor"]
        if not cursor:
            return
        assert _cursor_score(cursor) == items[-1]["score"], ("the cursor", cursor, items[-1])


def _cursor_score(cursor: str) -> float:
    """The score a cursor carries, as any client could read it (the part before the MAC)."""
    encoded = cursor.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))["score"]


# The purposes GET /proposals and GET /proposals/{id} serve.
READ_PURPOSES = ("case-proposal", "investigation")


def _check_reads(
    live: Harness,
    view: View,
    read: tuple[str, str | None, str, datetime],
    members: dict[str, Member],
    covenants: list[Covenant],
    *,
    queue: bool,
) -> None:
    """The detail and (if `queue`) the queue for one viewer and purpose (or none), of the
    proposals made since the example began."""
    viewer, purpose, proposal_id, since = read
    api, headers = live.api, live.world.headers[viewer]
    where = (viewer, purpose, {i: level.label for i, level in view.levels.items()})
    query = f"?purpose={purpose}" if purpose else ""
    detail = api.get(f"/api/v1/proposals/{proposal_id}{query}", headers=headers)
    if purpose not in READ_PURPOSES:
        # The proposal routes serve case-proposal and investigation: anything else, and no
        # purpose, is a 400 naming them, whatever the viewer may see.
        queued = api.get(
            "/api/v1/proposals", params={"purpose": purpose} if purpose else {}, headers=headers
        )
        for refused in (detail, queued):
            assert refused.status_code == 400, (where, refused.text)
            assert "case-proposal, investigation" in refused.json()["detail"], where
            _check_text(refused.text, view, (where, "refused"))
        return
    if not view.exists:
        assert detail.status_code == 404, (where, detail.text)
    else:
        assert detail.status_code == 200, (where, detail.text)
        allowed = _check_detail(
            detail.json(), view, viewer=viewer, members=members, covenants=covenants
        )
        view.forbidden_secrets -= allowed
    _check_text(detail.text, view, (where, "detail"))
    if not queue:
        return
    listed = [(item, text) for item, text in _queue(api, headers, purpose, since)]
    mine = [item for item, _ in listed if item["id"] == proposal_id]
    assert len(mine) == int(view.exists), (where, "queue")
    if mine:
        assert {k: mine[0][k] for k in ("barriers", "agencies", "size")} == {
            k: detail.json()[k] for k in ("barriers", "agencies", "size")
        }, where
        # Scores are taken when read (recency): a walk and a detail seconds apart may round apart.
        assert abs(mine[0]["score"] - detail.json()["score"]) <= 0.01, where
    for _, text in listed:
        _check_text(text, view, (where, "queue"))
    # Filtered by region, the queue holds the proposal only where the detail shows a member in
    # that region: a member seen at hit level, or without its location, tells no place.
    placed = {m.get("region") for m in detail.json()["members"]} if view.exists else set()
    for region in sorted(REGIONS):
        params = {"region": region, "created_from": since.isoformat(), "limit": 100}
        if purpose is not None:
            params["purpose"] = purpose
        page = api.get("/api/v1/proposals", params=params, headers=headers)
        assert page.status_code == 200, page.text
        found = [i for i in page.json()["items"] if i["id"] == proposal_id]
        assert len(found) == int(region in placed), (where, "region", region, placed)


def _check_case_files(live: Harness, views: dict[str, View], proposal_id: str) -> None:
    """History and case file for every agency (as HTML too where it exists: the outsiders'
    HTML refusal is _check_actions_refused's), after one that may see the proposal commented
    on it: the comment's text is for its own agency only."""
    api, headers = live.api, live.world.headers
    note = f"Note {uuid.uuid4().hex}"
    commenter = next((v for v, view in views.items() if view.exists), None)
    if commenter is not None:
        url = f"/api/v1/proposals/{proposal_id}/comments"
        response = api.post(url, json={"text": note}, headers=headers[commenter])
        assert response.status_code == 201, response.text
    for viewer, view in views.items():
        where = (viewer, {i: level.label for i, level in view.levels.items()})
        url, sent = f"/api/v1/proposals/{proposal_id}", headers[viewer]
        got = {"history": api.get(f"{url}/history", headers=sent)}
        got["json"] = api.get(f"{url}/export", headers=sent)
        if view.exists:
            got["html"] = api.get(
                f"{url}/export", headers=sent | {"Accept": "text/html", "Accept-Language": "en"}
            )
        note_too = set() if viewer == commenter else {note}
        told = replace(view, forbidden_secrets=view.forbidden_secrets | note_too)
        for name, response in got.items():
            assert response.status_code == (200 if view.exists else 404), (where, name)
            _check_text(response.text, told, (where, name))
        if viewer == commenter:
            assert note in got["history"].text and note in got["html"].text
        if view.exists:
            # The same members at the same levels as the detail read.
            document = got["json"].json()["proposal"]
            shown = {m["id"]: m["disclosure"]["level"] for m in document["members"]}
            wanted = {i: level.label for i, level in view.levels.items() if level >= Level.HIT}
            assert shown == wanted, where
            # Its name's place is the main one of the places the members show, never a hidden one.
            title = re.search(r"<h1>Case file [^<]*?: ([^<]*)</h1>", got["html"].text)
            assert title, (where, "the case file's name")
            place = main_place(m["municipality"] for m in document["members"])
            if place is None:
                assert " — " not in title.group(1), (where, title.group(1))
            else:
                assert title.group(1).endswith(f" — {name_of(place)}"), (where, title.group(1))


def _refusal(response: httpx.Response, proposal_id: str) -> object:
    """A 404 as it would read for a proposal that does not exist."""
    return json.loads(response.text.replace(proposal_id, GHOST))


def _check_actions_refused(
    live: Harness, proposal_id: str, members: dict[str, Member], outsiders: list[str]
) -> None:
    """Every action by an agency for which the proposal does not exist: the 404 a proposal
    that does not exist gets, and nothing changes (version, events, audit)."""
    if not outsiders:
        return
    api, sessions = live.api, live.sessions
    pid = uuid.UUID(proposal_id)

    def state() -> tuple[Any, ...]:
        """The proposal as stored: version, status, assignee, members and events."""
        with sessions() as session:
            proposal = session.scalars(select(Proposal).where(Proposal.id == pid)).one()
            now_in = select(ProposalMember.signal_id).where(ProposalMember.proposal_id == pid)
            events = select(ProposalEvent.pk).where(ProposalEvent.proposal_id == pid)
            return (
                proposal.version,
                proposal.status,
                proposal.assigned_to,
                sorted(session.scalars(now_in)),
                sorted(session.scalars(events)),
            )

    before = state()
    etag, first_event = f'"{before[0]}"', before[-1][0]
    reads = [("history", {}), ("export", {}), ("export", {"Accept": "text/html"})]
    for turn, outsider in enumerate(outsiders):
        headers = live.world.headers[outsider]
        decision = ("accept", "reject")[turn % 2]
        actions: list[tuple[str, dict | None]] = [
            (
                "decisions",
                acceptance("Seen enough of it.")
                if decision == "accept"
                else {"decision": decision, "reason": "Seen enough of it."},
            ),
            ("assignments", {"assignee": "analyst.x", "reason": "Mine now."}),
            ("reviews", None),
            ("merges", {"other": str(uuid.uuid4()), "reason": "Same employer."}),
            ("splits", {"members": sorted(members)[:1], "reason": "Another household."}),
            ("undos", {"event": first_event, "reason": "By mistake."}),
            ("comments", {"text": "Look here."}),
        ]
        tried: list[tuple[object, httpx.Response, httpx.Response | None]] = []
        for path, body in actions:
            sent = headers | ({"If-Match": etag} if path != "comments" else {})
            response = api.post(f"/api/v1/proposals/{proposal_id}/{path}", json=body, headers=sent)
            ghost = None
            if path not in _GHOSTS:
                ghost = api.post(f"/api/v1/proposals/{GHOST}/{path}", json=body, headers=sent)
            tried.append((path, response, ghost))
        for path, extra in reads:
            key = (path, tuple(extra.items()))
            response = api.get(f"/api/v1/proposals/{proposal_id}/{path}", headers=headers | extra)
            ghost = None
            if key not in _GHOSTS:
                ghost = api.get(f"/api/v1/proposals/{GHOST}/{path}", headers=headers | extra)
            tried.append((key, response, ghost))
        for key, response, ghost in tried:
            if ghost is not None:
                assert ghost.status_code == 404, (key, ghost.text)
                _GHOSTS[key] = ghost.json()
            assert response.status_code == 404, (outsider, key, response.text)
            assert _refusal(response, proposal_id) == _GHOSTS[key], (outsider, key)
            assert not [i for i in members if i in response.text], (outsider, key)
    assert state() == before, "an outsider's action changed the proposal"
    with sessions() as session:
        audited = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.object_id == proposal_id, AuditEvent.agency.in_(outsiders)
            )
        ).all()
    assert audited == [], audited
