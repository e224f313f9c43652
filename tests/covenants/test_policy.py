"""The policy decision point against a deliberately simple, independent oracle.

The oracle enumerates every (covenant, rule) pair and writes each condition out longhand; the
policy must agree with it for random covenants, agencies, signals, purposes and days.
"""

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import event, given, settings
from hypothesis import strategies as st

from hub.covenants.model import (
    DATA_CATEGORIES,
    PURPOSES,
    Agency,
    Covenant,
    Level,
    Party,
    Rule,
)
from hub.covenants.policy import OWNER, SignalFacts, aggregates_allowed, binding, decide

BARRIERS = ("entry", "accommodation", "identity", "employment", "finance")
REGIONS = ("amsterdam-amstelland", "rotterdam", None)
AGENCIES = (
    Agency("KMAR", "kmar"),
    Agency("IND", "ind"),
    Agency("SZW", "szw"),
    Agency("POLITIE", "police"),
    Agency("EMM", "emm"),
    Agency("LIEC", "liec"),
    Agency("RIEC-AA", "riec", "amsterdam-amstelland"),
    Agency("RIEC-RR", "riec", "rotterdam"),
    Agency("GM0363", "municipality", "amsterdam-amstelland"),
    Agency("GM0599", "municipality", "rotterdam"),
)
DAY0 = date(2026, 1, 1)

agencies = st.sampled_from(AGENCIES)
any_party = st.one_of(
    agencies.map(lambda a: Party(code=a.code)),
    st.builds(
        Party,
        kind=st.sampled_from(sorted({a.kind for a in AGENCIES})),
        region=st.sampled_from(REGIONS),
    ),
)


def parties_near(focus: tuple[Agency, ...]) -> st.SearchStrategy[Party]:
    """Parties that mostly name or select the agencies under test, so rules often apply."""
    near = [Party(code=a.code) for a in focus] + [Party(kind=a.kind) for a in focus]
    near += [Party(kind=a.kind, region=a.region) for a in focus if a.region]
    return st.one_of(*[st.sampled_from(near)] * 4, any_party)


barrier_sets = st.frozensets(st.sampled_from(BARRIERS), min_size=1)
# Often every purpose, so that the other conditions get their turn to decide.
purpose_sets = st.one_of(
    st.just(frozenset(PURPOSES)), st.frozensets(st.sampled_from(PURPOSES), min_size=1)
)


@st.composite
def rules(draw: st.DrawFn, index: int, parties: st.SearchStrategy[Party]) -> Rule:
    aggregates = draw(st.integers(0, 5)) == 0
    return Rule(
        id=f"r{index}",
        sources=tuple(draw(st.lists(parties, min_size=1, max_size=3))),
        viewers=tuple(draw(st.lists(parties, min_size=1, max_size=3))),
        purposes=frozenset({"trend-report"}) if aggregates else draw(purpose_sets),
        level=Level.NONE if aggregates else draw(st.sampled_from(list(Level))),
        categories=draw(st.frozensets(st.sampled_from(DATA_CATEGORIES), min_size=1)),
        barriers=draw(st.one_of(st.none(), st.none(), barrier_sets)),
        scope=draw(st.sampled_from(["all", "all", "all", "own-region", "accepted-cases"])),
        aggregates_only=aggregates,
    )


@st.composite
def covenants(
    draw: st.DrawFn, cid: str, version: int, parties: st.SearchStrategy[Party]
) -> Covenant:
    start = DAY0 + timedelta(days=draw(st.integers(0, 60)))
    end = draw(
        st.one_of(
            st.none(), st.none(), st.integers(0, 120).map(lambda d: start + timedelta(days=d))
        )
    )
    withdrawn = draw(
        st.one_of(st.none(), st.none(), st.integers(0, 120).map(lambda d: start + timedelta(d)))
    )
    count = draw(st.integers(1, 4))
    return Covenant(
        id=cid,
        version=version,
        title=cid,
        legal_basis=("test",),
        parties=tuple(draw(st.lists(parties, min_size=2, max_size=6))),
        purposes=draw(purpose_sets),
        valid_from=start,
        valid_until=end,
        retention_days=365,
        onward_sharing=False,
        rules=tuple(draw(rules(i, parties)) for i in range(count)),
        withdrawn_on=withdrawn,
    )


