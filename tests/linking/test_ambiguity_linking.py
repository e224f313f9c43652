"""Issue 18's traps end to end: signals stored and linked on the database through the service,
incrementally and by a full relink, with the evidence the proposals keep."""

import random
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from hub.agencies.schemas import AgencyCreate
from hub.agencies.service import ensure_agency
from hub.auth.caller import Caller
from hub.db import make_engine, make_sessionmaker, migrate, transaction
from hub.demo.synthetic import DEMO_AGENCIES
from hub.kit.crypto import DataKeys
from hub.linking.models import Proposal, ProposalLink, ProposalMember
from hub.linking.rules import credit
from hub.linking.service import LIVE, link_signals, relink
from hub.signals.models import Identifier, Signal
from hub.signals.schemas import SignalCreate
from hub.signals.service import insert_signals, rekey
from hub.signals.subjects import FACT_TYPES
from tests.factories import signal_body

ENTRY = {"barriers": ["entry"], "indicators": ["entry.intermediary-many-applications"]}
WORK = {"barriers": ["employment"], "indicators": ["employment.wages-below-minimum"]}


class Hub:
    def __init__(self, sessions: sessionmaker[Session], keys: DataKeys, vocabulary: Any) -> None:
        self.sessions, self.keys, self.vocabulary = sessions, keys, vocabulary
        with transaction(sessions) as session:
            self.callers = {
                spec["code"]: Caller(
                    ensure_agency(session, AgencyCreate(**spec)).id,
                    spec["code"],
                    "test",
                    frozenset(),
                    "test",
                )
                for spec in DEMO_AGENCIES
            }

    def post(self, agency: str, *subjects: dict, link: bool = True, **kind: Any) -> uuid.UUID:
        return self.post_many(agency, [list(subjects)], link=link, **kind)[0]

    def post_many(
        self, agency: str, subjects: list[list[dict]], *, link: bool = True, **kind: Any
    ) -> list[uuid.UUID]:
        items = [
            (
                uuid.uuid4(),
                SignalCreate.model_validate(
                    signal_body(subjects=s, **(kind or ENTRY)),
                    context={"vocabulary": self.vocabulary},
                ),
            )
            for s in subjects
        ]
        with transaction(self.sessions) as session:
            insert_signals(session, self.keys, self.callers[agency], items, [])
            if link:
                self.link(session, [i for i, _ in items])
        return [i for i, _ in items]

    def link(self, session: Session, ids: list[uuid.UUID]) -> None:
        link_signals(session, ids, weights=self.vocabulary.indicator_weights(), keys=self.keys)

    def relink(self) -> None:
        with transaction(self.sessions) as session:
            relink(session, weights=self.vocabulary.indicator_weights(), keys=self.keys)

    def together(self, a: uuid.UUID, b: uuid.UUID) -> list[list[Any]] | None:
        """The evidence of the live proposal link between a and b, None when not together."""
        with self.sessions() as session:
            homes = dict(
                session.execute(
                    select(ProposalMember.signal_id, ProposalMember.proposal_id)
                    .join(Proposal, Proposal.id == ProposalMember.proposal_id)
                    .where(Proposal.status.in_(LIVE), ProposalMember.signal_id.in_([a, b]))
                ).all()
            )
            if a not in homes or homes.get(a) != homes.get(b):
                return None
            link = session.scalars(
                select(ProposalLink).where(
                    ProposalLink.proposal_id == homes[a],
                    ProposalLink.signal_a.in_([a, b]),
                    ProposalLink.signal_b.in_([a, b]),
                )
            ).one_or_none()
            return [] if link is None else link.evidence


