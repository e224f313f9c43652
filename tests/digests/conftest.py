"""The digest scenario, shared by the package's tests: a hub of its own, with posts, reads,
lookups and proposals, and a webhook-friendly setting (deliveries to 127.0.0.1 allowed)."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import httpx
import pytest

from hub.config import Settings
from hub.db import migrate
from hub.digests.service import build_for_date
from tests.conftest import LiveServer, free_port
from tests.factories import Partner, PartnerFactory, signal_body
from tests.localday import settled_today

SECRET_NAME = "Zebedeus Quirinius"
SECRET_SUMMARY = "Narrative that must never leave in a digest"
CODES = {"KMAR": "kmar", "SZW": "szw", "IND": "ind", "EMM": "emm"}


@dataclass
class Scene:
    day: date  # the Amsterdam day the scene was played on: its digests' date
    server: LiveServer
    api: httpx.Client
    partners: dict[str, Partner]
    signals: dict[str, str]  # name in the scenario -> signal id
    phones: dict[str, str]


@pytest.fixture(scope="package")
def scene(db_factory, tmp_path_factory) -> Iterator[Scene]:  # type: ignore[no-untyped-def]
    db = db_factory("digests")
    migrate(db.url)
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("digest-data"),
        database_url=db.url,
        issuer=f"http://127.0.0.1:{free_port()}",
        webhooks_allow_private=True,
    )
    server = LiveServer(settings)
    server.start()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as api:
            yield _play(server, api)
    finally:
        server.stop()


def _post(api: httpx.Client, partner: Partner, phone: str) -> str:
    body = signal_body(
        barriers=["employment", "finance"],
        indicators=["employment.wages-below-minimum", "finance.many-workers-one-account"],
        summary=f"{SECRET_SUMMARY} {uuid.uuid4().hex}",
        subjects=[
            {"type": "person", "name": f"{SECRET_NAME} {uuid.uuid4().hex[:6]}"},
            {"type": "phone", "number": phone},
        ],
    )
    response = api.post("/api/v1/signals", json=body, headers=partner.headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _play(server: LiveServer, api: httpx.Client) -> Scene:
    today = settled_today()
    factory = PartnerFactory(api, server.app.state.sessions)
    partners = {code: factory.new(kind=kind, code=code) for code, kind in CODES.items()}
    phones = {
        "shared": "+31 6 41000001",  # K1 and S1: a proposal across agencies
        "own": "+31 6 41000002",  # K2 and K3: a proposal of KMAR's own signals
        "alone": "+31 6 41000003",
        "szw": "+31 6 41000004",
    }
    kmar, szw = partners["KMAR"], partners["SZW"]
    signals = {
        "K1": _post(api, kmar, phones["shared"]),
        "S1": _post(api, szw, phones["shared"]),
        "K2": _post(api, kmar, phones["own"]),
        "K3": _post(api, kmar, phones["own"]),
        "K4": _post(api, kmar, phones["alone"]),
        "S2": _post(api, szw, phones["szw"]),
    }
    server.app.state.link_worker.drain()
    # EMM reads K1 twice and K2 once, for a case proposal (covenant: full).
    for name in ("K1", "K1", "K2"):
        response = api.get(
            f"/api/v1/signals/{signals[name]}?purpose=case-proposal",
            headers=partners["EMM"].headers,
        )
        assert response.status_code == 200, response.text
    # IND looks up twice (covenant: hit): first the shared phone, then both linked phones.
    for numbers in (["shared"], ["shared", "own"]):
        response = api.post(
            "/api/v1/lookups?purpose=hit-lookup",
            json={"identifiers": [{"type": "phone", "number": phones[n]} for n in numbers]},
            headers=partners["IND"].headers,
        )
        assert response.status_code == 200, response.text
        assert all(r["hit"] for r in response.json()["results"])
    return Scene(today, server, api, partners, signals, phones)


def build(scene: Scene, day: date | None = None) -> int:
    with scene.server.app.state.sessions.begin() as session:
        return build_for_date(session, day=day or scene.day)


def digest(scene: Scene, code: str, day: date | None = None) -> dict:
    response = scene.api.get(
        f"/api/v1/digests/{(day or scene.day).isoformat()}", headers=scene.partners[code].headers
    )
    assert response.status_code == 200, response.text
    return response.json()


# Delivery: the package's hub allows 127.0.0.1 (HUB_WEBHOOKS_ALLOW_PRIVATE); deliver_due reads
# its settings from the environment, as the nightly job does.


@pytest.fixture
def hub_env(scene: Scene, monkeypatch: pytest.MonkeyPatch) -> Scene:
    settings = scene.server.app.state.settings
    monkeypatch.setenv("HUB_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("HUB_WEBHOOKS_ALLOW_PRIVATE", "true")
    return scene


@pytest.fixture
def partner(hub_env: Scene) -> Iterator[Partner]:
    """A fresh agency on the package's hub; its webhook is removed afterwards."""
    made = PartnerFactory(hub_env.api, hub_env.server.app.state.sessions).new(kind="police")
    yield made
    hub_env.api.delete("/api/v1/webhook", headers=made.headers)


def register_webhook(scene: Scene, partner: Partner, url: str) -> str:
    """Register `url` as the partner's webhook; its signing secret."""
    response = scene.api.put("/api/v1/webhook", json={"url": url}, headers=partner.headers)
    assert response.status_code == 201, response.text
    return response.json()["secret"]
