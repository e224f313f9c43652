"""Webhooks: registration, SSRF refusals, signed delivery to a real receiver, retries, secrecy."""

import base64
import json
import logging
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from hub.audit.models import AuditEvent
from hub.db import now
from hub.digests import addresses
from hub.digests.delivery import MAX_ATTEMPTS, deliver_due
from hub.digests.models import Delivery, Webhook
from hub.digests.signing import sign
from tests.digests.conftest import Scene, build
from tests.digests.conftest import register_webhook as _register
from tests.digests.receiver import Receiver, spec_signature
from tests.factories import Partner

REFUSED = [
    "https://127.0.0.1/hook",
    "https://[::1]/hook",
    "https://10.1.2.3/hook",
    "https://172.16.5.4/hook",
    "https://192.168.1.10/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://[fd00::1]/hook",
    "https://100.64.0.7/hook",
    "https://localhost/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://0.0.0.0/hook",
    "https://224.0.0.1/hook",
]


def test_the_spec_example_vector_signs_alike() -> None:
    """The example in the Standard Webhooks spec, through the hub's signer and the test's."""
    secret, msg_id, ts = (
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
    )
    expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    body = '{"test": 2432232314}'
    assert sign(secret, msg_id, ts, body)["webhook-signature"] == expected
    assert spec_signature(secret, msg_id, str(ts), body.encode()) == expected


@pytest.mark.parametrize("url", REFUSED)
def test_registration_refuses_internal_addresses_by_default(api, partners, url) -> None:
    partner = partners.new(kind="kmar")
    response = api.put("/api/v1/webhook", json={"url": url}, headers=partner.headers)
    assert response.status_code == 400, response.text
    problem = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert problem["errors"][0]["pointer"] == "/url"
    assert "resolves to" in problem["detail"]
    assert api.get("/api/v1/webhook", headers=partner.headers).status_code == 404


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://93.184.215.14/hook", "https"),
        ("https://user:pw@93.184.215.14/hook", "user name"),
        ("https:///nohost", "no host"),
        ("ftp://93.184.215.14/", "https"),
    ],
)
def test_registration_refuses_malformed_urls(api, partners, url, reason) -> None:
    partner = partners.new(kind="kmar")
    response = api.put("/api/v1/webhook", json={"url": url}, headers=partner.headers)
    assert response.status_code == 400
    assert reason in response.json()["detail"]