@pytest.fixture(scope="module")
def hub(db_factory, vocabulary, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:  # type: ignore[no-untyped-def]
    db = db_factory("ambiguity")
    migrate(db.url)
    engine = make_engine(db.url)
    yield Hub(
        make_sessionmaker(engine),
        DataKeys.load_or_create(Path(tmp_path_factory.mktemp("k"))),
        vocabulary,
    )
    engine.dispose()


def _name() -> str:
    family = "Zq" + "".join(random.choices("bcdfghklmnprstvw", k=8))
    return f"Amina {family}"


def _born() -> str:
    return f"19{random.randrange(60, 99)}-0{random.randrange(2, 9)}-{random.randrange(10, 28)}"


def _person(name: str, born: str, **extra: Any) -> dict:
    return {"type": "person", "name": name, "birth_date": born, **extra}


def _address() -> dict:
    return {"type": "address", "postcode": "1012 AB", "house_number": random.randrange(1, 99999)}


def _types(evidence: list[list[Any]] | None) -> dict[str, float]:
    assert evidence is not None
    return {kind: points for kind, _, points in evidence}


def test_a_name_with_a_placeholder_date_alone_makes_no_proposal(hub: Hub) -> None:
    name, born = _name(), f"19{random.randrange(60, 99)}-01-01"
    a = hub.post("KMAR", _person(name, born))
    b = hub.post("SZW", _person(name, born), **WORK)
    assert hub.together(a, b) is None
    hub.relink()
    assert hub.together(a, b) is None


def test_a_placeholder_date_with_an_agreeing_address_links_and_says_so(hub: Hub) -> None:
    name, born, address = _name(), f"19{random.randrange(60, 99)}-07-01", _address()
    # Three signals at the address: too many for the address to link alone.
    third = hub.post("IND", address, **WORK)
    a = hub.post("KMAR", _person(name, born), address)
    b = hub.post("SZW", _person(name, born), address, **WORK)
    evidence = _types(hub.together(a, b))
    assert evidence["person-partial"] > 0 and evidence["address"] > 0
    assert hub.together(a, third) is None or "person-partial" not in _types(hub.together(a, third))
    hub.relink()
    assert _types(hub.together(a, b)) == evidence


def test_a_common_name_stops_linking_alone_and_links_again_as_it_gets_rarer(hub: Hub) -> None:
    name, born = _name(), _born()
    # 250 other signals of one agency and barrier (no proposals of their own) hold the name,
    # each with another date.
    others = hub.post_many(
        "POLITIE",
        [[_person(name, f"{1930 + i % 60}-{1 + i % 12:02d}-{2 + i % 26:02d}")] for i in range(250)],
        link=False,
    )
    a = hub.post("KMAR", _person(name, born))
    b = hub.post("SZW", _person(name, born), **WORK)
    assert hub.together(a, b) is None
    # A rare name on the same terms links.
    rare = _name()
    c = hub.post("KMAR", _person(rare, born))
    d = hub.post("SZW", _person(rare, born), **WORK)
    assert _types(hub.together(c, d)) == {"person": 9.0}
    # Retracted signals no longer count: the name is rare again, and the pair links.
    with transaction(hub.sessions) as session:
        session.execute(update(Signal).where(Signal.id.in_(others)).values(status="retracted"))
        hub.link(session, [a])
    assert _types(hub.together(a, b)) == {"person": 9.0}


def test_a_different_bsn_vetoes_a_name_and_date(hub: Hub) -> None:
    name, born = _name(), _born()
    a = hub.post("KMAR", _person(name, born, bsn="111222333"))
    b = hub.post("SZW", _person(name, born, bsn="123456782"), **WORK)
    assert hub.together(a, b) is None
    name = _name()
    c = hub.post("KMAR", _person(name, born, nationality="NG"))
    d = hub.post("SZW", _person(name, born, nationality="GH"), **WORK)
    assert hub.together(c, d) is None


def test_different_passports_veto_a_name_and_date_a_scanner_slip_does_not(hub: Hub) -> None:
    name, born = _name(), _born()
    number = "".join(random.choices("ACDEFGHJK", k=2)) + f"{random.randrange(10**6):06d}"
    passport = {"type": "document", "kind": "passport", "issuing_country": "UA"}
    a = hub.post("KMAR", _person(name, born), passport | {"number": number})
    b = hub.post("SZW", _person(name, born), passport | {"number": "XY9988776"}, **WORK)
    assert hub.together(a, b) is None
    # The same number with 0 read as O: linked, the near document beside the person.
    slipped = number.replace("0", "O") if "0" in number else number[:-1] + "S"
    c = hub.post("SZW", _person(name, born), passport | {"number": slipped}, **WORK)
    evidence = _types(hub.together(a, c))
    assert "document-conflict" not in evidence and evidence["person"] > 0


@pytest.mark.parametrize("kind", ["visa", "other"])
def test_documents_a_person_may_hold_several_of_never_conflict(hub: Hub, kind: str) -> None:
    """Two visas, or two "other" documents (a tax number and a membership card), with
    different numbers say nothing against the name and date they share."""
    name, born = _name(), _born()
    document = {"type": "document", "kind": kind, "issuing_country": "UA"}
    a = hub.post("KMAR", _person(name, born), document | {"number": "AC1234567"})
    b = hub.post("SZW", _person(name, born), document | {"number": "XY9988776"}, **WORK)
    assert _types(hub.together(a, b)) == {"person": 9.0}


def test_a_father_and_son_at_one_address_are_kept_apart(hub: Hub) -> None:
    name, address = _name(), _address()
    father = hub.post("KMAR", _person(name, "1961-04-12"), address)
    son = hub.post("SZW", _person(name, "1991-04-12"), address, **WORK)
    assert hub.together(father, son) is None
    # The same man a year apart (a typing slip in the year) links on the address.
    name, address = _name(), _address()
    first = hub.post("KMAR", _person(name, "1961-04-12"), address)
    slip = hub.post("SZW", _person(name, "1962-04-12"), address, **WORK)
    assert _types(hub.together(first, slip)) == {"address": 5.0}


def test_the_explanation_shows_the_evidence_against_beside_the_evidence_for(hub: Hub) -> None:
    name, born = _name(), _born()
    phone = {"type": "phone", "number": f"06-2{random.randrange(10**7):07d}"}
    a = hub.post("KMAR", _person(name, born, nationality="NG"), phone)
    b = hub.post("SZW", _person(name, born, nationality="GH"), phone, **WORK)
    evidence = _types(hub.together(a, b))
    assert evidence["phone"] > 0 and evidence["person"] > 0
    assert evidence["nationality-conflict"] < 0


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Taras Shevchenko", "Taras Schewtschenko"),
        ("Maria Georgieva", "Maria Gueorguieva"),
        ("Zhanna Savchenko", "Janna Savtchenko"),
        ("Yordan Tsvetkov", "Cvetkov Jordan"),
    ],
)
def test_one_name_spelled_across_alphabets_links(hub: Hub, first: str, second: str) -> None:
    suffix = "".join(random.choices("bcdfghklmnprstvw", k=6))
    born = _born()
    a = hub.post("KMAR", _person(f"{first} {suffix}", born))
    b = hub.post("SZW", _person(f"{second} {suffix}", born), **WORK)
    assert set(_types(hub.together(a, b))) == {"person-similar"}
    hub.relink()
    assert set(_types(hub.together(a, b))) == {"person-similar"}


