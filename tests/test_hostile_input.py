"""Hostile input (issue 13): every malformed input gets a 400/413 problem naming the field,
never a 500; nothing is partly stored; the limits of hub.limits hold over real HTTP."""

import json
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from hub.errors import install_handlers
from hub.limits import MAX_JSON_DEPTH
from hub.middleware import HeadersMiddleware, InputGuardMiddleware
from tests.conftest import free_port
from tests.factories import Partner, signal_body, stored_count
from tests.proposals.test_actions import _cluster

INVESTIGATE = {"purpose": "investigation"}


@pytest.fixture
def emm(partners) -> Partner:  # type: ignore[no-untyped-def]
    return partners.new(kind="emm")


def _problem(response: httpx.Response, status: int = 400) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "Traceback" not in response.text
    return response.json()


def _names(problem: dict) -> set[str]:
    return {e.get("name") or e.get("pointer") for e in problem.get("errors", [])}


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/signals", "indicator"),
        ("/api/v1/proposals", "agency"),
        ("/api/v1/proposals", "region"),
        ("/api/v1/audit", "agency"),
        ("/api/v1/audit", "action"),
    ],
)
def test_nul_in_a_query_parameter_is_400_naming_it(api, emm, path, name) -> None:
    response = api.get(path, params=INVESTIGATE | {name: "a\x00b"}, headers=emm.headers)
    assert name in _names(_problem(response))


@pytest.mark.parametrize(
    ("path", "name"),
    [("/api/v1/proposals", "createdFrom"), ("/api/v1/audit", "since")],
)
def test_naive_datetime_filter_is_400(api, emm, path, name) -> None:
    response = api.get(
        path, params=INVESTIGATE | {name: "2026-01-01T00:00:00"}, headers=emm.headers
    )
    assert name in _names(_problem(response))


EXTREME_TIMES = ["0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59"]


@pytest.mark.parametrize("value", EXTREME_TIMES)
@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/signals", "observedSince"),
        ("/api/v1/signals", "observedUntil"),
        ("/api/v1/signals", "updatedSince"),
        ("/api/v1/proposals", "createdFrom"),
        ("/api/v1/proposals", "createdTo"),
        ("/api/v1/audit", "since"),
        ("/api/v1/audit", "until"),
    ],
)
def test_extreme_offset_in_a_date_filter_is_400(api, emm, path, name, value) -> None:
    response = api.get(path, params=INVESTIGATE | {name: value}, headers=emm.headers)
    assert name in _names(_problem(response))


@pytest.mark.parametrize("value", [*EXTREME_TIMES, "1899-12-31T23:00:00Z"])
def test_observed_at_out_of_range_is_400(api, kmar, sessions, value) -> None:
    response = api.post(
        "/api/v1/signals", json=signal_body(observed_at=value), headers=kmar.headers
    )
    assert "/observed_at" in _names(_problem(response))
    assert stored_count(sessions, kmar.agency_id) == 0


def _nested(depth: int) -> bytes:
    return b'{"summary": ' + b"[" * depth + b"]" * depth + b"}"


def _post_signal(api: httpx.Client, partner: Partner) -> str:
    response = api.post("/api/v1/signals", json=signal_body(), headers=partner.headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 1_000, 10_000, 100_000])
@pytest.mark.parametrize(
    ("method", "path", "kind"),
    [
        ("POST", "/api/v1/signals", "application/json"),
        ("POST", "/api/v1/signals/batch", "application/json"),
        ("POST", "/api/v1/signals/batch", "application/x-ndjson"),
        ("POST", "/api/v1/lookups", "application/json"),
        ("PATCH", "/api/v1/signals/{id}", "application/merge-patch+json"),
    ],
)
def test_deep_json_is_400(api, kmar, sessions, depth, method, path, kind) -> None:
    if "{id}" in path:
        path = path.format(id=_post_signal(api, kmar))
    raw = _nested(depth)
    if path.endswith("batch") and kind == "application/json":
        raw = b"[" + raw + b"]"
    response = api.request(
        method,
        path,
        content=raw,
        params=INVESTIGATE,
        headers=kmar.headers | {"Content-Type": kind},
    )
    problem = _problem(response)
    assert "deeper" in json.dumps(problem["errors"])
    assert stored_count(sessions, kmar.agency_id) == (1 if method == "PATCH" else 0)


