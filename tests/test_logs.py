"""Logs hold no identifier, narrative, secret or token, whatever happens to a request."""

import logging
import uuid

from sqlalchemy import select

from hub.signals.models import Signal
from tests.factories import signal_body


def test_logs_hold_no_identifiers_or_secrets(api, partners, sessions, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    partner = partners.new(kind="szw")
    narrative = f"narrative-{uuid.uuid4().hex}"
    body = signal_body(summary=narrative)
    created = api.post("/api/v1/signals", json=body, headers=partner.headers).json()
    # Invalid input, a duplicate, a bad token, and an internal error (a tampered ciphertext).
    api.post(
        "/api/v1/signals",
        json=signal_body(subjects=[{"type": "iban", "number": "NL00X"}]),
        headers=partner.headers,
    )
    api.post("/api/v1/signals", json=body, headers=partner.headers)
    api.get("/api/v1/signals", headers={"Authorization": f"Bearer {partner.token}x"})
    api.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(partner.client_id, partner.client_secret + "x"),
    )
    with sessions() as session, session.begin():
        signal = session.scalars(select(Signal).where(Signal.id == uuid.UUID(created["id"]))).one()
        signal.summary = bytes(signal.summary[:-1]) + bytes([signal.summary[-1] ^ 1])
    assert (
        api.get(
            f"/api/v1/signals/{created['id']}",
            params={"purpose": "investigation"},
            headers=partner.headers,
        ).status_code
        == 500
    )

    logged = caplog.text + "".join(str(r.exc_info) for r in caplog.records if r.exc_info)
    assert caplog.records, "the server should have logged something (the 500 at least)"
    for secret in (
        narrative,
        "NL91ABNA0417164300",
        "NL91 ABNA",
        "Popescu",
        "+31612345678",
        "06-12345678",
        "12345678",
        partner.client_secret,
        partner.token,
    ):
        assert secret not in logged
