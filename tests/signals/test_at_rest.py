"""Privacy by design: identifiers and narratives are sealed; matching uses blind indexes."""

import uuid

from sqlalchemy import select, text

from hub.signals.models import Identifier, Signal, Subject
from tests.factories import signal_body


def test_no_plaintext_identifier_or_summary_in_the_database(api, kmar, sessions, server) -> None:
    marker = f"Unique narrative {uuid.uuid4().hex}"
    body = signal_body(
        summary=marker,
        subjects=[
            {"type": "iban", "number": "NL91 ABNA 0417 1643 00"},
            {"type": "person", "name": "Zyxwvut Qqqq", "birth_date": "1990-03-14"},
        ],
    )
    response = api.post("/api/v1/signals", json=body, headers=kmar.headers)
    assert response.status_code == 201, response.text
    created = response.json()
    with sessions() as session:
        signal = session.scalars(select(Signal).where(Signal.id == uuid.UUID(created["id"]))).one()
        assert signal.summary is not None and marker.encode() not in signal.summary
        subjects = session.scalars(select(Subject).where(Subject.signal_id == signal.id)).all()
        identifiers = session.scalars(
            select(Identifier).where(Identifier.signal_id == signal.id)
        ).all()
        for blob in [s.payload for s in subjects] + [i.value for i in identifiers]:
            assert b"NL91ABNA0417164300" not in blob and b"zyxwvut" not in blob.lower()
        keys = server.app.state.data_keys
        tokens = {(i.type, i.token) for i in identifiers}
        assert ("iban", keys.blind_index("iban", "NL91ABNA0417164300")) in tokens
        assert ("person", keys.blind_index("person", "zyxwvut qqqq|1990-03-14")) in tokens
        # Nothing readable anywhere in the row text either (e.g. a debug column).
        dialect = session.bind.dialect.name
        if dialect == "postgresql":
            dump = session.execute(
                text("SELECT s::text FROM signals s WHERE pk = :pk"), {"pk": signal.pk}
            ).scalar_one()
            assert marker not in dump


def test_formatting_variants_share_one_blind_index_token(api, kmar, sessions) -> None:
    variants = ["NL91 ABNA 0417 1643 00", "nl91abna0417164300"]
    ids = []
    for number in variants:
        body = signal_body(subjects=[{"type": "iban", "number": number}])
        ids.append(
            uuid.UUID(api.post("/api/v1/signals", json=body, headers=kmar.headers).json()["id"])
        )
    with sessions() as session:
        tokens = session.scalars(
            select(Identifier.token).where(Identifier.signal_id.in_(ids))
        ).all()
    assert len(tokens) == 2 and len(set(tokens)) == 1


def test_tampered_ciphertext_is_not_served(api, kmar, sessions) -> None:
    created = api.post("/api/v1/signals", json=signal_body(), headers=kmar.headers).json()
    signal_id = uuid.UUID(created["id"])
    with sessions() as session, session.begin():
        signal = session.scalars(select(Signal).where(Signal.id == signal_id)).one()
        blob = bytearray(signal.summary)
        blob[-1] ^= 1
        signal.summary = bytes(blob)
    response = api.get(f"/api/v1/signals/{created['id']}", headers=kmar.reader)
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "InvalidTag" not in response.text and "Traceback" not in response.text
