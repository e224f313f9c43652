"""Annotated dependency aliases: the session, the caller and its scopes, the app's services."""

from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, Literal

from fastapi import Depends, Header, Query, Request, Security
from fastapi.concurrency import run_in_threadpool
from pydantic import WithJsonSchema
from sqlalchemy.orm import Session

from hub.agencies.directory import AgencyDirectory
from hub.auth.caller import Caller
from hub.auth.tokens import authenticate
from hub.barriers.vocabulary import Vocabulary
from hub.config import Settings
from hub.covenants.model import Covenant
from hub.covenants.service import bindings_for
from hub.covenants.viewer import PURPOSES, Viewer, build_viewer
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
assert set(Purpose.__args__) == set(PURPOSES)


def _declared(query: str | None, header: str | None) -> str | None:
    # An empty value is a value (one no route serves), not an absent one.
    if query is not None and header is not None and query != header:
        raise InvalidInput(
            "The purpose parameter and the Purpose header disagree.",
            errors=[{"in": "query", "name": "purpose", "detail": "differs from the header"}],
        )
    return query if query is not None else header


def viewer_for(*allowed: str, default: str | None = None) -> Callable[..., Any]:
    """A dependency: the Viewer of a route that serves the `allowed` purposes.

    The purpose is part of the route's contract: its OpenAPI parameter lists exactly these, and
    another purpose, or none (unless the route has a `default`), is a 400 that names them."""
    assert allowed and set(allowed) <= set(PURPOSES) and default in (None, *allowed)
    listed = ", ".join(allowed)
    # Checked here rather than by a Literal so that every refusal names the allowed purposes in
    # the detail too; the schema still shows them as an enum.
    enum = WithJsonSchema({"type": "string", "enum": list(allowed)})
    said = (
        f"Why you read (required): {listed}. Covenants grant per purpose."
        if default is None
        else f"Why you read: {listed} (the default). Covenants grant per purpose."
    )

    def viewer(
        request: Request,
        caller: Annotated[Caller, Security(authenticate)],
        session: SessionDep,
        purpose: Annotated[str | None, Query(description=said), enum] = None,
        purpose_header: Annotated[
            str | None, Header(alias="Purpose", description="The purpose, as a header."), enum
        ] = None,
    ) -> Viewer:
        declared = _declared(purpose, purpose_header)
        if declared is None:
            declared = default
        if declared is None:
            raise InvalidInput(
                f"Declare why you read, with the purpose parameter or the Purpose header: "
                f"this route serves {listed}.",
                errors=[{"in": "query", "name": "purpose", "detail": f"required: one of {listed}"}],
            )
        if declared not in allowed:
            # The value is not echoed: it is the caller's own, and may be anything.
            where = ("query", "purpose") if purpose else ("header", "Purpose")
            raise InvalidInput(
                f"This route does not serve the purpose you declared: it serves {listed}.",
                errors=[{"in": where[0], "name": where[1], "detail": f"must be one of {listed}"}],
            )
        return build_viewer(
            session,
            caller,
            purpose=declared,
            covenants=request.app.state.covenants,
            agencies=request.app.state.agencies,
        )

    return viewer


def viewer_acting_for(purpose: str) -> Callable[..., Any]:
    """A dependency: the Viewer of an action that always serves one purpose (no parameter)."""

    def viewer(
        request: Request, caller: Annotated[Caller, Security(authenticate)], session: SessionDep
    ) -> Viewer:
        return build_viewer(
            session,
            caller,
            purpose=purpose,
            covenants=request.app.state.covenants,
            agencies=request.app.state.agencies,
        )

    # hub.openapi names the fixed purpose in the description of every route that acts for it.
    viewer.fixed_purpose = purpose  # type: ignore[attr-defined]
    return viewer


# scope="function": the commit happens before the response leaves, so a client never sees a
# 201 for a row that then failed to commit.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]
VocabularyDep = Annotated[Vocabulary, Depends(get_vocabulary)]
DataKeysDep = Annotated[DataKeys, Depends(get_data_keys)]

CovenantsDep = Annotated[tuple[Covenant, ...], Depends(get_covenants)]
AgenciesDep = Annotated[AgencyDirectory, Depends(get_agencies)]
BindingsDep = Annotated[list[tuple[str, int]], Depends(get_bindings)]
LinkQueueDep = Annotated[LinkWorker, Depends(get_link_worker)]

SignalWriter = Annotated[Caller, Security(authenticate, scopes=["signals:write"])]
SignalReader = Annotated[Caller, Security(authenticate, scopes=["signals:read"])]
AnyCaller = Annotated[Caller, Security(authenticate, scopes=[])]
