"""Bad input: a clear 400/413/415 problem, all field errors together, and nothing stored."""

import json

import pytest

from tests.factories import Partner, signal_body, stored_count


def _assert_refused(response, sessions, partner: Partner, status: int = 400) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert {"type", "title", "status", "detail"} <= problem.keys()
    assert problem["status"] == status
    assert "Traceback" not in response.text
    assert stored_count(sessions, partner.agency_id) == 0
    return problem


def _pointers(problem: dict) -> set[str]:
    return {e.get("pointer") for e in problem.get("errors", [])}


def test_malformed_json(api, kmar, sessions) -> None:
    response = api.post(
        "/api/v1/signals",
        content=b'{"external_ref": ',
        headers=kmar.headers | {"Content-Type": "application/json"},
    )
    problem = _assert_refused(response, sessions, kmar)
    assert "not valid JSON" in problem["detail"]


def test_wrong_content_type_is_415(api, kmar, sessions) -> None:
    response = api.post(
        "/api/v1/signals",
        content=json.dumps(signal_body()),
        headers=kmar.headers | {"Content-Type": "text/plain"},
    )
    _assert_refused(response, sessions, kmar, status=415)


@pytest.mark.parametrize(
    ("overrides", "pointer"),
    [
        ({"barriers": ["smuggling"]}, "/barriers/0"),
        ({"barriers": []}, "/barriers"),
        ({"indicators": ["employment.made-up"]}, "/indicators/0"),
        (
            {
                "barriers": ["employment"],
                "indicators": [
                    "employment.wages-below-minimum",
                    "finance.many-workers-one-account",
                ],
            },
            "/indicators/1",
        ),
        ({"observed_at": "2999-01-01T00:00:00Z"}, "/observed_at"),
        ({"observed_at": "2026-11-20T09:30:00"}, "/observed_at"),
        ({"municipality": "Amsterdam"}, "/municipality"),
        ({"municipality": "GM9999"}, "/municipality"),
        ({"municipality": "GM0457"}, "/municipality"),  # Weesp, part of Amsterdam since 2022
        ({"reliability": "E"}, "/reliability"),
        ({"unexpected": "field"}, "/unexpected"),
        ({"summary": "line one\x00hidden"}, "/summary"),
        ({"external_ref": "ref\x1b[31m"}, "/external_ref"),
        ({"external_ref": "x" * 201}, "/external_ref"),
        ({"summary": "x" * 10_001}, "/summary"),
        (
            {"subjects": [{"type": "iban", "number": "NL00 ABNA 0000 0000 00"}]},
            "/subjects/0/number",
        ),
        ({"subjects": [{"type": "person", "name": "A", "bsn": "123456789"}]}, "/subjects/0/bsn"),
        ({"subjects": [{"type": "phone", "number": "12"}]}, "/subjects/0/number"),
        ({"subjects": [{"type": "spaceship", "name": "x"}]}, "/subjects/0"),
    ],
)
def test_invalid_field_points_at_it(api, kmar, sessions, overrides, pointer) -> None:
    response = api.post("/api/v1/signals", json=signal_body(**overrides), headers=kmar.headers)
    problem = _assert_refused(response, sessions, kmar)
    assert pointer in _pointers(problem), problem


def test_an_unknown_municipality_code_is_named_in_the_problem(api, kmar, sessions) -> None:
    response = api.post(
        "/api/v1/signals", json=signal_body(municipality="GM9999"), headers=kmar.headers
    )
    problem = _assert_refused(response, sessions, kmar)
    [error] = problem["errors"]
    assert error["pointer"] == "/municipality"
    assert "unknown municipality code 'GM9999'" in error["detail"]


def test_missing_barriers_field(api, kmar, sessions) -> None:
    body = signal_body()
    del body["barriers"]
    problem = _assert_refused(
        api.post("/api/v1/signals", json=body, headers=kmar.headers), sessions, kmar
    )
    assert "/barriers" in _pointers(problem)


def test_all_field_errors_come_together(api, kmar, sessions) -> None:
    body = signal_body(
        reliability="E",
        municipality="x",
        subjects=[{"type": "iban", "number": "NL00"}, {"type": "phone", "number": "1"}],
    )
    problem = _assert_refused(
        api.post("/api/v1/signals", json=body, headers=kmar.headers), sessions, kmar
    )
    assert {
        "/reliability",
        "/municipality",
        "/subjects/0/number",
        "/subjects/1/number",
    } <= _pointers(problem)


def test_ten_thousand_subjects(api, kmar, sessions) -> None:
    subjects = [{"type": "phone", "number": "06-12345678"}] * 10_000
    problem = _assert_refused(
        api.post("/api/v1/signals", json=signal_body(subjects=subjects), headers=kmar.headers),
        sessions,
        kmar,
    )
    assert "/subjects" in _pointers(problem)


def test_oversized_body_is_413_before_parsing(api, kmar, sessions, settings) -> None:
    blob = b'{"summary": "' + b"x" * (settings.max_body_bytes + 10) + b'"}'
    response = api.post(
        "/api/v1/signals", content=blob, headers=kmar.headers | {"Content-Type": "application/json"}
    )
    _assert_refused(response, sessions, kmar, status=413)


def test_not_an_object(api, kmar, sessions) -> None:
    response = api.post("/api/v1/signals", json=[1, 2], headers=kmar.headers)
    _assert_refused(response, sessions, kmar)