def test_signals_stored_before_the_new_keys_get_them_on_relink(hub: Hub) -> None:
    """As stored before issue 18: a placeholder date under the plain person key, no fact keys."""
    name, born = _name(), f"19{random.randrange(60, 99)}-01-01"
    a = hub.post("KMAR", _person(name, born, bsn="111222333"))
    b = hub.post("SZW", _person(name, born, bsn="123456782"), **WORK)
    with transaction(hub.sessions) as session:
        session.execute(
            delete(Identifier).where(
                Identifier.signal_id.in_([a, b]), Identifier.type.in_(sorted(FACT_TYPES))
            )
        )
        for signal_id in (a, b):
            token = hub.keys.blind_index("person", f"{name.lower()}|{born}")
            session.execute(
                update(Identifier)
                .where(Identifier.signal_id == signal_id, Identifier.type == "person-partial")
                .values(type="person", token=token)
            )
    hub.relink()
    assert _types(hub.together(a, b)) == {"person": 9.0}  # linked as before issue 18
    with transaction(hub.sessions) as session:
        assert rekey(session, hub.keys) == 2
        assert rekey(session, hub.keys) == 0  # done once
        kinds = set(
            session.scalars(select(Identifier.type).where(Identifier.signal_id.in_([a, b])))
        )
    assert {"person-partial", "person-name", "birth-era"} <= kinds and "person" not in kinds
    hub.relink()
    assert hub.together(a, b) is None


def test_a_signal_naming_father_and_son_links_with_either(hub: Hub) -> None:
    name, address = _name(), _address()
    both = hub.post("KMAR", _person(name, "1961-04-12"), _person(name, "1991-04-12"), address)
    son = hub.post("SZW", _person(name, "1991-04-12"), **WORK)
    assert "birth-year-conflict" not in _types(hub.together(both, son))