def test_unknown_fields_and_missing_scope_are_refused(api, partners) -> None:
    partner = partners.new(kind="kmar")
    response = api.put(
        "/api/v1/webhook",
        json={"url": "https://93.184.215.14/", "secret": "mine"},
        headers=partner.headers,
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "/secret"
    reader = partners.new(kind="kmar", scopes="signals:read")
    response = api.put(
        "/api/v1/webhook", json={"url": "https://93.184.215.14/"}, headers=reader.headers
    )
    assert response.status_code == 403


def test_a_public_url_registers_and_the_secret_is_shown_once(api, partners, caplog) -> None:
    partner = partners.new(kind="kmar")
    url = "https://93.184.215.14/barrier-hub/digest"
    with caplog.at_level(logging.DEBUG):
        first = api.put("/api/v1/webhook", json={"url": url}, headers=partner.headers)
        again = api.put("/api/v1/webhook", json={"url": url}, headers=partner.headers)
        shown = api.get("/api/v1/webhook", headers=partner.headers)
    assert (first.status_code, again.status_code, shown.status_code) == (201, 200, 200)
    secret, rotated = first.json()["secret"], again.json()["secret"]
    assert secret.startswith("whsec_") and rotated.startswith("whsec_") and secret != rotated
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    assert shown.json()["url"] == url and "secret" not in shown.json()
    for text in (shown.text, caplog.text):
        assert secret not in text and rotated not in text
    assert api.delete("/api/v1/webhook", headers=partner.headers).status_code == 204
    assert api.delete("/api/v1/webhook", headers=partner.headers).status_code == 404


@pytest.mark.parametrize(
    ("address", "allowed_by_default", "allowed_with_setting"),
    [
        ("93.184.215.14", True, True),
        ("2606:4700::1111", True, True),
        ("127.0.0.1", False, True),
        ("::1", False, True),
        ("10.0.0.1", False, True),
        ("fd00::1", False, True),
        ("100.64.0.1", False, True),
        ("169.254.169.254", False, False),  # metadata: never
        ("fe80::1", False, False),
        ("0.0.0.0", False, False),  # noqa: S104
        ("ff02::1", False, False),
        ("240.0.0.1", False, False),
    ],
)
def test_address_rules(address, allowed_by_default, allowed_with_setting) -> None:
    ip = addresses.ipaddress.ip_address(address)
    assert (addresses.refusal(ip, allow_private=False) is None) is allowed_by_default
    assert (addresses.refusal(ip, allow_private=True) is None) is allowed_with_setting


def _delivery(scene: Scene, partner: Partner) -> Delivery:
    with scene.server.app.state.sessions() as session:
        hook = session.scalars(select(Webhook).where(Webhook.agency_id == partner.agency_id)).one()
        return session.scalars(select(Delivery).where(Delivery.webhook_id == hook.id)).one()


def _check_signed(received, secret: str) -> dict:
    headers = received.headers
    expected = spec_signature(
        secret, headers["webhook-id"], headers["webhook-timestamp"], received.body
    )
    assert expected in headers["webhook-signature"].split(" ")
    assert abs(int(headers["webhook-timestamp"]) - now().timestamp()) < 60
    return json.loads(received.body)


def test_delivery_reaches_a_real_receiver_signed(hub_env, partner, caplog) -> None:
    receiver = Receiver([204])
    try:
        secret = _register(hub_env, partner, receiver.url)
        build(hub_env)
        with caplog.at_level(logging.DEBUG):
            result = deliver_due(hub_env.server.app.state.sessions)
        assert result.delivered >= 1
        [got] = receiver.received
        assert got.path == "/hooks/digest"
        assert got.headers["content-type"] == "application/json"
        message = _check_signed(got, secret)
        assert message["type"] == "digest.published"
        assert message["data"]["agency"] == partner.code
        assert (
            message["data"]
            == hub_env.api.get(
                f"/api/v1/digests/{message['data']['digest_date']}", headers=partner.headers
            ).json()
        )
        delivery = _delivery(hub_env, partner)
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
            "delivered",
            1,
            204,
        )
        assert got.headers["webhook-id"] == delivery.message_id
        assert secret not in caplog.text and receiver.url not in caplog.text
        # Nothing more is due, and a rebuild of the same day sends nothing twice.
        build(hub_env)
        deliver_due(hub_env.server.app.state.sessions)
        assert len(receiver.received) == 1
        with hub_env.server.app.state.sessions() as session:
            events = session.scalars(
                select(AuditEvent.detail).where(AuditEvent.action == "digest.delivered")
            ).all()
            stored = session.scalars(
                select(Webhook.secret).where(Webhook.agency_id == partner.agency_id)
            ).one()
        assert events and all(secret not in json.dumps(e) for e in events)
        assert (
            secret.encode() not in stored and secret.removeprefix("whsec_").encode() not in stored
        )
    finally:
        receiver.close()


def test_a_500_is_retried_with_backoff_then_delivered(hub_env, partner) -> None:
    receiver = Receiver([500, 200])
    try:
        secret = _register(hub_env, partner, receiver.url)
        build(hub_env)
        t0 = now()
        sessions = hub_env.server.app.state.sessions
        deliver_due(sessions, now=t0)
        delivery = _delivery(hub_env, partner)
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
            "pending",
            1,
            500,
        )
        assert delivery.last_error == "answered 500"
        assert delivery.next_attempt_at == t0 + timedelta(minutes=2)
        deliver_due(sessions, now=t0 + timedelta(minutes=1))  # not due yet
        assert len(receiver.received) == 1
        deliver_due(sessions, now=t0 + timedelta(minutes=2, seconds=1))
        assert len(receiver.received) == 2
        delivery = _delivery(hub_env, partner)
        assert (delivery.status, delivery.attempts) == ("delivered", 2)
        first, second = receiver.received
        # A retry is the same message: same webhook-id, so the receiver can deduplicate.
        assert first.headers["webhook-id"] == second.headers["webhook-id"]
        assert _check_signed(first, secret) == _check_signed(second, secret)
    finally:
        receiver.close()


def test_the_hub_gives_up_after_the_last_attempt(hub_env, partner) -> None:
    receiver = Receiver([503])
    try:
        _register(hub_env, partner, receiver.url)
        build(hub_env)
        sessions = hub_env.server.app.state.sessions
        at, gaps = now(), []
        for _ in range(MAX_ATTEMPTS):
            deliver_due(sessions, now=at)
            delivery = _delivery(hub_env, partner)
            if delivery.next_attempt_at is not None:
                gaps.append(delivery.next_attempt_at - at)
                at = delivery.next_attempt_at
        assert [g.total_seconds() / 60 for g in gaps] == [2, 6, 18, 54, 162, 480]
        assert len(receiver.received) == MAX_ATTEMPTS
        assert (delivery.status, delivery.attempts) == ("failed", MAX_ATTEMPTS)
        assert delivery.last_error == f"gave up after {MAX_ATTEMPTS} attempts; last: answered 503"
        deliver_due(sessions, now=at + timedelta(days=2))
        assert len(receiver.received) == MAX_ATTEMPTS
    finally:
        receiver.close()


