"""Every response says where its time went (Server-Timing), and says nothing else."""

import re

import httpx

from tests.factories import Partner, signal_body

METRIC = re.compile(r'^db;dur=(\d+\.\d);desc="(\d+) queries", total;dur=(\d+\.\d)$')


def _timing(response: httpx.Response) -> tuple[float, int, float]:
    found = METRIC.match(response.headers["server-timing"])
    assert found, response.headers["server-timing"]
    db, queries, total = float(found[1]), int(found[2]), float(found[3])
    assert 0 <= db <= total
    return db, queries, total


def test_an_api_write_and_read_count_their_database_time(api: httpx.Client, kmar: Partner) -> None:
    posted = api.post("/api/v1/signals", json=signal_body(), headers=kmar.headers)
    assert posted.status_code == 201
    _, queries, _ = _timing(posted)
    # At least the rows it wrote: the signal, its barriers, identifiers and subjects, the audit
    # event and the linking queue (on PostgreSQL most go to the driver as COPY, counted too).
    assert queries >= 6
    read = api.get(f"/api/v1/signals/{posted.json()['id']}", headers=kmar.reader)
    assert read.status_code == 200
    db, queries, total = _timing(read)
    assert queries > 0 and db > 0 and total > 0


def test_problems_pages_and_public_documents_carry_it_too(api: httpx.Client) -> None:
    responses = [
        api.get("/health"),
        api.get("/api/v1/openapi.json"),
        api.get("/api/v1/signals"),  # 401 problem
        api.get("/api/v1/no-such-route"),
        api.get("/ui/sign-in"),
        api.post("/oauth/token", data={"grant_type": "client_credentials"}),
    ]
    for response in responses:
        _timing(response)
    # A refused request never reached the database.
    _, queries, _ = _timing(responses[2])
    assert queries == 0
