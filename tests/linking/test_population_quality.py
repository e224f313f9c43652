"""The scalable synthetic population: valid, deterministic, honest, and linked well by the hub.

A few thousand signals are stored and re-linked on the test database; the hub's proposals are
scored against the planted cases (bench/quality.py does the same at 10,000 to 1,000,000).
"""

import uuid
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from schwifty import IBAN
from sqlalchemy import select

from hub.agencies.schemas import AgencyCreate
from hub.agencies.service import ensure_agency
from hub.auth.caller import Caller
from hub.db import make_engine, make_sessionmaker, migrate, transaction
from hub.demo.population import HUB_VALUE_RATES, Population, generate
from hub.demo.synthetic import DEMO_AGENCIES
from hub.kit.crypto import DataKeys
from hub.linking.models import Proposal, ProposalMember
from hub.linking.quality import bcubed, pairwise
from hub.linking.service import LIVE, relink
from hub.signals.models import Signal
from hub.signals.schemas import SignalCreate
from hub.signals.service import insert_signals

NOW = datetime(2026, 11, 20, tzinfo=UTC)
SIZE = 3000


@pytest.fixture(scope="module")
def population() -> Population:
    return generate(SIZE, seed=11, now=NOW)


@pytest.fixture(scope="module")
def bodies(population: Population) -> list[tuple[str, dict]]:
    return list(population.signals())


def test_every_body_is_a_valid_signal(bodies: list[tuple[str, dict]], vocabulary) -> None:  # type: ignore[no-untyped-def]
    for _, body in bodies:
        SignalCreate.model_validate(body, context={"vocabulary": vocabulary})
    assert len({body["external_ref"] for _, body in bodies}) == SIZE


def test_ibans_are_valid(bodies: list[tuple[str, dict]]) -> None:
    ibans = [s["number"] for _, b in bodies for s in b["subjects"] if s["type"] == "iban"]
    assert len(ibans) > 100
    for number in ibans:
        assert IBAN(number).country_code == "NL"  # raises on a bad checksum or format


def test_the_same_seed_gives_the_same_population(bodies: list[tuple[str, dict]]) -> None:
    again = generate(SIZE, seed=11, now=NOW)
    assert list(again.signals())[:200] == bodies[:200]
    other = generate(SIZE, seed=12, now=NOW)
    assert list(other.signals())[:200] != bodies[:200]


def test_cases_span_agencies_and_barriers(
    population: Population, bodies: list[tuple[str, dict]]
) -> None:
    by_ref = {body["external_ref"]: (agency, body) for agency, body in bodies}
    assert 0.25 < sum(map(len, population.cases)) / SIZE < 0.35
    for case in population.cases:
        assert len(case) >= 2
        agencies = {by_ref[ref][0] for ref in case}
        barriers = {b for ref in case for b in by_ref[ref][1]["barriers"]}
        assert len(agencies) == len(case)  # each member from another agency
        assert len(agencies) >= 2 or len(barriers) >= 2


def test_hub_values_and_noise_appear_at_their_rates(
    population: Population, bodies: list[tuple[str, dict]]
) -> None:
    for kind, rate in HUB_VALUE_RATES.items():
        assert 0.5 * rate * SIZE <= population.hub_values[kind] <= 1.5 * rate * SIZE, kind
    addresses = Counter(
        (s["postcode"].replace(" ", "").upper(), s["house_number"])
        for _, b in bodies
        for s in b["subjects"]
        if s["type"] == "address"
    )
    (_, most), *_ = addresses.most_common(1)
    assert most == population.hub_values["agency-address"]
    persons = [s for _, b in bodies for s in b["subjects"] if s["type"] == "person"]
    # Noise the linker must see through: dates swapped or missing, names reordered.
    assert sum("birth_date" not in p for p in persons) > 0.04 * len(persons)
    spaced = [s for _, b in bodies for s in b["subjects"] if s["type"] == "iban"]
    assert any(" " in s["number"] for s in spaced) and any(" " not in s["number"] for s in spaced)
    words = Counter(w for p in persons for w in p["name"].lower().split())
    assert words["van"] + words["de"] + words["der"] > 0.05 * len(persons)  # tussenvoegsels


def test_the_population_is_too_small_below_a_hundred() -> None:
    with pytest.raises(ValueError, match="at least 100"):
        generate(50)


def test_the_hub_links_the_population(  # type: ignore[no-untyped-def]
    population: Population, bodies: list[tuple[str, dict]], db_factory, vocabulary, tmp_path: Path
) -> None:
    db = db_factory("population")
    migrate(db.url)
    engine = make_engine(db.url)
    sessions = make_sessionmaker(engine)
    keys = DataKeys.load_or_create(tmp_path / "data")
    with transaction(sessions) as session:
        callers = {
            spec["code"]: Caller(
                ensure_agency(session, AgencyCreate(**spec)).id,
                spec["code"],
                "test",
                frozenset(),
                "test",
            )
            for spec in DEMO_AGENCIES
        }
    by_agency: dict[str, list] = {}
    for agency, body in bodies:
        data = SignalCreate.model_validate(body, context={"vocabulary": vocabulary})
        by_agency.setdefault(agency, []).append((uuid.uuid4(), data))
    for agency, items in by_agency.items():
        with transaction(sessions) as session:
            insert_signals(session, keys, callers[agency], items, [])
    with transaction(sessions) as session:
        relink(session, weights=vocabulary.indicator_weights(), keys=keys)
    with sessions() as session:
        found: dict[uuid.UUID, set[str]] = {}
        for proposal_id, ref in session.execute(
            select(ProposalMember.proposal_id, Signal.external_ref)
            .join(Signal, Signal.id == ProposalMember.signal_id)
            .join(Proposal, Proposal.id == ProposalMember.proposal_id)
            .where(Proposal.status.in_(LIVE))
        ):
            found.setdefault(proposal_id, set()).add(ref)
    engine.dispose()

    truth = [set(case) for case in population.cases]
    items = [body["external_ref"] for _, body in bodies]
    scores = bcubed(truth, found.values(), items)
    assert scores.f1 >= 0.95, scores
    assert pairwise(truth, found.values()).precision >= 0.95
    home = {ref: i for i, case in enumerate(truth) for ref in case}
    for members in found.values():
        assert len({home[r] for r in members if r in home}) <= 1, "two planted cases merged"
        assert len(members) <= 0.01 * SIZE


def test_birth_dates_lie_in_the_past(bodies: list[tuple[str, dict]]) -> None:
    born = [
        date.fromisoformat(s["birth_date"])
        for _, b in bodies
        for s in b["subjects"]
        if s["type"] == "person" and "birth_date" in s
    ]
    assert born and max(born) < NOW.date() and min(born) >= date(1900, 1, 1)
