"""Annotated dependency aliases: the session, the caller and its scopes, the app's services."""

from collections.abc import AsyncIterator
from typing import Annotated, Literal

from fastapi import Depends, Header, Query, Request, Security
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from hub.agencies.directory import AgencyDirectory
from hub.auth.caller import Caller
from hub.auth.tokens import authenticate
from hub.barriers.vocabulary import Vocabulary
from hub.config import Settings
from hub.covenants.model import Covenant
from hub.covenants.service import bindings_for
from hub.errors import InvalidInput
from hub.kit import clock
from hub.kit.crypto import DataKeys
from hub.linking.queue import LinkWorker


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One transaction per request: committed before the response is sent, else rolled back.

    Opening a session does no I/O (it connects on first use), so it happens on the event loop;
    the commit, and the connection's return to the pool, happen in one worker-thread hop.
    """
    session: Session = request.app.state.sessions()
    try:
        yield session
    except BaseException:
        await run_in_threadpool(_end, session, commit=False)
        raise
    await run_in_threadpool(_end, session, commit=True)


def _end(session: Session, *, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


# Plain attribute reads: async so that FastAPI does not send each one to a worker thread.
async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_vocabulary(request: Request) -> Vocabulary:
    return request.app.state.vocabulary


async def get_data_keys(request: Request) -> DataKeys:
    return request.app.state.data_keys


async def get_covenants(request: Request) -> tuple[Covenant, ...]:
    return request.app.state.covenants


async def get_agencies(request: Request) -> AgencyDirectory:
    return request.app.state.agencies


async def get_link_worker(request: Request) -> LinkWorker:
    return request.app.state.link_worker


async def get_bindings(
    request: Request,
    caller: Annotated[Caller, Security(authenticate, scopes=["signals:write"])],
) -> list[tuple[str, int]]:
    """The covenant versions a signal the caller posts now is bound to."""
    directory: AgencyDirectory = request.app.state.agencies
    source = directory.cached(caller.agency_id)
    if source is None:
        source = await run_in_threadpool(
            directory.load, request.app.state.sessions, caller.agency_id
        )
    return bindings_for(source, request.app.state.covenants, clock.today())


Purpose = Literal["case-proposal", "hit-lookup", "trend-report", "investigation"]


async def get_purpose(
    purpose: Annotated[
        Purpose | None,
        Query(
            description="Why you read: covenants grant per purpose. Without one you see "
            "only your own signals."
        ),
    ] = None,
    purpose_header: Annotated[
        Purpose | None, Header(alias="Purpose", description="The purpose, as a header.")
    ] = None,
) -> str | None:
    """The declared purpose of a read, from the `purpose` parameter or the `Purpose` header."""
    if purpose and purpose_header and purpose != purpose_header:
        raise InvalidInput(
            "The purpose parameter and the Purpose header disagree.",
            errors=[{"in": "query", "name": "purpose", "detail": "differs from the header"}],
        )
    return purpose or purpose_header


# scope="function": the commit happens before the response leaves, so a client never sees a
# 201 for a row that then failed to commit.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]
VocabularyDep = Annotated[Vocabulary, Depends(get_vocabulary)]
DataKeysDep = Annotated[DataKeys, Depends(get_data_keys)]

CovenantsDep = Annotated[tuple[Covenant, ...], Depends(get_covenants)]
AgenciesDep = Annotated[AgencyDirectory, Depends(get_agencies)]
PurposeDep = Annotated[str | None, Depends(get_purpose)]
BindingsDep = Annotated[list[tuple[str, int]], Depends(get_bindings)]
LinkQueueDep = Annotated[LinkWorker, Depends(get_link_worker)]

SignalWriter = Annotated[Caller, Security(authenticate, scopes=["signals:write"])]
SignalReader = Annotated[Caller, Security(authenticate, scopes=["signals:read"])]
AnyCaller = Annotated[Caller, Security(authenticate, scopes=[])]
