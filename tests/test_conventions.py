"""The NL API Design Rules as the hub applies them, checked over real HTTP."""

import json
import re
from pathlib import Path

import pytest

from hub.signals.schemas import SignalCreate

SPEC_FILE = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"


def test_trailing_slash_is_404_not_a_redirect(api, kmar) -> None:
    for url in ("/api/v1/signals/", "/api/v1/barriers/", "/health/"):
        response = api.get(url, headers=kmar.headers, follow_redirects=False)
        assert response.status_code == 404, url
        assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("method", "url", "allow"),
    [
        ("DELETE", "/api/v1/signals", "GET, POST"),
        ("PUT", "/api/v1/signals/00000000-0000-4000-8000-000000000000", "GET, PATCH"),
        ("GET", "/api/v1/signals/batch", "POST"),
        ("GET", "/oauth/token", "POST"),
        # A literal address beats one that fits /covenants/{id} only through its parameter.
        ("DELETE", "/api/v1/covenants/simulations", "POST"),
    ],
)
def test_405_names_every_allowed_method(api, kmar, method, url, allow) -> None:
    response = api.request(method, url, headers=kmar.headers)
    assert response.status_code == 405
    assert response.headers["Allow"] == allow
    assert response.json()["status"] == 405


def test_every_response_carries_version_and_security_headers(api, kmar) -> None:
    responses = [
        api.get("/health"),
        api.get("/api/v1/barriers", headers=kmar.headers),
        api.get("/api/v1/barriers"),  # 401
        api.get("/api/v1/nowhere", headers=kmar.headers),  # 404
        api.post("/oauth/token", data={"grant_type": "client_credentials"}),  # 401 OAuth error
    ]
    for response in responses:
        assert response.headers["API-Version"] == "1.0.0"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert responses[1].headers["Cache-Control"] == "no-store"


def test_unauthenticated_api_is_401_problem(api) -> None:
    response = api.get("/api/v1/signals")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_published_spec_is_public_and_matches_the_committed_file(api) -> None:
    response = api.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    committed = json.loads(SPEC_FILE.read_text())
    assert response.json() == committed, "run `hub openapi` and commit openapi/openapi.json"


def test_every_operation_is_documented() -> None:
    spec = json.loads(SPEC_FILE.read_text())
    assert spec["servers"][0]["url"] == "/api/v1"
    for path, item in spec["paths"].items():
        assert not path.endswith("/")
        for method, op in item.items():
            where = f"{method.upper()} {path}"
            assert op.get("summary") and op.get("description"), where
            assert op.get("tags") and op.get("operationId"), where
            assert "422" not in op["responses"], where
            for status, response in op["responses"].items():
                if status.startswith("2"):
                    assert "API-Version" in response["headers"], where
                    assert "content" not in response or "application/json" in response["content"]
                elif status == "304":
                    # Not modified: no body, and the validator the client sent back.
                    assert "ETag" in response["headers"] and "content" not in response, where
                elif status.startswith("3"):
                    # A redirect carries no body, only where to go.
                    assert "Location" in response["headers"], where
                else:
                    assert "application/problem+json" in response["content"], where
            if method in ("post", "patch"):
                assert "400" in op["responses"], where


def test_signal_example_is_valid_and_covers_the_main_subject_types(vocabulary) -> None:
    spec = json.loads(SPEC_FILE.read_text())
    body = spec["paths"]["/signals"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["$ref"] == "#/components/schemas/SignalCreate"
    [example] = spec["components"]["schemas"]["SignalCreate"]["examples"]
    SignalCreate.model_validate(example, context={"vocabulary": vocabulary})
    types = {s["type"] for s in example["subjects"]}
    assert {"person", "address", "company", "iban", "phone"} <= types


def test_every_api_route_refuses_a_missing_token(api) -> None:
    spec = json.loads(SPEC_FILE.read_text())
    fake_id = "00000000-0000-4000-8000-000000000000"
    for path, item in spec["paths"].items():
        # Every path parameter filled in: an id where the route takes one, a code elsewhere.
        url = "/api/v1" + re.sub(
            r"\{(\w+)\}", lambda m: "employment" if m[1] == "code" else fake_id, path
        )
        for method in item:
            response = api.request(method.upper(), url, json={})
            assert response.status_code == 401, f"{method.upper()} {path}"
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert api.get("/api/v1/docs").status_code == 404  # no unauthenticated pages
