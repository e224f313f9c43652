"""Batch ingest: per-item results, atomic items, NDJSON, limits."""

import json

from tests.factories import signal_body, stored_count


def test_json_batch_reports_each_item(api, kmar, sessions) -> None:
    existing = api.post("/api/v1/signals", json=signal_body(), headers=kmar.headers).json()
    good = signal_body()
    bad = signal_body(subjects=[{"type": "iban", "number": "NL00 BAD"}])
    dup = signal_body(external_ref=existing["external_ref"])
    response = api.post("/api/v1/signals/batch", json=[good, bad, dup, good], headers=kmar.headers)
    assert response.status_code == 200, response.text
    result = response.json()
    statuses = [r["status"] for r in result["results"]]
    assert statuses == ["created", "invalid", "duplicate", "duplicate"]
    assert result["results"][2]["id"] == existing["id"]
    assert result["results"][3]["id"] == result["results"][0]["id"]
    problem = result["results"][1]["problem"]
    assert problem["status"] == 400
    assert {e["pointer"] for e in problem["errors"]} == {"/subjects/0/number"}
    assert (result["created"], result["duplicates"], result["invalid"]) == (1, 2, 1)
    assert stored_count(sessions, kmar.agency_id) == 2
    created = api.get(f"/api/v1/signals/{result['results'][0]['id']}", headers=kmar.reader)
    assert created.json()["external_ref"] == good["external_ref"]


def test_batch_item_with_an_unknown_municipality_is_refused_alone(api, kmar, sessions) -> None:
    good = signal_body(municipality="GM1992")  # Voorne aan Zee, since 2023
    bad = signal_body(municipality="GM9999")
    response = api.post("/api/v1/signals/batch", json=[good, bad], headers=kmar.headers)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["created", "invalid"]
    assert [e["pointer"] for e in results[1]["problem"]["errors"]] == ["/municipality"]
    assert stored_count(sessions, kmar.agency_id) == 1
    stored = api.get(f"/api/v1/signals/{results[0]['id']}", headers=kmar.reader).json()
    assert stored["region"] == "rotterdam"


def test_ndjson_batch_with_a_broken_line(api, kmar, sessions) -> None:
    lines = [json.dumps(signal_body()), "{not json", "", json.dumps(signal_body())]
    response = api.post(
        "/api/v1/signals/batch",
        content="\n".join(lines).encode(),
        headers=kmar.headers | {"Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 200, response.text
    assert [r["status"] for r in response.json()["results"]] == ["created", "invalid", "created"]
    assert stored_count(sessions, kmar.agency_id) == 2


def test_too_many_items_stores_nothing(api, kmar, sessions, settings) -> None:
    items = [signal_body() for _ in range(settings.batch_max_items + 1)]
    response = api.post("/api/v1/signals/batch", json=items, headers=kmar.headers)
    assert response.status_code == 400
    assert "at most" in response.json()["detail"]
    assert stored_count(sessions, kmar.agency_id) == 0


def test_batch_must_be_an_array(api, kmar, sessions) -> None:
    response = api.post("/api/v1/signals/batch", json=signal_body(), headers=kmar.headers)
    assert response.status_code == 400
    assert stored_count(sessions, kmar.agency_id) == 0


def test_oversized_batch_is_413(api, kmar, sessions, settings) -> None:
    body = json.dumps([signal_body(summary="x" * 9000) for _ in range(300)]).encode()
    assert len(body) > settings.max_body_bytes
    response = api.post(
        "/api/v1/signals/batch",
        content=body,
        headers=kmar.headers | {"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert stored_count(sessions, kmar.agency_id) == 0


def test_batch_of_a_thousand(api, kmar, sessions) -> None:
    items = [signal_body() for _ in range(1000)]
    response = api.post("/api/v1/signals/batch", json=items, headers=kmar.headers)
    assert response.status_code == 200
    assert response.json()["created"] == 1000
    assert stored_count(sessions, kmar.agency_id) == 1000


def test_a_batch_racing_another_writer_for_a_reference_reports_it_duplicate(
    api, kmar, sessions, settings, vocabulary
) -> None:
    """Another transaction holds one of the batch's references uncommitted: the batch's insert
    waits on it, is refused when it commits, and falls back to one item at a time (on
    PostgreSQL that refusal came from the driver itself, past the handler, as a 500)."""
    import threading
    import uuid

    from hub.auth.caller import Caller
    from hub.kit.crypto import DataKeys
    from hub.signals.schemas import SignalCreate
    from hub.signals.service import insert_signals

    held, other = signal_body(), signal_body()
    caller = Caller(kmar.agency_id, kmar.code, kmar.client_id, frozenset({"signals:write"}), "t")
    item = SignalCreate.model_validate(held, context={"vocabulary": vocabulary})
    answer: list = []
    with sessions() as session, session.begin():
        insert_signals(
            session, DataKeys.load_or_create(settings.data_dir), caller, [(uuid.uuid4(), item)], []
        )
        session.flush()
        poster = threading.Thread(
            target=lambda: answer.append(
                api.post("/api/v1/signals/batch", json=[held, other], headers=kmar.headers)
            )
        )
        poster.start()
        poster.join(timeout=1.5)  # SQLite: its writer lock; PostgreSQL: the unique index
        assert not answer, "the batch should wait for the uncommitted reference"
    poster.join(timeout=30)
    assert answer and answer[0].status_code == 200, answer and answer[0].text
    assert [r["status"] for r in answer[0].json()["results"]] == ["duplicate", "created"]
    assert stored_count(sessions, kmar.agency_id) == 2
