"""Annotated dependency aliases: the session, the caller and its scopes, the app's services."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request, Security
from sqlalchemy.orm import Session

from hub.auth.caller import Caller
from hub.auth.tokens import authenticate
from hub.barriers.vocabulary import Vocabulary
from hub.config import Settings
from hub.kit.crypto import DataKeys


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed before the response is sent, else rolled back."""
    with request.app.state.sessions() as session, session.begin():
        yield session


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_vocabulary(request: Request) -> Vocabulary:
    return request.app.state.vocabulary


def get_data_keys(request: Request) -> DataKeys:
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