@st.composite
def worlds(draw: st.DrawFn, focus: tuple[Agency, ...]) -> list[Covenant]:
    parties = parties_near(focus)
    made = []
    for cid in ("a", "b", "c")[: draw(st.integers(1, 3))]:
        for version in range(1, draw(st.integers(1, 2)) + 1):
            made.append(draw(covenants(cid, version, parties)))
    return made


# A source's live grant: (requesting agency, disclosure request id).
disclosure_grants = st.tuples(
    st.sampled_from([a.code for a in AGENCIES]), st.sampled_from(["r1", "r2", "r3"])
)


@st.composite
def signals(draw: st.DrawFn, world: list[Covenant], source: Agency) -> SignalFacts:
    ids = sorted({c.id for c in world})
    # Mostly unbound (today's versions apply); else bound to one version of each covenant.
    bound = None
    if ids and draw(st.integers(0, 3)) == 0:
        bound = {cid: draw(st.integers(1, 2)) for cid in ids}
    return SignalFacts(
        source=source,
        barriers=draw(barrier_sets),
        region=draw(st.sampled_from(REGIONS)),
        accepted_by=draw(st.frozensets(st.sampled_from([a.code for a in AGENCIES]), max_size=3)),
        granted_to=draw(st.frozensets(disclosure_grants, max_size=3)),
        bound=bound,
    )


# --- the oracle: longhand, no shared helpers with the policy ---------------------------------


def _party_covers(party: Party, agency: Agency) -> bool:
    if party.code:
        return party.code == agency.code
    kind_ok = party.kind is None or party.kind == agency.kind
    region_ok = party.region is None or party.region == agency.region
    return kind_ok and region_ok


def _granting_today(c: Covenant, today: date) -> bool:
    started = c.valid_from <= today
    not_ended = c.valid_until is None or today <= c.valid_until
    not_withdrawn = c.withdrawn_on is None or today < c.withdrawn_on
    return started and not_ended and not_withdrawn


def oracle(
    viewer: Agency, purpose: str, signal: SignalFacts, world: list[Covenant], today: date
) -> int:
    if viewer.code == signal.source.code:
        return 4
    levels = [0]
    for cid in {c.id for c in world}:
        live = [c for c in world if c.id == cid and _granting_today(c, today)]
        if not live:
            continue  # an expired or withdrawn covenant grants nothing
        newest = max(c.version for c in live)
        wanted = newest if signal.bound is None else signal.bound.get(cid)
        chosen = [c for c in world if c.id == cid and c.version == wanted]
        if not chosen:
            continue
        c = chosen[0]
        if purpose not in c.purposes:
            continue
        if not any(_party_covers(p, viewer) for p in c.parties):
            continue
        if not any(_party_covers(p, signal.source) for p in c.parties):
            continue
        # The source's consent: full, for investigation, while this covenant binds both.
        if purpose == "investigation" and any(a == viewer.code for a, _ in signal.granted_to):
            levels.append(4)
        for r in c.rules:
            if r.aggregates_only or purpose not in r.purposes:
                continue
            if not any(_party_covers(p, viewer) for p in r.viewers):
                continue
            if not any(_party_covers(p, signal.source) for p in r.sources):
                continue
            if r.barriers is not None and any(b not in r.barriers for b in signal.barriers):
                continue
            if r.scope == "own-region" and (
                viewer.region is None or viewer.region != signal.region
            ):
                continue
            if r.scope == "accepted-cases" and viewer.code not in signal.accepted_by:
                continue
            levels.append(int(r.level))
    return max(levels)


# --- properties ------------------------------------------------------------------------------


