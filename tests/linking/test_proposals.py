"""Linking over the real API: signals that share identifiers become proposals, read per covenant.

Every test uses identifiers of its own (random phones and IBANs), so it watches its own cluster
however many other signals the suite has posted.
"""

import random
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pydantic import TypeAdapter
from schwifty import IBAN
from sqlalchemy import delete, event, select, update
from sqlalchemy.orm import Session, sessionmaker

from hub.covenants.redact import pseudonymiser
from hub.kit.crypto import DataKeys
from hub.linking import rules
from hub.linking.exclusions import ADMIN_VIEW, exclude
from hub.linking.models import Proposal, ProposalLink, ProposalMember
from hub.linking.service import LIVE, Linker, relink, separate
from hub.retention.service import purge_expired
from hub.signals.models import Identifier, Signal
from hub.signals.subjects import Subject, identifier_keys
from tests.conftest import LiveServer, World
from tests.factories import signal_body

PURPOSE = "?purpose=case-proposal"


def _phone() -> str:
    return f"06-2{random.randrange(10**7):07d}"


def _iban() -> str:
    account = f"{random.randrange(10**10):010d}"
    return str(IBAN.generate("NL", bank_code="ABNA", account_code=account))


def _body(barrier: str, indicator: str, subjects: list[dict], **extra) -> dict:  # type: ignore[no-untyped-def]
    return signal_body(barriers=[barrier], indicators=[indicator], subjects=subjects, **extra)


def _entry(*subjects: dict, **extra) -> dict:  # type: ignore[no-untyped-def]
    return _body("entry", "entry.intermediary-many-applications", list(subjects), **extra)


def _work(*subjects: dict, **extra) -> dict:  # type: ignore[no-untyped-def]
    return _body("employment", "employment.wages-below-minimum", list(subjects), **extra)


