"""Posting one signal: created, read back, idempotent retries, duplicates, privacy of others."""

import uuid

from tests.factories import Partner, PartnerFactory, signal_body, stored_count


def test_post_returns_201_location_and_normalised_signal(api, kmar: Partner) -> None:
    body = signal_body()
    response = api.post("/api/v1/signals", json=body, headers=kmar.headers)
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["Location"] == f"/api/v1/signals/{created['id']}"
    assert response.headers["ETag"] == '"1"'
    assert created["agency"] == kmar.code
    assert created["version"] == 1 and created["status"] == "active"
    assert created["barriers"] == ["accommodation", "employment"]  # barrier-model order
    assert created["region"] == "amsterdam-amstelland"
    # Any offset in, UTC out.
    assert created["observed_at"] == "2026-11-20T08:30:00Z"
    by_type = {s["type"]: s for s in created["subjects"]}
    assert by_type["iban"]["number"] == "NL91ABNA0417164300"
    assert by_type["phone"]["number"] == "+31612345678"
    assert by_type["address"]["postcode"] == "1012 AB"

    again = api.get(response.headers["Location"], headers=kmar.reader)
    assert again.status_code == 200
    assert again.json() == created


def test_other_agency_sees_nothing(api, kmar: Partner, partners: PartnerFactory) -> None:
    created = api.post("/api/v1/signals", json=signal_body(), headers=kmar.headers).json()
    other = partners.new(kind="ind")
    assert api.get(f"/api/v1/signals/{created['id']}", headers=other.reader).status_code == 404
    listed = api.get("/api/v1/signals", headers=other.reader).json()
    assert listed["items"] == []
    for query in (
        "barrier=employment",
        "municipality=GM0363",
        "indicator=employment.wages-below-minimum",
    ):
        assert api.get(f"/api/v1/signals?{query}", headers=other.reader).json()["items"] == []


def test_unknown_signal_is_404_problem(api, kmar: Partner) -> None:
    response = api.get(f"/api/v1/signals/{uuid.uuid4()}", headers=kmar.reader)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_idempotency_key_replays_the_first_result(api, kmar: Partner, sessions) -> None:
    body = signal_body()
    headers = kmar.headers | {"Idempotency-Key": f"key-{uuid.uuid4()}"}
    first = api.post("/api/v1/signals", json=body, headers=headers)
    # The same meaning with another key order is the same request.
    second = api.post("/api/v1/signals", json=dict(reversed(list(body.items()))), headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert stored_count(sessions, kmar.agency_id) == 1


def test_idempotency_key_with_another_body_is_409(api, kmar: Partner, sessions) -> None:
    headers = kmar.headers | {"Idempotency-Key": f"key-{uuid.uuid4()}"}
    assert api.post("/api/v1/signals", json=signal_body(), headers=headers).status_code == 201
    response = api.post("/api/v1/signals", json=signal_body(), headers=headers)
    assert response.status_code == 409
    assert "Idempotency-Key" in response.json()["detail"]
    assert stored_count(sessions, kmar.agency_id) == 1


def test_same_external_ref_without_key_is_409(api, kmar: Partner, sessions) -> None:
    body = signal_body()
    first = api.post("/api/v1/signals", json=body, headers=kmar.headers)
    second = api.post("/api/v1/signals", json=body, headers=kmar.headers)
    assert second.status_code == 409
    assert first.json()["id"] in second.json()["detail"]
    assert stored_count(sessions, kmar.agency_id) == 1


def test_same_external_ref_in_two_agencies_is_fine(api, kmar: Partner, partners) -> None:
    body = signal_body()
    other = partners.new(kind="szw")
    assert api.post("/api/v1/signals", json=body, headers=kmar.headers).status_code == 201
    assert api.post("/api/v1/signals", json=body, headers=other.headers).status_code == 201


def test_writing_needs_the_write_scope(api, partners: PartnerFactory, sessions) -> None:
    reader = partners.new(scopes="signals:read")
    response = api.post("/api/v1/signals", json=signal_body(), headers=reader.headers)
    assert response.status_code == 403
    assert "insufficient_scope" in response.headers["WWW-Authenticate"]
    assert stored_count(sessions, reader.agency_id) == 0