def test_delivery_checks_the_address_again_with_the_default_setting(
    hub_env, partner, monkeypatch
) -> None:
    receiver = Receiver([200])
    try:
        # Allowed by the package hub's setting when registered; refused when it is off.
        url = receiver.url.replace("http://", "https://")
        _register(hub_env, partner, url)
        build(hub_env)
        monkeypatch.delenv("HUB_WEBHOOKS_ALLOW_PRIVATE")
        deliver_due(hub_env.server.app.state.sessions)
        delivery = _delivery(hub_env, partner)
        assert receiver.received == []
        assert delivery.status == "pending" and delivery.attempts == 1
        assert delivery.last_error == "refused: the URL's host is or resolves to a loopback address"
        monkeypatch.setenv("HUB_WEBHOOKS_ALLOW_PRIVATE", "false")
        deliver_due(hub_env.server.app.state.sessions, now=now() + timedelta(minutes=3))
        assert _delivery(hub_env, partner).attempts == 2
        assert receiver.received == []
    finally:
        receiver.close()


def test_redirects_are_not_followed(hub_env, partner) -> None:
    receiver = Receiver([302])
    try:
        _register(hub_env, partner, receiver.url)
        build(hub_env)
        deliver_due(hub_env.server.app.state.sessions)
        delivery = _delivery(hub_env, partner)
        assert len(receiver.received) == 1
        assert delivery.last_error == "answered 302; redirects are not followed"
    finally:
        receiver.close()


def test_an_unreachable_receiver_is_a_recorded_failure(hub_env, partner) -> None:
    receiver = Receiver([200])
    url = receiver.url
    receiver.close()  # nothing listens there any more
    _register(hub_env, partner, url)
    build(hub_env)
    deliver_due(hub_env.server.app.state.sessions)
    delivery = _delivery(hub_env, partner)
    assert (delivery.status, delivery.last_error) == ("pending", "could not connect")
    assert httpx.URL(url).host == "127.0.0.1"


def test_a_delivery_carries_a_traceparent_that_its_processing_record_bears(
    hub_env, partner
) -> None:
    """LDV: a call to a partner carries W3C trace context, and the hub's record of that
    processing has the same trace and span id, so the partner's record can name it."""
    receiver = Receiver([204])
    try:
        _register(hub_env, partner, receiver.url)
        build(hub_env)
        deliver_due(hub_env.server.app.state.sessions)
        [got] = receiver.received
        version, trace_id, span_id, flags = got.headers["traceparent"].split("-")
        assert (version, flags) == ("00", "01")
        assert len(trace_id) == 32 and len(span_id) == 16
        log = hub_env.server.app.state.settings.data_dir / "ldv" / "processing-log.jsonl"
        records = [json.loads(line) for line in log.read_text().splitlines()]
        [record] = [r for r in records if r["span_id"] == span_id]
        assert (record["name"], record["trace_id"]) == ("digest.delivered", trace_id)
        assert record["parent_span_id"] is None and record["status_code"] == "STATUS_CODE_OK"
        assert record["attributes"]["dpl.core.processing_activity_id"].endswith("/hub.digests/v1")
    finally:
        receiver.close()


def test_an_attempt_to_be_retried_is_on_the_processing_log(hub_env, partner) -> None:
    """The audit trail records deliveries and give-ups; an attempt answered with a 500 may
    still have reached the partner, so it has a record of its own, under its traceparent."""
    receiver = Receiver([500, 204])
    try:
        _register(hub_env, partner, receiver.url)
        build(hub_env)
        t0 = now()
        sessions = hub_env.server.app.state.sessions
        deliver_due(sessions, now=t0)
        deliver_due(sessions, now=t0 + timedelta(minutes=2, seconds=1))
        first, second = (r.headers["traceparent"].split("-") for r in receiver.received)
        assert first[1] != second[1]  # each attempt is a processing of its own
        log = hub_env.server.app.state.settings.data_dir / "ldv" / "processing-log.jsonl"
        records = {
            json.loads(line)["span_id"]: json.loads(line) for line in log.read_text().splitlines()
        }
        assert records[first[2]]["name"] == "digest.delivery_attempted"
        assert records[second[2]]["name"] == "digest.delivered"
        assert records[first[2]]["trace_id"] == first[1]
    finally:
        receiver.close()
