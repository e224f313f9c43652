"""Corrections and retractions: source only, versions, history, preconditions."""

import uuid

from sqlalchemy import select

from hub.signals.models import SignalVersion
from tests.factories import signal_body


def _post(api, partner) -> dict:
    response = api.post("/api/v1/signals", json=signal_body(), headers=partner.headers)
    assert response.status_code == 201
    return response.json()


def test_patch_increments_version_and_keeps_history(api, kmar, sessions) -> None:
    created = _post(api, kmar)
    response = api.patch(
        f"/api/v1/signals/{created['id']}",
        headers=kmar.headers,
        json={"summary": "Corrected.", "subjects": [{"type": "phone", "number": "+31 6 87654321"}]},
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["version"] == 2 and response.headers["ETag"] == '"2"'
    assert updated["summary"] == "Corrected."
    assert updated["subjects"] == [{"type": "phone", "number": "+31687654321"}]
    assert updated["barriers"] == created["barriers"]
    with sessions() as session:
        versions = session.scalars(
            select(SignalVersion).where(SignalVersion.signal_id == uuid.UUID(created["id"]))
        ).all()
    assert [(v.version, v.change) for v in versions] == [(1, "updated")]


def test_patch_by_another_agency_is_404(api, kmar, partners) -> None:
    created = _post(api, kmar)
    other = partners.new(kind="ind")
    response = api.patch(
        f"/api/v1/signals/{created['id']}", headers=other.headers, json={"summary": "mine now"}
    )
    assert response.status_code == 404
    assert api.get(f"/api/v1/signals/{created['id']}", headers=kmar.reader).json()["version"] == 1


def test_if_match_mismatch_is_412(api, kmar) -> None:
    created = _post(api, kmar)
    url = f"/api/v1/signals/{created['id']}"
    assert (
        api.patch(
            url, headers=kmar.headers | {"If-Match": '"1"'}, json={"summary": "a"}
        ).status_code
        == 200
    )
    response = api.patch(url, headers=kmar.headers | {"If-Match": '"1"'}, json={"summary": "b"})
    assert response.status_code == 412
    assert api.get(url, headers=kmar.reader).json()["summary"] == "a"


def test_patch_validates_against_current_barriers(api, kmar) -> None:
    created = _post(api, kmar)
    url = f"/api/v1/signals/{created['id']}"
    response = api.patch(
        url, headers=kmar.headers, json={"indicators": ["finance.many-workers-one-account"]}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "/indicators/0"
    response = api.patch(url, headers=kmar.headers, json={"barriers": ["finance"]})
    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "/barriers"
    response = api.patch(url, headers=kmar.headers, json={"barriers": None})
    assert response.status_code == 400
    assert api.get(url, headers=kmar.reader).json()["version"] == 1


def test_patch_to_an_unknown_municipality_is_400_and_changes_nothing(api, kmar) -> None:
    created = _post(api, kmar)
    url = f"/api/v1/signals/{created['id']}"
    response = api.patch(
        url, headers=kmar.headers, json={"municipality": "GM9999", "summary": "moved"}
    )
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["pointer"] for e in response.json()["errors"]] == ["/municipality"]
    current = api.get(url, headers=kmar.reader).json()
    assert (current["version"], current["municipality"]) == (1, created["municipality"])
    assert current["summary"] == created["summary"]
    moved = api.patch(url, headers=kmar.headers, json={"municipality": "GM0384"})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["municipality"], moved.json()["region"]) == (
        "GM0384",
        "amsterdam-amstelland",
    )


def test_retract_is_idempotent_and_final(api, kmar) -> None:
    created = _post(api, kmar)
    url = f"/api/v1/signals/{created['id']}"
    first = api.post(f"{url}/retract", headers=kmar.headers, json={"reason": "error"})
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "retracted" and first.json()["version"] == 2
    assert first.json()["retracted_at"].endswith("Z")
    second = api.post(f"{url}/retract", headers=kmar.headers)
    assert second.json()["version"] == 2
    assert api.patch(url, headers=kmar.headers, json={"summary": "x"}).status_code == 409
    listed = api.get("/api/v1/signals?status=retracted", headers=kmar.reader).json()
    assert [s["id"] for s in listed["items"]] == [created["id"]]


def test_retract_by_another_agency_is_404(api, kmar, partners) -> None:
    created = _post(api, kmar)
    other = partners.new(kind="police")
    assert (
        api.post(f"/api/v1/signals/{created['id']}/retract", headers=other.headers).status_code
        == 404
    )
    assert (
        api.get(f"/api/v1/signals/{created['id']}", headers=kmar.reader).json()["status"]
        == "active"
    )


def test_patch_barriers_and_indicators_together(api, kmar) -> None:
    created = _post(api, kmar)
    url = f"/api/v1/signals/{created['id']}"
    change = {"barriers": ["finance"], "indicators": ["finance.many-workers-one-account"]}
    response = api.patch(url, headers=kmar.headers, json=change)
    assert response.status_code == 200, response.text
    assert response.json()["barriers"] == ["finance"]
    assert response.json()["indicators"] == ["finance.many-workers-one-account"]
    mismatch = {
        "barriers": ["entry"],
        "indicators": ["entry.recruitment-debt", "identity.forged-document"],
    }
    response = api.patch(url, headers=kmar.headers, json=mismatch)
    assert response.status_code == 400
    assert [e["pointer"] for e in response.json()["errors"]] == ["/indicators/1"]
