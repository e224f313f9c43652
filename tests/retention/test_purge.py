"""Retention: signals past the shortest retention of their covenants are purged without a trace.

Signals are posted over real HTTP by demo agencies (so the shipped covenants bind them), aged by
moving `created_at` back in the database, and purged. Afterwards no route, filter, lookup or
purpose finds them, and no part of them (sealed values, blind-index tokens) is left in any table.
"""

import json
import random
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import delete, func, select, update
from typer.testing import CliRunner

from hub.agencies.schemas import AgencyCreate
from hub.agencies.service import add_agency
from hub.audit.models import AuditEvent
from hub.auth.caller import Caller
from hub.cli import app
from hub.covenants.loader import load_covenants
from hub.covenants.model import Agency
from hub.covenants.models import BindingTerm, CovenantVersion
from hub.covenants.service import bindings_for, sync_covenants
from hub.db import make_engine, make_sessionmaker, migrate, now, transaction
from hub.kit.crypto import DataKeys
from hub.paths import document_dir
from hub.retention.service import purge_expired
from hub.signals.models import (
    IdempotencyRecord,
    Identifier,
    Signal,
    SignalBarrier,
    SignalIndicator,
    SignalVersion,
    Subject,
)
from hub.signals.schemas import SignalCreate
from hub.signals.service import create_signal, request_hash
from tests.conftest import World
from tests.factories import signal_body

PARTS = (
    SignalBarrier,
    SignalIndicator,
    Subject,
    Identifier,
    SignalVersion,
    IdempotencyRecord,
)
SECRET = "Retention narrative"
FILTERS = ("", "barrier=employment", "indicator=employment.wages-below-minimum")


def _phone() -> str:
    return f"06-1{random.randrange(10**7):07d}"


def _body(municipality: str) -> dict:
    body = signal_body(municipality=municipality, summary=f"{SECRET} {uuid.uuid4().hex}")
    # A phone number of its own, so its blind-index token belongs to this signal alone.
    body["subjects"] = [
        {"type": "phone", "number": _phone()} if s["type"] == "phone" else s
        for s in body["subjects"]
    ]
    return body


def _parts(sessions, ids: list[str]) -> dict[str, int]:  # type: ignore[no-untyped-def]
    keys = [uuid.UUID(i) for i in ids]
    with sessions() as session:
        return {
            model.__tablename__: session.scalar(
                select(func.count()).select_from(model).where(model.signal_id.in_(keys))
            )
            for model in PARTS
        }


# The purposes GET /signals and POST /lookups serve.
SIGNAL_PURPOSES = ("case-proposal", "investigation")
LOOKUP_PURPOSES = ("hit-lookup", "investigation")


def _listed(api, headers: dict, query: str) -> set[str]:  # type: ignore[no-untyped-def]
    seen: set[str] = set()
    cursor = ""
    while True:
        response = api.get(f"/api/v1/signals?limit=200&{query}{cursor}", headers=headers)
        assert response.status_code == 200, (query, response.text)
        page = response.json()
        seen |= {item["id"] for item in page["items"]}
        if not page["next_cursor"]:
            return seen
        cursor = f"&cursor={page['next_cursor']}"


