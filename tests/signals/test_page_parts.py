"""The list page's reads that the policy decides on: the same facts as the single read's."""

import uuid

from hub.signals import repository
from hub.signals.models import Signal
from hub.signals.repository import SignalFilter
from hub.subjects.models import SignalRestriction, SubjectRequest
from tests.factories import signal_body


def _post(api, partner, **overrides) -> str:  # type: ignore[no-untyped-def]
    response = api.post("/api/v1/signals", json=signal_body(**overrides), headers=partner.headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_a_page_names_its_restricted_signals(api, sessions, kmar) -> None:
    ids = [_post(api, kmar) for _ in range(3)]
    own = Signal.agency_id == kmar.agency_id
    with sessions() as session:
        request = SubjectRequest(kind="restrict", agency="DPO", opened_by="t", tokens=[], found={})
        session.add(request)
        session.flush()
        held = uuid.UUID(ids[1])
        session.add(SignalRestriction(signal_id=held, request_id=request.id, ground="avg-18-1-a"))
        session.flush()
        page, restricted = repository.page_and_held(
            session, own, SignalFilter(), after=None, limit=10
        )
        plain = repository.page_where(session, own, SignalFilter(), after=None, limit=10)
        listed, expected = [s.id for s in page], [s.id for s in plain]
        session.rollback()
    assert listed == expected == [uuid.UUID(i) for i in ids]
    assert restricted == {held}


def test_parts_read_the_match_keys_with_the_subjects(api, sessions, kmar) -> None:
    # The last subject has fact keys only (a name without a birth date): no match key.
    subjects = [*signal_body()["subjects"], {"type": "person", "name": "Maria Ionescu"}]
    for _ in range(2):
        _post(api, kmar, subjects=subjects)
    _post(api, kmar, subjects=[])
    with sessions() as session:
        signals = repository.page_of_own(
            session, kmar.agency_id, SignalFilter(), after=None, limit=10
        )
        ids = [s.id for s in signals]
        apart = repository.parts_of(session, signals)
        together = repository.parts_of(session, signals, keys=True)
        stored = repository.match_keys(session, ids)
    assert apart.keys is None
    assert together.keys == stored and len(stored) == 2
    assert all(len(by_position) == len(subjects) - 1 for by_position in stored.values())
    for signal_id in ids:
        positions = [s.position for s in apart.subjects.get(signal_id, [])]
        assert [s.position for s in together.subjects.get(signal_id, [])] == positions
    assert (apart.barriers, apart.indicators) == (together.barriers, together.indicators)