def test_chunked_body_over_the_limit_is_413(api, kmar, sessions, settings) -> None:
    chunk = b" " * 65_536

    def stream() -> Iterator[bytes]:
        yield b'{"summary": "'
        for _ in range(settings.max_body_bytes // len(chunk) + 2):
            yield chunk
        yield b'"}'

    response = api.post(
        "/api/v1/signals",
        content=stream(),
        headers=kmar.headers | {"Content-Type": "application/json"},
    )
    assert "content-length" not in response.request.headers
    _problem(response, 413)
    assert stored_count(sessions, kmar.agency_id) == 0


@pytest.mark.parametrize("number", ["9" * 5000, str(2**63), "1e999", "NaN"])
def test_unholdable_number_is_400_naming_it(api, kmar, sessions, number) -> None:
    raw = json.dumps(signal_body()).replace('"house_number": 12', f'"house_number": {number}')
    response = api.post(
        "/api/v1/signals",
        content=raw.encode(),
        headers=kmar.headers | {"Content-Type": "application/json"},
    )
    assert "/subjects/1/house_number" in _names(_problem(response))
    assert stored_count(sessions, kmar.agency_id) == 0


def test_batch_item_with_overflowing_date_is_one_invalid_item(api, kmar, sessions) -> None:
    items = [signal_body(), signal_body(observed_at="0001-01-01T00:00:00+23:59")]
    response = api.post("/api/v1/signals/batch", json=items, headers=kmar.headers)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["created", "invalid"]
    assert "/observed_at" in json.dumps(results[1]["problem"])
    assert stored_count(sessions, kmar.agency_id) == 1


@pytest.mark.parametrize(
    ("text", "pointer"),
    [
        ("\u0000", "/summary"),
        ("\u001b[31m", "/summary"),
        ("\ud800", "/summary"),
    ],
)
def test_control_characters_in_any_body_text_are_400(api, kmar, sessions, text, pointer) -> None:
    raw = json.dumps(signal_body(summary=f"before{text}after"))
    response = api.post(
        "/api/v1/signals",
        content=raw.encode(),
        headers=kmar.headers | {"Content-Type": "application/json"},
    )
    assert pointer in _names(_problem(response))
    assert stored_count(sessions, kmar.agency_id) == 0


def test_control_character_in_a_lookup_is_400(api, kmar) -> None:
    body = {"identifiers": [{"type": "person", "name": "Ion\u0000", "birth_date": "1994-03-02"}]}
    response = api.post("/api/v1/lookups", json=body, params=INVESTIGATE, headers=kmar.headers)
    assert "/identifiers/0/name" in _names(_problem(response))


# --- connections and problem documents ------------------------------------------------------


class _Crash(Exception):
    pass


@pytest.fixture(scope="module")
def crashing_server() -> Iterator[str]:
    """The hub's own error handlers and middleware around a route that fails unexpectedly,
    served by uvicorn as the hub is: the only way to meet a 500 once there are none left."""
    app = FastAPI()
    install_handlers(app)

    @app.get("/crash")
    def crash() -> None:
        raise _Crash("internal detail")

    @app.get("/busy")
    def busy() -> None:
        # What SQLAlchemy raises when SQLite's busy timeout runs out under many writers.
        raise OperationalError(
            "INSERT INTO signals ...", {}, sqlite3.OperationalError("database is locked")
        )

    app.add_middleware(InputGuardMiddleware, max_body_bytes=1000)
    app.add_middleware(HeadersMiddleware)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_a_500_says_connection_close(crashing_server) -> None:
    url = urlsplit(crashing_server)
    with socket.create_connection((url.hostname, url.port), timeout=5) as sock:
        sock.sendall(b"GET /crash HTTP/1.1\r\nHost: x\r\n\r\n")
        received = b""
        while chunk := sock.recv(65_536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 500")
    assert b"connection: close" in head.lower()
    assert b"internal detail" not in body and b"Traceback" not in body
    assert json.loads(body)["status"] == 500


def test_problem_instance_is_the_percent_encoded_path(api, kmar) -> None:
    response = api.get("/api/v1/barriers/\u00f7x y", headers=kmar.headers)
    problem = _problem(response, 404)
    assert problem["instance"] == "/api/v1/barriers/%C3%B7x%20y"


def test_control_character_in_the_path_is_404(api, kmar) -> None:
    response = api.get("/api/v1/covenants/a%00b", headers=kmar.headers)
    problem = _problem(response, 404)
    assert problem["instance"] == "/api/v1/covenants/a%00b"


@pytest.mark.parametrize("value", ["0.5", "1700000000", "2026-11-20"])
def test_a_number_or_a_bare_day_is_no_time(api, emm, value) -> None:
    response = api.get(
        "/api/v1/signals", params=INVESTIGATE | {"updatedSince": value}, headers=emm.headers
    )
    assert "updatedSince" in _names(_problem(response))


def test_a_number_is_no_birth_date(api, kmar, sessions) -> None:
    body = _with_subject(type="person", name="Ion Popescu", birth_date=0)
    response = api.post("/api/v1/signals", json=body, headers=kmar.headers)
    assert "/subjects/0/birth_date" in _names(_problem(response))
    assert stored_count(sessions, kmar.agency_id) == 0


# --- Unicode ----------------------------------------------------------------------------------


HIDDEN = {
    "bidi override": "\u202e",
    "zero-width space": "\u200b",
    "zero-width joiner": "\u200d",
    "byte order mark": "\ufeff",
    "non-character": "\ufdd0",
    "plane non-character": "\U0010ffff",
}


def _with_subject(**fields: object) -> dict:
    return signal_body(subjects=[fields])


@pytest.mark.parametrize("char", list(HIDDEN.values()), ids=list(HIDDEN))
@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        (lambda c: signal_body(external_ref=f"REF{c}1"), "/external_ref"),
        (lambda c: _with_subject(type="person", name=f"Ion{c} Popescu"), "/subjects/0/name"),
        (
            lambda c: _with_subject(
                type="address", street=f"Dam{c}rak", house_number=1, city="Amsterdam"
            ),
            "/subjects/0/street",
        ),
        (lambda c: _with_subject(type="company", name=f"Flex{c} B.V."), "/subjects/0/name"),
        (lambda c: _with_subject(type="phone", number=f"06-1234{c}5678"), "/subjects/0/number"),
    ],
    ids=["external_ref", "person", "street", "company", "phone"],
)
def test_hidden_characters_in_names_and_identifiers_are_400(
    api, kmar, sessions, char, body, pointer
) -> None:
    response = api.post("/api/v1/signals", json=body(char), headers=kmar.headers)
    assert pointer in _names(_problem(response))
    assert stored_count(sessions, kmar.agency_id) == 0