def _look_up(api, headers: dict, phones: list[str], *, purpose: str | None) -> list[dict]:  # type: ignore[no-untyped-def]
    query = f"?purpose={purpose}" if purpose else ""
    identifiers = [{"type": "phone", "number": p} for p in phones]
    response = api.post(
        f"/api/v1/lookups{query}", json={"identifiers": identifiers}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()["results"]


@pytest.fixture(scope="module")
def demo_headers(world: World) -> dict[str, dict[str, str]]:
    """Auth headers of the demo agencies (real codes, so the shipped covenants bind them)."""
    return world.headers


@pytest.fixture
def posted(sessions) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    """Ids this test posts; whatever the purge left is removed afterwards, so the demo
    agencies' lists stay as the other tests expect them."""
    ids: list[str] = []
    yield ids
    with sessions() as session, session.begin():
        session.execute(delete(Signal).where(Signal.id.in_([uuid.UUID(i) for i in ids])))


def test_purge_removes_exactly_what_is_past_retention(
    api,
    sessions,
    partners,
    demo_headers: dict[str, dict[str, str]],
    posted: list[str],
) -> None:
    outsider = partners.new(kind="kmar")  # a random code: party to no covenant
    h = demo_headers
    # name -> (source, headers, municipality, age in days, past retention?)
    plan = {
        # GM0363 is party to riec-liec only: 730 days.
        "muni-old": ("GM0363", h["GM0363"], "GM0363", 800, True),
        "muni-mid": ("GM0363", h["GM0363"], "GM0363", 400, False),
        # KMAR is bound to 730-day covenants and the 365-day hit-lookup one: 365 applies.
        "kmar-old": ("KMAR", h["KMAR"], "GM0599", 400, True),
        "kmar-young": ("KMAR", h["KMAR"], "GM0599", 300, False),
        # No covenant: the default of 730 days.
        "none-old": (outsider.code, outsider.headers, "GM0363", 800, True),
        "none-mid": (outsider.code, outsider.headers, "GM0363", 700, False),
    }
    ids: dict[str, str] = {}
    bodies: dict[str, dict] = {}
    phones: dict[str, str] = {}
    for name, (_, headers, municipality, _, _) in plan.items():
        bodies[name] = _body(municipality)
        phones[name] = next(x["number"] for x in bodies[name]["subjects"] if x["type"] == "phone")
        extra = {"Idempotency-Key": f"purge-{uuid.uuid4().hex}"} if name == "kmar-old" else {}
        response = api.post("/api/v1/signals", json=bodies[name], headers=headers | extra)
        assert response.status_code == 201, response.text
        ids[name] = response.json()["id"]
        posted.append(ids[name])
    # A correction, so the purged signal has a stored earlier version too.
    patched = api.patch(
        f"/api/v1/signals/{ids['kmar-old']}", headers=h["KMAR"], json={"reliability": "A"}
    )
    assert patched.status_code == 200, patched.text

    at = now()
    with sessions() as session, session.begin():
        for name, (*_, days, _) in plan.items():
            session.execute(
                update(Signal)
                .where(Signal.id == uuid.UUID(ids[name]))
                .values(created_at=at - timedelta(days=days))
            )
        retention = {
            name: set(
                session.scalars(
                    select(CovenantVersion.retention_days)
                    .join(
                        BindingTerm,
                        (BindingTerm.covenant_id == CovenantVersion.covenant_id)
                        & (BindingTerm.covenant_version == CovenantVersion.version),
                    )
                    .join(Signal, Signal.binding_id == BindingTerm.binding_id)
                    .where(Signal.id == uuid.UUID(ids[name]))
                )
            )
            for name in plan
        }
    # The premise: the bindings the rules are about.
    assert retention["muni-old"] == {730}
    assert retention["kmar-old"] == {365, 730}
    assert retention["none-old"] == set()

    gone = sorted(ids[n] for n, p in plan.items() if p[4])
    kept = sorted(ids[n] for n, p in plan.items() if not p[4])

    # Before the purge every expired signal is there, in every table and for every filter.
    before = _parts(sessions, gone)
    assert all(count > 0 for count in before.values()), before
    for name in ("muni-old", "kmar-old", "none-old"):
        _, headers, municipality = plan[name][:3]
        for query in (*FILTERS, f"municipality={municipality}"):
            assert ids[name] in _listed(api, headers, f"purpose=investigation&{query}"), (
                name,
                query,
            )
        hit = _look_up(api, headers, [phones[name]], purpose="investigation")
        assert ids[name] in {m["id"] for r in hit for m in r["matches"]}, name
    ind = _look_up(api, h["IND"], [phones["kmar-old"]], purpose="hit-lookup")
    assert ids["kmar-old"] in {m["id"] for r in ind for m in r["matches"]}
    emm = api.get(f"/api/v1/signals/{ids['kmar-old']}?purpose=case-proposal", headers=h["EMM"])
    assert emm.status_code == 200
    riec = api.get(f"/api/v1/signals/{ids['muni-old']}?purpose=case-proposal", headers=h["RIEC-AA"])
    assert riec.status_code == 200
    with sessions() as session:
        stored = session.execute(
            select(Identifier.type, Identifier.token, Identifier.value).where(
                Identifier.signal_id.in_([uuid.UUID(i) for i in gone])
            )
        ).all()
        payloads = list(
            session.scalars(
                select(Subject.payload).where(Subject.signal_id.in_([uuid.UUID(i) for i in gone]))
            )
        )
        events_before = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "retention.purged")
        )
    tokens = {token for kind, token, _ in stored if kind == "phone"}
    assert len(tokens) == len(gone) and payloads

    # The dry run counts and changes nothing.
    with sessions() as session, session.begin():
        dry = purge_expired(session, now=at, default_days=730, dry_run=True)
    assert dry.counted == 3 and sorted(dry.signal_ids) == gone
    assert _parts(sessions, gone) == before
    with sessions() as session:
        assert session.scalar(
            select(func.count())
            .select_from(Signal)
            .where(Signal.id.in_([uuid.UUID(i) for i in gone]))
        ) == len(gone)
        assert (
            session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "retention.purged")
            )
            == events_before
        )

    # The purge, in batches of two: exactly the expired signals go.
    with sessions() as session, session.begin():
        result = purge_expired(session, now=at, default_days=730, dry_run=False, batch_size=2)
    assert result.counted == 3 and sorted(result.signal_ids) == gone
    with sessions() as session:
        remaining = set(
            map(
                str,
                session.scalars(
                    select(Signal.id).where(Signal.id.in_([uuid.UUID(i) for i in gone + kept]))
                ),
            )
        )
        assert remaining == set(kept)
        assert session.scalar(
            select(func.count()).select_from(Identifier).where(Identifier.token.in_(tokens))
        ) == 0  # fmt: skip
        assert session.scalar(
            select(func.count())
            .select_from(Identifier)
            .where(Identifier.value.in_([value for *_, value in stored]))
        ) == 0  # fmt: skip
        assert session.scalar(
            select(func.count()).select_from(Subject).where(Subject.payload.in_(payloads))
        ) == 0  # fmt: skip
        events = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "retention.purged")
            .order_by(AuditEvent.id)
        ).all()[events_before:]
    # No part of a purged signal is left: sealed subjects, sealed identifier values,
    # blind-index tokens, versions, covenant bindings, idempotency records.
    assert _parts(sessions, gone) == dict.fromkeys(before, 0)
    young = _parts(sessions, kept)
    assert young["subjects"] > 0 and young["identifiers"] > 0

    # The purge is audited: who, how many, which ids, and nothing else.
    assert [e.detail["count"] for e in events] == [2, 1]
    assert sorted(i for e in events for i in e.detail["signal_ids"]) == gone
    for event in events:
        assert (event.agency, event.client_id, event.object_type) == (
            "HUB",
            "hub-purge",
            "signal-batch",
        )
        assert set(event.detail) == {"count", "signal_ids"}
        text = json.dumps(event.detail)
        assert SECRET not in text
        assert not any(bodies[n]["external_ref"] in text for n in plan)

    # No route finds a purged signal, for any viewer, purpose or filter.
    viewers = {"outsider": outsider.headers} | {c: h[c] for c in ("KMAR", "GM0363", "EMM")}
    viewers |= {c: h[c] for c in ("IND", "RIEC-AA", "RIEC-RR", "LIEC")}
    # (Any other purpose, or none, these routes refuse outright: tests/test_purposes.py.)
    for viewer, headers in viewers.items():
        for purpose in SIGNAL_PURPOSES:
            with_purpose = f"purpose={purpose}&"
            for signal_id in gone:
                response = api.get(f"/api/v1/signals/{signal_id}?{with_purpose}", headers=headers)
                assert response.status_code == 404, (viewer, purpose)
            for query in (*FILTERS, "municipality=GM0363", "municipality=GM0599"):
                listed = _listed(api, headers, with_purpose + query)
                assert not listed & set(gone), (viewer, purpose, query)
    # Nor does a lookup of their identifiers: each phone number was theirs alone.
    gone_phones = [phones[n] for n in ("muni-old", "kmar-old", "none-old")]
    for viewer, headers in viewers.items():
        for purpose in LOOKUP_PURPOSES:
            results = _look_up(api, headers, gone_phones, purpose=purpose)
            assert [r["hit"] for r in results] == [False] * 3, (viewer, purpose)
            assert not {m["id"] for r in results for m in r["matches"]} & set(gone)
    for name in ("muni-old", "kmar-old", "none-old"):
        headers = plan[name][1]
        url = f"/api/v1/signals/{ids[name]}"
        assert api.patch(url, headers=headers, json={"reliability": "C"}).status_code == 404
        assert api.post(f"{url}/retract", headers=headers).status_code == 404
    # What was young enough stays readable to its source.
    for name in ("muni-mid", "kmar-young", "none-mid"):
        url = f"/api/v1/signals/{ids[name]}?purpose=investigation"
        response = api.get(url, headers=plan[name][1])
        assert response.status_code == 200, name


