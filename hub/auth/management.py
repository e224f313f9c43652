"""Administering OAuth clients: list, disable, enable and delete them, each change audited.

Disabling or deleting a client refuses its tokens at once (hub/auth/revocation.py checks the
client on every request); a token issued before a disable stays refused after re-enabling.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hub.agencies.models import Agency
from hub.audit import service as audit
from hub.auth.caller import Caller
from hub.auth.models import OAuthClient
from hub.db import now

# Changes made with the `hub` command are the operator's, not an agency's.
CLI_CALLER = Caller(
    agency_id=0,
    agency_code="HUB",
    client_id="hub-cli",
    scopes=frozenset(),
    token_id="cli",  # noqa: S106
)


class ClientError(ValueError):
    """The change cannot be made; the message says why."""


class UnknownClient(ClientError):
    """There is no client with that id."""


@dataclass(frozen=True)
class ClientInfo:
    """A client as an administrator sees it (never its secret or keys)."""

    client_id: str
    agency: str
    name: str
    scopes: str
    auth_method: str
    created_at: datetime
    disabled_at: datetime | None


def list_clients(session: Session, *, agency: str | None = None) -> list[ClientInfo]:
    """Every client (of one agency, if given), by agency and creation."""
    query = (
        select(OAuthClient, Agency.code)
        .join(Agency, Agency.id == OAuthClient.agency_id)
        .order_by(Agency.code, OAuthClient.created_at, OAuthClient.client_id)
    )
    if agency is not None:
        query = query.where(Agency.code == agency)
    return [_info(client, code) for client, code in session.execute(query)]


def get_client(session: Session, client_id: str) -> ClientInfo:
    """The client with this id; UnknownClient otherwise."""
    client, code = _load(session, client_id)
    return _info(client, code)


def set_disabled(session: Session, client_id: str, *, disabled: bool, by: Caller) -> ClientInfo:
    """Disable (its tokens refused from now on) or enable a client; audited when it changes."""
    client, code = _load(session, client_id)
    if disabled and client.disabled_at is None:
        moment = now()
        client.disabled_at = moment
        client.tokens_valid_from = moment
        action = "client.disabled"
    elif not disabled and client.disabled_at is not None:
        client.disabled_at = None
        action = "client.enabled"
    else:
        return _info(client, code)  # already so: nothing to record
    session.flush()
    audit.record(session, by, action, object_type="client", objects=[(client_id, None)], owner=code)
    return _info(client, code)


def delete_client(session: Session, client_id: str, *, by: Caller) -> None:
    """Remove a client for good; its tokens are refused from now on."""
    _client, code = _load(session, client_id)
    session.execute(delete(OAuthClient).where(OAuthClient.client_id == client_id))
    audit.record(
        session,
        by,
        "client.deleted",
        object_type="client",
        objects=[(client_id, None)],
        owner=code,
    )


def _load(session: Session, client_id: str) -> tuple[OAuthClient, str]:
    row = session.execute(
        select(OAuthClient, Agency.code)
        .join(Agency, Agency.id == OAuthClient.agency_id)
        .where(OAuthClient.client_id == client_id)
    ).one_or_none()
    if row is None:
        raise UnknownClient(f"there is no client {client_id!r}")
    return row[0], row[1]


def _info(client: OAuthClient, agency_code: str) -> ClientInfo:
    return ClientInfo(
        client_id=client.client_id,
        agency=agency_code,
        name=client.name,
        scopes=client.scopes,
        auth_method=client.auth_method,
        created_at=client.created_at,
        disabled_at=client.disabled_at,
    )
