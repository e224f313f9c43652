"""Seeding the demo: agencies, one client per agency, and synthetic signals. Idempotent."""

import secrets
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from rich.console import Console
from rich.progress import track

from hub.agencies.schemas import AgencyCreate
from hub.agencies.service import ensure_agency
from hub.auth.caller import Caller
from hub.auth.clients import create_client
from hub.auth.scopes import SCOPES
from hub.barriers.vocabulary import load_vocabulary
from hub.config import Settings
from hub.covenants.loader import load_covenants
from hub.covenants.model import Agency
from hub.covenants.service import bindings_for, sync_covenants
from hub.db import make_engine, make_sessionmaker, transaction
from hub.demo.synthetic import DEMO_AGENCIES, generate
from hub.kit.crypto import DataKeys
from hub.kit.keyfiles import key_dir, read_json, write_secret_json
from hub.linking.service import relink
from hub.signals.schemas import SignalCreate
from hub.signals.service import create_batch
from hub.ui.accounts import create_user
from hub.ui.repository import user_by_username

# Demo clients may do everything but administer the hub.
DEMO_SCOPES = frozenset(SCOPES) - {"admin"}
# Analysts for the web UI: one national, one per demo RIEC region (username -> agency).
DEMO_ANALYSTS = {"emm.analyst": "EMM", "riec-aa.analyst": "RIEC-AA", "riec-rr.analyst": "RIEC-RR"}


def _credentials_file(data_dir: Path) -> Path:
    return key_dir(data_dir).parent / "demo-clients.json"


def demo_credentials(data_dir: Path) -> dict[str, dict[str, str]]:
    """Agency code → {client_id, client_secret} of the demo clients made by `hub demo`."""
    path = _credentials_file(data_dir)
    return read_json(path) if path.exists() else {}


def _analysts_file(data_dir: Path) -> Path:
    return key_dir(data_dir).parent / "demo-analysts.json"


def demo_analysts(data_dir: Path) -> dict[str, str]:
    """Username → password of the demo UI analysts made by `hub demo`."""
    path = _analysts_file(data_dir)
    return read_json(path) if path.exists() else {}


def _seed_analysts(sessions: Any, data_dir: Path) -> None:
    passwords = demo_analysts(data_dir)
    with transaction(sessions) as session:
        for username, agency in DEMO_ANALYSTS.items():
            if username in passwords and user_by_username(session, username) is not None:
                continue
            passwords[username] = secrets.token_urlsafe(12)
            create_user(
                session, username, agency_code=agency, role="analyst", password=passwords[username]
            )
    write_secret_json(_analysts_file(data_dir), passwords)


def seed(settings: Settings, *, console: Console | None = None) -> dict[str, int]:
    """Make the demo agencies, their clients and signals; what exists already is kept."""
    engine = make_engine(settings.sqlalchemy_url)
    sessions = make_sessionmaker(engine)
    keys = DataKeys.load_or_create(settings.data_dir)
    vocabulary = load_vocabulary(settings.barriers_dir)
    credentials = demo_credentials(settings.data_dir)
    callers: dict[str, Caller] = {}
    with transaction(sessions) as session:
        for spec in DEMO_AGENCIES:
            agency = ensure_agency(session, AgencyCreate(**spec))
            if spec["code"] not in credentials:
                client, secret = create_client(
                    session, agency=agency, scopes=DEMO_SCOPES, name=f"{spec['code']} demo client"
                )
                credentials[spec["code"]] = {
                    "client_id": client.client_id,
                    "client_secret": secret or "",
                }
            callers[spec["code"]] = Caller(
                agency.id,
                agency.code,
                credentials[spec["code"]]["client_id"],
                DEMO_SCOPES,
                "demo-seed",
            )
    write_secret_json(_credentials_file(settings.data_dir), credentials)
    _seed_analysts(sessions, settings.data_dir)

    covenants = load_covenants(settings.covenants_dir)
    with transaction(sessions) as session:
        sync_covenants(session, covenants)
    policy_agencies = {
        spec["code"]: Agency(spec["code"], spec["kind"], spec["region"]) for spec in DEMO_AGENCIES
    }
    today = date.today()
    data = generate()
    created = 0
    steps = list(data.signals.items())
    iterator: Any = (
        track(steps, description="seeding demo signals", console=console) if console else steps
    )
    for code, bodies in iterator:
        items: list[Any] = []
        for body in bodies:
            try:
                items.append(SignalCreate.model_validate(body, context={"vocabulary": vocabulary}))
            except ValidationError as exc:  # a generator bug, not user input: say so plainly
                raise RuntimeError(
                    f"synthetic signal {body.get('external_ref')} is invalid"
                ) from exc
        with transaction(sessions) as session:
            bindings = bindings_for(policy_agencies[code], covenants, today)
            outcomes = create_batch(session, keys, callers[code], items, bindings=bindings)
        created += sum(o.status == "created" for o in outcomes)
    # One relink after seeding, as the nightly run would: the same proposals as linking each
    # batch as it came, at a fraction of the work.
    with transaction(sessions) as session:
        linked = relink(session, weights=vocabulary.indicator_weights(), keys=keys)
    engine.dispose()
    if console:
        console.print(
            f"demo: {len(DEMO_AGENCIES)} agencies, {created} new signals "
            f"({sum(len(b) for b in data.signals.values())} in the demo set), "
            f"{linked.created} new case proposal(s)"
        )
    return {"agencies": len(DEMO_AGENCIES), "created": created, "proposals": linked.created}