def test_parts_really_cascade(sessions) -> None:
    """The purge relies on ON DELETE CASCADE; SQLite applies it only with foreign keys on."""
    with sessions() as session:
        engine = session.get_bind()
        if engine.dialect.name == "sqlite":
            assert session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
    inspector = sa.inspect(engine)
    for model in PARTS[:-1]:
        fks = inspector.get_foreign_keys(model.__tablename__)
        to_signals = [fk for fk in fks if fk["referred_table"] in ("signals", "subjects")]
        assert to_signals, model.__tablename__
        for fk in to_signals:
            assert fk["options"].get("ondelete", "").upper() == "CASCADE", model.__tablename__


runner = CliRunner()


def test_cli_purge_prints_counts(db_factory, tmp_path: Path, monkeypatch, vocabulary) -> None:
    db = db_factory("purge")
    migrate(db.url)
    monkeypatch.setenv("HUB_DATABASE_URL", db.url)
    monkeypatch.setenv("HUB_DATA_DIR", str(tmp_path / "data"))
    engine = make_engine(db.url)
    sessions = make_sessionmaker(engine)
    keys = DataKeys.load_or_create(tmp_path / "data")
    covenants = load_covenants(document_dir("covenants"))
    refs: list[str] = []

    def seed(session, code: str, kind: str, ages: list[int]) -> None:  # type: ignore[no-untyped-def]
        agency = add_agency(session, AgencyCreate(code=code, name=f"Test {code}", kind=kind))
        caller = Caller(agency.id, code, f"{code}-client", frozenset(), "seed")
        bindings = bindings_for(Agency(code, kind, None), covenants, date.today())
        for days in ages:
            body = _body("GM0363")
            refs.append(body["external_ref"])
            data = SignalCreate.model_validate(body, context={"vocabulary": vocabulary})
            created, _ = create_signal(
                session,
                keys,
                caller,
                data,
                idempotency_key=None,
                body_hash=request_hash(body),
                bindings=bindings,
            )
            session.execute(
                update(Signal)
                .where(Signal.id == created.id)
                .values(created_at=now() - timedelta(days=days))
            )

    with transaction(sessions) as session:
        sync_covenants(session, covenants)
        seed(session, "KMAR", "kmar", [400, 100])  # 365 days applies: the first goes
        seed(session, "TOTHER", "other", [400])  # no covenant: 730 by default, stays

    def count() -> int:
        with sessions() as session:
            return session.scalar(select(func.count()).select_from(Signal)) or 0

    dry = runner.invoke(app, ["purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "1 signal(s) past retention would be purged (dry run)" in dry.output
    assert count() == 3

    real = runner.invoke(app, ["purge"])
    assert real.exit_code == 0, real.output
    assert "purged 1 signal(s)" in real.output
    assert count() == 2

    monkeypatch.setenv("HUB_DEFAULT_RETENTION_DAYS", "300")
    shorter = runner.invoke(app, ["purge"])
    assert shorter.exit_code == 0, shorter.output
    assert "purged 1 signal(s)" in shorter.output
    assert count() == 1
    for output in (dry.output, real.output, shorter.output):
        assert SECRET not in output and not any(ref in output for ref in refs)

    monkeypatch.setenv("HUB_DEFAULT_RETENTION_DAYS", "0")
    refused = runner.invoke(app, ["purge"])
    assert refused.exit_code == 2 and "default_retention_days" in refused.output
    engine.dispose()