def test_text_is_stored_as_nfc_and_a_summary_may_hold_bidi(api, kmar) -> None:
    decomposed = "Cafe\u0301"
    body = signal_body(
        external_ref=f"{decomposed}-{uuid.uuid4().hex}", summary=f"\u202e{decomposed}"
    )
    response = api.post("/api/v1/signals", json=body, headers=kmar.headers)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["external_ref"].startswith("Caf\u00e9-")
    assert created["summary"] == "\u202eCaf\u00e9"


def test_the_ui_isolates_and_escapes_a_summary() -> None:
    from hub.ui.templating import templates

    macros = templates.env.get_template("pages/_macros.html").module
    signal = {"summary": "<b>x</b>\u202e", "disclosure": {"level": "full"}}
    html = str(macros.content(signal, {}))  # type: ignore[attr-defined]
    assert '<p class="summary-text" dir="auto">&lt;b&gt;x&lt;/b&gt;\u202e</p>' in html


# --- 404s look alike ----------------------------------------------------------------------------


def _statements(engine, request) -> list[str]:  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if threading.current_thread().name != "link-worker" and "signal" in statement.lower():
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        request()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def test_missing_and_invisible_signals_run_the_same_queries(api, partners, server) -> None:
    source, stranger = partners.new(kind="kmar"), partners.new(kind="other")
    invisible = _post_signal(api, source)
    answers = {}

    def get(signal_id: str) -> None:
        response = api.get(
            f"/api/v1/signals/{signal_id}", params=INVESTIGATE, headers=stranger.headers
        )
        answers[signal_id] = response

    engine = server.app.state.engine
    missing = str(uuid.uuid4())
    assert _statements(engine, lambda: get(missing)) == _statements(engine, lambda: get(invisible))
    assert answers[missing].status_code == answers[invisible].status_code == 404