def _post(api: httpx.Client, headers: dict, body: dict) -> str:
    response = api.post("/api/v1/signals", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _settled(server: LiveServer) -> sessionmaker[Session]:
    """The hub's sessions once its linking worker has linked every signal posted so far."""
    server.app.state.link_worker.drain()
    return server.app.state.sessions


def _proposals_of(server: LiveServer, signal_id: str) -> list[Proposal]:
    with _settled(server)() as session:
        return list(
            session.scalars(
                select(Proposal)
                .join(ProposalMember, ProposalMember.proposal_id == Proposal.id)
                .where(ProposalMember.signal_id == uuid.UUID(signal_id))
            )
        )


def _live(server: LiveServer) -> dict[uuid.UUID, frozenset[uuid.UUID]]:
    with _settled(server)() as session:
        rows = session.execute(
            select(ProposalMember.proposal_id, ProposalMember.signal_id)
            .join(Proposal, Proposal.id == ProposalMember.proposal_id)
            .where(Proposal.status.in_(LIVE))
        ).all()
    members: dict[uuid.UUID, set[uuid.UUID]] = {}
    for proposal_id, signal_id in rows:
        members.setdefault(proposal_id, set()).add(signal_id)
    return {p: frozenset(m) for p, m in members.items()}


def test_a_shared_phone_across_agencies_and_barriers_is_a_proposal(
    api, world: World, server, sessions
) -> None:
    phone = {"type": "phone", "number": _phone()}
    entry = _post(api, world.headers["KMAR"], _entry(phone))
    work = _post(api, world.headers["SZW"], _work(phone))
    [proposal] = _proposals_of(server, entry)
    assert proposal.status == "new" and proposal.size == 2

    # EMM sees KMAR's and SZW's signals in full for case-proposal.
    response = api.get(f"/api/v1/proposals/{proposal.id}{PURPOSE}", headers=world.headers["EMM"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert {m["id"] for m in body["members"]} == {entry, work}
    assert body["barriers"] == ["employment", "entry"]
    assert body["agencies"] == ["KMAR", "SZW"]
    assert body["score_parts"]["barriers"] == 20.0 and body["score_parts"]["agencies"] == 4.0
    [link] = body["explanation"]
    assert set(link["signals"]) == {entry, work}
    [shared] = link["shared"]
    assert shared["type"] == "phone" and shared["points"] == rules.BASE_WEIGHT["phone"]
    assert shared["pseudonym"].startswith("ps-")
    assert all(m["disclosure"]["level"] == "full" for m in body["members"])


def test_pseudonymised_viewers_see_the_link_but_not_the_value(
    api, world: World, server, sessions
) -> None:
    number = _phone()
    phone = {"type": "phone", "number": number}
    entry = _post(api, world.headers["KMAR"], _entry(phone, municipality="GM0363"))
    _post(api, world.headers["SZW"], _work(phone, municipality="GM0363"))
    [proposal] = _proposals_of(server, entry)
    url = f"/api/v1/proposals/{proposal.id}{PURPOSE}"
    response = api.get(url, headers=world.headers["RIEC-AA"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert number.replace("-", "")[2:] not in response.text
    assert {m["disclosure"]["level"] for m in body["members"]} == {"pseudonymised"}
    [shared] = body["explanation"][0]["shared"]
    # The explanation's pseudonym is the one both members' phone subjects carry.
    for member in body["members"]:
        [subject] = [s for s in member["subjects"] if s["type"] == "phone"]
        assert subject["pseudonyms"] == [shared["pseudonym"]]
    # Another region's RIEC, and an agency party to no covenant, see nothing: 404.
    assert api.get(url, headers=world.headers["RIEC-RR"]).status_code == 404
    # Without a purpose, a 400 (never a 404 that reads as "no such proposal").
    assert api.get(url.split("?")[0], headers=world.headers["EMM"]).status_code == 400


def test_a_proposal_lists_only_for_viewers_who_see_two_members(
    api, world: World, server, sessions, partners
) -> None:
    phone = {"type": "phone", "number": _phone()}
    entry = _post(api, world.headers["KMAR"], _entry(phone))
    _post(api, world.headers["IND"], _work(phone))
    [proposal] = _proposals_of(server, entry)

    def listed(headers: dict) -> set[str]:
        seen: set[str] = set()
        url = f"/api/v1/proposals{PURPOSE}&limit=100"
        while url:
            response = api.get(url, headers=headers)
            assert response.status_code == 200, response.text
            seen |= {p["id"] for p in response.json()["items"]}
            cursor = response.json()["next_cursor"]
            url = f"/api/v1/proposals{PURPOSE}&limit=100&cursor={cursor}" if cursor else ""
        return seen

    assert str(proposal.id) in listed(world.headers["EMM"])
    outsider = partners.new(kind="other")
    assert str(proposal.id) not in listed(outsider.headers)
    no_scope = partners.new(kind="other", scopes="signals:read")
    assert api.get(f"/api/v1/proposals{PURPOSE}", headers=no_scope.headers).status_code == 403


def test_one_agency_on_one_barrier_is_no_proposal(api, world: World, server, sessions) -> None:
    phone = {"type": "phone", "number": _phone()}
    first = _post(api, world.headers["KMAR"], _entry(phone))
    _post(api, world.headers["KMAR"], _entry(phone))
    assert _proposals_of(server, first) == []


def test_retracting_a_member_closes_the_proposal_with_a_reason(
    api, world: World, server, sessions
) -> None:
    iban = {"type": "iban", "number": _iban()}
    entry = _post(api, world.headers["KMAR"], _entry(iban))
    _post(api, world.headers["SZW"], _work(iban))
    [proposal] = _proposals_of(server, entry)
    response = api.post(f"/api/v1/signals/{entry}/retract", headers=world.headers["KMAR"])
    assert response.status_code == 200, response.text
    [closed] = _proposals_of(server, entry)
    assert closed.id == proposal.id
    assert closed.status == "closed" and closed.closed_reason


def test_a_new_member_keeps_the_proposal_id(api, world: World, server, sessions) -> None:
    phone = {"type": "phone", "number": _phone()}
    entry = _post(api, world.headers["KMAR"], _entry(phone))
    _post(api, world.headers["SZW"], _work(phone))
    [before] = _proposals_of(server, entry)
    third = _post(api, world.headers["IND"], _work(phone))
    [after] = _proposals_of(server, third)
    assert after.id == before.id and after.size == 3 and after.version > before.version


def _links_of(session: Session, proposal_ids: set[uuid.UUID]) -> list[tuple[object, ...]]:
    return sorted(
        tuple(row)
        for row in session.execute(
            select(
                ProposalLink.proposal_id,
                ProposalLink.signal_a,
                ProposalLink.signal_b,
                ProposalLink.points,
            ).where(ProposalLink.proposal_id.in_(proposal_ids))
        )
    )


def test_a_step_rewrites_all_its_proposals_links_in_one_delete(api, world: World, server) -> None:
    """The proposals a step rewrites are written together (not five statements each), and
    what is written is what was there."""
    signals = []
    for _ in range(3):
        phone = {"type": "phone", "number": _phone()}
        signals += [
            _post(api, world.headers["KMAR"], _entry(phone)),
            _post(api, world.headers["SZW"], _work(phone)),
        ]
    ids = [uuid.UUID(s) for s in signals]
    sessions = _settled(server)
    with sessions() as session:
        proposal_ids = set(
            session.scalars(
                select(ProposalMember.proposal_id).where(ProposalMember.signal_id.in_(ids))
            )
        )
        before = _links_of(session, proposal_ids)
    assert len(proposal_ids) == 3 and len(before) == 3
    # Stored links gone stale (here: gone), so the step must rewrite each of the three.
    with sessions() as session, session.begin():
        session.execute(delete(ProposalLink).where(ProposalLink.proposal_id.in_(proposal_ids)))
    deletes: list[str] = []

    def count(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        if " ".join(statement.split()).upper().startswith("DELETE FROM PROPOSAL_LINKS"):
            deletes.append(statement)

    with sessions() as session, session.begin():
        engine = session.get_bind()
        event.listen(engine, "before_cursor_execute", count)
        try:
            result = server.app.state.link_worker.linker(session, ids)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert result.changed == 3 and len(deletes) == 1
    with sessions() as session:
        assert _links_of(session, proposal_ids) == before


def test_a_rejected_proposal_stays_rejected_until_new_signals_join(
    api, world: World, server, sessions, vocabulary, settings
) -> None:
    phone = {"type": "phone", "number": _phone()}
    entry = _post(api, world.headers["KMAR"], _entry(phone))
    work = _post(api, world.headers["SZW"], _work(phone))
    [proposal] = _proposals_of(server, entry)
    with sessions() as session, session.begin():
        session.execute(
            update(Proposal).where(Proposal.id == proposal.id).values(status="rejected")
        )
    # A correction that changes no membership, and a full relink, leave the rejection alone.
    patched = api.patch(
        f"/api/v1/signals/{work}", headers=world.headers["SZW"], json={"reliability": "A"}
    )
    assert patched.status_code == 200, patched.text
    with sessions() as session, session.begin():
        relink(
            session,
            weights=vocabulary.indicator_weights(),
            keys=DataKeys.load_or_create(settings.data_dir),
        )
    [still] = _proposals_of(server, entry)
    assert still.id == proposal.id and still.status == "rejected"
    # A new signal joining is worth another look.
    third = _post(api, world.headers["IND"], _work(phone))
    [reopened] = _proposals_of(server, third)
    assert reopened.id == proposal.id and reopened.status == "new" and reopened.size == 3


def test_a_value_shared_beyond_its_cap_stops_linking(api, world: World, server, sessions) -> None:
    phone = {"type": "phone", "number": _phone()}
    cap = rules.FREQUENCY_CAP["phone"]
    half = cap // 2 + 1
    kmar = [_entry(phone) for _ in range(half)]
    szw = [_work(phone) for _ in range(cap + 1 - half)]
    first = api.post("/api/v1/signals/batch", json=kmar, headers=world.headers["KMAR"])
    assert first.status_code == 200, first.text
    ids = [r["id"] for r in first.json()["results"]]
    second = api.post("/api/v1/signals/batch", json=szw, headers=world.headers["SZW"])
    assert second.status_code == 200 and second.json()["created"] == len(szw)
    # cap + 1 signals carry the phone: it is a switchboard, not evidence.
    assert all(p.status not in LIVE for i in ids for p in _proposals_of(server, i))


def test_relinking_everything_gives_the_same_proposals(
    api, world: World, server, sessions, vocabulary, settings
) -> None:
    phone = {"type": "phone", "number": _phone()}
    _post(api, world.headers["KMAR"], _entry(phone))
    _post(api, world.headers["SZW"], _work(phone))
    before = _live(server)
    assert before
    with sessions() as session, session.begin():
        relink(
            session,
            weights=vocabulary.indicator_weights(),
            keys=DataKeys.load_or_create(settings.data_dir),
        )
    assert _live(server) == before


@pytest.mark.parametrize("posts", [6])
def test_parallel_posts_into_one_cluster_make_one_proposal(
    server, world: World, sessions, posts: int
) -> None:
    phone = {"type": "phone", "number": _phone()}
    bodies = [(("KMAR", _entry(phone)) if i % 2 else ("SZW", _work(phone))) for i in range(posts)]

    def send(item: tuple[str, dict]) -> str:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            return _post(client, world.headers[item[0]], item[1])

    with ThreadPoolExecutor(max_workers=posts) as pool:
        ids = list(pool.map(send, bodies))
    live = {p.id for i in ids for p in _proposals_of(server, i) if p.status in LIVE}
    assert len(live) == 1
    [proposal_id] = live
    assert _live(server)[proposal_id] == {uuid.UUID(i) for i in ids}


def _admin_view(settings, subject: dict) -> list[str]:  # type: ignore[no-untyped-def]
    """The pseudonyms administrators see for a subject's match keys."""
    keys = DataKeys.load_or_create(settings.data_dir)
    pseudonym = pseudonymiser(keys.pseudonym_key, ADMIN_VIEW)
    parsed = TypeAdapter(Subject).validate_python(subject)
    return [pseudonym(k.type, keys.blind_index(k.type, k.value)) for k in identifier_keys(parsed)]


def test_over_linked_values_are_listed_for_administrators(
    api, world: World, settings, partners
) -> None:
    phone = {"type": "phone", "number": _phone()}
    cap = rules.FREQUENCY_CAP["phone"]
    bodies = [_entry(phone) for _ in range(cap + 1)]
    response = api.post("/api/v1/signals/batch", json=bodies, headers=world.headers["KMAR"])
    assert response.status_code == 200 and response.json()["created"] == cap + 1
    admin = partners.new(kind="other", scopes="admin")
    listed = api.get("/api/v1/linking/over-linked", headers=admin.headers)
    assert listed.status_code == 200, listed.text
    [entry] = [
        v for v in listed.json()["over_linked"] if v["pseudonym"] in _admin_view(settings, phone)
    ]
    assert entry == {
        "type": "phone",
        "pseudonym": entry["pseudonym"],
        "carriers": cap + 1,
        "cap": cap,
    }
    assert phone["number"][3:] not in listed.text
    reviewer = partners.new(kind="other", scopes="proposals:review")
    assert api.get("/api/v1/linking/over-linked", headers=reviewer.headers).status_code == 403


def test_an_excluded_value_stops_linking_at_once(
    api, world: World, server, sessions, settings, vocabulary, partners
) -> None:
    phone = {"type": "phone", "number": _phone()}
    entry = _post(api, world.headers["KMAR"], _entry(phone))
    _post(api, world.headers["SZW"], _work(phone))
    [proposal] = _proposals_of(server, entry)
    keys = DataKeys.load_or_create(settings.data_dir)
    with sessions() as session, session.begin():
        added, result = exclude(
            session,
            keys,
            Linker(vocabulary.indicator_weights()),
            TypeAdapter(Subject).validate_python(phone),
            reason="the shelter's front desk",
            by="test",
        )
    assert added == 1 and result.closed == 1
    [closed] = _proposals_of(server, entry)
    assert closed.id == proposal.id and closed.status == "closed"
    later = _post(api, world.headers["IND"], _work(phone))
    assert _proposals_of(server, later) == []
    admin = partners.new(kind="other", scopes="admin")
    excluded = api.get("/api/v1/linking/over-linked", headers=admin.headers).json()["excluded"]
    [row] = [e for e in excluded if e["pseudonym"] in _admin_view(settings, phone)]
    assert row["reason"] == "the shelter's front desk" and row["type"] == "phone"


def test_the_same_person_written_differently_links(api, world: World, server, sessions) -> None:
    rng = random.Random()
    # Day and month both 12 or less and different, so that swapping them gives another date;
    # never January, whose 7th swapped is 1 July, a placeholder date that links no name alone.
    born = f"19{rng.randrange(60, 99)}-0{rng.randrange(2, 5)}-{rng.randrange(5, 13):02d}"
    family = "Zy" + "".join(rng.choices("bcdfghklmnprstvw", k=7))
    given = "Andreea"
    year, month, day = born.split("-")
    entry = _post(
        api,
        world.headers["KMAR"],
        _entry({"type": "person", "name": f"{given} {family}", "birth_date": born}),
    )
    # SZW writes the family name first, with a typo, and the day and month swapped.
    typo = family[:-2] + family[-1] + family[-2]
    work = _post(
        api,
        world.headers["SZW"],
        _work({"type": "person", "name": f"{typo} {given}", "birth_date": f"{year}-{day}-{month}"}),
    )
    [proposal] = _proposals_of(server, entry)
    response = api.get(f"/api/v1/proposals/{proposal.id}{PURPOSE}", headers=world.headers["EMM"])
    assert response.status_code == 200, response.text
    [link] = response.json()["explanation"]
    assert set(link["signals"]) == {entry, work}
    assert [s["type"] for s in link["shared"]] == ["person-similar"]


def test_a_person_whose_block_key_holds_no_person_still_links(
    api, world: World, server, sessions, settings
) -> None:
    """Blocks stored before they sealed the person (the block key only) are read as before."""
    family = "Qx" + "".join(random.choices("bcdfghklmnprstvw", k=7))
    entry = _post(
        api,
        world.headers["KMAR"],
        _entry({"type": "person", "name": f"Ioana {family}", "birth_date": "1981-04-09"}),
    )
    server.app.state.link_worker.drain()
    keys = DataKeys.load_or_create(settings.data_dir)
    signal_id = uuid.UUID(entry)
    old_style = keys.seal(b"1981|04|09", context=b"identifier:" + signal_id.bytes)
    with sessions() as session, session.begin():
        session.execute(
            update(Identifier)
            .where(Identifier.signal_id == signal_id, Identifier.type == "person-dob")
            .values(key_id=old_style.key_id, value=old_style.blob)
        )
    typo = family[:-2] + family[-1] + family[-2]
    work = _post(
        api,
        world.headers["SZW"],
        _work({"type": "person", "name": f"{typo} Ioana", "birth_date": "1981-09-04"}),
    )
    [proposal] = _proposals_of(server, work)
    assert _live(server)[proposal.id] == {signal_id, uuid.UUID(work)}


def test_a_purged_member_leaves_its_proposal_which_closes(
    api, world: World, server, sessions, settings, vocabulary
) -> None:
    phone = {"type": "phone", "number": _phone()}
    entry = _post(api, world.headers["KMAR"], _entry(phone))
    work = _post(api, world.headers["SZW"], _work(phone))
    [proposal] = _proposals_of(server, work)
    at = datetime.now(UTC)
    with sessions() as session, session.begin():
        session.execute(
            update(Signal)
            .where(Signal.id == uuid.UUID(entry))
            .values(created_at=at - timedelta(days=3000))
        )
        linker = Linker(vocabulary.indicator_weights(), DataKeys.load_or_create(settings.data_dir))
        result = purge_expired(session, now=at, default_days=730, dry_run=False, linker=linker)
    assert entry in result.signal_ids
    [after] = _proposals_of(server, work)
    assert after.id == proposal.id and after.status == "closed" and after.closed_reason
    with sessions() as session:
        members = set(
            session.scalars(
                select(ProposalMember.signal_id).where(ProposalMember.proposal_id == proposal.id)
            )
        )
    assert members == {uuid.UUID(work)}


def test_signals_kept_apart_are_never_proposed_together(
    api, world: World, server, sessions, settings, vocabulary
) -> None:
    phone = {"type": "phone", "number": _phone()}
    entry = _post(api, world.headers["KMAR"], _entry(phone))
    work = _post(api, world.headers["SZW"], _work(phone))
    [proposal] = _proposals_of(server, entry)
    linker = Linker(vocabulary.indicator_weights(), DataKeys.load_or_create(settings.data_dir))
    with sessions() as session, session.begin():
        separate(
            session, linker, uuid.UUID(entry), uuid.UUID(work), reason="different people", by="t"
        )
    [closed] = _proposals_of(server, entry)
    assert closed.id == proposal.id and closed.status == "closed"
    # A third signal linking to both does not bring them together again.
    third = _post(api, world.headers["IND"], _work(phone))
    live = [p for p in _proposals_of(server, third) if p.status in LIVE]
    for p in live:
        members = _live(server)[p.id]
        assert not {uuid.UUID(entry), uuid.UUID(work)} <= members
    with sessions() as session, session.begin():
        relink(
            session,
            weights=vocabulary.indicator_weights(),
            keys=DataKeys.load_or_create(settings.data_dir),
        )
    assert not any({uuid.UUID(entry), uuid.UUID(work)} <= m for m in _live(server).values())


def _wait_for(check, seconds: float = 20.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not (result := check()):
        assert time.monotonic() < deadline, "the linking worker did not catch up"
        time.sleep(0.05)
    return result


def _proposals_now(server: LiveServer, signal_id: str) -> list[Proposal]:
    """Proposals of a signal as stored now, without waiting for the worker."""
    with server.app.state.sessions() as session:
        return list(
            session.scalars(
                select(Proposal)
                .join(ProposalMember, ProposalMember.proposal_id == Proposal.id)
                .where(ProposalMember.signal_id == uuid.UUID(signal_id))
            )
        )


def test_the_worker_links_a_post_soon_after_it_commits(api, world: World, server) -> None:
    phone = {"type": "phone", "number": _phone()}
    entry = _post(api, world.headers["KMAR"], _entry(phone))
    _post(api, world.headers["SZW"], _work(phone))
    # Nobody drains here: the commit woke the worker.
    [proposal] = _wait_for(lambda: _proposals_now(server, entry))
    assert proposal.size == 2


def test_signals_queued_while_the_worker_was_down_are_linked_when_it_starts(
    api, world: World, server
) -> None:
    worker = server.app.state.link_worker
    worker.stop()
    try:
        iban = {"type": "iban", "number": _iban()}
        entry = _post(api, world.headers["KMAR"], _entry(iban))
        _post(api, world.headers["SZW"], _work(iban))
        health = api.get("/health").json()
        assert health["linking"]["queued"] >= 2
        assert _proposals_now(server, entry) == []
    finally:
        worker.start()
    [proposal] = _wait_for(lambda: _proposals_now(server, entry))
    assert proposal.size == 2
    assert _wait_for(lambda: api.get("/health").json()["linking"]["queued"] == 0)