@settings(max_examples=250, deadline=None)
@given(data=st.data())
def test_policy_agrees_with_the_oracle(data: st.DataObject) -> None:
    viewer, source = data.draw(agencies), data.draw(agencies)
    world = data.draw(worlds((viewer, source)))
    signal = data.draw(signals(world, source))
    purpose = data.draw(st.sampled_from(PURPOSES))
    today = DAY0 + timedelta(days=data.draw(st.integers(0, 200)))
    grant = decide(viewer, purpose, signal, world, today)
    expected = oracle(viewer, purpose, signal, world, today)
    assert int(grant.level) == expected
    event(f"level {expected}{' (own)' if grant.own else ''}")
    if grant.level > Level.NONE and not grant.own:
        # The grant names a real covenant version, and a rule of it that gives exactly that
        # level, or the viewer's first disclosure request that the source granted.
        [covenant] = [
            c for c in world if c.id == grant.covenant_id and c.version == grant.covenant_version
        ]
        if grant.rule_id and grant.rule_id.startswith("disclosure-request:"):
            mine = sorted(r for a, r in signal.granted_to if a == viewer.code)
            assert grant.rule_id == f"disclosure-request:{mine[0]}"
            assert purpose == "investigation" and "investigation" in covenant.purposes
            assert grant.level == Level.FULL and grant.categories == frozenset(DATA_CATEGORIES)
            # A covenant rule that shows as much is preferred to the exception.
            assert not _covenant_shows_all(viewer, purpose, signal, world, today)
            event("a disclosure grant decides")
        else:
            [rule] = [r for r in covenant.rules if r.id == grant.rule_id]
            assert rule.level == grant.level and rule.categories == grant.categories


def _covenant_shows_all(
    viewer: Agency, purpose: str, signal: SignalFacts, world: list[Covenant], today: date
) -> bool:
    """Whether the covenants alone give full with every category (the oracle, without grants)."""
    bare = SignalFacts(**{**signal.__dict__, "granted_to": frozenset()})
    grant = decide(viewer, purpose, bare, world, today)
    return grant.level == Level.FULL and grant.categories == frozenset(DATA_CATEGORIES)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_a_grant_never_widens_another_purpose_or_agency(data: st.DataObject) -> None:
    """Disclosure grants change the investigation decision of the agencies they name, only."""
    viewer, source = data.draw(agencies), data.draw(agencies)
    world = data.draw(worlds((viewer, source)))
    signal = data.draw(signals(world, source))
    purpose = data.draw(st.sampled_from(PURPOSES))
    today = DAY0 + timedelta(days=data.draw(st.integers(0, 200)))
    without = SignalFacts(**{**signal.__dict__, "granted_to": frozenset()})
    if purpose != "investigation" or viewer.code not in {a for a, _ in signal.granted_to}:
        assert decide(viewer, purpose, signal, world, today) == decide(
            viewer, purpose, without, world, today
        )


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_removing_a_covenant_never_widens_access(data: st.DataObject) -> None:
    viewer, source = data.draw(agencies), data.draw(agencies)
    world = data.draw(worlds((viewer, source)))
    signal = data.draw(signals(world, source))
    purpose = data.draw(st.sampled_from(PURPOSES))
    today = DAY0 + timedelta(days=data.draw(st.integers(0, 200)))
    dropped = data.draw(st.sampled_from(sorted({c.id for c in world})))
    fewer = [c for c in world if c.id != dropped]
    assert (
        decide(viewer, purpose, signal, fewer, today).level
        <= decide(viewer, purpose, signal, world, today).level
    )


def _grant_all(cid: str = "all", *, until: date | None = None) -> Covenant:
    everyone = (Party(kind=k) for k in sorted({a.kind for a in AGENCIES}))
    parties = tuple(everyone)
    return Covenant(
        id=cid,
        version=1,
        title="all",
        legal_basis=("test",),
        parties=parties,
        purposes=frozenset(PURPOSES),
        valid_from=DAY0,
        valid_until=until,
        retention_days=30,
        onward_sharing=False,
        rules=(
            Rule(
                "r", parties, parties, frozenset(PURPOSES), Level.FULL, frozenset(DATA_CATEGORIES)
            ),
        ),
    )


def test_the_source_always_sees_its_own_in_full() -> None:
    signal = SignalFacts(source=AGENCIES[0], barriers=frozenset({"entry"}), region=None)
    assert decide(AGENCIES[0], "investigation", signal, [], DAY0) == OWNER