@pytest.mark.parametrize("field", ["barriers", "indicators", "observed_at", "subjects"])
def test_a_correction_may_not_clear_a_required_field(api, kmar, field) -> None:
    signal_id = _post_signal(api, kmar)
    response = api.patch(
        f"/api/v1/signals/{signal_id}",
        json={field: None},
        headers=kmar.headers | {"If-Match": '"1"'},
    )
    assert f"/{field}" in _names(_problem(response))


def test_control_character_in_a_form_field_is_400(api) -> None:
    response = api.post(
        "/oauth/token", data={"grant_type": "client_credentials", "scope": "signals:read\x00"}
    )
    assert "scope" in _names(_problem(response))


def test_missing_and_invisible_proposals_run_the_same_queries(api, world, server) -> None:
    # RIEC-RR (Rotterdam) may not see a proposal of Amsterdam signals: its 404 must not be told
    # apart from the 404 of an id that names nothing, on the detail, the history and an action.
    proposal, _ = _cluster(api, world, server, ("KMAR", "SZW"))
    rotterdam = world.headers["RIEC-RR"]
    missing = str(uuid.uuid4())
    engine = server.app.state.engine
    answers: dict[tuple[str, str], httpx.Response] = {}

    def read(path: str, proposal_id: str) -> Callable[[], None]:
        def request() -> None:
            url = f"/api/v1/proposals/{proposal_id}{path}"
            if path == "/decisions":
                body = {"decision": "reject", "reason": "not ours"}
                response = api.post(url, json=body, headers=rotterdam | {"If-Match": '"1"'})
            else:
                response = api.get(url, params={"purpose": "case-proposal"}, headers=rotterdam)
            answers[(path, proposal_id)] = response

        return request

    for path in ("", "/history", "/decisions"):
        assert _statements(engine, read(path, missing)) == _statements(
            engine, read(path, proposal)
        ), path
        assert answers[(path, missing)].status_code == 404, path
        assert answers[(path, proposal)].status_code == 404, path
        assert answers[(path, missing)].json()["detail"].replace(missing, "ID") == answers[
            (path, proposal)
        ].json()["detail"].replace(proposal, "ID"), path


def test_a_busy_database_is_a_503_to_try_again_not_a_500(crashing_server) -> None:
    response = httpx.get(f"{crashing_server}/busy")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) > 0
    problem = response.json()
    assert problem["status"] == 503 and problem["type"].endswith("/unavailable")
    # Neither the statement nor the driver's words reach the client.
    assert "INSERT" not in response.text and "locked" not in response.text