def test_a_similar_person_on_a_placeholder_date_is_compared_on_relink_too(hub: Hub) -> None:
    """A relink reads a block's persons whatever key their date gave them (person or
    person-partial), so it finds what the incremental path found."""
    family = "Zq" + "".join(random.choices("bcdfghklmnprstvw", k=8))
    born, address = f"19{random.randrange(60, 99)}-07-01", _address()
    a = hub.post("KMAR", _person(f"Raf {family}", born), address)
    # Swapped, with a typo: only the fuzzy comparison within the birth-date block finds it.
    b = hub.post("SZW", _person(f"{family[:-1]}y Raf", born), address, **WORK)
    evidence = _types(hub.together(a, b))
    assert evidence["person-similar-partial"] > 0
    hub.relink()
    assert _types(hub.together(a, b)) == evidence


def _phone() -> dict:
    return {"type": "phone", "number": f"06-3{random.randrange(10**7):07d}"}


def test_a_third_signal_at_a_linked_pairs_address_joins_them_strangers_do_not(hub: Hub) -> None:
    """An address counts the parties carrying it: a pair the phone links is one party, so a
    signal naming only their address is the second, and links; three strangers are three."""
    home, phone = _address(), _phone()
    a = hub.post("KMAR", phone, home)
    b = hub.post("SZW", phone, home, **WORK)
    c = hub.post("IND", home)
    assert _types(hub.together(a, c)) == {"address": 5.0}
    flat = _address()
    strangers = [hub.post(agency, flat, **WORK) for agency in ("KMAR", "IND", "POLITIE")]
    assert hub.together(strangers[0], strangers[1]) is None
    # A linked pair and two strangers at one address: three parties, none joins.
    block, phone = _address(), _phone()
    d = hub.post("KMAR", phone, block)
    hub.post("SZW", phone, block, **WORK)
    lone = [hub.post(agency, block) for agency in ("IND", "POLITIE")]
    assert hub.together(d, lone[0]) is None and hub.together(lone[0], lone[1]) is None
    hub.relink()
    assert _types(hub.together(b, c)) == {"address": 5.0}
    assert hub.together(strangers[0], strangers[2]) is None
    assert hub.together(d, lone[1]) is None


def _passport(number: str) -> dict:
    return {"type": "document", "kind": "passport", "issuing_country": "UA", "number": number}


def test_a_scanner_slip_in_a_passport_links_without_a_person_to_block_on(hub: Hub) -> None:
    """Numbers the same once read as a scanner may have (O/0, I/1, B/8, S/5) are a near
    document wherever they are: a signal holding only the slipped number joins."""
    digits = f"{random.randrange(10**7):07d}"
    number = f"XE{digits[:2]}8{digits[3:]}"
    a = hub.post("KMAR", _passport(number), _phone())
    b = hub.post("SZW", _passport(number.replace("8", "B", 1)), **WORK)
    assert _types(hub.together(a, b)) == {"document-similar": 6.0}
    # One digit other than a scanner's misreading: no link without a block to compare in.
    c = hub.post("IND", _passport(number[:-1] + str((int(number[-1]) + 1) % 10)), **WORK)
    assert hub.together(a, c) is None
    hub.relink()
    assert _types(hub.together(a, b)) == {"document-similar": 6.0}
    assert hub.together(a, c) is None


def test_a_name_without_a_date_links_beside_an_agreeing_address_alone_it_does_not(
    hub: Hub,
) -> None:
    name, born, home = _name(), _born(), _address()
    a = hub.post("KMAR", _person(name, born), home)
    b = hub.post("SZW", {"type": "person", "name": name.upper()}, home, **WORK)
    # Two more signals at the address, naming nobody: with the pair, three parties, too many
    # for the address to link alone.
    lone = [hub.post(agency, home, **WORK) for agency in ("IND", "POLITIE")]
    evidence = _types(hub.together(a, b))
    assert evidence == {"name-only": 3.0, "address": pytest.approx(credit("address", 3), 1e-3)}
    assert hub.together(a, lone[0]) is None and hub.together(lone[0], lone[1]) is None
    # The name alone, without the address: no link.
    name = _name()
    c = hub.post("KMAR", _person(name, born))
    d = hub.post("SZW", {"type": "person", "name": name}, **WORK)
    assert hub.together(c, d) is None
    hub.relink()
    assert _types(hub.together(a, b)) == evidence
    assert hub.together(c, d) is None and hub.together(a, lone[1]) is None
