"""Annotated dependency aliases: the session, the caller and its scopes, the app's services."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from hub.auth.caller import Caller
from hub.auth.tokens import authenticate
from hub.barriers.vocabulary import Vocabulary
from hub.config import Settings
from hub.kit.crypto import DataKeys


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


# scope="function": the commit happens before the response leaves, so a client never sees a
# 201 for a row that then failed to commit.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]
VocabularyDep = Annotated[Vocabulary, Depends(get_vocabulary)]
DataKeysDep = Annotated[DataKeys, Depends(get_data_keys)]

SignalWriter = Annotated[Caller, Security(authenticate, scopes=["signals:write"])]
SignalReader = Annotated[Caller, Security(authenticate, scopes=["signals:read"])]
AnyCaller = Annotated[Caller, Security(authenticate, scopes=[])]
