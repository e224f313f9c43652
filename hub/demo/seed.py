"""Seeding the demo: agencies, one client per agency, and synthetic signals. Idempotent."""

import secrets
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from rich.console import Console
from rich.progress import track
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

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
from hub.db import make_engine, make_sessionmaker, now, transaction
from hub.demo.synthetic import DEMO_AGENCIES, generate
from hub.kit import clock
from hub.kit.crypto import DataKeys
from hub.kit.keyfiles import key_dir, read_json, write_secret_json
from hub.linking.models import Proposal, ProposalEvent, ProposalMember
from hub.linking.service import relink
from hub.signals.models import Signal
from hub.signals.schemas import SignalCreate
from hub.signals.service import create_batch
from hub.ui.accounts import create_user
from hub.ui.repository import user_by_username

# Demo clients may do everything but administer the hub or act as its contact point (which
# reaches every agency's data subjects: one desk, not every partner).
DEMO_SCOPES = frozenset(SCOPES) - {"admin", "dpo"}
# UI accounts: an analyst national and per demo RIEC region, the LIEC's (who reads the trend
# reports), and the contact point's privacy officer (username -> agency; the role is analyst
# unless DEMO_ROLES says otherwise). DEMO_NAMES: the names colleagues read in the history.
DEMO_ANALYSTS = {
    "emm.analyst": "EMM",
    "riec-aa.analyst": "RIEC-AA",
    "riec-rr.analyst": "RIEC-RR",
    "liec.analyst": "LIEC",
    "privacy.officer": "RIEC-AA",
}
DEMO_ROLES = {"privacy.officer": "dpo"}
DEMO_NAMES = {
    "emm.analyst": "Eva Mulder",
    "riec-aa.analyst": "Ahmed El Amrani",
    "riec-rr.analyst": "Roos van Dijk",
    "liec.analyst": "Lars de Boer",
    "privacy.officer": "Priya Sewdien",
}
# A demo signal reaches the hub this long after it was observed (its case system's lag).
POSTING_LAG = timedelta(minutes=20)


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
                session,
                username,
                agency_code=agency,
                role=DEMO_ROLES.get(username, "analyst"),
                password=passwords[username],
                shown=DEMO_NAMES[username],
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
    today = clock.today()
    started = now()
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
        _backdate(session, since=started)
    engine.dispose()
    if console:
        console.print(
            f"demo: {len(DEMO_AGENCIES)} agencies, {created} new signals "
            f"({sum(len(b) for b in data.signals.values())} in the demo set), "
            f"{linked.created} new case proposal(s)"
        )
    return {"agencies": len(DEMO_AGENCIES), "created": created, "proposals": linked.created}


def _backdate(session: Session, *, since: datetime) -> None:
    """Date what this run made as if the partners had posted it over the past weeks."""
    # Otherwise the whole demo is posted today, and yesterday's trend report and digests are
    # empty. A signal arrives POSTING_LAG after it was observed; a proposal was made when its
    # newest member arrived. The audit trail keeps the seeding time: it is hash-chained.
    fresh = session.execute(
        select(Signal.id, Signal.observed_at).where(Signal.created_at >= since)
    ).all()
    for signal_id, observed in fresh:
        at = min(observed + POSTING_LAG, since)
        session.execute(
            update(Signal).where(Signal.id == signal_id).values(created_at=at, updated_at=at)
        )
    made = session.execute(
        select(Proposal.id, func.max(Signal.created_at))
        .join(ProposalMember, ProposalMember.proposal_id == Proposal.id)
        .join(Signal, Signal.id == ProposalMember.signal_id)
        .where(Proposal.created_at >= since)
        .group_by(Proposal.id)
    ).all()
    for proposal_id, at in made:
        _date_proposal(session, proposal_id, at)


def _date_proposal(session: Session, proposal_id: uuid.UUID, at: datetime) -> None:
    session.execute(
        update(Proposal).where(Proposal.id == proposal_id).values(created_at=at, updated_at=at)
    )
    session.execute(
        update(ProposalEvent).where(ProposalEvent.proposal_id == proposal_id).values(at=at)
    )


def build_yesterday(settings: Settings, *, console: Console | None = None) -> date:
    """Build yesterday's trend report and digests unless they are built already (the demo's
    walkthrough reads them before any nightly run)."""
    from hub.digests.repository import digests_on
    from hub.digests.service import build_for_date
    from hub.reports.repository import by_date
    from hub.reports.service import build_and_store, yesterday

    day = yesterday()
    engine = make_engine(settings.sqlalchemy_url)
    with transaction(make_sessionmaker(engine)) as session:
        if by_date(session, day) is None:
            build_and_store(
                session, day, load_vocabulary(settings.barriers_dir), language=settings.language
            )
        if not digests_on(session, day):
            build_for_date(session, day=day)
    engine.dispose()
    if console:
        console.print(
            f"demo: trend report and digests of {day.isoformat()} are built; served at "
            f"{settings.issuer}/api/v1/reports/{day.isoformat()} and "
            f"{settings.issuer}/api/v1/digests/{day.isoformat()}",
            soft_wrap=True,
        )
    return day
