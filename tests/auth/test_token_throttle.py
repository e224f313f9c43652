"""The token endpoint: rate limits per client and per address, one message for every failed
client authentication, failed attempts audited as counts. Over real HTTP, on hubs of their own
(the suite's hub has the limits lifted)."""

import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from hub.audit.models import AuditEvent
from hub.auth.models import OAuthClient
from hub.config import Settings
from tests.auth.helpers import register
from tests.conftest import LiveServer, free_port

GRANT = {"grant_type": "client_credentials"}


def _hub(settings: Settings, **limits: int) -> Iterator[httpx.Client]:
    own = settings.model_copy(update={"issuer": f"http://127.0.0.1:{free_port()}", **limits})
    live = LiveServer(own)
    live.start()
    try:
        with httpx.Client(base_url=live.url, timeout=30) as client:
            yield client
    finally:
        live.stop()


@pytest.fixture(scope="module")
def limited(settings: Settings) -> Iterator[httpx.Client]:
    yield from _hub(
        settings, token_limit_window=60, token_limit_per_client=5, token_limit_per_address=12
    )


def _from(address: str) -> dict[str, str]:
    # The test hub trusts X-Forwarded-For from 127.0.0.1, as `hub serve` does behind a proxy.
    return {"X-Forwarded-For": address}


def _address() -> str:
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


def _assert_throttled(response: httpx.Response, window: int = 60) -> None:
    assert response.status_code == 429, response.text
    assert 1 <= int(response.headers["Retry-After"]) <= window
    assert response.json()["error"] == "temporarily_unavailable"
    assert response.headers["Cache-Control"] == "no-store"


def test_wrong_secrets_for_one_client_are_throttled_whatever_the_address(
    limited: httpx.Client, sessions: sessionmaker[Session]
) -> None:
    client_id, secret, _ = register(sessions, scopes="lookups")
    for _ in range(5):
        wrong = limited.post(
            "/oauth/token", data=GRANT, auth=(client_id, "wrong"), headers=_from(_address())
        )
        assert wrong.status_code == 401
    # The limit counts requests, not failures: the right secret must not tell the guesser.
    _assert_throttled(
        limited.post(
            "/oauth/token", data=GRANT, auth=(client_id, secret), headers=_from(_address())
        )
    )
    # Other clients are not held up by it.
    other_id, other_secret, _ = register(sessions, scopes="lookups")
    assert (
        limited.post("/oauth/token", data=GRANT, auth=(other_id, other_secret)).status_code == 200
    )


def test_one_address_is_throttled_whatever_client_it_names(limited: httpx.Client) -> None:
    address = _address()
    for i in range(12):
        response = limited.post(
            "/oauth/token",
            data=GRANT | {"client_id": f"guess-{i}", "client_secret": "x"},
            headers=_from(address),
        )
        assert response.status_code == 401
    _assert_throttled(
        limited.post(
            "/oauth/token",
            data=GRANT | {"client_id": "guess-13", "client_secret": "x"},
            headers=_from(address),
        )
    )
    elsewhere = limited.post(
        "/oauth/token",
        data=GRANT | {"client_id": "guess-13", "client_secret": "x"},
        headers=_from(_address()),
    )
    assert elsewhere.status_code == 401


def test_unknown_disabled_and_wrong_credentials_get_one_answer(
    api: httpx.Client, sessions: sessionmaker[Session], settings: Settings
) -> None:
    client_id, secret, _ = register(sessions, scopes="lookups")
    disabled_id, disabled_secret, _ = register(sessions, scopes="lookups")
    with sessions() as session, session.begin():
        row = session.scalars(select(OAuthClient).where(OAuthClient.client_id == disabled_id)).one()
        row.disabled_at = row.created_at
    key = RSAKey.generate_key(2048, private=True, auto_kid=True)
    now = int(time.time())

    def assertion(sub: str) -> dict[str, str]:
        claims = {
            "iss": sub,
            "sub": sub,
            "aud": settings.token_endpoint,
            "iat": now,
            "exp": now + 60,
            "jti": uuid.uuid4().hex,
        }
        return GRANT | {
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": jwt.encode({"alg": "RS256"}, claims, key),
        }

    answers = [
        api.post("/oauth/token", data=GRANT, auth=(client_id, "wrong")),
        api.post("/oauth/token", data=GRANT, auth=(f"{client_id}x", secret)),
        api.post("/oauth/token", data=GRANT, auth=(disabled_id, disabled_secret)),
        api.post(
            "/oauth/token",
            data=GRANT | {"client_id": "nobody-0000000000000000", "client_secret": "x"},
        ),
        api.post("/oauth/token", data=assertion(client_id)),
        api.post("/oauth/token", data=assertion("nobody-0000000000000000")),
    ]
    assert {a.status_code for a in answers} == {401}
    assert len({a.text for a in answers}) == 1, [a.text for a in answers]
    assert answers[0].json() == {
        "error": "invalid_client",
        "error_description": "Client authentication failed.",
    }


def test_failed_attempts_are_audited_as_counts_per_client_and_window(
    settings: Settings, sessions: sessionmaker[Session]
) -> None:
    client_id, _secret, code = register(sessions, scopes="lookups")
    unknown = [f"nobody-{uuid.uuid4().hex[:16]}" for _ in range(2)]
    with sessions() as session:
        before = session.scalar(select(func.max(AuditEvent.id))) or 0
    for api in _hub(settings, token_limit_window=1):
        # Aligned to the start of a window, so the attempts fall in one.
        time.sleep(1 - time.time() % 1 + 0.05)
        for _ in range(3):
            assert api.post("/oauth/token", data=GRANT, auth=(client_id, "x")).status_code == 401
        for guess in unknown:
            response = api.post("/oauth/token", data=GRANT, auth=(guess, "x"))
            assert response.status_code == 401
        deadline = time.monotonic() + 10
        while True:
            with sessions() as session:
                events = session.scalars(
                    select(AuditEvent)
                    .where(AuditEvent.action == "client.auth_failed", AuditEvent.id > before)
                    .order_by(AuditEvent.id)
                ).all()
            if len([e for e in events if e.detail["window_seconds"] == 1]) >= 2:
                break
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)
    # Only this hub's windows are a second long (others may flush theirs meanwhile).
    events = [e for e in events if e.detail["window_seconds"] == 1]
    mine = [e for e in events if e.object_id == client_id]
    anonymous = [e for e in events if e.object_id is None]
    assert len(mine) == 1 and len(anonymous) == 1, [(e.object_id, e.detail) for e in events]
    assert mine[0].owner == code and mine[0].agency == "HUB"
    assert mine[0].detail["failures"] == 3
    assert anonymous[0].detail["failures"] == 2 and anonymous[0].detail["client_ids"] == 2
    # The guessed ids are not kept: a "client id" may be a secret typed into the wrong field.
    assert all(guess not in str(e.detail) for e in events for guess in unknown)