def test_no_covenant_means_nothing_for_others() -> None:
    signal = SignalFacts(source=AGENCIES[0], barriers=frozenset({"entry"}), region=None)
    for viewer in AGENCIES[1:]:
        for purpose in PURPOSES:
            assert decide(viewer, purpose, signal, [], DAY0).level == Level.NONE


def test_expiry_and_withdrawal_stop_granting_at_once() -> None:
    signal = SignalFacts(source=AGENCIES[0], barriers=frozenset({"entry"}), region=None)
    ending = _grant_all(until=DAY0 + timedelta(days=10))
    viewer = AGENCIES[1]
    assert decide(viewer, "investigation", signal, [ending], DAY0 + timedelta(days=10)).level == 4
    assert decide(viewer, "investigation", signal, [ending], DAY0 + timedelta(days=11)).level == 0
    withdrawn = ending.__class__(**{**ending.__dict__, "withdrawn_on": DAY0 + timedelta(days=3)})
    assert decide(viewer, "investigation", signal, [withdrawn], DAY0 + timedelta(days=3)).level == 0


def test_a_bound_signal_keeps_its_version_rules() -> None:
    v1 = _grant_all("x")
    narrower = Rule(
        "r", v1.parties, v1.parties, frozenset(PURPOSES), Level.HIT, frozenset(DATA_CATEGORIES)
    )
    v2 = v1.__class__(**{**v1.__dict__, "version": 2, "rules": (narrower,)})
    old = SignalFacts(
        source=AGENCIES[0], barriers=frozenset({"entry"}), region=None, bound=binding([v1], DAY0)
    )
    new = SignalFacts(
        source=AGENCIES[0],
        barriers=frozenset({"entry"}),
        region=None,
        bound=binding([v1, v2], DAY0),
    )
    assert decide(AGENCIES[1], "investigation", old, [v1, v2], DAY0).level == Level.FULL
    assert decide(AGENCIES[1], "investigation", new, [v1, v2], DAY0).level == Level.HIT


def test_aggregates_only_grants_counts_not_signals() -> None:
    liec = AGENCIES[5]
    counts = Rule(
        "counts",
        (Party(kind="kmar"),),
        (Party(code="LIEC"),),
        frozenset({"trend-report"}),
        Level.NONE,
        frozenset(DATA_CATEGORIES),
        aggregates_only=True,
    )
    covenant = Covenant(
        "liec",
        1,
        "t",
        ("x",),
        (Party(code="LIEC"), Party(kind="kmar")),
        frozenset({"trend-report"}),
        DAY0,
        None,
        30,
        False,
        (counts,),
    )
    signal = SignalFacts(source=AGENCIES[0], barriers=frozenset({"entry"}), region=None)
    assert decide(liec, "trend-report", signal, [covenant], DAY0).level == Level.NONE
    assert aggregates_allowed(liec, [covenant], DAY0)
    assert not aggregates_allowed(AGENCIES[1], [covenant], DAY0)


def _one_rule(**rule: object) -> Covenant:
    """A covenant of every agency with one rule from KMAR to RIEC-AA, varied by `rule`."""
    parties = tuple(Party(code=a.code) for a in AGENCIES)
    fields: dict[str, object] = {
        "id": "r",
        "sources": (Party(code="KMAR"),),
        "viewers": (Party(code="RIEC-AA"),),
        "purposes": frozenset(PURPOSES),
        "level": Level.SUMMARY,
        "categories": frozenset(DATA_CATEGORIES),
    }
    fields.update(rule)
    return Covenant(
        "c", 1, "c", ("x",), parties, frozenset(PURPOSES), DAY0, None, 30, False, (Rule(**fields),)
    )  # type: ignore[arg-type]


RIEC_AA, KMAR = AGENCIES[6], AGENCIES[0]


def _level(covenant: Covenant, **facts: object) -> Level:
    signal = SignalFacts(
        **{"source": KMAR, "barriers": frozenset({"entry"}), "region": None, **facts}
    )  # type: ignore[arg-type]
    return decide(RIEC_AA, "case-proposal", signal, [covenant], DAY0).level


