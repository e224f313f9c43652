"""Every change to a signal leaves an audit event; events never hold identifiers or text."""

import json

from sqlalchemy import select

from hub.audit.models import AuditEvent
from tests.factories import signal_body


def test_create_update_retract_are_audited(api, kmar, sessions) -> None:
    body = signal_body(summary="Secret narrative text")
    created = api.post("/api/v1/signals", json=body, headers=kmar.headers).json()
    url = f"/api/v1/signals/{created['id']}"
    api.patch(url, headers=kmar.headers, json={"summary": "Another secret"})
    api.post(f"{url}/retract", headers=kmar.headers, json={"reason": "duplicate"})
    api.get(url, headers=kmar.reader)  # a source reading its own signal is no disclosure
    with sessions() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.object_id == created["id"]).order_by(AuditEvent.id)
        ).all()
    assert [e.action for e in events] == ["signal.created", "signal.updated", "signal.retracted"]
    assert all(e.agency == kmar.code and e.client_id == kmar.client_id for e in events)
    assert [e.detail["version"] for e in events] == [1, 2, 3]
    assert events[1].detail["fields"] == ["summary"]
    assert events[2].detail["reason"] == "duplicate"
    text = json.dumps([e.detail for e in events])
    for secret in ("Secret", "NL91", "Popescu", "+316"):
        assert secret not in text


def test_batch_items_are_audited_one_by_one(api, kmar, sessions) -> None:
    result = api.post(
        "/api/v1/signals/batch", json=[signal_body(), signal_body()], headers=kmar.headers
    ).json()
    ids = {r["id"] for r in result["results"]}
    with sessions() as session:
        audited = set(
            session.scalars(
                select(AuditEvent.object_id).where(
                    AuditEvent.agency == kmar.code, AuditEvent.action == "signal.created"
                )
            )
        )
    assert audited == ids
