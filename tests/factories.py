"""Plain factory functions for test data: agencies, clients, tokens, signal bodies."""

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy.orm import Session, sessionmaker

from hub.agencies.schemas import AgencyCreate
from hub.agencies.service import add_agency
from hub.auth.clients import create_client
from hub.auth.scopes import SCOPES

ALL_SCOPES = " ".join(SCOPES)


@dataclass
class Partner:
    """An agency with one client and a bearer token for it."""

    code: str
    agency_id: int
    client_id: str
    client_secret: str
    token: str
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def reader(self) -> dict[str, str]:
        """The headers, declaring a purpose the signal and proposal reads serve.

        A source sees its own signals in full whatever it declares; other agencies' signals
        show at the level a covenant grants for investigation."""
        return self.headers | {"Purpose": "investigation"}


class PartnerFactory:
    def __init__(self, api: httpx.Client, sessions: sessionmaker[Session]) -> None:
        self.api = api
        self.sessions = sessions

    def new(
        self,
        *,
        kind: str = "kmar",
        region: str | None = None,
        scopes: str = ALL_SCOPES,
        code: str | None = None,
    ) -> Partner:
        code = code or f"T{uuid.uuid4().hex[:10].upper()}"
        with self.sessions() as session, session.begin():
            agency = add_agency(
                session, AgencyCreate(code=code, name=f"Test {code}", kind=kind, region=region)
            )
            client, secret = create_client(
                session, agency=agency, scopes=frozenset(scopes.split()), name="test client"
            )
            agency_id, client_id = agency.id, client.client_id
        assert secret is not None
        token = self.token(client_id, secret, scopes)
        return Partner(
            code, agency_id, client_id, secret, token, {"Authorization": f"Bearer {token}"}
        )

    def token(self, client_id: str, secret: str, scopes: str) -> str:
        response = self.api.post(
            "/oauth/token",
            data={"grant_type": "client_credentials", "scope": scopes},
            auth=(client_id, secret),
        )
        assert response.status_code == 200, response.text
        return response.json()["access_token"]


def signal_body(**overrides: Any) -> dict[str, Any]:
    """A valid signal body with a fresh external reference."""
    body: dict[str, Any] = {
        "external_ref": f"ref-{uuid.uuid4().hex}",
        "barriers": ["employment", "accommodation"],
        "indicators": ["employment.wages-below-minimum", "accommodation.overcrowded-address"],
        "observed_at": "2026-11-20T09:30:00+01:00",
        "municipality": "GM0363",
        "summary": "Twelve workers registered at one address; wages paid in cash.",
        "reliability": "B",
        "credibility": "2",
        "subjects": [
            {
                "type": "person",
                "name": "Ion Popescu",
                "birth_date": "1994-03-02",
                "nationality": "RO",
                "role": "victim",
            },
            {"type": "address", "postcode": "1012 AB", "house_number": 12, "city": "Amsterdam"},
            {"type": "company", "name": "Flex Uitzend B.V.", "kvk_number": "12345678"},
            {"type": "iban", "number": "NL91 ABNA 0417 1643 00"},
            {"type": "phone", "number": "06-12345678"},
        ],
    }
    body.update(overrides)
    return body


def stored_count(sessions: sessionmaker[Session], agency_id: int) -> int:
    """How many signals (and parts) an agency has in the database, read directly."""
    from sqlalchemy import func, select

    from hub.signals.models import Signal

    with sessions() as session:
        return (
            session.scalar(
                select(func.count()).select_from(Signal).where(Signal.agency_id == agency_id)
            )
            or 0
        )


# A signal assessment (WGS art. 2.23) for tests that accept proposals: every acceptance needs one.
ASSESSMENT = {
    "kinds_of_signals": "Labour exploitation: entry, housing and wages.",
    "number_nature_and_size": "A handful of signals from several agencies; one employer.",
    "weight_and_earlier_interventions": "Reliability B; no earlier intervention.",
    "participants_and_connections": "One employer and one recruiter; a shared phone.",
}


def acceptance(reason: str) -> dict[str, Any]:
    """The body of POST /proposals/{id}/decisions that accepts, with its assessment."""
    return {"decision": "accept", "reason": reason, "assessment": ASSESSMENT}


def accept_form(reason: str) -> dict[str, str]:
    """The UI's accept form: the reason and the four criteria as flat fields."""
    return {"decision": "accept", "reason": reason} | ASSESSMENT


def seal_audit(sessions: sessionmaker[Session]) -> int:
    """Seal every committed audit event now, as `hub audit seal` does (the server's sequencer
    would within a second; a test reading chain positions cannot wait on that)."""
    from hub.audit.sequencer import seal_pending
    from hub.db import transaction

    with transaction(sessions) as session:
        return seal_pending(session, wait=True, batch=1_000_000).sealed