def test_a_rule_must_cover_every_barrier_of_the_signal() -> None:
    covenant = _one_rule(barriers=frozenset({"entry", "finance"}))
    assert _level(covenant, barriers=frozenset({"entry"})) == Level.SUMMARY
    assert _level(covenant, barriers=frozenset({"entry", "finance"})) == Level.SUMMARY
    assert _level(covenant, barriers=frozenset({"entry", "employment"})) == Level.NONE


def test_own_region_scope() -> None:
    covenant = _one_rule(scope="own-region")
    assert _level(covenant, region="amsterdam-amstelland") == Level.SUMMARY
    assert _level(covenant, region="rotterdam") == Level.NONE
    assert _level(covenant, region=None) == Level.NONE


def test_a_disclosure_grant_gives_full_for_investigation_while_a_covenant_binds_both() -> None:
    granted = {"granted_to": frozenset({("RIEC-AA", "req-2"), ("RIEC-AA", "req-1")})}
    covenant = _one_rule(level=Level.HIT)
    signal = SignalFacts(source=KMAR, barriers=frozenset({"entry"}), region=None, **granted)  # type: ignore[arg-type]
    grant = decide(RIEC_AA, "investigation", signal, [covenant], DAY0)
    assert grant.level == Level.FULL and grant.rule_id == "disclosure-request:req-1"
    assert (grant.covenant_id, grant.covenant_version) == ("c", 1)
    # Not for another purpose, nor for another agency.
    assert _level(covenant, **granted) == Level.HIT
    assert decide(AGENCIES[7], "investigation", signal, [covenant], DAY0).level == Level.NONE
    # Not without a covenant in force that serves investigation and binds both parties.
    assert decide(RIEC_AA, "investigation", signal, [], DAY0).level == Level.NONE
    proposing = Covenant(**{**covenant.__dict__, "purposes": frozenset({"case-proposal"})})
    assert decide(RIEC_AA, "investigation", signal, [proposing], DAY0).level == Level.NONE
    ended = Covenant(**{**covenant.__dict__, "valid_until": DAY0})
    assert decide(RIEC_AA, "investigation", signal, [ended], DAY0).level == Level.FULL
    later = DAY0 + timedelta(days=1)
    assert decide(RIEC_AA, "investigation", signal, [ended], later).level == Level.NONE


def test_accepted_cases_scope() -> None:
    covenant = _one_rule(scope="accepted-cases", level=Level.FULL)
    assert _level(covenant, accepted_by=frozenset({"RIEC-AA"})) == Level.FULL
    assert _level(covenant, accepted_by=frozenset({"RIEC-RR"})) == Level.NONE
    assert _level(covenant) == Level.NONE


def test_purpose_and_direction() -> None:
    covenant = _one_rule(purposes=frozenset({"investigation"}))
    assert _level(covenant) == Level.NONE  # asked for case-proposal
    reverse = SignalFacts(source=RIEC_AA, barriers=frozenset({"entry"}), region=None)
    assert decide(KMAR, "investigation", reverse, [covenant], DAY0).level == Level.NONE


def test_an_aggregates_rule_grants_no_signal_even_at_a_higher_level() -> None:
    covenant = _one_rule(aggregates_only=True, level=Level.FULL)
    assert _level(covenant) == Level.NONE


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_a_restricted_signal_is_its_sources_alone(data: st.DataObject) -> None:
    """Whatever the covenants, cases and grants, a signal the contact point restricted shows
    to no one but its source (AVG art. 18, UAVG art. 41) until the restriction is lifted."""
    viewer, source = data.draw(agencies), data.draw(agencies)
    world = data.draw(worlds((viewer, source)))
    signal = data.draw(signals(world, source))
    purpose = data.draw(st.sampled_from(PURPOSES))
    today = DAY0 + timedelta(days=data.draw(st.integers(0, 200)))
    restricted = replace(signal, restricted=True)
    grant = decide(viewer, purpose, restricted, world, today)
    if viewer.code == source.code:
        assert grant.own and grant.level == Level.FULL
    else:
        assert grant.level == Level.NONE
